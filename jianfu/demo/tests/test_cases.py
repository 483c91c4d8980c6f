"""The demo year of whistles and applications: realistic mixes, consistent with the rules, and the
three rates and points equal to plain SQL aggregates over the same rows."""

import pytest
from django.db import connection
from django.urls import reverse

from jianfu.cases import selectors, services
from jianfu.cases.conf import conf
from jianfu.cases.deadlines import month_bounds
from jianfu.cases.models import Case, CaseEvent, Escalation, Matter, MatterGroup, PointEntry, ServiceItem
from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(demo_module):
    return demo_module


@pytest.fixture
def district(db):
    return Org.objects.get(code="330282")


def last_twelve_months():
    today = clock.today()
    months, year, month = [], today.year, today.month
    for _ in range(12):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


SQL_COUNTS = """
    SELECT c.assignee_id,
           COUNT(*),
           SUM(CASE WHEN c.responded_on_time THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.solved THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.satisfaction <> '' THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.reopen_count > 0 THEN 1 ELSE 0 END)
      FROM cases_case c JOIN orgs_org o ON o.id = c.assignee_id
     WHERE c.kind = 'event' AND c.whistle AND c.dispatched_at >= %s AND c.dispatched_at < %s
       AND o.path LIKE %s
     GROUP BY c.assignee_id
"""
SQL_POINTS = """
    SELECT p.department_id, SUM(p.points)
      FROM cases_pointentry p JOIN orgs_org o ON o.id = p.department_id
     WHERE p.period >= %s AND p.period < %s AND o.path LIKE %s
     GROUP BY p.department_id
"""


def test_the_rates_and_points_equal_sql_aggregates_for_every_month(district):
    for year, month in last_twelve_months():
        start, end = month_bounds(year, month)
        with connection.cursor() as cursor:
            cursor.execute(SQL_COUNTS, [start, end, f"{district.path}%"])
            counts = {row[0]: tuple(int(v or 0) for v in row[1:]) for row in cursor.fetchall()}
            cursor.execute(SQL_POINTS, [start.date(), end.date(), f"{district.path}%"])
            points = {row[0]: int(row[1]) for row in cursor.fetchall()}
        rows = selectors.department_rates(district, year, month)
        assert counts, (year, month)
        assert {r.department.pk for r in rows} == set(counts) | set(points)
        for r in rows:
            mine = (r.dispatched, r.responded_on_time, r.solved, r.rated, r.satisfied, r.reopened)
            assert mine == counts.get(r.department.pk, (0,) * 6), (year, month, r.department.name)
            assert r.points == points.get(r.department.pk, 0)
            one = selectors.rates(r.department, year, month)
            assert (one.dispatched, one.points, one.response_rate) == (r.dispatched, r.points, r.response_rate)


def test_every_point_follows_its_rule(district):
    rules = conf("POINTS")
    for rule, points in PointEntry.objects.values_list("rule", "points").distinct():
        assert rules[rule] == points
    # Points go only to departments answering whistles, in the month of dispatch.
    assert not PointEntry.objects.exclude(department__kind__in=[OrgKind.DEPARTMENT, OrgKind.GROUP_ORG]).exists()


def test_a_year_of_whistles_with_realistic_mixes(district):
    whistles = Case.objects.filter(kind="event", whistle=True)
    total = whistles.count()
    assert total >= 800
    responded = whistles.filter(responded_on_time__isnull=False)
    on_time = responded.filter(responded_on_time=True).count() / responded.count()
    assert 0.75 <= on_time <= 0.97
    late_resolution = whistles.filter(resolved_on_time=False).count() / total
    assert 0.03 <= late_resolution <= 0.30
    reopened = whistles.filter(reopen_count__gt=0).count() / total
    assert 0.01 <= reopened <= 0.12
    unsolved = whistles.filter(solved=False).count() / total
    assert 0.01 <= unsolved <= 0.20  # the resolution rate is not a flat 100 %
    rated = whistles.exclude(satisfaction="")
    assert rated.filter(satisfaction="dissatisfied").exists() and rated.filter(satisfaction="basic").exists()
    months = {(d.year, d.month) for d in whistles.values_list("dispatched_at", flat=True) if d}
    assert len(months) >= 12
    # Returns, disputes, reassignments, merged duplicates and escalations all occur.
    actions = set(CaseEvent.objects.values_list("action", flat=True).distinct())
    assert {"return", "dispute", "reassign", "merge", "reopen", "escalate"} <= actions
    assert Escalation.objects.exists() and Case.objects.filter(state="merged").exists()
    # Grid matters the community gives its own grids: no whistle, no points.
    local = Case.objects.filter(kind="event", assignee__kind=OrgKind.GRID)
    assert local.exists() and not PointEntry.objects.filter(case__in=local).exists()


def test_a_year_of_service_applications(district):
    applications = Case.objects.filter(kind="service")
    total = applications.count()
    assert total >= 1000
    late = applications.filter(resolved_on_time=False).count() / total
    assert 0.02 <= late <= 0.20
    assert applications.filter(channel="window").count() > applications.filter(channel="resident").count() > 0
    assert applications.filter(state__in=["accepted", "dispatched", "responded"]).exists()  # some still open today
    assert applications.exclude(query_code=None).count() == total


def test_the_demo_is_consistent_with_the_rules(district):
    for case in Case.objects.filter(responded_at__isnull=False, respond_due__isnull=False)[:3000]:
        assert case.responded_on_time == (case.responded_at <= case.respond_due), case.number
    assert not Case.objects.filter(whistle=True, assignee__kind__in=[OrgKind.COMMUNITY, OrgKind.GRID]).exists()
    assert not Case.objects.filter(state__in=["resolved", "confirmed", "closed"], resolved_at__isnull=True).exists()
    now = clock.now()
    assert not Case.objects.filter(reported_at__gt=now).exists()
    assert not CaseEvent.objects.filter(at__gt=now).exists()


def test_the_configuration_follows_seed_003(district):
    whistle_groups = MatterGroup.objects.filter(kind="whistle")
    assert whistle_groups.count() == 3
    # 「明確3大類吹哨范圍和20余項具體內容」: 20-odd matters across the 3 categories, not in each.
    assert 20 < Matter.objects.filter(group__kind="whistle").count() < 30
    assert Matter.objects.filter(group__kind="grid").count() >= 10
    assert not Matter.objects.get(name="重点人员服务管理").public
    items = ServiceItem.objects.all()
    assert items.count() == 167
    assert set(items.values_list("group", flat=True)) == {"party", "convenience", "public", "government"}
    # Matters the negative list gives a department are tied to that list item.
    assert Matter.objects.get(name="违法建设").work_item.category == "negative"


def test_service_items_are_handled_at_the_windows_only_under_items_in_force(district):
    """非准不入 for services too: each item a community window handles itself rests on a list item in
    force there; one without is accepted at the window and passed on to its department."""
    at_window = ServiceItem.objects.filter(handled_at="window").select_related("work_item", "department")
    assert at_window.count() >= 80 and not at_window.filter(work_item=None).exists()
    elderly = ServiceItem.objects.get(name="老年人优待证办理")
    assert elderly.handled_at == "window" and elderly.work_item.name == "协助开展居家养老服务和高龄津贴申报"
    hukou = ServiceItem.objects.get(name="户口迁移咨询")  # no item of the lists: the police handle it
    assert hukou.handled_at == "department" and hukou.work_item is None
    # Every application handled at a window was made where its item is in force.
    pairs = set(
        Case.objects.filter(kind="service", service_item__handled_at="window").values_list("service_item", "org_unit")
    )
    items = {i.pk: i for i in at_window}
    communities = Org.objects.in_bulk({c for _, c in pairs})
    assert pairs
    for item, community in pairs:
        assert services.window_refusal(items[item], communities[community]) == "", (item, community)


def test_the_demo_pages_render(client, district):
    from jianfu.orgs.models import User

    client.force_login(User.objects.get(username="office"))
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert "已报准入办督办" in page
    rates = client.get(reverse("cases:rates"), {"year": clock.reporting_year()}).content.decode()
    assert "市综合行政执法局" in rates
    client.force_login(User.objects.get(username="grid"))
    assert "古塘社区第一网格" in client.get(reverse("cases:grid")).content.decode()
    community = Org.objects.get(name="古塘社区")
    public = client.get(reverse("portal:community", args=[community.code])).content.decode()
    assert "12345" in public and "市综合行政执法局" in public
    services = client.get(reverse("open311:services", args=["json"])).json()
    # The public matters: 23 whistle matters (seed 003: 3 categories, 20余項) and 10 of the 12 grid matters.
    assert len(services) == 33 and all(s["service_code"] for s in services)
    assert "重点人员服务管理" not in {s["service_name"] for s in services}
