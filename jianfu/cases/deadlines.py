"""Stage deadlines. Working days come only from jianfu.core.workdays; the first whistle stage may be
counted in minutes (平谷: departments report within 30 minutes), which is wall-clock time."""

import datetime as dt

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from jianfu.core import workdays
from jianfu.core.workdays import StoredDeadline

from .conf import conf
from .machines import NOTES
from .models import FINAL_STATES, Case, CaseEvent, CaseKind, State


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a local day: a deadline "by 9 October" holds until midnight."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def after_workdays(start: dt.datetime, days: int, calendar: workdays.Calendar | None = None) -> dt.datetime:
    """The end of the working day `days` working days after `start` (0: the end of start's own day).
    `calendar`: the working days listed once, for bulk work (the demo, the scale generator)."""
    day = timezone.localdate(start)
    return end_of_day(calendar.add(day, days) if calendar else workdays.add_workdays(day, days))


def after(
    start: dt.datetime, *, minutes: int | None = None, days: int = 0, calendar: workdays.Calendar | None = None
) -> dt.datetime:
    if minutes:
        return start + dt.timedelta(minutes=minutes)
    return after_workdays(start, days, calendar)


def stage_due(case: Case, now: dt.datetime, calendar: workdays.Calendar | None = None) -> dt.datetime | None:
    """The deadline of the stage the case has just entered (its respond_due and resolve_due set)."""
    state = case.state

    def after(start, *, days):
        return after_workdays(start, days, calendar)

    if state == State.REPORTED:
        key = "SERVICE_ACCEPT_WORKDAYS" if case.kind == CaseKind.SERVICE else "ACCEPT_WORKDAYS"
        return after(now, days=conf(key))
    if case.kind == CaseKind.SERVICE:
        if state in {State.ACCEPTED, State.DISPATCHED, State.RESPONDED, State.REOPENED}:
            return case.resolve_due
    elif state == State.ACCEPTED:
        return after(now, days=conf("ACCEPT_WORKDAYS"))
    elif state == State.DISPATCHED:
        return case.respond_due
    elif state in {State.RESPONDED, State.REOPENED}:
        return case.resolve_due
    if state == State.RESOLVED:
        return after(now, days=conf("REVISIT_WORKDAYS"))
    return None


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[first moment, first moment of the next month) in local time."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + (month == 12), month % 12 + 1, 1))
    return start, end


def period_of(moment: dt.datetime) -> dt.date:
    """The month a moment belongs to (local time), as its first day."""
    return timezone.localdate(moment).replace(day=1)


def local_text(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _is_end_of_day(moment: dt.datetime | None) -> bool:
    """A deadline counted in working days ends at 23:59:59; one counted in minutes ends any time."""
    return moment is not None and timezone.localtime(moment).time() == dt.time(23, 59, 59)


def open_deadlines(first: dt.date, last: dt.date) -> list[StoredDeadline]:
    """The working-day deadlines of unfinished cases whose span touches [first, last], each with the day
    its count started (jianfu.ops.services.schedule_enter recomputes them):

    - respond_due while dispatched: from the dispatch (dispatched_at); a deadline in minutes is wall
      time and is left alone;
    - resolve_due while being resolved: from the response (events) or the acceptance (services), or from the latest reopening;
    - stage_due: as the field it mirrors, else from the moment the case entered its state (the last
      transition into it, or the report).
    """

    since = end_of_day(first - dt.timedelta(days=1))
    moves = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id").values("at")
    cases = (
        Case.objects.exclude(state__in=FINAL_STATES | {State.CONFIRMED})
        .filter(Q(stage_due__gt=since) | Q(respond_due__gt=since) | Q(resolve_due__gt=since))
        .annotate(
            entered_at=Subquery(moves.filter(to_state=OuterRef("state")).exclude(action__in=NOTES)[:1]),
            reopened_at=Subquery(moves.filter(action="reopen")[:1]),
        )
        .only(
            "pk",
            "kind",
            "state",
            "stage_due",
            "respond_due",
            "resolve_due",
            "reported_at",
            "dispatched_at",
            "responded_at",
            "accepted_at",
        )
    )
    found = []

    def add(case: Case, field: str, start: dt.datetime | None) -> None:
        due = getattr(case, field)
        if start is None or due is None:
            return
        start_day = timezone.localdate(start)
        if start_day <= last and timezone.localdate(due) >= first:
            found.append(StoredDeadline(case, field, start_day))

    for case in cases:
        respond_start = resolve_start = None
        if case.state == State.DISPATCHED and _is_end_of_day(case.respond_due):
            respond_start = case.dispatched_at
        resolving = case.state in {State.RESPONDED, State.REOPENED} or (
            case.kind == CaseKind.SERVICE and case.state in {State.ACCEPTED, State.DISPATCHED}
        )
        if resolving and case.resolve_due is not None:
            base = case.accepted_at if case.kind == CaseKind.SERVICE else case.responded_at
            resolve_start = max((m for m in (base, case.reopened_at) if m is not None), default=None)
        add(case, "respond_due", respond_start)
        add(case, "resolve_due", resolve_start)
        if case.stage_due is None:
            continue
        if case.stage_due == case.respond_due:
            add(case, "stage_due", respond_start)
        elif case.stage_due == case.resolve_due:
            add(case, "stage_due", resolve_start)
        elif _is_end_of_day(case.stage_due):
            add(case, "stage_due", case.entered_at or case.reported_at)
    return found
