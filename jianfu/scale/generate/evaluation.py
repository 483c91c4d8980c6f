"""Evaluations at scale: in every district, communities and streets rate their departments — the
2025 campaign closed and released (results frozen by evaluation.scoring, as campaign_release does,
with the rest of each department's year-end assessment), the 2026 campaign open with 40 % of the
evaluators' ballots in.

Invariants mirrored from jianfu.evaluation: the default indicators of the direction
(services.DEFAULT_INDICATORS, weights summing to 100); targets are the district's departments and
mass organisations (services.candidates); one ballot per evaluator and target, carrying a score for
every opinion indicator on the five-level scale; random UUID keys; transitions recorded for every
state change. Resident campaigns (one-time household codes) are not generated: a code per
household would be millions of rows that no benchmark reads.
"""

import datetime as dt
from decimal import Decimal

from jianfu.evaluation import scoring
from jianfu.evaluation.models import (
    Ballot,
    BallotScore,
    Campaign,
    CampaignState,
    CampaignTransition,
    Comment,
    CommentState,
    Direction,
    Indicator,
    Result,
    Scale,
    Target,
    VoterKind,
    YearEndScore,
)
from jianfu.evaluation.services import DEFAULT_INDICATORS
from jianfu.orgs.models import OrgKind, Role

from .base import at, rng_for, uuid4
from .world import World

COMMENTS = (
    [
        "指导社区工作耐心细致，有问题能及时到社区现场解决",
        "今年没有再向社区派发报表，减负效果明显",
        "吹哨后第二天就到社区现场办公",
    ],
    ["仍通过微信群要求社区报送各类表格，希望纳入一表通", "协助事项的经费没有随事转", "检查考核名目多，希望合并精简"],
)
CAMPAIGNS = [
    # year, opens, closes, state, share of evaluators who rated
    (2025, dt.date(2025, 12, 1), dt.date(2025, 12, 20), CampaignState.RELEASED, 0.95),
    (2026, dt.date(2026, 10, 15), dt.date(2026, 11, 15), CampaignState.OPEN, 0.4),
]
CAMPAIGN_COLUMNS = [
    "id",
    "district_id",
    "title",
    "direction",
    "period_start",
    "period_end",
    "opens_on",
    "closes_on",
    "scale",
    "turnout_threshold",
    "composite_numerator",
    "composite_denominator",
    "state",
    "code_salt",
    "created_by_id",
    "released_on",
]


def build(world: World) -> None:
    rng = rng_for(world.seed, "evaluation")
    campaigns, transitions, indicators, targets, year_end = [], [], [], [], []
    ballots, scores, comments = [], [], []
    released = []
    for district in world.districts:
        office = world.accounts.office.get(district.id)
        if not office or not district.departments:
            continue
        evaluators = [c.id for c in district.streets] + [c.id for c in district.communities]
        departments = sorted(district.departments, key=lambda d: (d.kind != OrgKind.DEPARTMENT, d.code))
        quality = {d.id: min(0.96, max(0.3, rng.gauss(0.7, 0.11))) for d in departments}
        for year, opens, closes, state, share in CAMPAIGNS:
            (campaign_id,) = world.writer.ids(Campaign, 1)
            released_on = closes + dt.timedelta(days=8) if state == CampaignState.RELEASED else None
            campaigns.append(
                (campaign_id, district.id, f"{year}年度社区和街道评议部门", Direction.DEPARTMENT, dt.date(year, 1, 1),
                 dt.date(year, 12, 31), opens, closes, Scale.FIVE, 0, 1, 3, state, f"{rng.getrandbits(128):032x}",
                 office[0], released_on)
            )  # fmt: skip
            moves = [("open", CampaignState.DRAFT, CampaignState.OPEN, opens, "")]
            if state == CampaignState.RELEASED:
                moves += [
                    ("close", CampaignState.OPEN, CampaignState.CLOSED, closes + dt.timedelta(days=1), "评议期满"),
                    ("release", CampaignState.CLOSED, CampaignState.RELEASED, released_on, ""),
                ]
            for action, before, after, day, note in moves:
                transitions.append((campaign_id, action, before, after, office[0], Role.OFFICE, note, at(day)))
            opinion = []
            for position, (name, description, source, weight) in enumerate(
                DEFAULT_INDICATORS[Direction.DEPARTMENT], start=1
            ):
                (indicator_id,) = world.writer.ids(Indicator, 1)
                indicators.append((indicator_id, campaign_id, position, name, description, source, weight))
                if not source:
                    opinion.append(indicator_id)
            target_ids = world.writer.ids(Target, len(departments))
            for target_id, department in zip(target_ids, departments, strict=True):
                targets.append((target_id, campaign_id, department.id, None, department.name))
                if state == CampaignState.RELEASED:
                    year_end.append((campaign_id, department.id, Decimal(str(round(rng.uniform(82, 96), 1)))))
            for evaluator in evaluators:
                if rng.random() >= share:
                    continue
                for target_id, department in zip(target_ids, departments, strict=True):
                    ballot = uuid4(rng)
                    ballots.append((ballot, target_id, VoterKind.ORG, evaluator))
                    q = quality[department.id]
                    for indicator_id in opinion:
                        # q plus a bell-shaped spread (sd 0.16) from three uniform draws, cheaper than gauss.
                        noise = (rng.random() + rng.random() + rng.random() - 1.5) * 0.32
                        value = 1 + round(4 * min(1.0, max(0.0, q + noise)))
                        scores.append((uuid4(rng), ballot, indicator_id, value))
                    if rng.random() < 0.02:
                        text = rng.choice(COMMENTS[0] if rng.random() < q else COMMENTS[1])
                        if state == CampaignState.RELEASED:
                            comments.append(
                                (
                                    uuid4(rng),
                                    target_id,
                                    evaluator,
                                    text,
                                    CommentState.APPROVED,
                                    office[0],
                                    closes + dt.timedelta(days=3),
                                )
                            )
                        else:
                            comments.append((uuid4(rng), target_id, evaluator, text, CommentState.PENDING, None, None))
            if state == CampaignState.RELEASED:
                released.append(campaign_id)
    w = world.writer
    w.write(Campaign, CAMPAIGN_COLUMNS, campaigns)
    w.write(
        CampaignTransition,
        ["id", "campaign_id", "action", "from_state", "to_state", "actor_id", "role", "note", "at"],
        ((i, *t) for i, t in zip(w.ids(CampaignTransition, len(transitions)), transitions, strict=True)),
    )
    w.write(Indicator, ["id", "campaign_id", "position", "name", "description", "source", "weight"], indicators)
    w.write(Target, ["id", "campaign_id", "org_id", "worker_id", "name"], targets)
    w.write(
        YearEndScore,
        ["id", "campaign_id", "department_id", "score"],
        ((i, *y) for i, y in zip(w.ids(YearEndScore, len(year_end)), year_end, strict=True)),
    )
    w.write(Ballot, ["id", "target_id", "voter_kind", "evaluator_id"], ballots, big=True)
    w.write(BallotScore, ["id", "ballot_id", "indicator_id", "value"], scores, big=True)
    w.write(Comment, ["id", "target_id", "evaluator_id", "text", "state", "moderated_by_id", "moderated_on"], comments)
    _results(world, released)


def _results(world: World, campaign_ids: list[int]) -> None:
    """Results frozen as campaign_release freezes them: evaluation.scoring on the ballots just written."""
    rows = []
    for campaign in Campaign.objects.filter(pk__in=campaign_ids).order_by("pk"):
        rows += scoring.freeze(scoring.compute(campaign))
    ids = world.writer.ids(Result, len(rows))
    world.writer.write(
        Result,
        [
            "id",
            "target_id",
            "score",
            "breakdown",
            "ballots",
            "eligible",
            "voted",
            "turnout",
            "valid",
            "rank",
            "other_score",
            "composite",
        ],
        (
            (
                i,
                r.target_id,
                r.score,
                r.breakdown,
                r.ballots,
                r.eligible,
                r.voted,
                r.turnout,
                r.valid,
                r.rank,
                r.other_score,
                r.composite,
            )
            for i, r in zip(ids, rows, strict=True)
        ),
    )
