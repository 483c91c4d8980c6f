"""The evaluation's workflows. A campaign is a draft (its set-up may change), open for ballots,
closed, then released (results frozen and published). A comment waits for the office, which shows it
to its target or not; an organisation that changes its comment sends it back to the office."""

from django.utils.translation import gettext_lazy, pgettext_lazy

from jianfu.core import clock
from jianfu.core.workflow import Action, Machine
from jianfu.orgs.models import Role
from jianfu.orgs.permissions import memberships

from .models import Campaign, CampaignState, CampaignTransition, Comment, CommentEvent, CommentState
from .permissions import can_manage_campaign, can_moderate_comment, can_revise_comment

S = CampaignState
C = CommentState


def _released(campaign: Campaign, now) -> None:
    campaign.released_on = clock.today()


def _moderated(comment: Comment, now) -> None:
    comment.moderated_on = clock.today()


def _unmoderated(comment: Comment, now) -> None:
    comment.moderated_by, comment.moderated_on = None, None


def _office(actor, obj) -> str:
    """The office acts; a move without an actor is the system's."""
    return Role.OFFICE if actor is not None else ""


def rating_role(actor, evaluator) -> str:
    """The role the actor rates in for this community or street."""
    held = [m.role for m in memberships(actor) if m.org_id == evaluator.pk and m.role in {Role.COMMUNITY, Role.STREET}]
    return held[0] if held else ""


CAMPAIGN = Machine(
    Campaign,
    name="campaign",
    actions={
        # The set-up (dates, indicators, who is rated) changes only in a draft: checked, never applied
        # by the services, which audit each change with its own snapshot.
        "edit": Action.of(S.DRAFT, None, can_manage_campaign, pgettext_lazy("evaluation", "changed")),
        "open": Action.of(
            S.DRAFT,
            S.OPEN,
            can_manage_campaign,
            gettext_lazy("opened"),
            refusal=gettext_lazy("Only the access office opens a campaign."),
        ),
        "close": Action.of(
            S.OPEN,
            S.CLOSED,
            can_manage_campaign,
            gettext_lazy("closed"),
            refusal=gettext_lazy("Only the access office closes a campaign."),
        ),
        "release": Action.of(
            S.CLOSED,
            S.RELEASED,
            can_manage_campaign,
            gettext_lazy("released"),
            refusal=gettext_lazy("Only the access office releases results."),
            effect=_released,
        ),
    },
    history=CampaignTransition,
    subject="campaign",
    org=lambda campaign: campaign.district,
    role=_office,
    refusal=gettext_lazy("Only the access office changes a campaign."),
    select_related=("district",),
)

COMMENT = Machine(
    Comment,
    name="comment",
    actions={
        "approve": Action.of(
            {C.PENDING, C.REJECTED},
            C.APPROVED,
            can_moderate_comment,
            pgettext_lazy("evaluation", "approved"),
            effect=_moderated,
        ),
        "reject": Action.of(
            {C.PENDING, C.APPROVED},
            C.REJECTED,
            can_moderate_comment,
            pgettext_lazy("evaluation", "refused"),
            effect=_moderated,
        ),
        # A moderated comment its organisation changes goes back to the office before the target sees it.
        "revise": Action.of(
            {C.APPROVED, C.REJECTED},
            C.PENDING,
            can_revise_comment,
            pgettext_lazy("evaluation", "revised"),
            refusal=gettext_lazy("You may rate only in the name of your own community or street."),
            effect=_unmoderated,
        ),
    },
    history=CommentEvent,
    subject="comment",
    org=lambda comment: comment.target.org,
    role=_office,
    refusal=gettext_lazy("Only the access office moderates comments."),
    select_related=("target__campaign", "target__org", "evaluator"),
)
