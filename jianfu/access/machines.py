"""The access workflow's machines: an application from the department's draft to the joint meeting's
decision (the TRANSITIONS table), and a violation report the office confirms or dismisses."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.core import workdays
from jianfu.core.workflow import Action, Machine
from jianfu.orgs.models import Role

from .models import Application, State, Transition, ViolationEvent, ViolationReport, ViolationState
from .permissions import (
    applicant_role,
    applies_for,
    can_decide_violation,
    can_edit_application,
    can_manage_access,
    can_pass_review,
    can_return,
    can_review_part,
    can_withdraw,
    is_consulted,
    is_district_reviewer,
)

S = State
OPEN = {S.SUBMITTED, S.REVIEWED, S.CONSULTATION, S.DELIBERATION}  # with the office, before the decision


def acting_role(actor, application: Application) -> str:
    """The role the actor acts in: the district's office before a member-unit reviewer (who may
    return the application too) before the applicant (a department's clerk, a street's worker); none
    for the system's own moves. The applicant's and the reviewer's own steps name their role where
    they are taken (services)."""
    if actor is None or not actor.is_authenticated:
        return ""
    if can_manage_access(actor, application):
        return Role.OFFICE
    if is_district_reviewer(actor, application):
        return Role.REVIEWER

    if applies_for(actor, application.department):
        return applicant_role(application.department)
    return ""


def _submitted(application: Application, now) -> None:
    """Every submission (and resubmission) starts the office's working days to decide afresh."""
    today = timezone.localdate(now)
    application.submitted_on = today
    application.decision_due = workdays.add_workdays(today, settings.JIANFU["DECISION_WORKDAYS"])
    application.escalated_on = None


APPLICATION = Machine(
    Application,
    name="application",
    actions={
        "submit": Action.of(
            {S.DRAFT, S.RETURNED},
            S.SUBMITTED,
            can_edit_application,
            _("submitted"),
            refusal=_("Only the applicant (the department's clerk or the street's worker) may submit it."),
            effect=_submitted,
        ),
        "return": Action.of(
            OPEN,
            S.RETURNED,
            can_return,
            _("returned"),
            refusal=_("Only a reviewer or the office may return an application."),
        ),
        # A member unit's review while others are awaited (an entry in the history, for the unit)…
        "review": Action.of(
            S.SUBMITTED,
            None,
            can_review_part,
            _("reviewed"),
            refusal=_("Only a member-unit reviewer does the preliminary review."),
        ),
        # … and the review that completes it.
        "pass_review": Action.of(
            S.SUBMITTED,
            S.REVIEWED,
            can_pass_review,
            _("passed in review"),
            refusal=_("Only a member-unit reviewer does the preliminary review."),
        ),
        "open_consultation": Action.of(
            S.REVIEWED,
            S.CONSULTATION,
            can_manage_access,
            _("sent for consultation"),
            refusal=_("Only the office consults streets and communities."),
        ),
        # A consulted street or community answers for itself, and may amend its answer until the close.
        "give_opinion": Action.of(
            S.CONSULTATION,
            None,
            is_consulted,
            _("answered"),
            refusal=_("Only the consulted street or community gives this opinion."),
        ),
        "close_consultation": Action.of(
            S.CONSULTATION,
            S.DELIBERATION,
            can_manage_access,
            _("closed for consultation"),
            refusal=_("Only the office closes a consultation."),
        ),
        "approve": Action.of(
            S.DELIBERATION,
            S.APPROVED,
            can_manage_access,
            _("approved"),
            refusal=_("Only the office records the joint meeting's decision."),
        ),
        "approve_with_changes": Action.of(
            S.DELIBERATION,
            S.CHANGES_REQUESTED,
            can_manage_access,
            _("approved with changes"),
            refusal=_("Only the office records the joint meeting's decision."),
        ),
        "reject": Action.of(
            S.DELIBERATION,
            S.REJECTED,
            can_manage_access,
            _("rejected"),
            refusal=_("Only the office records the joint meeting's decision."),
        ),
        "adjust": Action.of(
            S.CHANGES_REQUESTED,
            S.ADJUSTED,
            can_edit_application,
            _("adjusted"),
            refusal=_("Only the applicant (the department's clerk or the street's worker) may adjust it."),
        ),
        "confirm_adjustment": Action.of(
            S.ADJUSTED,
            S.APPROVED,
            can_manage_access,
            _("confirmed"),
            refusal=_("Only the office confirms the adjustment."),
        ),
        "refuse_adjustment": Action.of(
            S.ADJUSTED,
            S.CHANGES_REQUESTED,
            can_manage_access,
            _("sent back for more changes"),
            refusal=_("Only the office confirms the adjustment."),
        ),
        "fast_track": Action.of(
            OPEN,
            S.APPROVED,
            can_manage_access,
            _("fast-tracked"),
            refusal=_("Only the office fast-tracks temporary items."),
        ),
        "withdraw": Action.of(
            {S.DRAFT, S.RETURNED, S.CHANGES_REQUESTED, S.ADJUSTED, *OPEN},
            S.WITHDRAWN,
            can_withdraw,
            _("withdrawn"),
            refusal=_("Only the applicant (the department's clerk or the street's worker) may withdraw it."),
        ),
    },
    history=Transition,
    subject="application",
    org=lambda application: application.department,
    role=acting_role,
    select_related=("department",),
)


def _decided(report: ViolationReport, now) -> None:
    report.decided_on = timezone.localdate(now)


VIOLATION = Machine(
    ViolationReport,
    name="violation",
    actions={
        "confirm": Action.of(
            ViolationState.REPORTED,
            ViolationState.CONFIRMED,
            can_decide_violation,
            pgettext_lazy("violation", "decided"),
            effect=_decided,
        ),
        "dismiss": Action.of(
            ViolationState.REPORTED,
            ViolationState.DISMISSED,
            can_decide_violation,
            pgettext_lazy("violation", "decided"),
            effect=_decided,
        ),
    },
    history=ViolationEvent,
    subject="report",
    org=lambda report: report.community,
    role=lambda actor, report: Role.OFFICE if actor is not None and actor.is_authenticated else "",
    refusal=_("Only the office decides on violation reports."),
    select_related=("community",),
)
