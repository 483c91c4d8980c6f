"""Workload balance (武汉, seed 004: specialist posts idle in one community, swamped in another):
estimated worker-hours per month per full-time worker in each community, with the outliers named.
Outliers lie beyond Tukey's fences: below Q1 − 1.5 × IQR (idle) or above Q3 + 1.5 × IQR (swamped)."""

import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from jianfu.orgs.models import Org

from .models import CommunityMonth
from .selectors import scope_filter

IDLE, SWAMPED = "idle", "swamped"


@dataclass
class Load:
    community: Org
    hours_per_month: Decimal
    staff: int
    hours_per_worker: Decimal | None
    flag: str = ""


@dataclass
class Balance:
    rows: list[Load]
    low_fence: Decimal | None
    high_fence: Decimal | None
    median: Decimal | None

    @property
    def idle(self) -> list[Load]:
        return [r for r in self.rows if r.flag == IDLE]

    @property
    def swamped(self) -> list[Load]:
        return [r for r in self.rows if r.flag == SWAMPED]


def _q(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def balance(org: Org, year: int, months: list[int]) -> Balance:
    sums = (
        CommunityMonth.objects.filter(**scope_filter(org), year=year, month__in=months)
        .values("community_id")
        .annotate(rows=Count("pk"), hours=Sum("worker_hours"))
        .order_by()
    )
    sums = {r["community_id"]: r for r in sums}
    communities = Org.objects.filter(pk__in=sums).select_related("parent").order_by("path")
    rows = []
    for c in communities:
        per_month = _q(Decimal(str(sums[c.pk]["hours"] or 0)) / sums[c.pk]["rows"])
        per_worker = _q(per_month / c.staff_count) if c.staff_count else None
        rows.append(Load(c, per_month, c.staff_count, per_worker))
    values = [float(r.hours_per_worker) for r in rows if r.hours_per_worker is not None]
    if len(values) < 4:
        return Balance(rows, None, None, _q(statistics.median(values)) if values else None)
    q1, _q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    low, high = _q(q1 - 1.5 * (q3 - q1)), _q(q3 + 1.5 * (q3 - q1))
    for r in rows:
        if r.hours_per_worker is None:
            continue
        if r.hours_per_worker < low:
            r.flag = IDLE
        elif r.hours_per_worker > high:
            r.flag = SWAMPED
    return Balance(rows, low, high, _q(statistics.median(values)))
