from decimal import Decimal

from jianfu.access import burden
from jianfu.access.models import Application
from jianfu.catalog.models import Category, Frequency, ItemKind

from .conftest import TODAY


def test_burden_preview_matches_a_hand_computation(tree, items, settings, clerk):
    # In force: 独居老人 monthly 2 h everywhere = 2.00 h/month; 低保 monthly 2 h everywhere = 2.00;
    # 消防 weekly 1 h in street 1 only = 52/12 = 4.33. New: quarterly 6 h everywhere = 6*4/12 = 2.00.
    settings.JIANFU = settings.JIANFU | {"COMMUNITY_MONTHLY_HOURS_CAP": 10}
    new = Application(
        name="新台账",
        kind=ItemKind.LEDGER,
        category=Category.DUTY,
        frequency=Frequency.QUARTERLY,
        hours_per_occurrence=Decimal("6"),
        department=tree["health"],
        start_date=TODAY,
    )
    result = burden.preview(new, tree["district"], TODAY)
    rows = {r["code"]: r for r in result["rows"]}
    assert result["hours_per_month"] == "2.00" and result["communities"] == 4
    assert result["total_hours_per_month"] == "8.00"
    assert (rows["S1C1"]["before"], rows["S1C1"]["after"]) == ("8.33", "10.33")
    assert (rows["S2C1"]["before"], rows["S2C1"]["after"]) == ("4.00", "6.00")
    assert sorted(r["code"] for r in result["over_cap"]) == ["S1C1", "S1C2"]


def test_scope_limits_the_communities_touched(tree, items):
    new = Application(
        name="新任务",
        kind=ItemKind.TASK,
        category=Category.DUTY,
        frequency=Frequency.MONTHLY,
        hours_per_occurrence=Decimal("3"),
        department=tree["health"],
        start_date=TODAY,
        scope_community_types=["bungalow"],
    )
    tree["community21"].community_type = "bungalow"
    tree["community21"].save()
    result = burden.preview(new, tree["district"], TODAY)
    assert [r["code"] for r in result["rows"]] == ["S2C1"]


def test_the_preview_reads_the_same_number_of_queries_however_many_items_are_in_force(tree, items):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import make_item

    new = Application(
        name="新台账",
        kind=ItemKind.LEDGER,
        category=Category.DUTY,
        frequency=Frequency.MONTHLY,
        hours_per_occurrence=Decimal("1"),
        department=tree["health"],
        start_date=TODAY,
    )
    with CaptureQueriesContext(connection) as few:
        burden.preview(new, tree["district"], TODAY)
    for n in range(12):
        more = make_item(f"M{n}", f"事项{n}", tree["health"], scope_community_types=["commercial"] if n % 2 else [])
        more.scope_streets.set([tree[f"street{1 + n // 2 % 2}"]])
    with CaptureQueriesContext(connection) as many:
        result = burden.preview(new, tree["district"], TODAY)
    assert len(many) == len(few)
    # Street 2 gets M2, M3, M6, M7, M10, M11; of them only the three without a community type reach
    # 街道2社区1 (no type): 2 h/month each (monthly, 2 h) on top of its 4.00.
    assert {r["code"]: r["before"] for r in result["rows"]}["S2C1"] == "10.00"
