import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q

from jianfu.access.models import Application, State, ViolationReport
from jianfu.audit.services import verify
from jianfu.catalog.models import (
    ENTERING,
    CatalogEntry,
    CatalogVersion,
    Category,
    ItemKind,
    ItemList,
    ListEntry,
    Plaque,
    WorkItem,
)
from jianfu.core import clock
from jianfu.demo import years as demo_years
from jianfu.monitor.selfgov import is_self_governance
from jianfu.orgs.models import Org


@pytest.fixture
def demo(demo_module, db):
    """Read-only tests share one load; the one that loads again runs inside its own transaction."""


def _district() -> Org:
    """The demo district, whose own lists these are."""
    return Org.objects.get(code="330282")


def test_the_demo_has_a_published_catalog_of_about_110_items_of_every_kind(demo):
    version = CatalogVersion.objects.get(year=clock.today().year)
    entries = version.entries.all()
    assert 100 <= entries.count() <= 115  # seed 001: the lists (23 + 13 + 15) plus the district's own items
    assert {e.kind for e in entries} == set(ItemKind.values)


def test_the_demo_lists_are_shaped_like_the_seeds(demo):
    counts = {lst.code: lst.current_version(_district()).entries.count() for lst in ItemList.objects.all()}
    assert counts["duty"] == 23 and counts["assist"] == 13 and counts["certificate"] == 15
    negative = ItemList.objects.get(code="negative").current_version(_district()).items
    assert negative.filter(kind=ItemKind.CERTIFICATE).count() == 20
    assert all(item.responsible_body for item in negative.all())
    assist = ItemList.objects.get(code="assist").current_version(_district()).items.all()
    assert all(item.funding_yuan > 0 for item in assist)


def test_the_demo_has_applications_in_every_state_and_violations(demo):
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)
    assert Application.objects.filter(escalated_on__isnull=False).exists()  # one is overdue
    assert set(ViolationReport.objects.values_list("state", flat=True)) == {"reported", "confirmed", "dismissed"}


def test_only_three_plaques_remain_after_the_clean_up(demo):
    hanging = Plaque.objects.filter(removed_on__isnull=True, kind="plaque")
    assert set(hanging.values_list("name", flat=True)) == {"社区党组织", "社区居民委员会", "社区工作站"}
    removed = Plaque.objects.filter(removed_on__isnull=False, kind="plaque")
    assert hanging.count() == 48 * 3 and removed.count() > 48 * 5
    # Wall-posted material and rules (seeds 001, 003): the old came down, what is up rests on a body item.
    assert Plaque.objects.filter(removed_on__isnull=False, kind="rule").count() >= 48 * 3
    posted = Plaque.objects.filter(removed_on__isnull=True).exclude(kind="plaque")
    assert posted.count() == 48 * 3 and not posted.filter(item__isnull=True).exists()
    assert not Plaque.objects.filter(removed_on__isnull=True, item__isnull=True).exists()


def test_loading_again_changes_nothing(demo):
    def counts():
        return (
            Application.objects.count(),
            CatalogVersion.objects.count(),
            Plaque.objects.count(),
            WorkItem.objects.count(),
            WorkItem.objects.filter(year=clock.today().year - 1).count(),
            ListEntry.objects.count(),
        )

    before = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == before
    assert verify().ok
    assert Category.ASSIST in set(Application.objects.values_list("category", flat=True))


def test_the_plaque_page_counts_before_and_after_the_clean_up(client, demo):
    from jianfu.orgs.models import User

    client.force_login(User.objects.get(username="street"))  # 古塘街道: 10 communities
    before_clean_up = f"{demo_years.years().baseline}-01-01"
    body = client.get("/plaques/", {"before": before_clean_up}).content.decode()
    before = Plaque.objects.filter(community__parent__name="古塘街道", kind="plaque").count()
    assert f"<th>{before}</th>" in body and "<th>30</th>" in body and "<th>0</th>" in body


def test_the_timer_command_escalates_once(demo, capsys):
    call_command("run_timers")
    assert "applications escalated: 0" in capsys.readouterr().out  # the demo loader already swept


# ------------------------------------------------------------------ the baseline year (issue #10)


def _carried(year: int, community: Org, month: int = 1) -> list[WorkItem]:
    """The catalog items a community carries in a month: the rule the burden monitor counts by."""
    first = dt.date(year, month, 1)
    items = (
        WorkItem.objects.filter(Q(category__in=ENTERING) | Q(category=Category.CANCELLED), year=year)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .prefetch_related("scope_streets")
    )
    return [i for i in items if i.applies_to(community, {s.pk for s in i.scope_streets.all()})]


def test_the_baseline_year_carries_the_six_too_many_of_seed_000_and_the_reform_year_the_results_of_seed_001(demo):
    years = demo_years.years()
    community = Org.objects.get(name="古塘社区")
    before = _carried(years.baseline, community)
    now = _carried(years.reform, community)
    kinds = Counter(i.kind for i in before)
    assert kinds[ItemKind.TASK] >= 91  # 90+ work items
    assert kinds[ItemKind.CERTIFICATE] >= 60  # 60+ seal items
    assert {k: kinds[k] for k in ("ledger", "campaign", "survey", "platform", "body", "inspection")} == {
        "ledger": 47,
        "campaign": 41,
        "survey": 18,  # 36 in two years
        "platform": 23,
        "body": 30,  # 3 kept, 27 work bodies cancelled (seed 001)
        "inspection": 12,
    }
    # Seed 001: paper ledgers and meetings −50 %, only three plaques.
    assert Counter(i.kind for i in now)[ItemKind.LEDGER] == 24
    # Meetings departments call communities to; residents' own hearings and consultations are not
    # burden (issue 21, point 4).
    meetings = [
        sum(i.yearly_occurrences() for i in items if i.kind == ItemKind.MEETING and not is_self_governance(i))
        for items in (before, now)
    ]
    assert meetings[1] > 0 and meetings[0] == 2 * meetings[1]
    assert [i.name for i in now if i.kind == ItemKind.BODY] == ["社区党组织", "社区居民委员会", "社区工作站"]
    # Every community carries the cancelled items; the baseline costs clearly more worker-hours.
    assert not WorkItem.objects.filter(year=years.baseline, category=Category.CANCELLED, scope_streets__isnull=False)
    assert not WorkItem.objects.filter(year=years.baseline, category=Category.CANCELLED).exclude(
        scope_community_types=[]
    )
    hours = [sum((i.hours_per_month() for i in items), Decimal(0)) for items in (before, now)]
    assert hours[0] > 2 * hours[1] > 0


def test_every_baseline_predecessor_matches_an_item_of_the_reform_year_and_stays_off_lists_and_catalogs(demo):
    years = demo_years.years()
    fields = ["kind", "category", "department_id", "frequency", "occurrences_per_year", "hours_per_occurrence"]
    fields += ["legal_basis", "funding_yuan", "funding_channel", "temporary", "evidence", "guide"]
    current = {i.code: i for i in WorkItem.objects.filter(year=years.reform, category__in=ENTERING)}
    predecessors = WorkItem.objects.filter(year=years.baseline, category__in=ENTERING)
    assert predecessors.count() == len([c for c in current if c.startswith(f"CX-{years.reform}-")]) >= 100
    for old in predecessors:
        new = current[old.code.replace(f"CX-{years.baseline}-", f"CX-{years.reform}-")]
        assert [getattr(old, f) for f in fields] == [getattr(new, f) for f in fields], old.code
        assert old.name == new.name.replace(f"{years.reform}年", f"{years.baseline}年"), old.code
        assert old.valid_until == (new.valid_until and new.valid_until.replace(year=new.valid_until.year - 1))
    # The negative list's items were still pushed or issued, and were cancelled for this year.
    negative = ItemList.objects.get(code="negative").current_version(_district()).items.all()
    cancelled = {i.code: i for i in WorkItem.objects.filter(year=years.baseline, code__contains="-N")}
    assert sorted((i.name, i.kind) for i in negative) == sorted((i.name, i.kind) for i in cancelled.values())
    assert {i.category for i in cancelled.values()} == {Category.CANCELLED}
    # Nothing of the baseline year is on a list or in a published catalog.
    assert not ListEntry.objects.filter(item__year=years.baseline).exists()
    assert not CatalogVersion.objects.filter(year=years.baseline).exists()
    assert not CatalogEntry.objects.filter(item__year=years.baseline).exists()


def test_the_old_plaques_hang_through_the_baseline_year(demo):
    years = demo_years.years()
    removed = Plaque.objects.filter(removed_on__isnull=False)
    assert removed.exists() and set(removed.values_list("removed_on", flat=True)) == {dt.date(years.baseline, 12, 31)}
    assert all(p.item.year == years.current for p in Plaque.objects.filter(item__isnull=False))


def test_a_baseline_import_maps_a_certificate_name_to_this_years_item(demo):
    from jianfu.certificates.baseline import import_baseline
    from jianfu.certificates.models import BaselineCount
    from jianfu.core.tabular import Row, Table
    from jianfu.orgs.models import User

    years = demo_years.years()
    name = "无犯罪记录证明"  # on this year's negative list; cancelled in the baseline year under the same name
    assert set(WorkItem.objects.filter(name=name).values_list("year", flat=True)) == {
        years.baseline,
        years.reform,
        years.current,
    }
    community = Org.objects.get(name="古塘社区")
    row = {"社区编码": community.code, "证明名称": name, "年份": str(years.baseline), "月份": "1", "开具数量": "7"}
    table = Table(header=list(row), rows=[Row(2, row)])
    district = Org.objects.get(code="330282")
    import_baseline(actor=User.objects.get(username="office"), district=district, table=table)
    cell = BaselineCount.objects.get(community=community, label=name, year=years.baseline, month=1)
    assert cell.issued == 7 and cell.item.year == years.current and cell.item.category == Category.NEGATIVE
