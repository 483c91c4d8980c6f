"""What each user may read of the evaluations."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from jianfu.orgs.models import Role
from jianfu.orgs.permissions import roots

from .models import (
    RESIDENT_DIRECTIONS,
    Ballot,
    Campaign,
    CampaignState,
    Comment,
    CommentState,
    Direction,
    Target,
    VotingCode,
)
from .permissions import (
    CODE_ROLES,
    DEPARTMENT_ROLES,
    can_manage_campaign,
    can_read_comments,
    can_view_target,
    evaluator_orgs,
    is_public,
    office_districts,
    owns_target,
    user_districts,
)


def public_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(state=CampaignState.RELEASED).exclude(direction=Direction.WORKER)


def campaigns_for_user(user) -> QuerySet[Campaign]:
    """The office: every campaign of its district. Others: their district's campaigns once open."""
    qs = Campaign.objects.select_related("district")
    if user.is_superuser:
        return qs
    districts = user_districts(user)
    q = Q(district_id__in=office_districts(user))
    q |= Q(district_id__in=districts) & ~Q(state=CampaignState.DRAFT)
    if roots(user, CODE_ROLES):
        # Household slips are printed and handed out before the ballots open.
        q |= Q(district_id__in=districts, state=CampaignState.DRAFT, direction__in=RESIDENT_DIRECTIONS)
    q |= Q(state=CampaignState.RELEASED) & ~Q(direction=Direction.WORKER)
    return qs.filter(q)


def campaign_for_user(user, pk: int) -> Campaign:
    campaign = campaigns_for_user(user).filter(pk=pk).first() if user.is_authenticated else None
    if campaign is None:
        campaign = public_campaigns().filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def target_for_user(user, campaign: Campaign, target_id: int) -> Target:
    target = campaign.targets.select_related("org", "worker", "campaign").filter(pk=target_id).first()
    if target is None or not can_view_target(user, target):
        raise Http404
    return target


@dataclass
class Dashboard:
    managed: list = field(default_factory=list)
    to_rate: list = field(default_factory=list)
    to_issue: list = field(default_factory=list)
    mine: list = field(default_factory=list)  # (campaign, target) released results of the user's own org
    public: list = field(default_factory=list)


def dashboard_for_user(user) -> Dashboard:
    board = Dashboard()
    visible = list(campaigns_for_user(user).order_by("-period_end", "-pk"))
    for campaign in visible:
        if can_manage_campaign(user, campaign):
            board.managed.append(campaign)
        if campaign.state == CampaignState.OPEN and evaluator_orgs(user, campaign):
            board.to_rate.append(campaign)
        if (
            campaign.is_resident
            and campaign.state in {CampaignState.DRAFT, CampaignState.OPEN}
            and roots(user, CODE_ROLES)
            and not can_manage_campaign(user, campaign)
        ):
            board.to_issue.append(campaign)
        if is_public(campaign):
            board.public.append(campaign)
    board.mine = own_results(user)
    return board


def own_results(user) -> list[tuple[Campaign, Target]]:
    """Released results where the user's own department, community or person was rated."""
    q = Q(worker=user)
    for org in roots(user, DEPARTMENT_ROLES):
        q |= Q(org=org, worker__isnull=True, campaign__direction=Direction.DEPARTMENT)
    for org in roots(user, {Role.COMMUNITY}):
        q |= Q(org=org, worker__isnull=True, campaign__direction=Direction.COMMUNITY)
    for org in roots(user, {Role.STREET}):
        q |= Q(org=org, worker__isnull=True, campaign__direction=Direction.STREET)
    targets = (
        Target.objects.filter(q, campaign__state=CampaignState.RELEASED)
        .select_related("campaign", "org", "worker")
        .order_by("-campaign__period_end", "-campaign__pk")
    )
    return [(t.campaign, t) for t in targets if owns_target(user, t)]


def ballots_of(evaluator, campaign: Campaign) -> dict[int, Ballot]:
    """An evaluating organisation's ballots in a campaign, by target, with their scores."""
    ballots = Ballot.objects.filter(target__campaign=campaign, evaluator=evaluator).prefetch_related("scores")
    return {b.target_id: b for b in ballots}


def comments_of(evaluator, campaign: Campaign) -> dict[int, Comment]:
    return {c.target_id: c for c in Comment.objects.filter(target__campaign=campaign, evaluator=evaluator)}


def visible_comments(user, target: Target) -> list[Comment]:
    """The office sees every comment with its state; the target only the approved ones — never whose."""
    if not can_read_comments(user, target):
        return []
    qs = target.comments.order_by("state", "text")
    if can_manage_campaign(user, target.campaign):
        return list(qs.select_related("evaluator"))
    return list(qs.filter(state=CommentState.APPROVED))


def comments_to_moderate(campaign: Campaign, state: str = CommentState.PENDING) -> QuerySet[Comment]:
    qs = Comment.objects.filter(target__campaign=campaign).select_related("target", "evaluator")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("target__name", "text")


def code_counts(campaign: Campaign) -> dict[int, dict]:
    """Per community: household and unit codes issued, and how many were used (turnout)."""
    rows = (
        VotingCode.objects.filter(campaign=campaign)
        .values("community_id", "kind")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used=True)))
        .order_by()
    )
    out: dict[int, dict] = {}
    for row in rows:
        out.setdefault(row["community_id"], {})[row["kind"]] = {"issued": row["issued"], "used": row["used"]}
    return out


def participation(campaign: Campaign) -> dict[int, int]:
    """Evaluating organisations that have rated, with the number of targets each rated."""
    return dict(
        Ballot.objects.filter(target__campaign=campaign, evaluator__isnull=False)
        .values_list("evaluator_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
