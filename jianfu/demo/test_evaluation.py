"""Acceptance 4 and 5 on the demo district: a released campaign in each direction with realistic
spreads and one open campaign, whose turnout and scores agree with SQL aggregates of the raw rows."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.urls import reverse

from jianfu.evaluation import scoring
from jianfu.evaluation.models import Campaign, CampaignState, Direction, Result


@pytest.fixture
def demo(demo_module, db):
    """Read-only tests share one load of the demo district."""


def released(direction: str) -> Campaign:
    return Campaign.objects.get(direction=direction, state=CampaignState.RELEASED)


def sql(query: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def test_the_demo_has_a_released_campaign_in_each_direction_and_one_open(demo):
    assert {c.direction for c in Campaign.objects.filter(state=CampaignState.RELEASED)} == set(Direction.values)
    assert Campaign.objects.filter(state=CampaignState.RELEASED).count() == len(Direction.values)
    open_now = Campaign.objects.get(state=CampaignState.OPEN)
    assert open_now.direction == Direction.DEPARTMENT and open_now.targets.count() >= 25
    assert 0 < scoring.compute(open_now)[0].voted < scoring.evaluator_count(open_now)  # under way


def test_the_released_results_have_realistic_spreads(demo):
    departments = Result.objects.filter(target__campaign=released(Direction.DEPARTMENT))
    scores = [r.score for r in departments]
    assert len(scores) >= 25 and max(scores) - min(scores) >= 15 and 50 < min(scores) and max(scores) < 100
    assert all(r.composite is not None for r in departments)
    # Last year's confirmed report requests cost 市统计局 on the objective indicators.
    statistics = departments.get(target__name="市统计局")
    assert min(Decimal(b["score"]) for b in statistics.breakdown) < 100
    communities = Result.objects.filter(target__campaign=released(Direction.COMMUNITY))
    assert {r.valid for r in communities} == {True, False}  # one community fell short of 80 %
    assert all(60 <= r.turnout <= 100 for r in communities)
    workers = Result.objects.filter(target__campaign=released(Direction.WORKER))
    assert workers.count() >= 6 and len({r.score for r in workers}) >= 6


@pytest.mark.parametrize("direction", Direction.values)
def test_turnout_and_scores_agree_with_sql_aggregates_of_the_ballots(demo, direction):
    campaign = released(direction)
    results = {r.target_id: r for r in Result.objects.filter(target__campaign=campaign)}
    ballots = dict(
        sql(
            "SELECT t.id, COUNT(b.id) FROM evaluation_target t LEFT JOIN evaluation_ballot b ON b.target_id = t.id "
            "WHERE t.campaign_id = %s GROUP BY t.id",
            [campaign.pk],
        )
    )
    assert {pk: r.ballots for pk, r in results.items()} == ballots
    if campaign.is_resident:
        codes = {
            community: (issued, used)
            for community, issued, used in sql(
                "SELECT community_id, COUNT(*), SUM(CASE WHEN used THEN 1 ELSE 0 END) FROM evaluation_votingcode "
                "WHERE campaign_id = %s AND kind = 'household' GROUP BY community_id",
                [campaign.pk],
            )
        }
        targets = dict(sql("SELECT id, org_id FROM evaluation_target WHERE campaign_id = %s", [campaign.pk]))
        for pk, r in results.items():
            assert (r.eligible, r.voted) == codes[targets[pk]]
        if direction == Direction.COMMUNITY:
            # One code, one household ballot: used codes and household ballots are the same count.
            households = dict(
                sql(
                    "SELECT t.org_id, COUNT(*) FROM evaluation_ballot b JOIN evaluation_target t ON t.id = b.target_id "
                    "WHERE t.campaign_id = %s AND b.voter_kind = 'household' GROUP BY t.org_id",
                    [campaign.pk],
                )
            )
            assert households == {c: used for c, (_issued, used) in codes.items()}
    else:
        evaluators = sql(
            "SELECT COUNT(*) FROM orgs_org WHERE path LIKE %s AND kind IN ('community', 'street', 'town')",
            [f"/{campaign.district_id}/%"],
        )[0][0]
        assert {r.eligible for r in results.values()} == {evaluators}
    for r in results.values():
        expected = (Decimal(r.voted) * 100 / r.eligible).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert r.turnout == expected

    # Scores: the mean value per target and indicator, mapped onto 0–100, weighted.
    low, high = campaign.scale_range
    means = {
        (target, indicator): Decimal(total) / Decimal(n)
        for target, indicator, total, n in sql(
            "SELECT b.target_id, s.indicator_id, SUM(s.value), COUNT(*) FROM evaluation_ballotscore s "
            "JOIN evaluation_ballot b ON b.id = s.ballot_id JOIN evaluation_target t ON t.id = b.target_id "
            "WHERE t.campaign_id = %s GROUP BY b.target_id, s.indicator_id",
            [campaign.pk],
        )
    }
    weights = dict(sql("SELECT id, weight FROM evaluation_indicator WHERE campaign_id = %s", [campaign.pk]))
    for pk, r in results.items():
        stored = {b["indicator"]: b["score"] for b in r.breakdown}
        total = Decimal(0)
        for indicator, weight in weights.items():
            if (pk, indicator) in means:
                value = (means[(pk, indicator)] - low) * 100 / (high - low)
                assert abs(value - Decimal(stored[indicator])) <= Decimal("0.005")
            else:  # an objective indicator: its own figure
                value = Decimal(stored[indicator])
            total += weight * value
        assert abs(total / sum(weights.values()) - r.score) <= Decimal("0.005"), r.target.name


def test_the_demo_results_pages_render(client, demo):
    from jianfu.orgs.models import User

    client.force_login(User.objects.get(username="office"))
    for campaign in Campaign.objects.all():
        assert client.get(reverse("evaluation:detail", args=[campaign.pk])).status_code == 200
        assert client.get(reverse("evaluation:results", args=[campaign.pk])).status_code == 200
    client.logout()
    page = client.get(reverse("evaluation:public_results", args=[released(Direction.COMMUNITY).pk]))
    assert "旦苑社区" in page.content.decode() and "无效" in page.content.decode()
