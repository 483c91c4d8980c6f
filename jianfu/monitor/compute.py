"""Compute a district's CommunityMonth and DepartmentMonth rows for months of one year from the
source tables: a fixed number of queries per year, whatever the size of the district."""

import calendar
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth

from jianfu.cases.models import Case, CaseKind
from jianfu.cases.selectors import department_rates
from jianfu.catalog import gate
from jianfu.catalog.models import ENTERING, Category, Frequency, ItemKind, Plaque, PlaqueKind, WorkItem
from jianfu.certificates.selectors import issued_per_month
from jianfu.core import clock
from jianfu.ledger.models import Submission
from jianfu.orgs.models import Org, OrgKind

from . import selfgov
from .models import CommunityMonth, DepartmentMonth

TWO = Decimal("0.01")
# Items carried in a year: those in force that year, and those cancelled at its end (carried until then).
CARRIED = (*ENTERING, Category.CANCELLED)


def months_due(year: int, today: dt.date | None = None) -> list[int]:
    """Months of `year` that have begun."""
    today = today or clock.today()
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month + 1))


def communities(district: Org) -> list[Org]:
    return list(Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).order_by("path"))


def _carried_items(district: Org, year: int) -> list[WorkItem]:
    return list(
        WorkItem.objects.filter(
            year=year, category__in=CARRIED, department__path__startswith=district.path
        ).prefetch_related("scope_streets")
    )


def whole_meetings(per_year: Decimal, month: int, months_in_force: int = 12) -> int:
    """Whole meetings that an item held `per_year` times a year brings in the `month`-th of its
    `months_in_force` months: the k-th of its N falls in the month in which k/N of its time in force
    is complete (⌊N·m/L⌋ − ⌊N·(m−1)/L⌋), so over a whole year quarterly in months 3, 6, 9, 12,
    half-yearly in 6 and 12, yearly in 12, weekly 4 or 5 a month; the months sum to N. An as-needed
    count with a fraction is rounded to whole meetings."""
    n = int(Decimal(per_year).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return n * month // months_in_force - n * (month - 1) // months_in_force


def meetings_in_months(item: WorkItem, year: int) -> dict[int, int]:
    """{month: whole meetings} of a meeting item in `year`, over the months it is in force: a whole
    year brings its N; a part of the year its share of N (a yearly meeting in force eleven months is
    still held once, in force two months not at all), a once-only meeting always its one."""
    in_force = [
        m
        for m in range(1, 13)
        if (item.valid_until is None or item.valid_until >= dt.date(year, m, 1)) and item.counts_in_month(year, m)
    ]
    if not in_force:
        return {}
    per_year = Decimal(item.yearly_occurrences())
    if item.frequency != Frequency.ONCE:
        per_year = per_year * len(in_force) / 12
    return {m: whole_meetings(per_year, k, len(in_force)) for k, m in enumerate(in_force, start=1)}


def item_figures(district: Org, year: int, months: list[int], orgs: list[Org]) -> dict[tuple[int, int], dict]:
    """Per (community, month): items carried by kind, their worker-hours and whole meetings (a
    part-year item counts those falling in its months). Residents' own meetings (hearings, forums,
    dialogues: monitor.selfgov) are carried items but neither burden meetings nor delegated hours.
    Items that share a scope are summed once and the sums handed to every community the scope covers."""
    by_scope: dict[tuple, list[WorkItem]] = defaultdict(list)
    meetings: dict[int, dict[int, int]] = {}
    for item in _carried_items(district, year):
        if item.kind == ItemKind.MEETING and not selfgov.is_self_governance(item):
            meetings[item.pk] = meetings_in_months(item, year)
        streets = frozenset(s.pk for s in item.scope_streets.all())
        by_scope[(streets, tuple(sorted(item.scope_community_types)))].append(item)
    out: dict[tuple[int, int], dict] = {}
    for month in months:
        first = dt.date(year, month, 1)
        sums = []
        for (streets, types), items in by_scope.items():
            live = [
                i for i in items if (i.valid_until is None or i.valid_until >= first) and i.counts_in_month(year, month)
            ]
            figures = defaultdict(Decimal)
            for item in live:
                figures[f"items_{item.kind}"] += 1
                figures["items_total"] += 1
                if selfgov.is_self_governance(item):
                    continue
                figures["item_hours"] += item.hours_per_month()
                if item.kind == ItemKind.MEETING:
                    figures["meetings"] += meetings[item.pk].get(month, 0)
            sums.append((streets, types, figures))
        for community in orgs:
            total = defaultdict(Decimal)
            for streets, types, figures in sums:
                if gate.outside_scope(streets, types, community):
                    continue
                for key, value in figures.items():
                    total[key] += value
            out[(community.pk, month)] = total
    return out


def ledger_figures(district: Org, year: int) -> dict[tuple[int, int], dict]:
    rows = (
        Submission.objects.filter(community__path__startswith=district.path, request__sent_on__year=year)
        .annotate(month=ExtractMonth("request__sent_on"))
        .values("community_id", "month")
        .annotate(
            report_requests=Count("pk"),
            fields_asked=Sum("field_count"),
            fields_prefilled=Sum("prefilled_count"),
            fields_typed=Sum("typed_count"),
        )
        .order_by()
    )
    per_field = Decimal(settings.JIANFU["LEDGER_MINUTES_PER_FIELD"])
    out = {}
    for row in rows:
        figures = {k: row[k] or 0 for k in ("report_requests", "fields_asked", "fields_prefilled", "fields_typed")}
        figures["ledger_hours"] = (figures["fields_typed"] * per_field / 60).quantize(TWO)
        out[(row["community_id"], row["month"])] = figures
    return out


def plaque_figures(district: Org, year: int, months: list[int], today: dt.date) -> dict[tuple[int, int], int]:
    """Plaques hanging at the end of each month (today, for the month still running); wall-posted
    material and rules are not plaques (the before/after page counts them apart)."""
    plaques = list(
        Plaque.objects.filter(community__path__startswith=district.path, kind=PlaqueKind.PLAQUE).values_list(
            "community_id", "hung_on", "removed_on"
        )
    )
    out: dict[tuple[int, int], int] = defaultdict(int)
    for month in months:
        end = min(dt.date(year, month, calendar.monthrange(year, month)[1]), today)
        for community_id, hung_on, removed_on in plaques:
            if hung_on <= end and (removed_on is None or removed_on > end):
                out[(community_id, month)] += 1
    return out


def certificate_figures(district: Org, year: int) -> dict[tuple[int, int], int]:
    out: dict[tuple[int, int], int] = defaultdict(int)
    for (community_id, _type), per_month in issued_per_month(district, year).items():
        for month in range(1, 13):
            out[(community_id, month)] += per_month[month]
    return out


def case_figures(district: Org, year: int, orgs: list[Org]) -> dict[tuple[int, int], dict]:
    """Whistles blown in each community (by the month of dispatch) and cases closed there."""
    community_of = {c.pk: c.pk for c in orgs}
    community_of |= dict(
        Org.objects.filter(kind=OrgKind.GRID, path__startswith=district.path).values_list("pk", "parent_id")
    )
    out: dict[tuple[int, int], dict] = defaultdict(lambda: defaultdict(int))
    cases = Case.objects.filter(org_path__startswith=district.path)
    whistles = (
        cases.filter(whistle=True, dispatched_at__year=year)
        .annotate(month=ExtractMonth("dispatched_at"))
        .values("org_unit_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in whistles:
        if row["org_unit_id"] in community_of:
            out[(community_of[row["org_unit_id"]], row["month"])]["whistles"] += row["n"]
    closed = (
        cases.filter(closed_at__year=year)
        .annotate(month=ExtractMonth("closed_at"))
        .values("org_unit_id", "kind", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in closed:
        if row["org_unit_id"] in community_of:
            key = "services_closed" if row["kind"] == CaseKind.SERVICE else "events_closed"
            out[(community_of[row["org_unit_id"]], row["month"])][key] += row["n"]
    return out


def year_rows(district: Org, year: int, months: list[int], today: dt.date | None = None) -> list[CommunityMonth]:
    today = today or clock.today()
    orgs = communities(district)
    items = item_figures(district, year, months, orgs)
    ledger = ledger_figures(district, year)
    plaques = plaque_figures(district, year, months, today)
    certificates = certificate_figures(district, year)
    cases = case_figures(district, year, orgs)
    minutes_per_certificate = Decimal(settings.JIANFU["MONITOR_MINUTES_PER_CERTIFICATE"])
    minutes_per_case = Decimal(settings.JIANFU["MONITOR_MINUTES_PER_CASE"])
    now = clock.now()
    rows = []
    for community in orgs:
        for month in months:
            key = (community.pk, month)
            row = CommunityMonth(
                community=community,
                district=district,
                street_id=community.parent_id,
                year=year,
                month=month,
                computed_at=now,
            )
            for name, value in items.get(key, {}).items():
                setattr(row, name, value if name in ("item_hours", "meetings") else int(value))
            row.item_hours = Decimal(row.item_hours).quantize(TWO)
            row.meetings = Decimal(row.meetings).quantize(TWO)
            for name, value in ledger.get(key, {}).items():
                setattr(row, name, value)
            row.plaques = plaques.get(key, 0)
            row.certificates_issued = certificates.get(key, 0)
            for name, value in cases.get(key, {}).items():
                setattr(row, name, value)
            service_minutes = (
                row.certificates_issued * minutes_per_certificate
                + (row.events_closed + row.services_closed) * minutes_per_case
            )
            row.service_hours = (service_minutes / 60).quantize(TWO)
            row.worker_hours = row.item_hours + Decimal(row.ledger_hours) + row.service_hours
            rows.append(row)
    return rows


def department_rows(district: Org, year: int, months: list[int]) -> list[DepartmentMonth]:
    rows = []
    for month in months:
        for rates in department_rates(district, year, month):
            rows.append(
                DepartmentMonth(
                    department=rates.department,
                    district=district,
                    year=year,
                    month=month,
                    dispatched=rates.dispatched,
                    responded_on_time=rates.responded_on_time,
                    solved=rates.solved,
                    rated=rates.rated,
                    satisfied=rates.satisfied,
                    points=rates.points,
                )
            )
    return rows
