"""The case's workflow, one machine for reported matters, whistles (吹哨报到) and one-window service
applications: reported → accepted → dispatched → responded → resolved → confirmed → closed, with
returns, reassignments, reopenings and merges. Disputes, escalations and taking in a duplicate are
entries in the history that leave the state as it is. The report that opens a case is its creation
(from no state), written by the services.

Each move stamps the moment the case entered its new state (the action's effect); the services set
the new stage's deadline after their own changes (deadlines.stage_due)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.core.workflow import Action, Machine

from .models import FINAL_STATES, WITH_ASSIGNEE, Case, CaseEvent, State
from .permissions import can_confirm, can_dispatch, can_give_back, can_handle, can_resolve, nobody

S = State

ACTION_LABELS = {
    "report": pgettext_lazy("cases", "reported"),
    "accept": pgettext_lazy("cases", "accepted"),
    "dispatch": pgettext_lazy("cases", "dispatched"),
    "whistle": pgettext_lazy("cases", "whistle blown"),
    "respond": pgettext_lazy("cases", "responded"),
    "resolve": pgettext_lazy("cases", "resolved"),
    "return": pgettext_lazy("cases", "returned"),
    "reassign": pgettext_lazy("cases", "reassigned"),
    "dispute": pgettext_lazy("cases", "disputed"),
    "reopen": pgettext_lazy("cases", "reopened"),
    "confirm": pgettext_lazy("cases", "confirmed"),
    "close": pgettext_lazy("cases", "closed"),
    "merge": pgettext_lazy("cases", "merged"),
    "absorb": pgettext_lazy("cases", "took in a duplicate"),
    "escalate": pgettext_lazy("cases", "escalated to the office"),
}
# A service done at the window is resolved straight after it is accepted (一次办结): "resolve" may
# start from these states too, for those services only (permissions.resolvable, in its predicate).
SERVICE_EXTRA: dict[str, set[str]] = {"resolve": {S.ACCEPTED}}
OPEN = set(S.values) - FINAL_STATES


def _entered(stamp: str | None = None):
    """The effect of a move: the moment the case entered its new state, and its last change."""

    def effect(case: Case, now) -> None:
        if stamp:
            setattr(case, stamp, now)
        case.updated_at = now

    return effect


def acting_org(case: Case):
    """The organisation a step is recorded under unless the service names the one the actor acted
    for (their membership over the place or the assignee, or the district's office): the place."""
    return case.org_unit


def _action(sources, target, allowed, name: str, refusal: str = "", stamp: str | None = None, touch: bool = True):
    effect = _entered(stamp) if touch else None
    return Action.of(sources, target, allowed, ACTION_LABELS[name], refusal=refusal, effect=effect)


CASE = Machine(
    Case,
    name="case",
    actions={
        "accept": _action(
            S.REPORTED,
            S.ACCEPTED,
            can_dispatch,
            "accept",
            _("Only the community or street over this place accepts it."),
            "accepted_at",
        ),
        "dispatch": _action(
            S.ACCEPTED,
            S.DISPATCHED,
            can_dispatch,
            "dispatch",
            _("Only the community or street over this place dispatches it."),
            "dispatched_at",
        ),
        "respond": _action(
            S.DISPATCHED,
            S.RESPONDED,
            can_handle,
            "respond",
            _("Only the assigned department or unit responds."),
            "responded_at",
        ),
        "resolve": _action(
            {S.RESPONDED, S.REOPENED} | SERVICE_EXTRA["resolve"],
            S.RESOLVED,
            can_resolve,
            "resolve",
            _("Only the assigned department or unit resolves it."),
            "resolved_at",
        ),
        "return": _action(
            {S.DISPATCHED, S.RESPONDED},
            S.ACCEPTED,
            can_give_back,
            "return",
            _("Only the assignee may return a case."),
        ),
        "reassign": _action(
            WITH_ASSIGNEE,
            S.DISPATCHED,
            can_dispatch,
            "reassign",
            _("Only the dispatcher or the office reassigns a case."),
            "dispatched_at",
        ),
        "reopen": _action(
            S.RESOLVED, S.REOPENED, can_confirm, "reopen", _("Only the reporter or the community reopens a case.")
        ),
        "confirm": _action(
            S.RESOLVED,
            S.CONFIRMED,
            can_confirm,
            "confirm",
            _("Only the reporter or the community confirms the result."),
            "confirmed_at",
        ),
        "close": _action(
            S.CONFIRMED,
            S.CLOSED,
            can_dispatch,
            "close",
            _("Only the community, the street or the office closes a case."),
            "closed_at",
        ),
        "merge": _action(
            {S.REPORTED, S.ACCEPTED}, S.MERGED, can_dispatch, "merge", _("Only the dispatcher merges cases.")
        ),
        # Notes: the state stays.
        "dispute": _action(WITH_ASSIGNEE, None, can_give_back, "dispute", _("Only the assignee may dispute a case.")),
        "absorb": _action(OPEN, None, can_dispatch, "absorb", _("Only the dispatcher merges cases.")),
        # The timer's (run_timers): no one else escalates, and escalating leaves the case untouched.
        "escalate": _action(OPEN - {S.CONFIRMED}, None, nobody, "escalate", touch=False),
    },
    history=CaseEvent,
    subject="case",
    org=acting_org,
    select_related=("org_unit", "assignee", "matter", "matter__group", "service_item"),
)

# Entries in the history that do not move the case (the report, from no state, is not one of them).
NOTES = {name for name, action in CASE.actions.items() if action.target is None}
