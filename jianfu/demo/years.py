"""The demo's years, all from the clock, so the demo tells the same story on any date.

- ``reform``: the year the monitor compares by default (``clock.reporting_year``): this year, or in
  January the last whole year — the year the lists took effect;
- ``baseline``: the year before it, with the "六多" of seed 000;
- ``current``: the year today is in. It differs from ``reform`` only in January, when the new
  year's catalog carries on the items still in force.
"""

import datetime as dt
from dataclasses import dataclass

from jianfu.core import clock


@dataclass(frozen=True)
class Years:
    baseline: int
    reform: int
    current: int


def years(today: dt.date | None = None) -> Years:
    today = today or clock.today()
    reform = clock.reporting_year(today)
    return Years(baseline=reform - 1, reform=reform, current=today.year)
