"""What the dashboards, the portal and the annual report read: the materialised rows only, a fixed
number of queries whatever the size of the district."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from jianfu.certificates.selectors import comparable_months
from jianfu.core import clock
from jianfu.evaluation.models import Campaign, CampaignState, Direction, Result
from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind

from .indicators import BY_KEY, INDICATORS, Indicator
from .models import ArrivalMonth, CommunityMonth, DepartmentMonth
from .services import baseline_year

KEYS = [i.key for i in INDICATORS]


def scope_filter(org: Org) -> dict:
    if org.kind == OrgKind.DISTRICT:
        return {"district": org}
    if org.kind in (OrgKind.STREET, OrgKind.TOWN):
        return {"street": org}
    if org.kind == OrgKind.GRID:
        return {"community_id": org.parent_id}
    return {"community": org}


def _quantize(indicator: Indicator, value) -> Decimal | None:
    if value is None:
        return None
    places = max(indicator.decimals, 1 if indicator.level else 0)
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _values(row: dict, rows: int) -> dict[str, Decimal | None]:
    """A year's figure per indicator from the sums over `rows` community-months."""
    out = {}
    for indicator in INDICATORS:
        total = row.get(indicator.key)
        if total is None or not rows:
            out[indicator.key] = None
        elif indicator.level:
            out[indicator.key] = _quantize(indicator, Decimal(str(total)) / rows)
        else:
            out[indicator.key] = _quantize(indicator, total)
    return out


SUMS = {key: Sum(key) for key in KEYS}


def totals(org: Org, year: int, months: list[int]) -> dict[str, Decimal | None]:
    """The org's figures for those months of a year: levels as the mean per community and month,
    flows summed over its communities and the months."""
    row = CommunityMonth.objects.filter(**scope_filter(org), year=year, month__in=months).aggregate(
        rows=Count("pk"), **SUMS
    )
    return _values(row, row["rows"])


@dataclass
class SummaryRow:
    indicator: Indicator
    baseline: Decimal | None
    current: Decimal | None

    @property
    def change_percent(self) -> Decimal | None:
        if not self.baseline or self.current is None:
            return None
        return ((self.current - self.baseline) / self.baseline * 100).quantize(Decimal("1"))


@dataclass
class Summary:
    org: Org
    year: int
    baseline_year: int
    months: list[int]
    rows: list[SummaryRow]

    def row(self, key: str) -> SummaryRow:
        return next(r for r in self.rows if r.indicator.key == key)

    @property
    def last_whole_year(self) -> bool:
        """The default in January: this year has no whole month yet, so the last whole year is shown."""
        return self.year == clock.reporting_year() < clock.today().year


def summary(org: Org, year: int, base: int | None = None, *, today: dt.date | None = None) -> Summary:
    """Baseline year against `year` on the same months: the whole months of `year` that have passed."""
    district = org if org.kind == OrgKind.DISTRICT else Org.objects.get(pk=org.district_id)
    base = base or baseline_year(district)
    months = comparable_months(year, today)
    now = totals(org, year, months) if months else dict.fromkeys(KEYS)
    then = totals(org, base, months) if months else dict.fromkeys(KEYS)
    rows = [SummaryRow(i, then[i.key], now[i.key]) for i in INDICATORS]
    return Summary(org=org, year=year, baseline_year=base, months=months, rows=rows)


def month_labels() -> list[str]:
    return [_("M%(n)s") % {"n": m} for m in range(1, 13)]


def trend(org: Org, years: list[int], keys: list[str]) -> dict[str, dict[int, list[Decimal | None]]]:
    """Month by month: {key: {year: [12 values, None where not computed]}}, one query. The month
    still running is left out, so a flow does not seem to fall at the end."""
    today = clock.today()
    rows = (
        CommunityMonth.objects.filter(**scope_filter(org), year__in=years)
        .exclude(year=today.year, month__gte=today.month)
        .values("year", "month")
        .annotate(rows=Count("pk"), **{k: Sum(k) for k in keys})
        .order_by()
    )
    out = {k: {y: [None] * 12 for y in years} for k in keys}
    for row in rows:
        values = _values(row, row["rows"])
        for key in keys:
            out[key][row["year"]][row["month"] - 1] = values[key]
    return out


def by_year(org: Org, years: list[int], months: list[int], key: str) -> list[tuple[int, Decimal | None]]:
    """One indicator for each year on the same months, one query."""
    rows = {
        row["year"]: _values(row, row["rows"])[key]
        for row in CommunityMonth.objects.filter(**scope_filter(org), year__in=years, month__in=months)
        .values("year")
        .annotate(rows=Count("pk"), **{key: Sum(key)})
        .order_by()
    }
    return [(y, rows.get(y)) for y in years]


def children(org: Org, year: int, months: list[int]) -> list[tuple[Org, dict[str, Decimal | None]]]:
    """The figures of each street (of a district) or community (of a street), one query plus the orgs."""
    if org.kind == OrgKind.DISTRICT:
        group = "street_id"
    elif org.kind in (OrgKind.STREET, OrgKind.TOWN):
        group = "community_id"
    else:
        return []
    rows = {
        row[group]: row
        for row in CommunityMonth.objects.filter(**scope_filter(org), year=year, month__in=months)
        .values(group)
        .annotate(rows=Count("pk"), **SUMS)
        .order_by()
    }
    orgs = Org.objects.filter(parent=org, kind__in=[OrgKind.STREET, OrgKind.TOWN, OrgKind.COMMUNITY]).order_by("path")
    return [(o, _values(rows.get(o.pk, {}), rows.get(o.pk, {}).get("rows", 0))) for o in orgs]


def communities(org: Org, year: int, months: list[int]) -> list[tuple[Org, dict[str, Decimal | None]]]:
    """Every community under the org with its figures (the heat table of a district), two queries."""
    rows = {
        row["community_id"]: row
        for row in CommunityMonth.objects.filter(**scope_filter(org), year=year, month__in=months)
        .values("community_id")
        .annotate(rows=Count("pk"), **SUMS)
        .order_by()
    }
    orgs = Org.objects.filter(pk__in=rows).select_related("parent").order_by("path")
    return [(o, _values(rows[o.pk], rows[o.pk]["rows"])) for o in orgs]


@dataclass
class DepartmentService:
    department: Org
    dispatched: int
    responded_on_time: int
    solved: int
    rated: int
    satisfied: int
    points: int

    @staticmethod
    def _rate(part: int, whole: int) -> Decimal | None:
        return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None

    @property
    def response_rate(self) -> Decimal | None:
        return self._rate(self.responded_on_time, self.dispatched)

    @property
    def resolution_rate(self) -> Decimal | None:
        return self._rate(self.solved, self.dispatched)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return self._rate(self.satisfied, self.rated)


RATE_FIELDS = ["dispatched", "responded_on_time", "solved", "rated", "satisfied", "points"]


def department_service(
    district: Org, year: int, months: list[int]
) -> tuple[list[DepartmentService], DepartmentService]:
    """Each department's whistles and three rates (percent) for the months, and the district's total."""
    rows = (
        DepartmentMonth.objects.filter(
            district=district, year=year, month__in=months, department__kind__in=DEPARTMENT_KINDS
        )
        .values("department_id")
        .annotate(**{f: Sum(f) for f in RATE_FIELDS})
        .order_by()
    )
    rows = {r.pop("department_id"): r for r in rows}
    departments = Org.objects.in_bulk(list(rows))
    table = sorted(
        (DepartmentService(department=departments[pk], **values) for pk, values in rows.items()),
        key=lambda d: d.department.code,
    )
    total = DepartmentService(district, **{f: sum(getattr(d, f) for d in table) for f in RATE_FIELDS})
    return table, total


def resident_satisfaction(org: Org, year: int) -> Decimal | None:
    """Mean score residents gave the communities under the org in the latest released community
    evaluation whose period ended by the end of `year` (two queries)."""
    released = Campaign.objects.filter(
        district_id=org.district_id,
        direction=Direction.COMMUNITY,
        state=CampaignState.RELEASED,
        period_end__year__lte=year,
    ).order_by("-period_end", "-pk")
    campaign = released.first()
    if campaign is None:
        return None
    scope = {"target__org": org} if org.kind == OrgKind.COMMUNITY else {"target__org__path__startswith": org.path}
    scores = list(
        Result.objects.filter(
            **scope, target__campaign=campaign, target__worker__isnull=True, score__isnull=False
        ).values_list("score", flat=True)
    )
    return (sum(scores) / len(scores)).quantize(Decimal("0.1")) if scores else None


def years_with_figures(district: Org) -> list[int]:
    return sorted(set(CommunityMonth.objects.filter(district=district).values_list("year", flat=True).distinct()))


def indicator(key: str) -> Indicator:
    return BY_KEY[key]


def stamp(district: Org) -> str:
    """Changes whenever anything a dashboard of the district shows changes: every recomputation
    stamps its rows, and a released evaluation adds a campaign (one index-only query each)."""
    computed = CommunityMonth.objects.filter(district=district).aggregate(t=Max("computed_at"))["t"]
    released = Campaign.objects.filter(district_id=district.pk, state=CampaignState.RELEASED).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    return f"{computed.timestamp() if computed else '-'}-{released['n']}-{released['last']}"


# Arrivals and the leak rate (issue 21; monitor.arrivals says what one arrival is) ---------------------


@dataclass
class Leak:
    """Arrivals, the uncovered among them, and the hours they cost."""

    arrivals: int = 0
    uncovered: int = 0
    hours: Decimal = Decimal(0)
    org: Org | None = None

    @property
    def rate(self) -> Decimal | None:
        """Unapproved arrivals ÷ all arrivals, in percent."""
        if not self.arrivals:
            return None
        return (Decimal(self.uncovered) * 100 / self.arrivals).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


LEAK_SUMS = {
    "arrivals": Sum("count"),
    "uncovered": Sum("count", filter=Q(covered=False)),
    "hours": Sum("hours"),
}


def _leak(row: dict, org: Org | None = None) -> Leak:
    return Leak(
        arrivals=row.get("arrivals") or 0,
        uncovered=row.get("uncovered") or 0,
        hours=Decimal(row.get("hours") or 0).quantize(Decimal("0.01")),
        org=org,
    )


def _arrivals(org: Org):
    if org.kind == OrgKind.DISTRICT:
        return ArrivalMonth.objects.filter(district=org)
    if org.kind in (OrgKind.STREET, OrgKind.TOWN):
        return ArrivalMonth.objects.filter(street=org)
    if org.kind == OrgKind.GRID:
        return ArrivalMonth.objects.filter(community_id=org.parent_id)
    if org.kind in DEPARTMENT_KINDS:
        return ArrivalMonth.objects.filter(sender=org)
    return ArrivalMonth.objects.filter(community=org)


def leak(org: Org, year: int, months: list[int]) -> Leak:
    """What reached the org's communities in those months (or what a department sent), one query."""
    return _leak(_arrivals(org).filter(year=year, month__in=months).aggregate(**LEAK_SUMS), org)


def leak_by_month(org: Org, years: list[int]) -> dict[int, list[Leak]]:
    """Month by month, {year: [12 Leak]}, one query."""
    out = {y: [Leak() for _m in range(12)] for y in years}
    for row in _arrivals(org).filter(year__in=years).values("year", "month").annotate(**LEAK_SUMS).order_by():
        out[row["year"]][row["month"] - 1] = _leak(row)
    return out


def leak_over(by_month: list[Leak], months: list[int]) -> Leak:
    """The sum over those months of one year of leak_by_month (no query)."""
    picked = [by_month[m - 1] for m in months]
    return Leak(
        arrivals=sum(x.arrivals for x in picked),
        uncovered=sum(x.uncovered for x in picked),
        hours=sum((x.hours for x in picked), Decimal("0.00")),
    )


def leak_children(org: Org, year: int, months: list[int]) -> dict[int, Leak]:
    """{street or community pk: Leak} of the org's streets (a district) or communities (a street), one query."""
    if org.kind == OrgKind.DISTRICT:
        group = "street_id"
    elif org.kind in (OrgKind.STREET, OrgKind.TOWN):
        group = "community_id"
    else:
        return {}
    rows = _arrivals(org).filter(year=year, month__in=months).values(group).annotate(**LEAK_SUMS).order_by()
    return {row[group]: _leak(row) for row in rows if row[group] is not None}


def leak_by_community(org: Org, year: int, months: list[int]) -> dict[int, Leak]:
    """{community pk: Leak} of every community under the org, one query."""
    rows = (
        _arrivals(org)
        .filter(year=year, month__in=months, community__isnull=False)
        .values("community_id")
        .annotate(**LEAK_SUMS)
        .order_by()
    )
    return {row["community_id"]: _leak(row) for row in rows}


def senders(district: Org, year: int, months: list[int]) -> tuple[list[Leak], list[Leak]]:
    """Every department and every street that sent work in those months, with its leak: departments
    and streets apart, those that sent the most unapproved work first (then the higher rate). Two queries."""
    rows = list(
        ArrivalMonth.objects.filter(district=district, year=year, month__in=months, sender__isnull=False)
        .values("sender_id")
        .annotate(**LEAK_SUMS)
        .order_by()
    )
    orgs = Org.objects.in_bulk([r["sender_id"] for r in rows])
    leaks = [_leak(r, orgs[r["sender_id"]]) for r in rows]
    leaks.sort(key=lambda x: (-x.uncovered, -(x.rate or 0), x.org.code))
    departments = [x for x in leaks if x.org.kind in DEPARTMENT_KINDS]
    streets = [x for x in leaks if x.org.kind in (OrgKind.STREET, OrgKind.TOWN)]
    return departments, streets


def worst(leaks: list[Leak], top: int = 5) -> list[Leak]:
    """Of senders ordered as `senders` orders them, the `top` that sent any unapproved work."""
    return [x for x in leaks if x.uncovered][:top]


def leakers(district: Org, year: int, months: list[int], top: int = 5) -> tuple[list[Leak], list[Leak]]:
    """The departments and the streets that sent the most unapproved work, at most `top` of each."""
    departments, streets = senders(district, year, months)
    return worst(departments, top), worst(streets, top)
