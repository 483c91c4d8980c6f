"""The one source of "now" for business rules, so tests and the demo loader can set the date."""

import datetime as dt
from contextlib import contextmanager

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen or timezone.now()


def wall_now() -> dt.datetime:
    """The real time even inside `frozen_at`: for stamps Django itself would give (auto_now) and
    for the order in which entries were written."""
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextmanager
def frozen_at(day: dt.date, hour: int = 9):
    """Business rules see `day` inside the block (the demo replays a year's history this way)."""
    global _frozen
    previous = _frozen
    _frozen = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    try:
        yield
    finally:
        _frozen = previous


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def reporting_year(today: dt.date | None = None) -> int:
    """The year a figure page compares by default: this year once it has a whole month behind it,
    else (in January) the last whole year."""
    today = today or globals()["today"]()
    return (today.replace(day=1) - dt.timedelta(days=1)).year
