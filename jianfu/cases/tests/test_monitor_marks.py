"""Case changes mark the monitor's months explicitly (no signals): the months a case is dispatched
and closed in."""

import datetime as dt

import pytest

from jianfu.core.models import DirtyMonth

from .. import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monitored(tree, monitored):
    monitored(tree["district"])


def marks(district) -> set[tuple[int, int]]:
    return set(DirtyMonth.objects.filter(district=district.pk).values_list("year", "month"))


def test_a_case_marks_the_months_it_is_dispatched_and_closed_in(
    tree, matters, grid_worker, community_worker, city, city_clerk, frozen
):
    DirtyMonth.objects.all().delete()
    case = services.case_report(
        actor=grid_worker,
        org_unit=tree["grid111"],
        matter=matters["lamp"],
        description="路灯不亮",
        address="幸福路12号",
    )
    assert marks(tree["district"]) == set()  # reported: not counted yet

    case = services.whistle_blow(actor=community_worker, case=case, assignee=city, reason="请尽快维修")
    assert marks(tree["district"]) == {(2025, 9)}

    DirtyMonth.objects.all().delete()
    frozen.set(dt.datetime(2025, 10, 13, 9, 0))
    services.case_respond(actor=city_clerk, case=case)
    case = services.case_resolve(actor=city_clerk, case=case, note="已更换灯泡")
    assert marks(tree["district"]) == {(2025, 9)}  # still counted in the month it was dispatched

    DirtyMonth.objects.all().delete()
    frozen.set(dt.datetime(2025, 11, 3, 9, 0))
    case = services.case_confirm(actor=grid_worker, case=case, satisfaction="satisfied")
    case = services.case_close(actor=community_worker, case=case)
    assert marks(tree["district"]) == {(2025, 9), (2025, 11)}


def test_a_reassignment_marks_the_month_the_case_leaves_as_well(
    tree, matters, grid_worker, community_worker, city, frozen
):
    """A case dispatched in September and reassigned in October arrives in October: September's
    figures lose it, so both months are marked (issue 21: arrivals are counted by dispatch month)."""
    case = services.case_report(
        actor=grid_worker,
        org_unit=tree["grid111"],
        matter=matters["lamp"],
        description="路灯不亮",
        address="幸福路12号",
    )
    case = services.case_take_and_dispatch(actor=community_worker, case=case, assignee=tree["grid111"])
    DirtyMonth.objects.all().delete()
    frozen.set(dt.datetime(2025, 10, 13, 9, 0))
    services.case_reassign(actor=community_worker, case=case, assignee=city, reason="需要专业维修，改派城管局")
    assert marks(tree["district"]) == {(2025, 9), (2025, 10)}
