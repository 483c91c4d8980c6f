import io
import re

import openpyxl
import pytest

from jianfu.audit.models import AuditEntry
from jianfu.core.models import DirtyMonth
from jianfu.monitor import services
from jianfu.monitor.models import CommunityMonth

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(small):
    services.refresh(small["district"], [2025, 2026])
    return small


def test_office_drills_down_district_street_community(client, office, computed):
    client.force_login(office)
    page = client.get("/monitor/", follow=True)
    assert page.redirect_chain[-1][0] == "/monitor/D/"
    body = page.content.decode()
    assert 'href="/monitor/S1/?year=2026"' in body and 'data-indicator="certificates_issued"' in body
    assert "-40%" in body  # certificates 20 → 12
    street = client.get("/monitor/S1/").content.decode()
    assert 'href="/monitor/S1C1/?year=2026"' in street
    community = client.get("/monitor/S1C1/").content.decode()
    assert 'data-testid="grids"' in community and "街道1社区1网格1" in community
    assert client.get("/monitor/S1C1G1/").url == "/monitor/S1C1/"


def test_the_tree_limits_who_reads_what(client, street_worker, community_worker, grid_worker, clerk, computed):
    client.force_login(street_worker)  # street 1
    assert client.get("/monitor/S1/").status_code == 200
    assert client.get("/monitor/S1C2/").status_code == 200
    assert client.get("/monitor/D/").status_code == 403
    assert client.get("/monitor/S2C1/").status_code == 403
    client.force_login(community_worker)  # community 11
    assert client.get("/monitor/", follow=True).redirect_chain[-1][0] == "/monitor/S1C1/"
    assert client.get("/monitor/S1C2/").status_code == 403
    for user in (grid_worker, clerk):
        client.force_login(user)
        assert client.get("/monitor/").status_code == 403
        assert client.get("/monitor/S1C1/").status_code == 403


def test_every_chart_exports_its_table(client, office, computed):
    client.force_login(office)
    for name in ("index-trend", "hours-trend", "change", "ranking", "heat"):
        response = client.get("/monitor/D/", {"export": name, "year": 2026})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), name
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row > 1, name
    heat = openpyxl.load_workbook(io.BytesIO(client.get("/monitor/D/", {"export": "heat"}).content)).active
    assert [c.value for c in heat["A"]][1:] == ["街道1社区1", "街道1社区2", "街道2社区1", "街道2社区2"]


def test_a_change_in_a_source_shows_on_the_next_read(client, office, computed):
    """Sources mark their months dirty in the same transaction; the dashboard recomputes just those."""
    district = computed["district"]
    _import_item(office, district, "B9,创建评比,卫健局")  # a campaign of WJ in 2026, through the list import
    assert DirtyMonth.objects.filter(district=district.pk, year=2026).count() == 3  # Jan–Mar have begun
    client.force_login(office)
    client.get("/monitor/D/")
    assert not DirtyMonth.objects.exists()
    assert CommunityMonth.objects.get(community=computed["c11"], year=2026, month=3).items_campaign == 1


def _import_item(office, district, row: str) -> None:
    from jianfu.catalog.models import Category, ItemList
    from jianfu.catalog.spreadsheets import import_list
    from jianfu.core.tabular import read_table

    item_list = ItemList.objects.create(code="duty", name="法定职责", category=Category.DUTY)
    code, kind, department = row.split(",")
    header = "编码,名称,类型,责任部门,法律依据,频次,每次工时,依据层级,依据文件名称和文号"
    lines = [header, f"{code},事项{code},{kind},{department},《条例》,每月,2,市,《慈溪市文明社区创建三年行动方案》"]
    import_list(
        actor=office,
        item_list=item_list,
        district=district,
        table=read_table(io.BytesIO("\n".join(lines).encode("gbk"))),
    )


def test_only_the_office_recomputes_and_it_is_audited(client, office, street_worker, computed):
    client.force_login(street_worker)
    assert client.post("/monitor/S1/refresh/").status_code == 403
    client.force_login(office)
    assert client.post("/monitor/D/refresh/").status_code == 302
    entry = AuditEntry.objects.filter(action="monitor.refresh").get()
    assert entry.after == {"rows": 4 * 12 + 4 * 3}


def test_standards_and_workload_pages(client, office, computed):
    client.force_login(office)
    body = client.get("/monitor/D/standards/").content.decode()
    # The small tree: 300 m² each against 40 m² per 100 registered households (440–880 m² needed).
    assert body.count('data-standard="space"') == 1 and "街道2社区2" in body
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/monitor/D/standards/", {"export": "space"}).content)).active
    assert sheet.max_row == 1 + 4
    assert client.get("/monitor/D/workload/").status_code == 200


def test_dashboard_queries_do_not_grow_with_the_district(client, office, computed, django_assert_max_num_queries):
    client.force_login(office)
    client.get("/monitor/D/")  # sessions, memberships warm
    with django_assert_max_num_queries(30):
        client.get("/monitor/D/")
    with django_assert_max_num_queries(30):
        client.get("/monitor/S1/")


def test_in_january_the_pages_compare_the_last_whole_year(client, office, computed, monkeypatch):
    """2027-01-04: this year has no whole month yet, so the dashboard and the public figures show
    2026 (months 1–12) against the baseline instead of dashes, and say so."""
    import datetime as dt

    from django.utils import timezone

    from jianfu.core import clock

    january = dt.date(2027, 1, 4)
    monkeypatch.setattr(clock, "today", lambda: january)
    monkeypatch.setattr(clock, "now", lambda: timezone.make_aware(dt.datetime.combine(january, dt.time(9))))
    services.refresh(computed["district"], [2025, 2026, 2027])
    client.force_login(office)
    body = client.get("/monitor/D/").content.decode()
    assert '<option value="2026" selected>' in body and "2026年与基准年2025年同期（1–12月）对比" in body
    assert "本年尚无完整月份" in body
    assert re.search(r'data-indicator="certificates_issued".*?-?\d+%', body, re.S)  # a change, not "–"
    later = client.get("/monitor/D/", {"year": 2027}).content.decode()
    assert '<option value="2027" selected>' in later and "本年尚无完整月份" not in later
