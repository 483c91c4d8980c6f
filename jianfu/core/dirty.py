"""Marking the district months a change in one of the monitor's sources makes stale. The services
that change a source (catalog items and plaques, ledger requests and submissions, certificate
requests and baseline counts, cases, the org tree) call these in the same transaction as the change
— explicitly, not through signals (shared/STYLE.md #7); monitor.services.refresh_dirty recomputes
the marked months. Bulk loads (demo, scale generator) mark nothing and refresh the monitor themselves.

Only months of years the district's monitor holds figures for (core.MonitoredYear) are marked:
earlier history is not tracked, and a district without figures gets them from a full refresh."""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from . import clock
from .models import DirtyMonth, MonitoredYear


def mark(district_id: int, year: int, months: Iterable[int] = range(1, 13)) -> None:
    """Mark months of one year, those that have begun (later ones have no figures to go stale)."""
    mark_many(district_id, [(year, month) for month in months])


def mark_many(district_id: int, months: Iterable[tuple[int, int]]) -> None:
    today = clock.today()
    due = {(year, month) for year, month in months if (year, month) <= (today.year, today.month)}
    if not due:
        return
    tracked = set(
        MonitoredYear.objects.filter(district=district_id, year__in={year for year, _m in due}).values_list(
            "year", flat=True
        )
    )
    due = sorted((year, month) for year, month in due if year in tracked)
    if not due:
        return
    # One statement whatever the count; a month marked again gets a new marked_at, so a refresh
    # running now leaves it for the next round.
    DirtyMonth.objects.bulk_create(
        [DirtyMonth(district=district_id, year=year, month=month) for year, month in due],
        update_conflicts=True,
        unique_fields=["district", "year", "month"],
        update_fields=["marked_at"],
    )


def mark_on(district_id: int, day: dt.date | dt.datetime | None) -> None:
    """Mark the month of one day or moment (nothing for None: not yet dispatched, decided, …)."""
    if day is None:
        return
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    mark(district_id, day.year, [day.month])


def mark_since(district_id: int, start: dt.date) -> None:
    """Mark every month from `start` to this one: a change that lasts (a plaque hung or removed)."""
    today = clock.today()
    mark_many(
        district_id,
        [
            (year, month)
            for year in range(start.year, today.year + 1)
            for month in range(start.month if year == start.year else 1, 13)
        ],
    )


def mark_this_year(district_id: int) -> None:
    """Mark this year's months so far: a change to the org tree, which this year's rows are built on."""
    today = clock.today()
    mark(district_id, today.year, range(1, today.month + 1))
