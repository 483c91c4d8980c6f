"""Issue 20, point 1, through the certificate services: an approved certificate item is issued once
the office publishes its district's list (no re-import); a cancelled one is closed from its date."""

import datetime as dt

import pytest

from jianfu.access.models import Application
from jianfu.catalog import services as catalog
from jianfu.catalog.models import Category, ItemKind, ItemList
from jianfu.certificates import services
from jianfu.certificates.models import Certificate, CertificateType
from jianfu.core.errors import DomainError

from .conftest import TODAY

RESIDENCE_EVIDENCE = ["申请人居民身份证", "房屋所有权人书面同意借住声明"]


def _approved_certificate(tree, clerk, office):
    application = Application.objects.create(
        number="ZR-T-1",
        department=tree["civil_affairs"],
        created_by=clerk,
        name="房屋借住情况证明",
        kind=ItemKind.CERTIFICATE,
        category=Category.CERTIFICATE,
        legal_basis="《居住证暂行条例》第九条",
        start_date=TODAY,
    )
    item = catalog.item_from_application(application=application, actor=office)
    CertificateType.objects.create(item=item, within_duties=True, notify_and_commit=True)
    return item


def test_an_approved_certificate_is_issued_after_the_office_publishes_the_list_without_a_reimport(
    tree, cert_lists, clerk, office, community_worker, people
):
    item = _approved_certificate(tree, clerk, office)
    with pytest.raises(DomainError) as closed:
        services.request_create(actor=community_worker, community=tree["community11"], item=item, person=people[0])
    assert closed.value.code == "not_issuable"  # approved, in the draft: not yet on the list in force

    draft = ItemList.objects.get(code="certificate").draft(tree["district"])
    assert list(draft.entries.values_list("item__code", flat=True))[-1] == item.code
    catalog.list_publish(
        actor=office,
        version=draft,
        meeting_date=TODAY,
        meeting_decision="联席会议纪要〔2026〕3号",
        meeting_minutes="审议同意新增房屋借住情况证明",
        effective_on=TODAY,
    )
    request = services.request_create(
        actor=community_worker, community=tree["community11"], item=item, person=people[0]
    )
    services.certificate_issue(actor=community_worker, request=request, evidence_checked=[])
    assert Certificate.objects.filter(request=request).exists()


def test_a_cancelled_certificate_is_closed_from_its_date(tree, cert_lists, office, community_worker, people, frozen):
    item = cert_lists["residence"]
    catalog.item_cancel(
        actor=office,
        item=item,
        effective_on=TODAY + dt.timedelta(days=3),
        reason="上级已取消",
        responsible_body="派出所",
    )
    open_request = services.request_create(
        actor=community_worker, community=tree["community11"], item=item, person=people[0]
    )  # still in force today
    frozen(TODAY + dt.timedelta(days=3))
    with pytest.raises(DomainError) as closed:
        services.certificate_issue(actor=community_worker, request=open_request, evidence_checked=RESIDENCE_EVIDENCE)
    assert closed.value.code == "not_issuable" and "上级已取消" in closed.value.message
