"""Reads of the shared ledger: what a report looks like for a community (filled from the ledger),
figures at any level, and what each user may see."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from jianfu.core.workdays import StoredDeadline
from jianfu.orgs.models import Org, OrgKind
from jianfu.orgs.permissions import roots

from . import derived, periods, values
from .models import (
    EDITABLE_STATES,
    Aggregate,
    DataElement,
    ElementState,
    Level,
    PeriodType,
    ReportRequest,
    ReportTemplate,
    Submission,
    TemplateField,
    Value,
)
from .permissions import submissions_q, user_districts


@dataclass
class Cell:
    text: str = ""
    value: Value | None = None
    number: Decimal | None = None
    derived: bool = False

    @property
    def locked(self) -> bool:
        return self.value is not None and self.value.locked_by_id is not None


@dataclass
class SheetRow:
    field: TemplateField
    element: DataElement
    cells: list[tuple[Org, Cell]] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        return all(cell.text != "" for _org, cell in self.cells)

    @property
    def derived(self) -> bool:
        return self.element.derived

    @property
    def total(self) -> Decimal | None:
        numbers = [cell.number for _org, cell in self.cells]
        if not numbers or any(n is None for n in numbers):
            return None
        if len(numbers) == 1:
            return numbers[0]
        contributions = [values.contribution(self.element, n) for n in numbers]
        if any(c is None for c in contributions):
            return None
        return values.rollup(self.element, sum(contributions, Decimal(0)), len(contributions))

    @property
    def total_text(self) -> str:
        if len(self.cells) == 1:
            return self.cells[0][1].text
        total = self.total
        return "" if total is None else format(total.normalize(), "f")


def _grids(community: Org) -> list[Org]:
    return list(Org.objects.filter(parent=community, kind=OrgKind.GRID).order_by("path"))


def sheet(submission: Submission) -> list[SheetRow]:
    """The report for one community and period, every field read from the ledger or the registry."""
    request = submission.request
    period = periods.parse(request.period)
    community = submission.community
    grids = _grids(community)
    fields = list(
        TemplateField.objects.filter(version_id=request.version_id).select_related("element").order_by("position", "pk")
    )
    rows = []
    derived_by_org: dict[int, dict[int, Decimal]] = {}
    derived_elements = [f.element for f in fields if f.element.derived]
    if derived_elements:
        community_level = [e for e in derived_elements if e.level == Level.COMMUNITY]
        grid_level = [e for e in derived_elements if e.level == Level.GRID]
        if community_level:
            derived_by_org[community.pk] = derived.compute(community_level, community, period.end)
        for grid in grids if grid_level else []:
            derived_by_org[grid.pk] = derived.compute(grid_level, grid, period.end)
    typed = [f.element for f in fields if not f.element.derived]
    stored = _stored_values(typed, [community, *grids], period)
    for f in fields:
        element = f.element
        row = SheetRow(field=f, element=element)
        orgs = grids if element.level == Level.GRID else [community]
        for org in orgs:
            if element.derived:
                number = derived_by_org.get(org.pk, {}).get(element.pk)
                text = "" if number is None else format(number.normalize(), "f")
                row.cells.append((org, Cell(text=text, number=number, derived=True)))
            else:
                value = stored.get((element.pk, org.pk))
                cell = Cell(text=value.text, value=value, number=value.number) if value else Cell()
                row.cells.append((org, cell))
        rows.append(row)
    return rows


def _stored_values(elements: list[DataElement], orgs: list[Org], period) -> dict[tuple[int, int], Value]:
    if not elements:
        return {}
    org_ids = [o.pk for o in orgs]
    by_key = [e for e in elements if e.period_type != PeriodType.AS_OF]
    as_of = [e for e in elements if e.period_type == PeriodType.AS_OF]
    q = Q(pk__in=[])
    for element in by_key:
        q |= Q(element=element, period=periods.containing(element.period_type, period.end).key)
    if as_of:
        latest = values.latest_periods([e.pk for e in as_of], org_ids, period.end.isoformat())
        for (element_id, org_id), last in latest.items():
            q |= Q(element_id=element_id, org_id=org_id, period=last)
    found = Value.objects.filter(q, org_id__in=org_ids)
    return {(v.element_id, v.org_id): v for v in found}


def auto_share(rows: list[SheetRow]) -> tuple[int, int]:
    """(fields filled by the ledger or the registry, fields asked)."""
    return sum(1 for r in rows if r.filled), len(rows)


# ---------------------------------------------------------------- figures at any level


def figure(element: DataElement, org: Org, period: str) -> Decimal | None:
    """One element's figure for any org: its own value, the roll-up of the values below, or the
    registry count for derived elements."""
    p = periods.parse(period)
    if element.derived:
        return derived.compute([element], org, p.end).get(element.pk)
    key = periods.containing(element.period_type, p.end).key
    own_kind = OrgKind.GRID if element.level == Level.GRID else OrgKind.COMMUNITY
    if org.kind == own_kind:
        if element.period_type == PeriodType.AS_OF:
            value = Value.objects.filter(element=element, org=org, period__lte=key).order_by("-period").first()
        else:
            value = Value.objects.filter(element=element, org=org, period=key).first()
        return value.number if value else None
    row = Aggregate.objects.filter(element=element, org=org, period=values.aggregate_period(element, key)).first()
    return values.rollup(element, row.total, row.count) if row else None


def breakdown(element: DataElement, org: Org, period: str) -> list[tuple[Org, Decimal | None]]:
    """The figure for each child of `org` — one query for the children's aggregates or values."""
    key = periods.containing(element.period_type, periods.parse(period).end).key
    children = list(
        Org.objects.filter(parent=org, kind__in=[OrgKind.STREET, OrgKind.TOWN, OrgKind.COMMUNITY, OrgKind.GRID])
    )
    own_kind = OrgKind.GRID if element.level == Level.GRID else OrgKind.COMMUNITY
    if element.derived:
        return [(c, derived.compute([element], c, periods.parse(period).end).get(element.pk)) for c in children]
    at_level = [c for c in children if c.kind == own_kind]
    above = [c for c in children if c.kind != own_kind]
    found: dict[int, Decimal | None] = {}
    if at_level:
        if element.period_type == PeriodType.AS_OF:
            latest = values.latest_periods([element.pk], [c.pk for c in at_level], key)
            rows = Value.objects.filter(
                Q(pk__in=[]) | _or_q([Q(org_id=o, period=p) for (_e, o), p in latest.items()]), element=element
            )
        else:
            rows = Value.objects.filter(element=element, period=key, org__in=at_level)
        found |= {v.org_id: v.number for v in rows}
    if above:
        aggregates = Aggregate.objects.filter(
            element=element, period=values.aggregate_period(element, key), org__in=above
        )
        found |= {a.org_id: values.rollup(element, a.total, a.count) for a in aggregates}
    return [(c, found.get(c.pk)) for c in children]


def _or_q(parts: list[Q]) -> Q:
    q = Q(pk__in=[])
    for part in parts:
        q |= part
    return q


def raw_sum(element: DataElement, org: Org, period: str) -> Decimal:
    """The plain SQL SUM of the values under `org`: what aggregates must agree with."""
    key = periods.containing(element.period_type, periods.parse(period).end).key
    return Value.objects.filter(element=element, period=key, org_path__startswith=org.path).aggregate(s=Sum("number"))[
        "s"
    ] or Decimal(0)


# ---------------------------------------------------------------- what a user sees


def elements_for_user(user) -> QuerySet[DataElement]:
    qs = DataElement.objects.select_related("department")
    if user.is_superuser:
        return qs
    return qs.filter(district_id__in=user_districts(user))


def active_elements(district_id: int) -> QuerySet[DataElement]:
    return DataElement.objects.filter(district_id=district_id, state=ElementState.ACTIVE)


def templates_for_user(user) -> QuerySet[ReportTemplate]:
    qs = ReportTemplate.objects.select_related("department", "item").annotate(version_count=Count("versions"))
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for district in user_districts(user):
        q |= Q(department__path__startswith=f"/{district}/")
    return qs.filter(q)


def submissions_for_user(user) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(submissions_q(user))
        .select_related("community", "request__version__template__department")
        .order_by("-request__sent_on", "request__number", "community__path")
    )


def requests_for_user(user) -> QuerySet[ReportRequest]:
    qs = ReportRequest.objects.select_related("version__template__department").annotate(
        communities=Count("submissions"),
        accepted=Count("submissions", filter=Q(submissions__state="accepted")),
    )
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for root in roots(user):
        q |= Q(version__template__department__path__startswith=root.path) | Q(
            submissions__community__path__startswith=root.path
        )
    from jianfu.orgs.models import Role

    for district in {r.pk for r in roots(user, {Role.OFFICE})}:
        q |= Q(version__template__department__path__startswith=f"/{district}/")
    return qs.filter(q).distinct()


# ---------------------------------------------------------------- burden figures


def burden_figures(community: Org, year: int, month: int) -> dict:
    """Report requests that reached a community in a month: how many, fields asked, fields the
    ledger filled by itself, fields typed, and the minutes that typing is estimated to take."""
    rows = Submission.objects.filter(community=community, request__sent_on__year=year, request__sent_on__month=month)
    figures = rows.aggregate(
        requests=Count("pk"),
        fields_asked=Sum("field_count"),
        fields_prefilled=Sum("prefilled_count"),
        fields_typed=Sum("typed_count"),
    )
    figures = {k: v or 0 for k, v in figures.items()}
    figures["minutes"] = figures["fields_typed"] * settings.JIANFU["LEDGER_MINUTES_PER_FIELD"]
    return figures


def burden_by_community(district: Org, year: int) -> dict[int, dict]:
    """The same figures for every community of a district for a year, one query."""
    rows = (
        Submission.objects.filter(community__path__startswith=district.path, request__sent_on__year=year)
        .values("community_id")
        .annotate(
            requests=Count("pk"),
            fields_asked=Sum("field_count"),
            fields_prefilled=Sum("prefilled_count"),
            fields_typed=Sum("typed_count"),
        )
    )
    out: dict[int, dict] = defaultdict(dict)
    for row in rows:
        figures = {k: row[k] or 0 for k in ("requests", "fields_asked", "fields_prefilled", "fields_typed")}
        figures["minutes"] = figures["fields_typed"] * settings.JIANFU["LEDGER_MINUTES_PER_FIELD"]
        out[row["community_id"]] = figures
    return dict(out)


def caps_table(departments) -> list[tuple[Org, int, int, int | None]]:
    """(department, report templates in force, the cap it works under, its own cap or None where its
    district's applies) for each department: three queries."""
    from .models import DistrictReportCap, TemplateCap, VersionState

    departments = list(departments)
    in_force = dict(
        ReportTemplate.objects.filter(department__in=departments, retired=False, versions__state=VersionState.PUBLISHED)
        .values_list("department_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    own = dict(TemplateCap.objects.filter(department__in=departments).values_list("department_id", "max_templates"))
    districts = dict(
        DistrictReportCap.objects.filter(district__in={d.district_id for d in departments}).values_list(
            "district_id", "max_templates"
        )
    )
    default = settings.JIANFU["LEDGER_TEMPLATE_CAP"]
    return [
        (d, in_force.get(d.pk, 0), own.get(d.pk, districts.get(d.district_id, default)), own.get(d.pk))
        for d in departments
    ]


def open_deadlines(first: dt.date, last: dt.date) -> list[StoredDeadline]:
    """Due dates of report requests some community still has to submit, whose span from sending touches
    [first, last] (services.request_send computes them in working days; schedule_enter recomputes them)."""
    waiting = Submission.objects.filter(request=OuterRef("pk"), state__in=EDITABLE_STATES)
    return [
        StoredDeadline(r, "due_on", r.sent_on)
        for r in ReportRequest.objects.filter(Exists(waiting), due_on__gte=first, sent_on__lte=last).only(
            "pk", "sent_on", "due_on"
        )
    ]
