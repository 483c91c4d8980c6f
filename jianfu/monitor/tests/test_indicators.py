"""Every indicator against a hand computation on a small tree (sources in monitor/tests/conftest.py)."""

from decimal import Decimal

import pytest

from jianfu.monitor import selectors, services
from jianfu.monitor.models import CommunityMonth

pytestmark = pytest.mark.django_db


def row(community, year, month) -> CommunityMonth:
    return CommunityMonth.objects.get(community=community, year=year, month=month)


@pytest.fixture
def computed(small):
    services.refresh(small["district"], [2025, 2026])
    return small


def test_rows_cover_the_months_that_have_begun(computed):
    d = computed["district"]
    assert CommunityMonth.objects.filter(district=d, year=2025).count() == 4 * 12
    assert sorted(CommunityMonth.objects.filter(district=d, year=2026).values_list("month", flat=True).distinct()) == [
        1,
        2,
        3,
    ]


def test_items_carried_by_kind_scope_and_validity(computed):
    c11, c21 = computed["c11"], computed["c21"]
    jan = row(c11, 2025, 1)
    # A1 A2 ledgers, A3 campaign, A4 meeting, A5 platform (street 1 only), A6 survey, A7 cancelled task.
    assert (jan.items_total, jan.items_ledger, jan.items_campaign, jan.items_meeting) == (7, 2, 1, 1)
    assert (jan.items_platform, jan.items_survey, jan.items_task) == (1, 1, 1)
    assert row(c11, 2025, 7).items_total == 6  # the survey ran out on 30 June
    assert row(c21, 2025, 1).items_total == 6 and row(c21, 2025, 1).items_platform == 0
    assert row(c11, 2026, 2).items_total == 2  # B1 and B4; the negative-list A8 never counts


def test_hours_and_meetings(computed):
    c11, c21 = computed["c11"], computed["c21"]
    # 2 + 2 + 12/12 + 1.5 + 1 + 6/12 + 3×4/12
    assert row(c11, 2025, 1).item_hours == Decimal("9.00")
    assert row(c11, 2025, 8).item_hours == Decimal("8.50")
    assert row(c21, 2025, 1).item_hours == Decimal("8.00")
    assert row(c11, 2025, 3).meetings == 1
    # Quarterly now: whole meetings in months 3, 6, 9 and 12 (issue 21), none in January.
    assert (row(c11, 2026, 1).meetings, row(c11, 2026, 3).meetings) == (0, 1)
    assert row(c11, 2026, 1).item_hours == Decimal("2.50")


def test_plaques_certificates_ledger_and_cases(computed):
    c11, c12, c21 = computed["c11"], computed["c12"], computed["c21"]
    assert [row(c11, 2025, m).plaques for m in (1, 11, 12)] == [4, 4, 1]
    assert row(c11, 2026, 3).plaques == 1 and row(c12, 2026, 3).plaques == 1
    assert row(c11, 2025, 5).certificates_issued == 10 and row(c11, 2026, 2).certificates_issued == 6
    feb = row(c11, 2026, 2)
    assert (feb.report_requests, feb.fields_asked, feb.fields_prefilled, feb.fields_typed) == (1, 20, 15, 5)
    assert feb.ledger_hours == Decimal("0.17")  # 5 fields × 2 minutes
    assert row(c21, 2026, 2).fields_typed == 0 and row(c21, 2026, 2).fields_prefilled == 10
    assert feb.whistles == 1 and row(c11, 2026, 3).events_closed == 1  # from a grid of c11
    assert row(c12, 2026, 1).services_closed == 1
    # Serving residents: 6 certificates × 15 min; one closed case × 45 min.
    assert row(c11, 2026, 1).service_hours == Decimal("1.50")
    assert row(c11, 2026, 3).service_hours == Decimal("0.75")
    assert feb.worker_hours == Decimal("2.50") + Decimal("0.17") + Decimal("1.50")


def test_burden_index_by_hand(computed):
    # Baseline means per community-month in 2025 (48 rows): task 1, ledger 2, survey 0.5, campaign 1,
    # platform 0.5, plaques 57/48, meetings 1, certificates 120/48, item hours 396/48; inspection has no
    # baseline and drops out, leaving nine equally weighted terms.
    c11 = computed["c11"]
    expected = (
        (
            Decimal(0) / 1
            + Decimal(1) / 2
            + Decimal(0) / Decimal("0.5")
            + Decimal(0) / 1
            + Decimal(0) / Decimal("0.5")
            + Decimal(1) / (Decimal(57) / 48)
            + Decimal(0) / 1  # the quarterly meeting falls in March
            + Decimal(6) / (Decimal(120) / 48)
            + Decimal("2.50") / (Decimal(396) / 48)
        )
        / 9
        * 100
    )
    assert row(c11, 2026, 1).burden_index == expected.quantize(Decimal("0.1"))
    indexes = list(CommunityMonth.objects.filter(year=2025).values_list("burden_index", flat=True))
    assert abs(sum(indexes) / len(indexes) - 100) < Decimal("0.1")  # 100 is the baseline's average


def test_summary_compares_the_same_months(computed):
    summary = selectors.summary(computed["district"], 2026)
    assert summary.baseline_year == 2025 and summary.months == [1, 2]
    items = summary.row("items_total")
    assert (items.baseline, items.current, items.change_percent) == (Decimal("6.5"), Decimal("2.0"), -69)
    certificates = summary.row("certificates_issued")
    assert (certificates.baseline, certificates.current, certificates.change_percent) == (20, 12, -40)
    meetings = summary.row("meetings")
    # 4 communities × 2 months; the quarterly meeting of 2026 falls in March, outside months 1–2.
    assert (meetings.baseline, meetings.current) == (8, 0)
    plaques = summary.row("plaques")
    assert (plaques.baseline, plaques.current) == (Decimal("1.3"), Decimal("0.5"))  # 5/4 and 2/4 per community
    typed = summary.row("fields_typed")
    assert (typed.baseline, typed.current, typed.change_percent) == (0, 5, None)  # nothing to compare with


def test_street_and_community_scopes(computed):
    s1 = computed["street1"]
    assert selectors.totals(s1, 2025, [1])["items_total"] == Decimal("7.0")
    assert selectors.totals(computed["c11"], 2025, list(range(1, 13)))["certificates_issued"] == 120
    children = selectors.children(computed["district"], 2025, [1])
    assert [(o.code, v["items_platform"]) for o, v in children] == [("S1", Decimal("1.0")), ("S2", Decimal("0.0"))]
    trend = selectors.trend(computed["c11"], [2025, 2026], ["plaques"])
    assert trend["plaques"][2025][11] == Decimal("1.0") and trend["plaques"][2026][3] is None


def test_department_service_from_materialised_months(computed):
    table, total = selectors.department_service(computed["district"], 2026, [1, 2, 3])
    assert table == [] and total.dispatched == 0  # the whistle C1 was never assigned


def test_an_item_counts_from_its_start_date_and_until_its_cancellation(small, tree):
    """Issue 20, point 1: an item approved mid-year does not count from January; one cancelled
    during the year stops counting in the month it takes effect."""
    import datetime as dt

    from jianfu.catalog.models import ItemKind

    from .conftest import work_item

    c11, civil = small["c11"], tree["civil_affairs"]
    work_item(civil, "C1", ItemKind.TASK, 2025, starts_on=dt.date(2025, 4, 15))
    work_item(civil, "C2", ItemKind.TASK, 2025, cancelled_on=dt.date(2025, 9, 1), cancellation_reason="并入网格走访")
    services.refresh(small["district"], [2025])
    tasks = [row(c11, 2025, m).items_task for m in (3, 4, 8, 9)]
    # A7 (a task all year), plus C1 from April, plus C2 until August.
    assert tasks == [2, 3, 3, 2]
