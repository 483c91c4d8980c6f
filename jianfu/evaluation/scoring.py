"""A campaign's results, computed from the ballots with a few aggregate queries.

For a target and an opinion indicator, the score is the mean of the values given, mapped linearly
from the scale onto 0–100 (five levels: 1 → 0, 3 → 50, 5 → 100). An objective indicator gives its
0–100 score directly (jianfu.evaluation.indicators). The target's score is the weighted mean of its
indicator scores; an indicator without data for the target is left out and the others' weights
scale up. Nothing vetoes: a zero on one indicator costs exactly its weight.

Validity: a result counts when the turnout reaches the campaign's threshold — household codes used
out of household codes issued in the target's community (resident campaigns: one code per resident
household of the registry), evaluating organisations that rated the target out of all of them
(departments). Rankings hold valid results only.

A department's year-end composite is share × the communities' rating + (1 − share) × the rest of its
assessment. Seed 003: 「社區對部門評價權重占機關年底黨建考核的三分之一」 — the communities' rating is one
third inside the year-end assessment; the published score (streets' ballots and objective figures
too) is not. The communities' rating is the weighted mean of the opinion indicators over ballots by
communities, from the per-indicator figures as shown (cents); it is frozen in ``Result.breakdown``.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum

from jianfu.orgs.models import Org, OrgKind

from . import indicators as objective
from .models import (
    Ballot,
    BallotScore,
    Campaign,
    Direction,
    Indicator,
    Result,
    Target,
    VoterKind,
    VotingCode,
    YearEndScore,
)

CENT = Decimal("0.01")


def _dec(value: Fraction | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    indicator: Indicator
    score: Decimal | None
    community: Decimal | None = None  # the communities' own rating on an opinion line (departments)


@dataclass
class TargetResult:
    target: Target
    score: Decimal | None
    lines: list[Line]
    ballots: int
    eligible: int  # households issued a code, or evaluating organisations
    voted: int  # of those, how many voted
    turnout: Decimal | None
    valid: bool
    rank: int | None = None
    other_score: Decimal | None = None
    composite: Decimal | None = None
    community_score: Decimal | None = None
    comments: list = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.ballots:
            return "no_ballots"
        return "valid" if self.valid else "invalid"


def evaluator_count(campaign: Campaign) -> int:
    """The organisations that may rate: the district's communities and streets (departments), its
    communities (streets, each rated by its own)."""
    kinds = (
        [OrgKind.COMMUNITY]
        if campaign.direction == Direction.STREET
        else [OrgKind.COMMUNITY, OrgKind.STREET, OrgKind.TOWN]
    )
    return Org.objects.filter(path__startswith=f"/{campaign.district_id}/", kind__in=kinds).count()


def _eligible_by_street(campaign: Campaign) -> dict[int, int]:
    """A street is rated by its own communities: how many each street has."""
    return dict(
        Org.objects.filter(path__startswith=f"/{campaign.district_id}/", kind=OrgKind.COMMUNITY)
        .values_list("parent_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def opinion_scores(campaign: Campaign, *, communities_only: bool = False) -> dict[tuple[int, int], Fraction]:
    """(target, indicator) → 0–100, exact, from the sum and count of the values given; with
    ``communities_only``, of the ballots communities cast."""
    low, high = campaign.scale_range
    scores = BallotScore.objects.filter(ballot__target__campaign=campaign)
    if communities_only:
        scores = scores.filter(ballot__evaluator__kind=OrgKind.COMMUNITY)
    rows = (
        scores.values_list("ballot__target_id", "indicator_id").annotate(total=Sum("value"), n=Count("pk")).order_by()
    )
    return {(t, i): (Fraction(total, n) - low) * 100 / (high - low) for t, i, total, n in rows if n}


def weighted(parts: list[tuple[int, Fraction | Decimal | None]]) -> Fraction | None:
    """Weighted mean of (weight, score) leaving out missing scores."""
    present = [(w, Fraction(s)) for w, s in parts if s is not None]
    total = sum(w for w, _ in present)
    if not total:
        return None
    return sum(w * s for w, s in present) / total


def compute(campaign: Campaign) -> list[TargetResult]:
    """Live results of every target, ranked; what the office previews and what release freezes."""
    lines_of = list(campaign.indicators.all())
    targets = list(campaign.targets.select_related("org", "worker"))
    opinions = opinion_scores(campaign)
    by_communities = (
        opinion_scores(campaign, communities_only=True) if campaign.direction == Direction.DEPARTMENT else {}
    )
    objectives: dict[int, dict[int, Decimal | None]] = {}
    for ind in lines_of:
        if not ind.is_opinion:
            spec = objective.get(ind.source)
            objectives[ind.pk] = spec.compute(campaign, targets) if spec else {}
    counts = dict(
        Ballot.objects.filter(target__campaign=campaign).values_list("target_id").annotate(n=Count("pk")).order_by()
    )
    # Households that voted are the household codes used: one code, one household, whichever of
    # the community's targets (its workers) the household chose to rate.
    households = {
        community: (issued, used)
        for community, issued, used in VotingCode.objects.filter(campaign=campaign, kind=VoterKind.HOUSEHOLD)
        .values_list("community_id")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used=True)))
        .order_by()
    }
    evaluators = evaluator_count(campaign) if campaign.direction == Direction.DEPARTMENT else 0
    by_street = _eligible_by_street(campaign) if campaign.direction == Direction.STREET else {}
    others = dict(YearEndScore.objects.filter(campaign=campaign).values_list("department_id", "score"))
    threshold = Fraction(campaign.turnout_threshold, 100)

    results = []
    for target in targets:
        ballots = counts.get(target.pk, 0)
        lines, parts = [], []
        for ind in lines_of:
            if ind.is_opinion:
                value = opinions.get((target.pk, ind.pk))
            else:
                value = objectives[ind.pk].get(target.pk)
            community = by_communities.get((target.pk, ind.pk)) if ind.is_opinion else None
            lines.append(Line(ind, _dec(value), _dec(community)))
            parts.append((ind.weight, value))
        score = weighted(parts) if ballots else None
        if campaign.is_resident:
            eligible, voted = households.get(target.org_id, (0, 0))
        elif campaign.direction == Direction.STREET:
            eligible, voted = by_street.get(target.org_id, 0), ballots
        else:
            eligible, voted = evaluators, ballots
        turnout = Fraction(voted, eligible) if eligible else None
        valid = bool(ballots) and turnout is not None and turnout >= threshold
        result = TargetResult(
            target=target,
            score=_dec(score),
            lines=lines,
            ballots=ballots,
            eligible=eligible,
            voted=voted,
            turnout=_dec(turnout * 100) if turnout is not None else None,
            valid=valid,
        )
        if campaign.direction == Direction.DEPARTMENT:
            result.community_score = community_rating(lines)
            result.other_score = others.get(target.org_id)
            result.composite = composite(campaign, result.community_score, result.other_score)
        results.append(result)
    return rank(results)


def community_rating(lines: list[Line]) -> Decimal | None:
    """The communities' rating of a department: the weighted mean of their per-indicator figures."""
    return _dec(weighted([(line.indicator.weight, line.community) for line in lines if line.indicator.is_opinion]))


def composite(campaign: Campaign, community: Decimal | None, other: Decimal | None) -> Decimal | None:
    """share × the communities' rating + (1 − share) × the rest of the year-end assessment (seed 003)."""
    if community is None or other is None:
        return None
    share = Fraction(campaign.composite_numerator, campaign.composite_denominator)
    return _dec(share * Fraction(community) + (1 - share) * Fraction(other))


def rank(results: list[TargetResult]) -> list[TargetResult]:
    """Valid results by score, best first, ties sharing a rank (1, 2, 2, 4); the rest after them."""
    ranked = sorted((r for r in results if r.valid and r.score is not None), key=lambda r: -r.score)
    position, previous = 0, None
    for n, r in enumerate(ranked, start=1):
        if r.score != previous:
            position, previous = n, r.score
        r.rank = position
    rest = sorted(
        (r for r in results if r.rank is None),
        key=lambda r: (r.score is None, -(r.score or 0), r.target.name),
    )
    return ranked + rest


def freeze(results: list[TargetResult]) -> list[Result]:
    """Result rows to store at release."""
    return [
        Result(
            target=r.target,
            score=r.score,
            breakdown=[
                {"indicator": line.indicator.pk, "score": _str(line.score), "community": _str(line.community)}
                for line in r.lines
            ],
            ballots=r.ballots,
            eligible=r.eligible,
            voted=r.voted,
            turnout=r.turnout,
            valid=r.valid,
            rank=r.rank,
            other_score=r.other_score,
            composite=r.composite,
        )
        for r in results
    ]


def rounded(value: Fraction | Decimal | None) -> Decimal | None:
    """A score as the results store it (two places)."""
    return _dec(value)


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def thawed_lines(breakdown: list[dict], indicators_by_pk: dict[int, Indicator]) -> list[Line]:
    return [
        Line(indicators_by_pk[b["indicator"]], _decimal(b["score"]), _decimal(b.get("community")))
        for b in breakdown
        if b["indicator"] in indicators_by_pk
    ]


def thawed(campaign: Campaign) -> list[TargetResult]:
    """The released results, as stored: they no longer move when later data arrives."""
    indicators_by_pk = {i.pk: i for i in campaign.indicators.all()}
    stored = Result.objects.filter(target__campaign=campaign).select_related("target", "target__org", "target__worker")
    results = []
    for r in stored:
        lines = thawed_lines(r.breakdown, indicators_by_pk)
        results.append(
            TargetResult(
                target=r.target,
                score=r.score,
                lines=lines,
                ballots=r.ballots,
                eligible=r.eligible,
                voted=r.voted,
                turnout=r.turnout,
                valid=r.valid,
                rank=r.rank,
                other_score=r.other_score,
                composite=r.composite,
                community_score=community_rating(lines) if campaign.direction == Direction.DEPARTMENT else None,
            )
        )
    ranked = sorted((r for r in results if r.rank is not None), key=lambda r: (r.rank, r.target.name))
    rest = sorted(
        (r for r in results if r.rank is None), key=lambda r: (r.score is None, -(r.score or 0), r.target.name)
    )
    return ranked + rest


def results(campaign: Campaign) -> list[TargetResult]:
    from .models import CampaignState

    return thawed(campaign) if campaign.state == CampaignState.RELEASED else compute(campaign)


def indicator_means(campaign: Campaign, rows: list[TargetResult]) -> list[tuple[Indicator, Decimal | None]]:
    """Each indicator's mean over the targets that have a score for it: the campaign at a glance."""
    by_indicator: dict[int, list[Decimal]] = {}
    for r in rows:
        if not r.ballots:
            continue
        for line in r.lines:
            if line.score is not None:
                by_indicator.setdefault(line.indicator.pk, []).append(line.score)
    out = []
    for ind in campaign.indicators.all():
        values = by_indicator.get(ind.pk, [])
        out.append((ind, _dec(sum(values) / len(values)) if values else None))
    return out
