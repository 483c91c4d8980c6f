"""Working days on the official Chinese calendar — the one place deadlines are computed.

Order of authority: an office-entered CalendarOverride, then the `chinese-calendar` package
(statutory holidays and make-up workdays), then plain weekends for years the package does not know.

A year is *official* when the package knows it or the office entered that year's State Council notice
(HolidaySchedule, with its days as CalendarOverride rows; jianfu.ops.services.schedule_enter). A
deadline falling in any other year is an estimate from weekends and pages say so ("按周末估算").

Why not another package: as of December 2026 both `chinese-calendar` 1.11.0 (pinned here) and
`holidays` 0.109 on PyPI were compared, and both carry China's official schedule only up to 2026 (the
State Council publishes the next year's notice in November or December). Neither would spare the
office entering 2027, so the project keeps the one it has.
"""

import bisect
import datetime as dt
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar import constants as _package_data
from django.db import models
from django.utils import timezone

from .models import CalendarOverride, HolidaySchedule

_WINDOW_SLACK_DAYS = 40

# The years `chinese-calendar` has data for (it raises NotImplementedError outside them).
_known = {day.year for day in _package_data.holidays} | {day.year for day in _package_data.workdays}
PACKAGE_YEARS = range(min(_known), max(_known) + 1)


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    rows = CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
    return dict(rows)


def _package_says_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # year beyond the package's data
        return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    override = _overrides(day, day).get(day)
    return _package_says_workday(day) if override is None else override


def add_workdays(start: dt.date, days: int, *, overrides: dict[dt.date, bool] | None = None) -> dt.date:
    """The date `days` working days after `start` (start itself does not count).

    A deadline of 15 working days from a Friday submission is the 15th working day that follows.
    `overrides`: the office's days already loaded for the whole span (recomputing many deadlines at
    once); read from the database when None.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    if days == 0:
        return start
    preloaded = overrides is not None
    window_end = start + dt.timedelta(days=days * 2 + _WINDOW_SLACK_DAYS)
    overrides = overrides if preloaded else _overrides(start, window_end)
    day, remaining = start, days
    while remaining:
        day += dt.timedelta(days=1)
        if day > window_end and not preloaded:
            window_end = day + dt.timedelta(days=days * 2 + _WINDOW_SLACK_DAYS)
            overrides |= _overrides(day, window_end)
        workday = overrides.get(day)
        if workday is None:
            workday = _package_says_workday(day)
        if workday:
            remaining -= 1
    return day


def count_workdays(start: dt.date, end: dt.date, *, overrides: dict[dt.date, bool] | None = None) -> int:
    """Working days in (start, end]: how many working days have passed from start to end."""
    if end <= start:
        return 0
    overrides = _overrides(start, end) if overrides is None else overrides
    total, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        workday = overrides.get(day)
        if workday is None:
            workday = _package_says_workday(day)
        total += workday
    return total


# ------------------------------------------------------------------------ official or estimated

_REQUEST_MEMO = "_jianfu_entered_years"


def entered_years(request=None) -> frozenset[int]:
    """The years whose schedule the office entered: one small query, remembered on `request` so a page
    asks once however many deadlines it shows."""
    if request is not None:
        memo = getattr(request, _REQUEST_MEMO, None)
        if memo is not None:
            return memo
    years = frozenset(HolidaySchedule.objects.values_list("year", flat=True))
    if request is not None:
        setattr(request, _REQUEST_MEMO, years)
    return years


def year_is_official(year: int, *, request=None) -> bool:
    """True when `year`'s holidays and make-up days are known (package or office); no query for the
    package's years."""
    return year in PACKAGE_YEARS or year in entered_years(request)


def is_estimate(day: dt.date | dt.datetime, *, request=None) -> bool:
    """Whether a deadline on `day` was computed from weekends alone (its year has no official schedule)."""
    if isinstance(day, dt.datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return not year_is_official(day.year, request=request)


def forget_entered_years(request) -> None:
    """After the office saves a schedule in this request, the page it renders asks again."""
    if request is not None and hasattr(request, _REQUEST_MEMO):
        delattr(request, _REQUEST_MEMO)


@dataclass
class StoredDeadline:
    """A due date some model keeps, computed as `add_workdays(start, n)`: what a new schedule recomputes.
    `field` holds a date, or a datetime whose time of day is kept (a case's end of the working day)."""

    obj: models.Model
    field: str
    start: dt.date


class Calendar:
    """The working days of a span listed once (the rules above decide each), so that bulk work — the
    demo and the scale generator replaying thousands of cases — finds deadlines by bisection instead
    of a query each. Beyond the span it asks add_workdays; it is not kept across requests (an office
    entering a schedule would not be seen)."""

    def __init__(self, first: dt.date, last: dt.date):
        overrides = _overrides(first, last + dt.timedelta(days=_WINDOW_SLACK_DAYS))
        days, day = [], first
        while day <= last:
            workday = overrides.get(day)
            if workday if workday is not None else _package_says_workday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        self.first, self.last = first, last
        self.days, self._set = days, set(days)

    def is_workday(self, day: dt.date) -> bool:
        if self.first <= day <= self.last:
            return day in self._set
        return is_workday(day)

    def add(self, day: dt.date, n: int) -> dt.date:
        """As add_workdays: `n` working days after `day`."""
        if n == 0:
            return day
        if self.first - dt.timedelta(days=1) <= day:
            i = bisect.bisect_right(self.days, day) + n - 1
            if i < len(self.days):
                return self.days[i]
        return add_workdays(day, n)

    def workdays_in(self, first: dt.date, last: dt.date) -> list[dt.date]:
        return self.days[bisect.bisect_left(self.days, first) : bisect.bisect_right(self.days, last)]
