import io

import pytest
from openpyxl import load_workbook

from jianfu.audit.models import AuditEntry
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.orgs.models import Org, User
from jianfu.registry import exports
from jianfu.registry.models import Person


@pytest.fixture
def registry(demo_module, db):
    return Org.objects.get(name="古塘社区")


def test_an_export_needs_the_offices_approval_and_is_watermarked(client, registry):
    community, office = User.objects.get(username="community"), User.objects.get(username="office")
    request = exports.export_request(actor=community, org=registry, reason="低保年审入户核对")
    with pytest.raises(DomainError):
        exports.export_download(actor=community, request=request)
    with pytest.raises(PermissionDenied):
        exports.export_decide(actor=community, request=request, approve=True)
    exports.export_decide(actor=office, request=request, approve=True, note="同意，仅限年审使用")
    request.refresh_from_db()
    with pytest.raises(PermissionDenied):
        exports.export_download(actor=office, request=request)  # only the requester downloads
    client.force_login(community)
    response = client.get(f"/registry/exports/{request.number}/download/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    mark = sheet["A1"].value
    assert "community" in mark and request.number in mark and "导出时间" in mark
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == Person.objects.filter(org_path__startswith=registry.path).count()
    assert rows[0][3] and len(rows[0][3]) == 18  # full ID numbers: that is what approval is for
    assert sheet.oddHeader.center.text == mark
    entry = AuditEntry.objects.filter(action="pii.export").latest("seq")
    assert entry.actor == community and entry.after == {"rows": len(rows)}


def test_a_rejected_export_cannot_be_downloaded(client, registry):
    community, office = User.objects.get(username="community"), User.objects.get(username="office")
    request = exports.export_request(actor=community, org=registry, reason="核对居民名单")
    exports.export_decide(actor=office, request=request, approve=False, note="用途不明")
    client.force_login(community)
    response = client.get(f"/registry/exports/{request.number}/download/", follow=True)
    assert "尚未批准" in response.content.decode() or "not approved" in response.content.decode()
