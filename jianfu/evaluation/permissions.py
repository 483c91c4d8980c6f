"""Who may do what in an evaluation, written once for services, views, templates and the API."""

import rules

from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import reaches, roots

from .models import Campaign, CampaignState, Comment, Direction, Target

EVALUATOR_KINDS = {OrgKind.COMMUNITY, OrgKind.STREET, OrgKind.TOWN}
CODE_ROLES = {Role.OFFICE, Role.STREET, Role.COMMUNITY}
# Who reads a department's own results and comments.
DEPARTMENT_ROLES = {Role.CLERK, Role.REVIEWER}


def office_districts(user) -> set[int]:
    return {r.pk for r in roots(user, {Role.OFFICE})}


def user_districts(user) -> set[int]:
    return {r.district_id for r in roots(user)}


@rules.predicate
def is_evaluation_office(user) -> bool:
    return user.is_superuser or bool(office_districts(user))


@rules.predicate
def can_manage_campaign(user, campaign: Campaign) -> bool:
    """The office of the campaign's district."""
    return user.is_superuser or campaign.district_id in office_districts(user)


def evaluator_orgs(user, campaign: Campaign) -> list[Org]:
    """The organisations in whose name the user rates: communities and streets rate the departments;
    communities rate their own street or town (下评上, seed 002: streets are assessed too)."""
    if campaign.direction == Direction.DEPARTMENT:
        roles, kinds = {Role.COMMUNITY, Role.STREET}, EVALUATOR_KINDS
    elif campaign.direction == Direction.STREET:
        roles, kinds = {Role.COMMUNITY}, {OrgKind.COMMUNITY}
    else:
        return []
    # Roles are held only in organisations of their kind (orgs.ROLE_ORG_KINDS): a community role in a
    # community, a street role in a street or town.
    return [org for org in roots(user, roles) if org.kind in kinds and org.district_id == campaign.district_id]


def rates_target(evaluator: Org, target: Target) -> bool:
    """A community rates only its own street or town; departments are rated by every evaluator."""
    return target.campaign.direction != Direction.STREET or evaluator.parent_id == target.org_id


@rules.predicate
def can_rate(user, campaign: Campaign) -> bool:
    return bool(evaluator_orgs(user, campaign))


def can_rate_as(user, campaign: Campaign, evaluator: Org) -> bool:
    return any(o.pk == evaluator.pk for o in evaluator_orgs(user, campaign))


@rules.predicate
def can_moderate_comment(user, comment: Comment) -> bool:
    """The office of the campaign's district approves or refuses a comment."""
    return can_manage_campaign(user, comment.target.campaign)


@rules.predicate
def can_revise_comment(user, comment: Comment) -> bool:
    """An organisation's comment is changed by whoever rates in its name (a household's by nobody)."""
    return comment.evaluator_id is not None and can_rate_as(user, comment.target.campaign, comment.evaluator)


def can_issue_codes(user, campaign: Campaign, community: Org) -> bool:
    """The community's workers, its street, or the office hand out the household codes."""
    return (
        campaign.is_resident
        and community.kind == OrgKind.COMMUNITY
        and community.district_id == campaign.district_id
        and (user.is_superuser or reaches(user, community, CODE_ROLES))
    )


def is_public(campaign: Campaign) -> bool:
    """Released results of departments and communities are public; individual workers' are not."""
    return campaign.state == CampaignState.RELEASED and campaign.direction != Direction.WORKER


def owns_target(user, target: Target) -> bool:
    """The department's own staff, the community's own workers, the worker themself."""
    if target.worker_id is not None:
        return target.worker_id == user.pk
    if target.campaign.direction == Direction.DEPARTMENT:
        return reaches(user, target.org, DEPARTMENT_ROLES)
    if target.campaign.direction == Direction.STREET:
        return reaches(user, target.org, {Role.STREET})
    return reaches(user, target.org, {Role.COMMUNITY})


@rules.predicate
def can_view_results(user, campaign: Campaign) -> bool:
    """The whole table: the office at any time after opening (a live preview), everyone once released
    (workers' results: the office only)."""
    if can_manage_campaign(user, campaign):
        return campaign.state != CampaignState.DRAFT
    return is_public(campaign)


@rules.predicate
def can_view_target(user, target: Target) -> bool:
    campaign = target.campaign
    if can_manage_campaign(user, campaign):
        return campaign.state != CampaignState.DRAFT
    return is_public(campaign) or (campaign.state == CampaignState.RELEASED and owns_target(user, target))


@rules.predicate
def can_read_comments(user, target: Target) -> bool:
    """The office (to moderate) and, once released, the target itself — never another target."""
    campaign = target.campaign
    if can_manage_campaign(user, campaign):
        return True
    return campaign.state == CampaignState.RELEASED and owns_target(user, target)


@rules.predicate
def can_see_composite(user, target: Target) -> bool:
    return target.campaign.direction == Direction.DEPARTMENT and (
        can_manage_campaign(user, target.campaign)
        or (target.campaign.state == CampaignState.RELEASED and owns_target(user, target))
    )


rules.add_perm("evaluation.manage", is_evaluation_office)
rules.add_perm("evaluation.manage_campaign", can_manage_campaign)
rules.add_perm("evaluation.rate", can_rate)
rules.add_perm("evaluation.view_results", can_view_results)
rules.add_perm("evaluation.view_target", can_view_target)
rules.add_perm("evaluation.read_comments", can_read_comments)
