"""Reads: cases a user may see, duplicates, the public query by code, community pages, and the
three rates and points per department — the objective indicator other modules read.

    rates(department, year, month=None) -> Rates          one department, a month or a whole year
    department_rates(district, year, month=None) -> list  every department of a district with whistles

Each Rates carries the counts and response_rate, resolution_rate and satisfaction_rate as
Decimal fractions (0–1, four places; None without a denominator) and the points total.
Cohort: whistles dispatched (or last reassigned) to the department in the period; points in the
same period. 响应率 = responded on time / dispatched; 解决率 = confirmed solved by the reporter /
dispatched; 满意率 = satisfied or basically satisfied / rated.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404

from jianfu.core import clock
from jianfu.core.similarity import SimilarityIndex
from jianfu.core.workflow import available
from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind, Role
from jianfu.orgs.permissions import roots

from . import deadlines
from .conf import conf
from .machines import CASE
from .models import (
    FINAL_STATES,
    SATISFIED,
    Case,
    CaseKind,
    Escalation,
    GroupKind,
    Matter,
    PointEntry,
    ServiceItem,
    State,
)
from .permissions import DISPATCHER_ROLES, REPORTER_ROLES, cases_q

OPEN_STATES = [s for s in State.values if s not in FINAL_STATES and s != State.CONFIRMED]


def case_actions(user, case: Case) -> list[str]:
    """What this user may do with the case now, for the page's buttons and the API's `actions`: the
    machine's moves, and "dispatch" on a reported case for whoever may accept it (the dispatcher
    accepts and dispatches in one go, services.case_take_and_dispatch: both moves in the history)."""
    actions = available(CASE, user, case)
    if case.state == State.REPORTED and "accept" in actions and CASE.actions["dispatch"].allowed(user, case):
        actions.append("dispatch")
    return actions


def cases_for_user(user, *, kind: str = "", state: str = "", overdue: bool = False, q: str = "") -> QuerySet[Case]:
    qs = Case.objects.filter(cases_q(user)).select_related("matter", "service_item", "org_unit", "assignee")
    if kind:
        qs = qs.filter(kind=kind)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, stage_due__lt=clock.now())
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(description__icontains=q)
            | Q(address__icontains=q)
            | Q(matter__name__icontains=q)
            | Q(service_item__name__icontains=q)
        )
    return qs.order_by("-reported_at", "-id")


def case_for_user(user, number: str) -> Case:
    case = cases_for_user(user).filter(number=number).first()
    if case is None:
        raise Http404
    return case


def waiting_for(user) -> dict[str, QuerySet[Case]]:
    """What is waiting on this user's desk, by what they should do next."""
    qs = cases_for_user(user)
    desk: dict[str, QuerySet[Case]] = {}
    dispatch_paths = [r.path for r in roots(user, {Role.COMMUNITY, Role.STREET})]
    if dispatch_paths:
        where = Q()
        for path in dispatch_paths:
            where |= Q(org_path__startswith=path)
        desk["accept"] = qs.filter(where, state__in=[State.REPORTED, State.ACCEPTED])
        desk["disputed"] = qs.filter(where, disputed=True, state__in=OPEN_STATES)
        desk["revisit"] = qs.filter(where, state=State.RESOLVED)
    handler_paths = [r.path for r in roots(user, {Role.CLERK, Role.COMMUNITY, Role.GRID, Role.STREET})]
    if handler_paths:
        where = Q()
        for path in handler_paths:
            where |= Q(assignee__path__startswith=path)
        desk["handle"] = qs.filter(where, state__in=[State.DISPATCHED, State.RESPONDED, State.REOPENED])
    desk["mine"] = qs.filter(reporter=user, state__in=OPEN_STATES)
    return desk


def escalations_for_user(user) -> QuerySet[Escalation]:
    """Overdue stages escalated to the office, still overdue in the stage they were flagged in."""
    q = Q(pk__in=[])
    if user.is_superuser:
        q = Q()
    for root in roots(user, {Role.OFFICE}):
        q |= Q(office=root)
    return (
        Escalation.objects.filter(q)
        .select_related("case", "case__matter", "case__service_item", "case__assignee", "case__org_unit")
        .order_by("-at")
    )


def open_escalations(user) -> list[Escalation]:
    """Escalations whose case still sits in the stage that was overdue, asked of the database: the
    newest 500 read and filtered here would drop the open ones behind many settled ones."""
    return list(escalations_for_user(user).filter(case__state=F("state"), case__stage_due=F("due")))


def possible_duplicates(case: Case, limit: int = 5) -> list[tuple[Case, float]]:
    """Open reports of the same matter in the same community in recent days, most alike first."""
    if case.kind != CaseKind.EVENT or case.state not in {State.REPORTED, State.ACCEPTED}:
        return []
    community = case.org_unit if case.org_unit.kind == OrgKind.COMMUNITY else case.org_unit.parent
    since = case.reported_at - dt.timedelta(days=conf("DUPLICATE_DAYS"))
    others = list(
        Case.objects.filter(
            matter=case.matter,
            org_path__startswith=community.path,
            reported_at__gte=since,
            state__in=OPEN_STATES,
        )
        .exclude(pk=case.pk)
        .order_by("-reported_at")
    )  # all of them: the matter, the community and DUPLICATE_DAYS already bound the pool
    if not others:
        return []
    index = SimilarityIndex((c.pk, (c.address, c.description)) for c in others)
    scores = dict(index.search(f"{case.address} {case.description}", limit=limit))
    by_pk = {c.pk: c for c in others}
    ranked = sorted(by_pk, key=lambda pk: -scores.get(pk, 0.0))[:limit]
    return [(by_pk[pk], round(scores.get(pk, 0.0), 2)) for pk in ranked]


def merge_targets(case: Case) -> list[Case]:
    return [c for c, _ in possible_duplicates(case, limit=10)]


# ------------------------------------------------------------------------------------ public reads


def normalize_query_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def case_by_query_code(code: str) -> Case | None:
    """The one application a query code opens, or None: the code shows that case and nothing else."""
    code = normalize_query_code(code)
    if not code:
        return None
    return (
        Case.objects.filter(kind=CaseKind.SERVICE, query_code=code)
        .select_related("service_item", "service_item__department", "org_unit", "assignee")
        .first()
    )


def public_timeline(case: Case) -> list:
    """Steps and times a resident sees: what happened and when, never who did it."""
    return list(case.events.exclude(action__in=["escalate", "dispute", "absorb"]).order_by("at", "id"))


def service_items(*, district: Org | None = None, group: str = "", q: str = "") -> QuerySet[ServiceItem]:
    qs = ServiceItem.objects.filter(active=True).select_related("department", "work_item")
    if district is not None:
        qs = qs.filter(department__path__startswith=district.path)
    if group:
        qs = qs.filter(group=group)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(department__name__icontains=q))
    return qs.order_by("group", "code")


def matters_for(org_unit: Org) -> QuerySet[Matter]:
    return (
        Matter.objects.filter(active=True, group__district_id=org_unit.district_id)
        .select_related("group", "department")
        .order_by("group__order", "order", "code")
    )


def whistle_matters(org_unit: Org) -> QuerySet[Matter]:
    """The matters a whistle may be blown for here (seed 003: 明确3大类吹哨范围): those of the whistle
    categories that have a responsible department — never the grid workers' matters."""
    return matters_for(org_unit).filter(group__kind=GroupKind.WHISTLE, department__isnull=False)


def departments_of(org: Org) -> QuerySet[Org]:
    return Org.objects.filter(kind__in=DEPARTMENT_KINDS, path__startswith=f"/{org.district_id}/").order_by("code")


def reporting_units(user) -> list[Org]:
    """Where the user may report: their grid; their community and its grids; their street's communities."""
    units: list[Org] = []
    for membership_org in roots(user, REPORTER_ROLES):
        if membership_org.kind == OrgKind.GRID:
            units.append(membership_org)
        elif membership_org.kind == OrgKind.COMMUNITY:
            units.append(membership_org)
            units += list(membership_org.children.filter(kind=OrgKind.GRID).order_by("code"))
        else:
            units += list(membership_org.children.filter(kind=OrgKind.COMMUNITY).order_by("code"))
    seen, unique = set(), []
    for u in units:
        if u.pk not in seen:
            seen.add(u.pk)
            unique.append(u)
    return unique


def whistle_units(user) -> list[Org]:
    """Where the user may blow a whistle: the places they report in that they dispatch for."""
    dispatching = roots(user, DISPATCHER_ROLES)
    return [u for u in reporting_units(user) if any(u.path.startswith(r.path) for r in dispatching)]


def dispatch_targets(case: Case) -> list[Org]:
    """Whom the case may be offered to: the district's departments; for a reported matter also the
    community of the place and its grids (services.check_dispatch decides, with the lists)."""
    departments = list(departments_of(case.org_unit))
    if case.kind == CaseKind.SERVICE:
        return departments
    community = case.org_unit if case.org_unit.kind == OrgKind.COMMUNITY else case.org_unit.parent
    local = [community, *community.children.filter(kind=OrgKind.GRID).order_by("code")]
    return departments + local


# ------------------------------------------------------------------------------------ three rates


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


@dataclass
class Rates:
    department: Org
    year: int
    month: int | None
    dispatched: int = 0
    responded_on_time: int = 0
    solved: int = 0
    rated: int = 0
    satisfied: int = 0
    reopened: int = 0
    points: int = 0

    @property
    def response_rate(self) -> Decimal | None:
        return _ratio(self.responded_on_time, self.dispatched)

    @property
    def resolution_rate(self) -> Decimal | None:
        return _ratio(self.solved, self.dispatched)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _ratio(self.satisfied, self.rated)


def period_bounds(year: int, month: int | None) -> tuple[dt.datetime, dt.datetime]:
    if month:
        return deadlines.month_bounds(year, month)
    return deadlines.month_bounds(year, 1)[0], deadlines.month_bounds(year + 1, 1)[0]


def _whistles(start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    return Case.objects.filter(kind=CaseKind.EVENT, whistle=True, dispatched_at__gte=start, dispatched_at__lt=end)


_COUNTS = {
    "dispatched": Count("pk"),
    "responded_on_time": Count("pk", filter=Q(responded_on_time=True)),
    "solved": Count("pk", filter=Q(solved=True)),
    "rated": Count("pk", filter=~Q(satisfaction="")),
    "satisfied": Count("pk", filter=Q(satisfaction__in=SATISFIED)),
    "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
}


def department_rates(district: Org, year: int, month: int | None = None) -> list[Rates]:
    """The three rates and points of every department of the district that had whistles: two queries."""
    start, end = period_bounds(year, month)
    counts = {
        row.pop("assignee"): row
        for row in _whistles(start, end)
        .filter(assignee__path__startswith=district.path)
        .values("assignee")
        .annotate(**_COUNTS)
        .order_by()
    }
    points = dict(
        PointEntry.objects.filter(
            department__path__startswith=district.path, period__gte=start.date(), period__lt=end.date()
        )
        .values("department")
        .annotate(total=Sum("points"))
        .order_by()
        .values_list("department", "total")
    )
    departments = Org.objects.filter(pk__in=set(counts) | set(points)).order_by("code")
    return [
        Rates(department=d, year=year, month=month, points=points.get(d.pk) or 0, **counts.get(d.pk, {}))
        for d in departments
    ]


def rates(department: Org, year: int, month: int | None = None) -> Rates:
    """One department's three rates and points for a month (or, without month, the whole year)."""
    start, end = period_bounds(year, month)
    row = _whistles(start, end).filter(assignee=department).aggregate(**_COUNTS)
    total = PointEntry.objects.filter(department=department, period__gte=start.date(), period__lt=end.date()).aggregate(
        total=Sum("points")
    )["total"]
    return Rates(department=department, year=year, month=month, points=total or 0, **row)
