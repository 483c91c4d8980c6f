"""Issue 21, point 4: self-governance is not burden, and meetings count as whole meetings.

Seed 004 (武汉) encourages residents' hearings (社区听证会), forums (民情恳谈会) and dialogues (社区对话);
seed 001 moves the committee's work to 议事协商 once burdens are cut. So they leave the burden index
and form their own indicator from the deliberation records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from jianfu.catalog.models import Frequency, ItemKind
from jianfu.deliberations.models import Deliberation, DeliberationKind
from jianfu.monitor import compute, report, selfgov, services
from jianfu.monitor.models import CommunityMonth

from .conftest import work_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(small):
    services.refresh(small["district"], [2025, 2026])
    return small


def _sql(query: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [tuple(r) for r in cursor.fetchall()]


def _meetings(community, year) -> list[tuple[int, Decimal]]:
    rows = _sql(
        "SELECT month, meetings FROM monitor_communitymonth WHERE community_id = %s AND year = %s ORDER BY month",
        [community.pk, year],
    )
    return [(month, Decimal(str(value))) for month, value in rows]


def _indexes(district) -> dict[tuple[int, int, int], Decimal]:
    rows = _sql(
        "SELECT community_id, year, month, burden_index, meetings, item_hours FROM monitor_communitymonth "
        "WHERE district_id = %s",
        [district.pk],
    )
    return {(c, y, m): (Decimal(str(i)), Decimal(str(n)), Decimal(str(h))) for c, y, m, i, n, h in rows}


def deliberation(community, kind, held_on, participants, *, done=None, published=True):
    return Deliberation.objects.create(
        kind=kind,
        community=community,
        held_on=held_on,
        subject="油烟扰民",
        agenda="议程",
        participants=participants,
        outcome="结果",
        follow_up="回访" if done else "",
        follow_up_done=done,
        published_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(18))) if published else None,
    )


# Whole meetings ----------------------------------------------------------------------------------


def test_whole_meetings_fall_at_the_end_of_each_period():
    by_month = lambda n: [compute.whole_meetings(Decimal(n), m) for m in range(1, 13)]  # noqa: E731
    assert by_month(4) == [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]  # quarterly: months 3, 6, 9, 12
    assert by_month(2) == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]  # half-yearly: months 6 and 12
    assert by_month(1) == [0] * 11 + [1]  # yearly (and once): December
    assert by_month(12) == [1] * 12
    # Weekly: 52 a year, 4 or 5 a month (⌊52·m/12⌋ − ⌊52·(m−1)/12⌋).
    assert by_month(52) == [4, 4, 5] * 4  # ⌊52·m/12⌋: 4, 8, 13, 17, 21, 26, …, 52
    # An as-needed count with a fraction is rounded to whole meetings (2.5 → 3, 0.4 → 0).
    assert sum(by_month("2.5")) == 3 and sum(by_month("0.4")) == 0
    for n in range(0, 60):
        assert sum(by_month(n)) == n  # the year's months sum to the item's yearly occurrences


def test_a_part_year_meeting_item_brings_its_share_over_its_own_months(tree):
    """An item in force for part of the year: its share of N spread over its own months (a yearly
    meeting cancelled in December is still held once, in November; one in force two months is not
    held); a once-only meeting approved for March is held once, whenever the year ends."""

    def item(frequency, **dates):
        code = f"P{frequency}{sorted(dates.items())}"[:20]
        return work_item(tree["civil_affairs"], code, ItemKind.MEETING, 2026, frequency=frequency, **dates)

    def by_month(made):
        meetings = compute.meetings_in_months(made, 2026)
        return [meetings.get(m, 0) for m in range(1, 13)]

    yearly = item(Frequency.YEARLY, cancelled_on=dt.date(2026, 12, 1))  # in force January to November
    assert by_month(yearly) == [0] * 10 + [1, 0]
    short = item(Frequency.YEARLY, starts_on=dt.date(2026, 11, 1))  # November and December
    assert sum(by_month(short)) == 0  # 1 × 2/12 rounds to no meeting
    once = item(Frequency.ONCE, starts_on=dt.date(2026, 3, 1), cancelled_on=dt.date(2026, 4, 1))
    assert by_month(once) == [0, 0, 1] + [0] * 9
    quarterly = item(Frequency.QUARTERLY, cancelled_on=dt.date(2026, 7, 1))  # January to June: 2
    assert by_month(quarterly) == [0, 0, 1, 0, 0, 1] + [0] * 6
    monthly = item(Frequency.MONTHLY, starts_on=dt.date(2026, 4, 1))
    assert by_month(monthly) == [0, 0, 0] + [1] * 9


def test_meetings_per_month_are_whole_against_hand_and_sql(computed, tree):
    c11, c21 = computed["c11"], computed["c21"]
    # 2025: A4 monthly → 1 a month; 2026: B4 quarterly → none in January and February, 1 in March.
    assert _meetings(c11, 2025) == [(m, Decimal(1)) for m in range(1, 13)]
    assert _meetings(c11, 2026) == [(1, Decimal(0)), (2, Decimal(0)), (3, Decimal(1))]
    # A weekly meeting for street 2 only in 2025: A4's 1 plus 4 or 5 whole meetings a month.
    item = work_item(tree["civil_affairs"], "A9", ItemKind.MEETING, 2025)
    item.frequency = Frequency.WEEKLY
    item.save()
    item.scope_streets.set([tree["street2"]])
    services.refresh(computed["district"], [2025])
    weekly = [4, 4, 5] * 4
    assert _meetings(c21, 2025) == [(m, Decimal(1 + weekly[m - 1])) for m in range(1, 13)]
    assert _meetings(c11, 2025) == [(m, Decimal(1)) for m in range(1, 13)]
    (total,) = _sql(
        "SELECT SUM(meetings) FROM monitor_communitymonth WHERE community_id = %s AND year = 2025", [c21.pk]
    )
    assert Decimal(str(total[0])) == 12 + 52
    # No row holds a fraction of a meeting.
    fractions = [v for (v,) in _sql("SELECT meetings FROM monitor_communitymonth", []) if Decimal(str(v)) % 1 != 0]
    assert fractions == []


def test_meetings_show_as_whole_numbers(computed):
    from jianfu.monitor import selectors

    meetings = selectors.summary(computed["district"], 2026).row("meetings")
    # Months 1–2: 4 communities × 2 monthly meetings in 2025; the quarterly one falls in March 2026.
    assert (str(meetings.baseline), str(meetings.current)) == ("8", "0")


# Self-governance leaves the burden ----------------------------------------------------------------


def test_self_governance_meetings_do_not_raise_the_burden_index(computed, tree):
    d, c11, c12 = computed["district"], computed["c11"], computed["c12"]
    civil = tree["civil_affairs"]
    before = _indexes(d)
    items_before = dict(_sql("SELECT id, items_meeting FROM monitor_communitymonth WHERE district_id = %s", [d.pk]))
    # A hearing, a forum and a consultation as catalog meeting items (monthly, 4 h), and deliberations held.
    for code, name in (("H1", "扰民问题居民听证会"), ("H2", "民情恳谈会"), ("H3", "社区议事协商")):
        item = work_item(civil, code, ItemKind.MEETING, 2026, hours="4")
        item.name = name
        item.save()
    deliberation(c11, DeliberationKind.HEARING, dt.date(2026, 1, 10), 40, done=dt.date(2026, 2, 1))
    deliberation(c11, DeliberationKind.FORUM, dt.date(2026, 2, 12), 25)
    deliberation(c12, DeliberationKind.DIALOGUE, dt.date(2026, 2, 20), 60)
    services.refresh(d, [2025, 2026])
    assert _indexes(d) == before  # index, burden meetings and delegated hours unchanged, row by row
    # Still items the catalog lists (carried), three more meeting items each 2026 month.
    after = _sql(
        "SELECT year, items_meeting FROM monitor_communitymonth WHERE district_id = %s AND community_id = %s",
        [d.pk, c11.pk],
    )
    assert {(y, n) for y, n in after} == {(2025, 1), (2026, 4)}
    assert len(items_before) == len(after) * 4
    # The same item named as a department's meeting does raise it: the test can see a change.
    work_item(civil, "H4", ItemKind.MEETING, 2026, hours="4").scope_streets.set([computed["street1"]])
    services.refresh(d, [2025, 2026])
    row = CommunityMonth.objects.get(community=c11, year=2026, month=1)
    assert row.meetings == 1 and row.burden_index > before[(c11.pk, 2026, 1)][0]


def test_which_meeting_items_are_self_governance(small, tree):
    civil = tree["civil_affairs"]
    named = {
        "扰民问题居民听证会": True,
        "民情恳谈会": True,
        "社区对话": True,
        "社区议事协商": True,
        "组织召开居民会议、居民代表会议": True,
        "街道（镇）社区工作例会": False,
        "平安建设工作例会": False,
    }
    for n, (name, expected) in enumerate(named.items()):
        item = work_item(civil, f"N{n}", ItemKind.MEETING, 2026)
        item.name = name
        assert selfgov.is_self_governance(item) is expected, name
    task = work_item(civil, "NT", ItemKind.TASK, 2026)
    task.name = "听证会材料归档"
    assert not selfgov.is_self_governance(task)  # only meetings are


# The self-governance indicator --------------------------------------------------------------------


@pytest.fixture
def held(small):
    c11, c12, c21 = small["c11"], small["c12"], small["c21"]
    rows = [
        deliberation(c11, DeliberationKind.HEARING, dt.date(2025, 1, 8), 30, done=dt.date(2025, 2, 1)),
        deliberation(c11, DeliberationKind.HEARING, dt.date(2026, 1, 9), 41, done=dt.date(2026, 1, 30)),
        deliberation(c11, DeliberationKind.FORUM, dt.date(2026, 2, 3), 22),
        deliberation(c12, DeliberationKind.HEARING, dt.date(2026, 2, 14), 35, done=dt.date(2026, 3, 2)),
        deliberation(c21, DeliberationKind.DIALOGUE, dt.date(2026, 1, 21), 64, done=dt.date(2026, 2, 5)),
        deliberation(c21, DeliberationKind.CONSULTATION, dt.date(2026, 3, 5), 18),  # March: not a whole month yet
        deliberation(c21, DeliberationKind.FORUM, dt.date(2026, 2, 25), 50, published=False),  # a draft
    ]
    return {**small, "rows": rows}


def _sql_by_kind(org, start: dt.date, end: dt.date) -> dict[str, tuple[int, int, int]]:
    rows = _sql(
        "SELECT d.kind, COUNT(*), SUM(d.participants), COUNT(d.follow_up_done) "
        "FROM deliberations_deliberation d JOIN orgs_org o ON o.id = d.community_id "
        "WHERE o.path LIKE %s AND d.published_at IS NOT NULL AND d.held_on >= %s AND d.held_on < %s "
        "GROUP BY d.kind",
        [org.path + "%", start, end],
    )
    return {kind: (n, p, f) for kind, n, p, f in rows}


def test_selfgov_figures_by_kind_against_hand_and_sql(held, django_assert_num_queries):
    d, s1 = held["district"], held["street1"]
    with django_assert_num_queries(1):
        figures = selfgov.for_org(d, 2026, 2025, [1, 2])
    now = {line.kind: line.now for line in figures.lines}
    then = {line.kind: line.then for line in figures.lines}
    # By hand: Jan–Feb 2026, published only.
    assert now[DeliberationKind.HEARING] == selfgov.Figures(2, 76, 2)
    assert now[DeliberationKind.FORUM] == selfgov.Figures(1, 22, 0)
    assert now[DeliberationKind.DIALOGUE] == selfgov.Figures(1, 64, 1)
    assert now[DeliberationKind.CONSULTATION] == selfgov.Figures(0, 0, 0)
    assert figures.total_now == selfgov.Figures(4, 162, 3)
    assert then[DeliberationKind.HEARING] == selfgov.Figures(1, 30, 1) and figures.total_then.held == 1
    # And as the database counts them.
    by_sql = _sql_by_kind(d, dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    assert {k: tuple(v.__dict__.values()) for k, v in now.items() if v.held} == by_sql
    street = selfgov.for_org(s1, 2026, 2025, [1, 2])
    assert street.total_now == selfgov.Figures(
        *map(sum, zip(*_sql_by_kind(s1, dt.date(2026, 1, 1), dt.date(2026, 3, 1)).values(), strict=False))
    )
    assert street.total_now == selfgov.Figures(3, 98, 2)
    # By street (under the district) and by community (under a street), from the same query.
    by_street = _sql(
        "SELECT o.parent_id, COUNT(*), SUM(d.participants), COUNT(d.follow_up_done) "
        "FROM deliberations_deliberation d JOIN orgs_org o ON o.id = d.community_id "
        "WHERE o.path LIKE %s AND d.published_at IS NOT NULL AND d.held_on >= %s AND d.held_on < %s "
        "GROUP BY o.parent_id",
        [d.path + "%", dt.date(2026, 1, 1), dt.date(2026, 3, 1)],
    )
    assert dict(figures.children) == {pk: selfgov.Figures(n, p, f) for pk, n, p, f in by_street}
    assert figures.child(s1.pk) == selfgov.Figures(3, 98, 2)
    assert figures.child(held["street2"].pk) == selfgov.Figures(1, 64, 1)
    assert dict(street.children) == {
        held["c11"].pk: selfgov.Figures(2, 63, 1),
        held["c12"].pk: selfgov.Figures(1, 35, 1),
    }
    # The whole of 2026 up to today takes March's consultation in.
    assert selfgov.for_org(held["c21"], 2026, 2025, [1, 2, 3]).total_now == selfgov.Figures(2, 82, 1)


def test_selfgov_per_community_and_month_against_sql(held, django_assert_num_queries):
    d = held["district"]
    with django_assert_num_queries(1):
        figures = selfgov.per_community_month(d, 2026)
    rows = _sql(
        "SELECT d.community_id, d.held_on, d.participants, d.follow_up_done FROM deliberations_deliberation d "
        "JOIN orgs_org o ON o.id = d.community_id WHERE o.path LIKE %s AND d.published_at IS NOT NULL "
        "AND d.held_on >= %s AND d.held_on < %s",
        [d.path + "%", dt.date(2026, 1, 1), dt.date(2027, 1, 1)],
    )
    expected: dict[tuple[int, int], list[int]] = {}
    for community_id, held_on, participants, done in rows:
        month = held_on.month if isinstance(held_on, dt.date) else int(str(held_on)[5:7])
        line = expected.setdefault((community_id, month), [0, 0, 0])
        line[0] += 1
        line[1] += participants
        line[2] += done is not None
    assert {k: selfgov.Figures(*v) for k, v in expected.items()} == figures
    assert figures[(held["c11"].pk, 1)] == selfgov.Figures(1, 41, 1)
    assert figures[(held["c21"].pk, 3)] == selfgov.Figures(1, 18, 0)


def test_dashboard_shows_self_governance_apart_from_burden(client, office, held):
    services.refresh(held["district"], [2025, 2026])
    client.force_login(office)
    body = client.get("/monitor/D/", {"year": 2026}).content.decode()
    panel = body[body.index('data-testid="selfgov"') :]
    assert 'data-kind="hearing"' in panel and ">76<" in panel and ">162<" in panel
    streets = panel[panel.index('data-testid="selfgov-children"') :]
    assert '<tr data-org="S1"><th scope="row">第1街道</th><td>3</td><td>98</td><td>2</td></tr>' in streets
    # A record published later shows at once, though the burden figures were not recomputed.
    deliberation(held["c12"], DeliberationKind.FORUM, dt.date(2026, 2, 27), 1000)
    body = client.get("/monitor/D/", {"year": 2026}).content.decode()
    panel = body[body.index('data-testid="selfgov"') :]
    assert ">1,162<" in panel or ">1162<" in panel


def test_annual_report_has_the_self_governance_table(held):
    services.refresh(held["district"], [2025, 2026])
    document = report.build(held["district"], 2026)
    tables = {b.table.name: b.table for b in report.blocks(document) if b.kind == "table"}
    table = tables["selfgov"]
    assert table.rows[-1][1:] == ["1", "4", "162", "3"]  # all kinds: held then / now, residents, follow-ups
    assert "selfgov" in report.html(document)
