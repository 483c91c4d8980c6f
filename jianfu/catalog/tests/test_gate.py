"""非准不入 asked in one place: an item covers a community only in force, of the kind asked, in its
district, and within its approved scope (streets, community types)."""

import datetime as dt

import pytest

from jianfu.catalog import gate
from jianfu.catalog.models import Category, ItemKind, WorkItem
from jianfu.orgs import services as orgs
from jianfu.orgs.models import OrgKind

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 15)


def item(tree, code, **fields) -> WorkItem:
    values = {
        "name": f"事项{code}",
        "kind": ItemKind.MEETING,
        "category": Category.DUTY,
        "year": 2026,
        "department": tree["health"],
    }
    streets = fields.pop("scope_streets", [])
    made = WorkItem.objects.create(code=code, **(values | fields))
    made.scope_streets.set(streets)
    return made


def test_scope_kind_year_and_list_decide_whether_an_item_covers_a_community(tree):
    c11, c21 = tree["community11"], tree["community21"]
    c11.community_type = "commercial"
    c11.save()
    everywhere = item(tree, "A")
    street1 = item(tree, "B", scope_streets=[tree["street1"]])
    commercial = item(tree, "C", scope_community_types=["commercial"])
    negative = item(tree, "D", category=Category.NEGATIVE)
    last_year = item(tree, "E", year=2025)
    expired = item(tree, "F", temporary=True, valid_until=dt.date(2026, 3, 31))

    assert gate.covers(everywhere, c11, kind=ItemKind.MEETING, on=ON)
    assert not gate.covers(everywhere, c11, kind=ItemKind.CAMPAIGN, on=ON)  # another kind of work
    assert gate.covers(street1, c11, on=ON) and not gate.covers(street1, c21, on=ON)
    assert "其他街道" in gate.refusal(street1, c21, on=ON)
    assert gate.covers(commercial, c11, on=ON) and not gate.covers(commercial, c21, on=ON)
    assert "负面清单" in gate.refusal(negative, c11, on=ON)
    assert not gate.covers(last_year, c11, on=ON) and not gate.covers(expired, c11, on=ON)
    assert "申请准入" in gate.refusal(None, c11, on=ON)

    here = {i.code for i in gate.in_force_here(c11, kind=ItemKind.MEETING, on=ON)}
    there = {i.code for i in gate.in_force_here(c21, kind=ItemKind.MEETING, on=ON)}
    assert here == {"A", "B", "C"} and there == {"A"}


def test_an_item_of_another_district_covers_nothing_here(tree):
    other = orgs.org_create(actor=None, code="D2", name="另一区", kind=OrgKind.DISTRICT)
    department = orgs.org_create(actor=None, code="D2WJ", name="另一区卫健局", kind=OrgKind.DEPARTMENT, parent=other)
    foreign = item(tree, "G", department=department)
    assert not gate.covers(foreign, tree["community11"], on=ON)
    assert gate.in_force_here(tree["community11"], on=ON) == []


def test_standing_asks_the_item_alone_and_the_scope_only_its_place(tree):
    street1 = item(tree, "B", scope_streets=[tree["street1"]])
    last_year = item(tree, "E", year=2025)
    assert gate.standing(street1, kind=ItemKind.MEETING, on=ON) == ""  # stands, whatever its scope
    assert "2025" in gate.standing(last_year, on=ON) and "申请准入" in gate.standing(None, on=ON)
    assert gate.scope_refusal(last_year, tree["community21"]) == ""  # the place alone, not the year
    assert "其他街道" in gate.scope_refusal(street1, tree["community21"])
    unsaved = WorkItem(name="新事项", department=tree["health"], scope_community_types=["bungalow"])
    assert "其他类型" in gate.scope_refusal(unsaved, tree["community11"])
    assert list(gate.in_force_anywhere(kind=ItemKind.MEETING, on=ON)) == [street1]


def test_many_communities_are_asked_with_one_read_of_the_scope(tree, django_assert_num_queries):
    street1 = WorkItem.objects.select_related("department").get(pk=item(tree, "B", scope_streets=[tree["street1"]]).pk)
    communities = [tree[f"community{s}{c}"] for s in (1, 2) for c in (1, 2)]
    with django_assert_num_queries(1):
        refused = gate.refusals(street1, communities, kind=ItemKind.MEETING, on=ON)
    assert set(refused) == {tree["community21"], tree["community22"]}
    assert "街道2社区1" in refused[tree["community21"]]
    assert gate.refusals(street1, communities, kind=ItemKind.CAMPAIGN, on=ON).keys() == set(communities)


def test_what_covers_each_of_many_communities_is_read_in_a_fixed_number_of_queries(tree, django_assert_max_num_queries):
    tree["community12"].community_type = "commercial"
    tree["community12"].save()
    item(tree, "A")
    item(tree, "B", scope_streets=[tree["street1"]])
    item(tree, "C", scope_community_types=["commercial"])
    item(tree, "D", category=Category.NEGATIVE)
    item(tree, "E", year=2025)
    communities = [tree[f"community{s}{c}"] for s in (1, 2) for c in (1, 2)]
    with django_assert_max_num_queries(2):
        found = gate.in_force_by_community(communities, on=ON)
    assert {pk: [i.code for i in items] for pk, items in found.items()} == {
        c.pk: [i.code for i in gate.in_force_here(c, on=ON)] for c in communities
    }
    assert [i.code for i in found[tree["community12"].pk]] == ["A", "B", "C"]
    assert [i.code for i in found[tree["community22"].pk]] == ["A"]


def test_the_scope_alone_is_the_same_rule_the_monitor_groups_items_by(tree):
    c11 = tree["community11"]
    c11.community_type = "commercial"
    assert gate.outside_scope(set(), [], c11) == ""
    assert gate.outside_scope({tree["street2"].pk}, [], c11) == gate.STREETS
    assert gate.outside_scope({c11.parent_id}, ["bungalow"], c11) == gate.TYPES
    assert gate.outside_scope({c11.parent_id}, ["commercial"], c11) == ""


def test_a_campaign_or_inspection_without_a_higher_basis_covers_nothing(tree):
    """Issue 19, point 3 (seed 001: 除中央和市委市政府有明确要求外，其他一律取消): an item entered before
    the rule, or around the workflow, lets no campaign in until its basis is recorded."""
    c11 = tree["community11"]
    campaign = item(tree, "H", name="卫生社区创建评比", kind=ItemKind.CAMPAIGN)
    assert "除中央和市委市政府有明确要求外" in gate.refusal(campaign, c11, on=ON)
    assert not campaign.is_in_force(ON)
    assert gate.in_force_here(c11, kind=ItemKind.CAMPAIGN, on=ON) == []
    assert not gate.in_force_anywhere(kind=ItemKind.CAMPAIGN, on=ON).exists()
    campaign.basis_level, campaign.basis_document = "municipal", "市委办公厅〔2025〕12号"
    campaign.save()
    assert gate.covers(campaign, c11, on=ON) and campaign.is_in_force(ON)
    assert gate.in_force_by_community([c11], kind=ItemKind.CAMPAIGN, on=ON) == {c11.pk: [campaign]}
