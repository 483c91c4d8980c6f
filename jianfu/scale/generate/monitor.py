"""The burden monitor's materialised rows (CommunityMonth per community and month, DepartmentMonth
per department and month) for 2025-01 … 2026-10.

District and city scale: computed by the monitor's own code (monitor.compute.year_rows and
department_rows, then services.update_index — what the office's "recompute" button runs) from the
records the other stages wrote, with the clock held at the generated "now", so the dashboards agree
with the catalog, ledger, cases and certificates behind them; only the insert differs (COPY).

Nation scale has no such records (org tree only), so the rows are written directly (COPY): every
community gets plausible monthly figures — a burden that falls from 2025 to 2026 — and its burden
index computed with monitor.indicators' formula (the district's 2025 mean per community and month
as the baseline), as monitor.services.update_index would store it.

Either way the generator writes around the services: nothing marks months dirty
(jianfu.core.dirty), because the figures are complete when the command ends.
"""

from jianfu.core import clock
from jianfu.core.models import MonitoredYear
from jianfu.monitor import arrivals, compute
from jianfu.monitor import services as monitor_services
from jianfu.monitor.indicators import index_weights
from jianfu.monitor.models import ArrivalMonth, CommunityMonth, DepartmentMonth
from jianfu.orgs.models import Org

from .. import sizes
from .base import NOW, rng_for
from .world import World

KINDS = ["task", "ledger", "survey", "campaign", "inspection", "body", "platform", "certificate", "meeting"]
COLUMNS = [
    "id",
    "community_id",
    "district_id",
    "street_id",
    "year",
    "month",
    "items_total",
    *[f"items_{k}" for k in KINDS],
    "meetings",
    "item_hours",
    "report_requests",
    "fields_asked",
    "fields_prefilled",
    "fields_typed",
    "ledger_hours",
    "plaques",
    "certificates_issued",
    "whistles",
    "events_closed",
    "services_closed",
    "service_hours",
    "worker_hours",
    "burden_index",
    "computed_at",
]


def build(world: World) -> int:
    count = _computed(world) if world.sizes.full else _direct(world)
    # The years each district now has figures for: later source changes mark their months.
    years = sorted({y for y, _m in sizes.MONTHS})
    MonitoredYear.objects.bulk_create(
        [MonitoredYear(district=d.id, year=y) for d in world.districts for y in years], batch_size=5000
    )
    return count


def _computed(world: World) -> int:
    """What monitor.services.refresh stores — compute.year_rows and compute.department_rows for
    every month due, then update_index — with the rows written by COPY instead of bulk_create."""
    years = sorted({y for y, _m in sizes.MONTHS})
    community_columns = [f.attname for f in CommunityMonth._meta.concrete_fields]
    department_columns = [f.attname for f in DepartmentMonth._meta.concrete_fields]
    arrival_columns = [f.attname for f in ArrivalMonth._meta.concrete_fields]
    count = 0
    with clock.frozen_at(sizes.TODAY, hour=18):
        districts = list(Org.objects.filter(pk__in=[d.id for d in world.districts]).order_by("code"))
        for district in districts:
            community_rows, department_rows, arrival_rows = [], [], []
            for year in years:
                months = compute.months_due(year, sizes.TODAY)
                community_rows += compute.year_rows(district, year, months, sizes.TODAY)
                department_rows += compute.department_rows(district, year, months)
                arrival_rows += arrivals.year_rows(district, year, months, sizes.TODAY)
            for model, rows, columns in (
                (CommunityMonth, community_rows, community_columns),
                (DepartmentMonth, department_rows, department_columns),
                (ArrivalMonth, arrival_rows, arrival_columns),
            ):
                ids = world.writer.ids(model, len(rows))
                for row, pk in zip(rows, ids, strict=True):
                    row.id = pk
                world.writer.write(model, columns, (tuple(getattr(r, c) for c in columns) for r in rows))
            count += len(community_rows)
        for district in districts:
            monitor_services.update_index(district)
    return count


def _direct(world: World) -> int:
    """2.6 million rows at nation scale: a district's catalog figures are drawn once per month and
    shared by its communities (one catalog per district, as in life); each community adds its own
    service and ledger figures. Hot loop: rng.random() only, fixed-point numbers written as text."""
    rng = rng_for(world.seed, "monitor")
    weights = {k: float(w) for k, w in index_weights().items()}
    count = sum(len(d.communities) for d in world.districts) * len(sizes.MONTHS)
    ids = iter(world.writer.ids(CommunityMonth, count))
    r = rng.random

    def rows():
        for district in world.districts:
            per_month = []
            base = [2 + int(29 * r()) for _k in KINDS]
            per_hour = 0.8 + 0.8 * r()
            for year, _month in sizes.MONTHS:
                fall = 1.0 if year == sizes.BASELINE_YEAR else 0.55 + 0.25 * r()
                items = [int(b * fall * (0.9 + 0.2 * r()) + 0.5) for b in base]
                total = sum(items)
                meetings = int(items[-1] * (0.3 + 0.5 * r()) + 0.5)  # whole meetings
                per_month.append((fall, items, total, round(total * per_hour * fall, 2), meetings))
            figures = []
            for community in district.communities:
                size = community.resident / 2_600
                for (year, month), (fall, items, total, item_hours, meetings) in zip(
                    sizes.MONTHS, per_month, strict=True
                ):
                    baseline = year == sizes.BASELINE_YEAR
                    requests = int(6 * r() * fall + 0.5)
                    asked = requests * (6 + int(9 * r()))
                    prefilled = int(asked * ((0.2 + 0.3 * r()) if baseline else (0.6 + 0.3 * r())) + 0.5)
                    typed = asked - prefilled
                    certificates = int((10 + 30 * r()) * size * fall + 0.5)
                    events = int((2 + 10 * r()) * size + 0.5)
                    services = int((5 + 15 * r()) * size + 0.5)
                    ledger_hours = round(typed * 2 / 60, 2)
                    service_hours = round((certificates * 15 + (events + services) * 45) / 60, 2)
                    figures.append(
                        [
                            community.id, district.id, community.parent_id, year, month, total, *items,
                            meetings, item_hours, requests, asked, prefilled, typed, ledger_hours,
                            8 + int(11 * r()) if baseline else 3, certificates, int(6 * r() * size + 0.5),
                            events, services, service_hours, round(item_hours + ledger_hours + service_hours, 2),
                        ]
                    )  # fmt: skip
            _index(figures, weights)
            for row in figures:
                for i in DECIMALS:
                    row[i] = f"{row[i]:.2f}"
                yield (next(ids), *row, NOW)

    world.writer.write(CommunityMonth, COLUMNS, rows(), big=True)
    return count


# Positions (in rows without the id) of the fixed-point columns, written as text.
DECIMALS = [COLUMNS.index(c) - 1 for c in ("meetings", "item_hours", "ledger_hours", "service_hours", "worker_hours")]


def _index(figures: list[list], weights: dict[str, float]) -> None:
    """Append each row's burden index: monitor.services.update_index's formula, in Python —
    100 × Σ w_k·x_k / b_k / Σ w over the index indicators whose baseline mean b_k is not zero,
    b_k being the district's mean per community and month in the baseline year (the configured one,
    else the first year generated, as monitor.services.baseline_year finds it)."""
    position = {name: COLUMNS.index(name) - 1 for name in weights}  # rows lack the id
    base_year = monitor_services.configured_baseline_year() or sizes.MONTHS[0][0]
    baseline = [row for row in figures if row[3] == base_year]
    terms = []
    for key, weight in weights.items():
        mean = sum(row[position[key]] for row in baseline) / len(baseline) if baseline else 0
        if mean and weight:
            terms.append((position[key], weight, mean))
    total_weight = sum(w for _p, w, _m in terms)
    factors = [(p, w / m / total_weight * 100) for p, w, m in terms]
    for row in figures:
        row.append(f"{sum(row[p] * f for p, f in factors):.1f}" if factors else None)
