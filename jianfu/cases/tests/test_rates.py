"""The three rates and points of a department, checked against a hand computation on a small set."""

import datetime as dt
from decimal import Decimal

import pytest

from .. import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(tree, matters, grid_worker, community_worker, city, city_clerk, clerk, frozen):
    """Five whistles in October 2025 (four to 城管局, one to 卫健局) and one to 城管局 in November.

    城管局, by hand:
      w1 responded on time, resolved on time, satisfied        +2 +3 +2        = +7
      w2 responded late, resolved late, basically satisfied    -1 +1 +1        = +1
      w3 on time, on time, reopened, resolved again, dissatisfied  +2 +3 -2 -2  = +1
      w4 dispatched, never responded                                           =  0
    dispatched 4, responded on time 2 → 50 %; solved 3 → 75 %; rated 3, satisfied 2 → 66.67 %;
    points 9, reopened 1.
    """

    def whistle(department, text):
        # A whistle goes to the matter's responsible department: 城管局 for a lamp, 卫健局 for a doctor.
        matter = matters["lamp"] if department == city else matters["doctor"]
        case = services.case_report(actor=grid_worker, org_unit=tree["grid111"], matter=matter, description=text)
        return services.whistle_blow(actor=community_worker, case=case, assignee=department)

    def walk(case, answerer, *, respond_after, resolve_on, satisfaction, reopen=False):
        frozen.advance(minutes=respond_after)
        services.case_respond(actor=answerer, case=case)
        frozen.set(resolve_on)
        services.case_resolve(actor=answerer, case=case, note="已处理")
        if reopen:
            services.case_reopen(actor=grid_worker, case=case, reason="仍不亮")
            services.case_resolve(actor=answerer, case=case, note="再次处理")
        services.case_confirm(actor=grid_worker, case=case, satisfaction=satisfaction)

    frozen.set(dt.datetime(2025, 10, 13, 9, 0))
    walk(
        whistle(city, "w1"),
        city_clerk,
        respond_after=10,
        resolve_on=dt.datetime(2025, 10, 14, 15),
        satisfaction="satisfied",
    )
    frozen.set(dt.datetime(2025, 10, 14, 9, 0))
    walk(
        whistle(city, "w2"),
        city_clerk,
        respond_after=50,
        resolve_on=dt.datetime(2025, 10, 28, 15),
        satisfaction="basic",
    )
    frozen.set(dt.datetime(2025, 10, 20, 9, 0))
    walk(
        whistle(city, "w3"),
        city_clerk,
        respond_after=20,
        resolve_on=dt.datetime(2025, 10, 21, 10),
        satisfaction="dissatisfied",
        reopen=True,
    )
    frozen.set(dt.datetime(2025, 10, 31, 16, 0))
    whistle(city, "w4")
    frozen.set(dt.datetime(2025, 10, 22, 9, 0))
    walk(
        whistle(tree["health"], "w5"),
        clerk,
        respond_after=5,
        resolve_on=dt.datetime(2025, 10, 22, 11),
        satisfaction="satisfied",
    )
    frozen.set(dt.datetime(2025, 11, 3, 9, 0))
    walk(
        whistle(city, "w6"),
        city_clerk,
        respond_after=5,
        resolve_on=dt.datetime(2025, 11, 3, 11),
        satisfaction="satisfied",
    )


def test_one_department_for_one_month_matches_the_hand_computation(october, city):
    r = selectors.rates(city, 2025, 10)
    assert (r.dispatched, r.responded_on_time, r.solved, r.rated, r.satisfied, r.reopened) == (4, 2, 3, 3, 2, 1)
    assert r.response_rate == Decimal("0.5000")
    assert r.resolution_rate == Decimal("0.7500")
    assert r.satisfaction_rate == Decimal("0.6667")
    assert r.points == 9


def test_the_district_table_and_the_year(october, tree, city):
    rows = {r.department.code: r for r in selectors.department_rates(tree["district"], 2025, 10)}
    assert set(rows) == {"CG", "WJ"}
    assert rows["CG"].points == 9 and rows["CG"].dispatched == 4
    assert rows["WJ"].response_rate == Decimal("1.0000") and rows["WJ"].points == 7
    # The whole year adds the months up: October's four and November's one.
    year = selectors.rates(city, 2025)
    assert year.dispatched == 5 and year.points == 9 + 7 and year.responded_on_time == 3
    assert selectors.rates(city, 2025, 11).dispatched == 1


def test_a_month_without_whistles_has_no_rates(tree, city):
    r = selectors.rates(city, 2025, 1)
    assert r.dispatched == 0 and r.response_rate is None and r.satisfaction_rate is None and r.points == 0


def test_returned_whistles_do_not_count_against_the_department(
    tree, matters, grid_worker, community_worker, clerk, frozen
):
    case = services.case_report(actor=grid_worker, org_unit=tree["grid111"], matter=matters["doctor"], description="x")
    case = services.whistle_blow(actor=community_worker, case=case, assignee=tree["health"])
    services.case_return(actor=clerk, case=case, reason="不属于本部门")
    assert selectors.rates(tree["health"], 2025, 9).dispatched == 0


def test_the_rates_feed_the_evaluation_as_objective_indicators(october, tree, city, clerk):
    from types import SimpleNamespace

    from jianfu.evaluation import indicators

    campaign = SimpleNamespace(district=tree["district"], period_end=dt.date(2025, 12, 31))
    targets = [SimpleNamespace(pk=1, org_id=city.pk), SimpleNamespace(pk=2, org_id=tree["civil_affairs"].pk)]
    response = indicators.get("whistle_response").compute(campaign, targets)
    resolution = indicators.get("whistle_resolution").compute(campaign, targets)
    year = selectors.rates(city, 2025)
    assert response[1] == (year.response_rate * 100).quantize(Decimal("0.01"))
    assert resolution[1] == (year.resolution_rate * 100).quantize(Decimal("0.01"))
    assert response[2] is None  # no whistle, no score: the other weights carry the campaign
    assert {i.code for i in indicators.available("department")} >= {"whistle_response", "whistle_satisfaction"}
