"""The demo district (seeds 000–004): every figure against raw SQL over the source tables, and the
story the office must be able to show — the baseline year's 六多 against the reform year's results
(``demo.years``: this year, or last year in January)."""

import calendar
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from jianfu.core import clock
from jianfu.demo import years as demo_years
from jianfu.monitor import selectors, standards, workload
from jianfu.monitor.models import CommunityMonth
from jianfu.orgs.models import Org, OrgKind


@pytest.fixture
def demo(demo_module, db):
    return Org.objects.get(kind=OrgKind.DISTRICT)


def sql(query: str, params=()) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: row[1:] if len(row) > 2 else row[1] for row in cursor.fetchall()}


def year_sums(district, year: int, column: str) -> dict[int, int | Decimal]:
    return {
        r["community_id"]: r["total"]
        for r in CommunityMonth.objects.filter(district=district, year=year)
        .values("community_id")
        .annotate(total=Sum(column))
    }


def test_certificates_issued_match_the_source_tables(demo):
    years = demo_years.years()
    for year in (years.baseline, years.reform):
        months = tuple(CommunityMonth.objects.filter(year=year).values_list("month", flat=True).distinct())
        marks = ",".join(["%s"] * len(months))
        issued = sql(
            "SELECT community_id, COUNT(*) FROM certificates_certificaterequest "
            "WHERE state = 'issued' AND decided_on >= %s AND decided_on <= %s GROUP BY community_id",
            (dt.date(year, 1, 1), min(dt.date(year, 12, 31), clock.today())),
        )
        paper = sql(
            "SELECT community_id, SUM(issued) FROM certificates_baselinecount "
            f"WHERE year = %s AND month IN ({marks}) GROUP BY community_id",
            (year, *months),
        )
        expected = {k: issued.get(k, 0) + paper.get(k, 0) for k in set(issued) | set(paper)}
        got = {k: v for k, v in year_sums(demo, year, "certificates_issued").items() if v}
        assert got == {k: v for k, v in expected.items() if v}, year
        assert sum(got.values()) > (100 if year == years.baseline else 0)


def test_ledger_fields_match_the_source_tables(demo):
    year = clock.today().year  # the demo's report requests went out this month
    expected = sql(
        "SELECT s.community_id, COUNT(*), SUM(s.field_count), SUM(s.prefilled_count), SUM(s.typed_count) "
        "FROM ledger_submission s JOIN ledger_reportrequest r ON r.id = s.request_id "
        "WHERE r.sent_on >= %s AND r.sent_on <= %s GROUP BY s.community_id",
        (dt.date(year, 1, 1), clock.today()),
    )
    assert len(expected) == 48
    for column, position in (("report_requests", 0), ("fields_asked", 1), ("fields_typed", 3)):
        got = year_sums(demo, year, column)
        assert got == {k: v[position] for k, v in expected.items()}, column
    prefilled = year_sums(demo, year, "fields_prefilled")
    assert prefilled == {k: v[2] or 0 for k, v in expected.items()}


def test_plaques_match_the_source_tables(demo):
    today = clock.today()
    for year, month in ((demo_years.years().baseline, 6), (today.year, today.month)):
        row = CommunityMonth.objects.filter(year=year, month=month)
        end = min(dt.date(year, month, calendar.monthrange(year, month)[1]), clock.today())
        expected = sql(
            "SELECT community_id, COUNT(*) FROM catalog_plaque WHERE kind = 'plaque' AND hung_on <= %s "
            "AND (removed_on IS NULL OR removed_on > %s) GROUP BY community_id",
            (end, end),
        )
        assert dict(row.values_list("community_id", "plaques")) == expected


def test_items_carried_match_the_source_tables(demo):
    """Items of the year, in force or cancelled at its end, started and not yet cancelled that month, valid
    that month, whose street scope and community types cover the community."""
    years = demo_years.years()
    for year in (years.baseline, years.reform):
        first = dt.date(year, 1, 1)
        expected = sql(
            "SELECT c.id, COUNT(i.id) FROM orgs_org c JOIN catalog_workitem i ON i.year = %s "
            "AND i.category IN ('duty', 'assist', 'certificate', 'cancelled') "
            "AND (i.valid_until IS NULL OR i.valid_until >= %s) "
            "AND (i.starts_on IS NULL OR i.starts_on < %s) AND (i.cancelled_on IS NULL OR i.cancelled_on > %s) "
            "AND (NOT EXISTS (SELECT 1 FROM catalog_workitem_scope_streets s WHERE s.workitem_id = i.id) "
            "  OR EXISTS (SELECT 1 FROM catalog_workitem_scope_streets s WHERE s.workitem_id = i.id AND s.org_id = c.parent_id)) "
            "AND (CAST(i.scope_community_types AS TEXT) = '[]' "
            "  OR CAST(i.scope_community_types AS TEXT) LIKE '%%\"' || c.community_type || '\"%%') "
            "WHERE c.kind = 'community' GROUP BY c.id",
            (year, first, dt.date(year, 2, 1), first),
        )
        got = dict(CommunityMonth.objects.filter(year=year, month=1).values_list("community_id", "items_total"))
        assert got == expected, year


def test_items_by_kind_match_the_source_tables(demo):
    years = demo_years.years()
    for year in (years.baseline, years.reform):
        rows = sql(
            "SELECT i.kind, COUNT(*) FROM catalog_workitem i WHERE i.year = %s "
            "AND i.category IN ('duty', 'assist', 'certificate', 'cancelled') "
            "AND (i.valid_until IS NULL OR i.valid_until >= %s) "
            "AND (i.starts_on IS NULL OR i.starts_on < %s) AND (i.cancelled_on IS NULL OR i.cancelled_on > %s) "
            "AND NOT EXISTS (SELECT 1 FROM catalog_workitem_scope_streets s WHERE s.workitem_id = i.id) "
            "AND CAST(i.scope_community_types AS TEXT) = '[]' "
            "GROUP BY i.kind",
            (year, dt.date(year, 1, 1), dt.date(year, 2, 1), dt.date(year, 1, 1)),
        )
        # Every demo community carries the unscoped items at least; none of the baseline year's is scoped.
        january = CommunityMonth.objects.filter(year=year, month=1)
        for kind, count in rows.items():
            values = set(january.values_list(f"items_{kind}", flat=True))
            assert min(values) >= count, (year, kind)
            if year == years.baseline:
                assert values == {count}, (year, kind)


def test_whistles_and_department_rates_match_the_source_tables(demo):
    total = sum(_whistles_match(demo, clock.today().year - years_ago) for years_ago in (1, 0))
    assert total > 100  # the demo's cases span the last twelve months


def _whistles_match(demo, year: int) -> int:
    bounds = [
        connection.ops.adapt_datetimefield_value(timezone.make_aware(dt.datetime(y, 1, 1))) for y in (year, year + 1)
    ]
    whistles = sql(
        "SELECT COALESCE(CASE WHEN u.kind = 'grid' THEN u.parent_id END, u.id), COUNT(*) FROM cases_case c "
        "JOIN orgs_org u ON u.id = c.org_unit_id WHERE c.whistle AND c.dispatched_at >= %s AND c.dispatched_at < %s "
        "AND u.kind IN ('community', 'grid') GROUP BY 1",
        bounds,
    )
    got = {k: v for k, v in year_sums(demo, year, "whistles").items() if v}
    assert got == whistles
    dispatched = sql(
        "SELECT c.assignee_id, COUNT(*), SUM(CASE WHEN c.solved THEN 1 ELSE 0 END) FROM cases_case c "
        "WHERE c.kind = 'event' AND c.whistle AND c.dispatched_at >= %s AND c.dispatched_at < %s "
        "AND c.assignee_id IN (SELECT id FROM orgs_org WHERE kind IN ('department', 'group_org')) GROUP BY 1",
        bounds,
    )
    table, total = selectors.department_service(demo, year, list(range(1, 13)))
    assert {d.department.pk: (d.dispatched, d.solved) for d in table if d.dispatched} == {
        k: (v[0], v[1]) for k, v in dispatched.items()
    }
    assert total.dispatched == sum(v[0] for v in dispatched.values())
    return sum(whistles.values())


def test_the_burden_index_follows_its_formula(demo):
    """100 × mean over the index indicators of (figure ÷ the baseline year's mean per community-month)."""
    from django.db.models import Avg

    from jianfu.monitor.indicators import index_weights

    years = demo_years.years()
    keys = list(index_weights())
    means = CommunityMonth.objects.filter(year=years.baseline).aggregate(**{k: Avg(k) for k in keys})
    terms = [k for k in keys if means[k]]
    row = CommunityMonth.objects.filter(year=years.reform, month=1).order_by("community__path").first()
    expected = sum(Decimal(str(getattr(row, k))) / Decimal(str(means[k])) for k in terms) / len(terms) * 100
    assert abs(row.burden_index - expected) <= Decimal("0.1")


def test_cases_match_the_source_tables(demo):
    total = sum(_cases_match(demo, clock.today().year - years_ago) for years_ago in (1, 0))
    assert total > 100  # the demo's cases span the last twelve months


def _cases_match(demo, year: int) -> int:
    closed = sql(
        "SELECT COALESCE(CASE WHEN u.kind = 'grid' THEN u.parent_id END, u.id), COUNT(*) FROM cases_case c "
        "JOIN orgs_org u ON u.id = c.org_unit_id WHERE c.closed_at >= %s AND c.closed_at < %s "
        "AND u.kind IN ('community', 'grid') GROUP BY 1",
        [connection.ops.adapt_datetimefield_value(timezone.make_aware(dt.datetime(y, 1, 1))) for y in (year, year + 1)],
    )
    events = year_sums(demo, year, "events_closed")
    services_done = year_sums(demo, year, "services_closed")
    got = {k: events.get(k, 0) + services_done.get(k, 0) for k in events}
    assert {k: v for k, v in got.items() if v} == closed
    return sum(closed.values())


def test_the_baseline_year_shows_the_six_too_many(demo):
    """Seed 000 (海曙): 90+ work items, 47 ledger sets, 41 campaigns, 36 surveys in two years,
    23 platforms, 60+ seal items; every community had plaques all over the door."""
    year = demo_years.years().reform
    base = selectors.summary(demo, year)
    assert base.baseline_year == year - 1
    baseline = {r.indicator.key: r.baseline for r in base.rows}
    assert baseline["items_task"] >= 90
    assert (baseline["items_ledger"], baseline["items_campaign"], baseline["items_platform"]) == (47, 41, 23)
    assert baseline["items_certificate"] >= 60
    january = CommunityMonth.objects.filter(year=year - 1, month=1)
    assert set(january.values_list("items_survey", flat=True)) == {18}  # 36 surveys in two years
    assert baseline["plaques"] > 9


def test_this_year_shows_seed_001_results(demo):
    """Seed 001 (北京): ledgers and meetings −50 %, certificates −40 %, only three plaques."""
    summary = selectors.summary(demo, demo_years.years().reform)
    assert -55 <= summary.row("items_ledger").change_percent <= -45
    assert -55 <= summary.row("meetings").change_percent <= -45
    assert -45 <= summary.row("certificates_issued").change_percent <= -35
    assert summary.row("plaques").current == Decimal("3.0")
    # 100 is the baseline year's average community; its first months alone lie near it.
    assert 95 <= summary.row("burden_index").baseline <= 105
    assert summary.row("burden_index").current < 70


def test_the_standards_name_exactly_the_communities_that_break_them(demo):
    results = {s.key: s for s in standards.check(demo)}
    below = sql(
        "SELECT id, code FROM orgs_org WHERE kind = 'community' AND office_space_m2 < 0.4 * CASE WHEN "
        "resident_households > registered_households THEN resident_households ELSE registered_households END"
    )
    assert len(below) == 24  # seed 002: 24 communities below the space standard
    assert {b.org.pk for b in results["space"].breaches} == set(below)
    short = sum(b.gap for b in results["space"].breaches)
    assert short > 10_000  # seed 002: over 10 000 m² short
    for b in results["grid_size"].breaches:
        assert not 300 <= b.org.resident_households <= 500


def test_workload_names_the_outliers(demo):
    year = demo_years.years().reform
    result = workload.balance(demo, year, selectors.summary(demo, year).months)
    assert len(result.rows) == 48
    for r in result.swamped:
        assert r.hours_per_worker > result.high_fence
    assert result.swamped or result.idle  # seed 004: idle here, swamped there
