"""Evaluation campaigns and results through the API: the same selectors, permissions and scoring as the
pages. Released results of departments and communities are public; the office reads its district's
campaigns, live, with a session or a token. Ballots are cast only through the pages (one-time codes)."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema
from ninja.security import django_auth

from jianfu.orgs.api_auth import BearerToken

from . import scoring, selectors
from .permissions import (
    can_manage_campaign,
    can_read_comments,
    can_see_composite,
    can_view_results,
    can_view_target,
)


def anonymous(request):
    """Public endpoints: the visitor needs no credentials (what they see still depends on who they are)."""
    return True


router = Router(auth=[django_auth, BearerToken(), anonymous], tags=["evaluation"])


class IndicatorOut(Schema):
    position: int
    name: str
    description: str
    source: str
    weight: int


class CampaignOut(Schema):
    id: int
    title: str
    district: str
    direction: str
    state: str
    period_start: dt.date
    period_end: dt.date
    opens_on: dt.date
    closes_on: dt.date
    scale: str
    scale_min: int
    scale_max: int
    turnout_threshold: int
    composite_share: str
    released_on: dt.date | None
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district.name

    @staticmethod
    def resolve_scale_min(obj) -> int:
        return obj.scale_range[0]

    @staticmethod
    def resolve_scale_max(obj) -> int:
        return obj.scale_range[1]

    @staticmethod
    def resolve_indicators(obj) -> list:
        return list(obj.indicators.all())


class LineOut(Schema):
    indicator: str
    weight: int
    score: Decimal | None


class ResultOut(Schema):
    target_id: int
    name: str
    org_code: str
    score: Decimal | None
    rank: int | None
    ballots: int
    eligible: int
    voted: int
    turnout: Decimal | None
    valid: bool
    breakdown: list[LineOut]
    community_score: Decimal | None = None  # the communities' rating: seed 003's third of the year-end assessment
    composite: Decimal | None = None
    comments: list[str] | None = None


class ErrorOut(Schema):
    code: str
    message: str


def _result_out(result: scoring.TargetResult, *, composite: bool = False, comments: list[str] | None = None) -> dict:
    return {
        "target_id": result.target.pk,
        "name": result.target.name,
        "org_code": result.target.org.code,
        "score": result.score,
        "rank": result.rank,
        "ballots": result.ballots,
        "eligible": result.eligible,
        "voted": result.voted,
        "turnout": result.turnout,
        "valid": result.valid,
        "breakdown": [
            {"indicator": line.indicator.name, "weight": line.indicator.weight, "score": line.score}
            for line in result.lines
        ],
        "community_score": result.community_score if composite else None,
        "composite": result.composite if composite else None,
        "comments": comments,
    }


@router.get("campaigns/", response=list[CampaignOut], summary="Campaigns the caller may read")
def list_campaigns(request):
    if request.user.is_authenticated:
        qs = selectors.campaigns_for_user(request.user)
    else:
        qs = selectors.public_campaigns()
    return qs.select_related("district").prefetch_related("indicators")


@router.get("campaigns/{pk}/", response={200: CampaignOut, 404: ErrorOut}, summary="One campaign")
def get_campaign(request, pk: int):
    return selectors.campaign_for_user(request.user, pk)


@router.get(
    "campaigns/{pk}/results/",
    response={200: list[ResultOut], 404: ErrorOut},
    summary="Every target's results (released, or the office's live preview)",
)
def campaign_results(request, pk: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    if not can_view_results(request.user, campaign):
        raise Http404
    manage = can_manage_campaign(request.user, campaign)
    return [_result_out(r, composite=manage) for r in scoring.results(campaign)]


@router.get(
    "campaigns/{pk}/targets/{target_id}/",
    response={200: ResultOut, 404: ErrorOut},
    summary="One target's results; its comments for the target itself and the office",
)
def target_results(request, pk: int, target_id: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    target = selectors.target_for_user(request.user, campaign, target_id)
    if not can_view_target(request.user, target):
        raise Http404
    result = next(r for r in scoring.results(campaign) if r.target.pk == target.pk)
    comments = selectors.visible_comments(request.user, target)
    return _result_out(
        result,
        composite=can_see_composite(request.user, target),
        comments=[c.text for c in comments] if can_read_comments(request.user, target) else None,
    )
