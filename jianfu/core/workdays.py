"""Working days on the official Chinese calendar — the one place deadlines are computed.

Order of authority: an office-entered CalendarOverride, then the `chinese-calendar` package
(statutory holidays and make-up workdays), then plain weekends for years the package does not know.
"""

import datetime as dt

import chinese_calendar

from .models import CalendarOverride

_WINDOW_SLACK_DAYS = 40


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


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself does not count).

    A deadline of 15 working days from a Friday submission is the 15th working day that follows.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    if days == 0:
        return start
    window_end = start + dt.timedelta(days=days * 2 + _WINDOW_SLACK_DAYS)
    overrides = _overrides(start, window_end)
    day, remaining = start, days
    while remaining:
        day += dt.timedelta(days=1)
        if day > window_end:
            window_end = day + dt.timedelta(days=days * 2 + _WINDOW_SLACK_DAYS)
            overrides |= _overrides(day, window_end)
        workday = overrides.get(day)
        if workday is None:
            workday = _package_says_workday(day)
        if workday:
            remaining -= 1
    return day


def count_workdays(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days have passed from start to end."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    total, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        workday = overrides.get(day)
        if workday is None:
            workday = _package_says_workday(day)
        total += workday
    return total
