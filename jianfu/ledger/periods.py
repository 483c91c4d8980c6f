"""Reporting periods as stable text keys: "2026-11" (month), "2026Q4" (quarter), "2026" (year) and
"2026-11-30" (as of a date). Keys of one kind sort in time order, so the latest as-of value is a
plain `max`."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jianfu.core.errors import DomainError

MONTHLY = "monthly"
QUARTERLY = "quarterly"
YEARLY = "yearly"
AS_OF = "as_of"

_PATTERNS = {
    MONTHLY: re.compile(r"^(\d{4})-(\d{2})$"),
    QUARTERLY: re.compile(r"^(\d{4})Q([1-4])$"),
    YEARLY: re.compile(r"^(\d{4})$"),
    AS_OF: re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
}


@dataclass(frozen=True)
class Period:
    kind: str
    key: str
    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return label(self.key)


def parse(key: str, kind: str | None = None) -> Period:
    """A period from its key; `kind` restricts which shapes are accepted."""
    key = (key or "").strip().replace("q", "Q")
    for candidate, pattern in _PATTERNS.items():
        if kind and candidate != kind:
            continue
        match = pattern.match(key)
        if not match:
            continue
        numbers = [int(g) for g in match.groups()]
        try:
            return _build(candidate, key, numbers)
        except ValueError:
            break
    raise DomainError(_("“%(key)s” is not a valid period (e.g. 2026-11, 2026Q4, 2026 or 2026-11-30).") % {"key": key})


def _build(kind: str, key: str, n: list[int]) -> Period:
    if kind == MONTHLY:
        start = dt.date(n[0], n[1], 1)
        return Period(kind, key, start, start.replace(day=calendar.monthrange(n[0], n[1])[1]))
    if kind == QUARTERLY:
        first = 3 * (n[1] - 1) + 1
        start = dt.date(n[0], first, 1)
        return Period(kind, key, start, dt.date(n[0], first + 2, calendar.monthrange(n[0], first + 2)[1]))
    if kind == YEARLY:
        return Period(kind, key, dt.date(n[0], 1, 1), dt.date(n[0], 12, 31))
    day = dt.date(n[0], n[1], n[2])
    return Period(kind, day.isoformat(), day, day)


def containing(kind: str, day: dt.date) -> Period:
    """The period of `kind` that holds `day` (for as-of: the day itself)."""
    if kind == MONTHLY:
        return parse(f"{day.year}-{day.month:02d}", MONTHLY)
    if kind == QUARTERLY:
        return parse(f"{day.year}Q{(day.month - 1) // 3 + 1}", QUARTERLY)
    if kind == YEARLY:
        return parse(str(day.year), YEARLY)
    return parse(day.isoformat(), AS_OF)


def months(year: int) -> list[Period]:
    return [parse(f"{year}-{m:02d}", MONTHLY) for m in range(1, 13)]


def label(key: str) -> str:
    period = parse(key)
    if period.kind == MONTHLY:
        return _("%(year)s-%(month)02d") % {"year": period.start.year, "month": period.start.month}
    if period.kind == QUARTERLY:
        return _("%(year)s Q%(quarter)s") % {"year": period.start.year, "quarter": key[-1]}
    return key
