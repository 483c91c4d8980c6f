"""Keeping the materialised figures current. The services that change a source mark their district
months dirty (jianfu.core.dirty, explicitly, in their own transaction); refresh_dirty recomputes just
those months, and refresh recomputes whole years."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, FloatField, Value
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core import clock, dirty
from jianfu.core.errors import PermissionDenied
from jianfu.core.models import DirtyMonth, MonitoredYear
from jianfu.orgs.models import Org

from . import arrivals, compute
from .indicators import index_weights
from .models import ArrivalMonth, CommunityMonth, DepartmentMonth
from .permissions import can_refresh_monitor


def configured_baseline_year() -> int | None:
    configured = settings.JIANFU.get("MONITOR_BASELINE_YEAR")
    return int(configured) if configured else None


def baseline_year(district: Org) -> int:
    """The year figures are compared against: JIANFU["MONITOR_BASELINE_YEAR"], else the first year
    with figures, else last year."""
    configured = configured_baseline_year()
    if configured:
        return configured
    first = CommunityMonth.objects.filter(district=district).order_by("year").values_list("year", flat=True).first()
    return first or clock.today().year - 1


@transaction.atomic
def _store(district: Org, year: int, months: list[int]) -> int:
    # One computation per district at a time: a second waits, then replaces the first's rows.
    list(Org.objects.select_for_update().filter(pk=district.pk).values_list("pk", flat=True))
    rows = compute.year_rows(district, year, months)
    CommunityMonth.objects.filter(district=district, year=year, month__in=months).delete()
    CommunityMonth.objects.bulk_create(rows, batch_size=2000)
    MonitoredYear.objects.get_or_create(district=district.pk, year=year)
    DepartmentMonth.objects.filter(district=district, year=year, month__in=months).delete()
    DepartmentMonth.objects.bulk_create(compute.department_rows(district, year, months), batch_size=2000)
    ArrivalMonth.objects.filter(district=district, year=year, month__in=months).delete()
    ArrivalMonth.objects.bulk_create(arrivals.year_rows(district, year, months), batch_size=2000)
    return len(rows)


def update_index(district: Org) -> None:
    """Burden index of every row of the district, in one UPDATE (formula in monitor.indicators)."""
    base = baseline_year(district)
    weights = index_weights()
    means = CommunityMonth.objects.filter(district=district, year=base).aggregate(**{key: Avg(key) for key in weights})
    terms = [(key, w, Decimal(means[key])) for key, w in weights.items() if means[key] and w]
    rows = CommunityMonth.objects.filter(district=district)
    if not terms:
        rows.update(burden_index=None)
        return
    total_weight = sum(w for _key, w, _mean in terms)
    expression = sum(
        (Cast(key, FloatField()) * Value(float(w / mean / total_weight * 100)) for key, w, mean in terms),
        start=Value(0.0, output_field=FloatField()),
    )
    rows.update(burden_index=Round(expression, 1))


def refresh(district: Org, years: list[int] | None = None, *, today: dt.date | None = None) -> int:
    """Recompute whole years (default: the baseline year to this one) and the index."""
    today = today or clock.today()
    years = years or list(range(baseline_year(district), today.year + 1))
    started = clock.wall_now()
    count = 0
    for year in years:
        months = compute.months_due(year, today)
        if months:
            count += _store(district, year, months)
    # Marks made while we computed stay for the next round.
    DirtyMonth.objects.filter(district=district.pk, year__in=years, marked_at__lte=started).delete()
    update_index(district)
    return count


def _mark_new_months(district: Org) -> None:
    """Months of this year that have begun since the last computation are due, once the district has figures."""
    today = clock.today()
    rows = CommunityMonth.objects.filter(district=district)
    done = set(rows.filter(year=today.year).values_list("month", flat=True).distinct())
    if len(done) < today.month and (done or rows.exists()):
        missing = set(compute.months_due(today.year, today)) - done
        marked = set(DirtyMonth.objects.filter(district=district.pk, year=today.year).values_list("month", flat=True))
        # Not marked again if already marked: a new marked_at would keep a running refresh's mark.
        MonitoredYear.objects.get_or_create(district=district.pk, year=today.year)
        dirty.mark(district.pk, today.year, sorted(missing - marked))


def refresh_dirty(district: Org | None = None) -> int:
    """Recompute the months marked dirty (of one district, or all); returns how many months."""
    if district is not None:
        _mark_new_months(district)
    marks = DirtyMonth.objects.all() if district is None else DirtyMonth.objects.filter(district=district.pk)
    todo = list(marks.values_list("pk", "district", "year", "month", "marked_at"))
    if not todo:
        return 0
    districts = Org.objects.in_bulk({d for _pk, d, _y, _m, _at in todo})
    by_year: dict[tuple[int, int], list[int]] = {}
    for _pk, district_id, year, month, _at in todo:
        if month in compute.months_due(year):
            by_year.setdefault((district_id, year), []).append(month)
    for (district_id, year), months in by_year.items():
        _store(districts[district_id], year, sorted(months))
    for _pk, district_id, year, month, marked_at in todo:
        # A change marked while we computed stays dirty for the next round.
        DirtyMonth.objects.filter(district=district_id, year=year, month=month, marked_at__lte=marked_at).delete()
    for district_id in {d for _pk, d, _y, _m, _at in todo}:
        update_index(districts[district_id])
    return len(todo)


def refresh_now(*, actor, district: Org) -> int:
    """The office's "recompute everything" button (after a correction to history, say)."""
    if not can_refresh_monitor(actor, district):
        raise PermissionDenied(_("Only the access office recomputes the monitor."))
    count = refresh(district)
    audit.record(action="monitor.refresh", actor=actor, obj=district, org=district, after={"rows": count})
    return count
