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
