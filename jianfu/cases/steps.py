"""What each step of a case changes on it, as edits in memory: no query, no save. The services save
them through the workflow kernel; the bulk replays (the demo's year, the scale generator) insert
them by the thousand. One set of rules for both.

`take` is a move in the order core.workflow.apply and services._act make it: the new state, the
machine's stamp (accepted_at, … and updated_at), the step's own edits, then the deadline of the
stage entered. `calendar` (core.workdays.Calendar): the working days listed once, for bulk work."""

import datetime as dt

from django.utils.translation import gettext as _

from jianfu.core.workdays import Calendar
from jianfu.orgs.models import DEPARTMENT_KINDS, Org

from . import deadlines
from .conf import conf
from .machines import CASE
from .models import Case, CaseKind, Escalation, PointEntry, PointRule, State

RESOLVE_RULES = frozenset({PointRule.RESOLVE_ON_TIME, PointRule.RESOLVE_LATE})


def report(case: Case, now: dt.datetime, calendar: Calendar | None = None) -> None:
    """The report that opens a case (from no state): the first stage's deadline runs from now."""
    case.state = State.REPORTED
    case.reported_at = case.updated_at = now
    case.stage_due = deadlines.stage_due(case, now, calendar)


def respond_due(case: Case, assignee: Org, now: dt.datetime, calendar: Calendar | None = None) -> dt.datetime | None:
    if case.kind == CaseKind.SERVICE:
        return None
    if assignee.kind not in DEPARTMENT_KINDS:
        return deadlines.after(now, days=conf("LOCAL_RESPOND_WORKDAYS"), calendar=calendar)
    matter, group = case.matter, case.matter.group
    minutes = matter.respond_minutes or group.respond_minutes
    return deadlines.after(now, minutes=minutes, days=group.respond_workdays, calendar=calendar)


def resolve_workdays(case: Case) -> int:
    if case.kind == CaseKind.SERVICE:
        return case.service_item.time_limit_workdays
    return case.matter.resolve_workdays or case.matter.group.resolve_workdays


# ---------------------------------------------------------------------------- each step's own edits


def accept(case: Case, now: dt.datetime, *, calendar: Calendar | None = None) -> None:
    """受理: a service's legal time limit starts now."""
    if case.kind == CaseKind.SERVICE:
        case.resolve_due = deadlines.after(now, days=resolve_workdays(case), calendar=calendar)


def dispatch(
    case: Case, now: dt.datetime, *, assignee: Org, dispatcher: Org | None, calendar: Calendar | None = None
) -> None:
    """Dispatch or reassign: a department answering a reported matter makes it a whistle; the
    response, and an event's resolution, start over."""
    case.assignee, case.dispatcher = assignee, dispatcher
    case.whistle = case.kind == CaseKind.EVENT and assignee.kind in DEPARTMENT_KINDS
    case.disputed = False
    case.respond_due = respond_due(case, assignee, now, calendar)
    case.responded_at = None
    case.responded_on_time = None
    if case.kind == CaseKind.EVENT:
        case.resolve_due = None
        case.resolved_on_time = None


def give_back(case: Case, now: dt.datetime, *, calendar: Calendar | None = None) -> None:
    """退单: back with the dispatcher."""
    case.assignee, case.whistle, case.disputed = None, False, False
    case.respond_due, case.responded_at = None, None
    if case.kind == CaseKind.EVENT:  # a service keeps its legal time limit, which runs from acceptance
        case.resolve_due = None


def dispute(case: Case, now: dt.datetime, *, calendar: Calendar | None = None) -> None:
    case.disputed = True


def respond(case: Case, now: dt.datetime, *, calendar: Calendar | None = None) -> None:
    case.responded_on_time = case.respond_due is None or now <= case.respond_due
    if case.kind == CaseKind.EVENT:
        case.resolve_due = deadlines.after(now, days=resolve_workdays(case), calendar=calendar)


def resolve(case: Case, now: dt.datetime, *, calendar: Calendar | None = None) -> None:
    case.resolved_on_time = case.resolve_due is None or now <= case.resolve_due


def reopen(case: Case, now: dt.datetime, *, calendar: Calendar | None = None) -> None:
    case.reopen_count += 1
    case.solved = False
    case.resolve_due = deadlines.after(now, days=resolve_workdays(case), calendar=calendar)
    case.resolved_on_time = None


def confirm(case: Case, now: dt.datetime, *, solved: bool, satisfaction: str, calendar: Calendar | None = None) -> None:
    case.solved, case.satisfaction = solved, satisfaction


def merge(case: Case, now: dt.datetime, *, into: Case, calendar: Calendar | None = None) -> None:
    case.merged_into = into


EDITS = {
    "accept": accept,
    "dispatch": dispatch,
    "reassign": dispatch,
    "return": give_back,
    "dispute": dispute,
    "respond": respond,
    "resolve": resolve,
    "reopen": reopen,
    "confirm": confirm,
    "merge": merge,
}


def edit(case: Case, action: str, now: dt.datetime, *, calendar: Calendar | None = None, **params) -> None:
    """After the machine's stamp: the step's own edits (`params`: its inputs, e.g. the assignee),
    then, for a move, the deadline of the stage entered."""
    step = EDITS.get(action)
    if step is not None:
        step(case, now, calendar=calendar, **params)
    if CASE.actions[action].target is not None:
        case.stage_due = deadlines.stage_due(case, now, calendar)


def take(case: Case, action: str, now: dt.datetime, *, calendar: Calendar | None = None, **params) -> None:
    """The whole step in memory, as core.workflow.apply makes it (state, stamp) with the services'
    edits: for the bulk replays."""
    move = CASE.actions[action]
    if move.target is not None:
        case.state = move.target
    if move.effect is not None:
        move.effect(case, now)
    edit(case, action, now, calendar=calendar, **params)


# ------------------------------------------------------------------------------ points and escalation


def point_rule(case: Case, action: str) -> str | None:
    """The rule a step of a whistle is scored by, if any."""
    if action == "respond":
        return PointRule.RESPOND_ON_TIME if case.responded_on_time else PointRule.RESPOND_LATE
    if action == "resolve":
        return PointRule.RESOLVE_ON_TIME if case.resolved_on_time else PointRule.RESOLVE_LATE
    if action == "reopen":
        return PointRule.REOPENED
    if action == "confirm":
        return PointRule(case.satisfaction)
    return None


def points(case: Case, action: str, now: dt.datetime, *, earlier=()) -> PointEntry | None:
    """The entry (unsaved) a step earns: only the department answering a whistle, in the month the
    whistle was dispatched; its resolution counts once, not again after a reopening. `earlier`: the
    case's entries so far (read only for a resolution)."""
    if not case.whistle or case.assignee_id is None or case.dispatched_at is None:
        return None
    rule = point_rule(case, action)
    if rule is None:
        return None
    if rule in RESOLVE_RULES and any(e.rule in RESOLVE_RULES and e.department_id == case.assignee_id for e in earlier):
        return None
    return PointEntry(
        department_id=case.assignee_id,
        case_id=case.pk,
        rule=rule,
        points=conf("POINTS")[rule],
        period=deadlines.period_of(case.dispatched_at),
        at=now,
    )


def escalation(case: Case, office: Org, now: dt.datetime) -> tuple[Escalation, str]:
    """The escalation (unsaved) of the case's overdue stage to the district's office, and the note of
    its history entry."""
    note = _("%(stage)s overdue since %(due)s") % {
        "stage": case.get_state_display(),
        "due": deadlines.local_text(case.stage_due),
    }
    return Escalation(case=case, office=office, state=case.state, due=case.stage_due, at=now), note


def took_in(duplicate: Case) -> str:
    """The note of the case a duplicate joins."""
    return _("Took in %(number)s") % {"number": duplicate.number}
