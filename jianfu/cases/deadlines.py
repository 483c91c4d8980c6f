"""Stage deadlines. Working days come only from jianfu.core.workdays; the first whistle stage may be
counted in minutes (平谷: departments report within 30 minutes), which is wall-clock time."""

import datetime as dt

from django.utils import timezone

from jianfu.core import workdays


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a local day: a deadline "by 9 October" holds until midnight."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def after_workdays(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the working day `days` working days after `start` (0: the end of start's own day)."""
    return end_of_day(workdays.add_workdays(timezone.localdate(start), days))


def after(start: dt.datetime, *, minutes: int | None = None, days: int = 0) -> dt.datetime:
    if minutes:
        return start + dt.timedelta(minutes=minutes)
    return after_workdays(start, days)


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
