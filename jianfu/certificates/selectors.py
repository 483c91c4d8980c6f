"""Reads: what each user may see of requests, certificates and the seal log; public verification;
and the figures per type, community and month that the burden monitor reads."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.http import Http404

from jianfu.catalog.models import WorkItem
from jianfu.core import clock
from jianfu.core.crypto import mask_name
from jianfu.core.workdays import StoredDeadline
from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import roots

from .models import (
    DECIDED_STATES,
    BaselineCount,
    Certificate,
    CertificateRequest,
    Dishonesty,
    RequestState,
    SealUse,
)
from .permissions import READER_ROLES, can_read_area, requests_q


def requests_for_user(user, *, state: str = "", community: Org | None = None) -> QuerySet[CertificateRequest]:
    qs = CertificateRequest.objects.filter(requests_q(user)).select_related("community", "item", "person")
    if state:
        qs = qs.filter(state=state)
    if community is not None:
        qs = qs.filter(community=community)
    return qs.order_by("-requested_on", "-pk")


def request_for_user(user, number: str) -> CertificateRequest:
    request = requests_for_user(user).filter(number=number).first()
    if request is None:
        raise Http404
    return request


def certificate_for_user(user, serial: str) -> Certificate:
    certificate = (
        Certificate.objects.filter(serial=serial, request__in=CertificateRequest.objects.filter(requests_q(user)))
        .select_related("community", "item", "person", "person__address", "request")
        .first()
    )
    if certificate is None:
        raise Http404
    return certificate


def areas_for_user(user) -> list[Org]:
    """The communities, streets or district a user reads certificates of (their roots)."""
    if user.is_superuser:
        return list(Org.objects.filter(kind=OrgKind.DISTRICT).order_by("code"))
    return roots(user, READER_ROLES)


def communities_for_user(user) -> QuerySet[Org]:
    q = Q(pk__in=[])
    for root in areas_for_user(user):
        q |= Q(path__startswith=root.path)
    return Org.objects.filter(q, kind=OrgKind.COMMUNITY).order_by("path")


def seal_uses_for_user(user, *, community: Org | None = None, year: int | None = None) -> QuerySet[SealUse]:
    q = Q(pk__in=[])
    for root in areas_for_user(user):
        q |= Q(community__path__startswith=root.path)
    qs = SealUse.objects.filter(q).select_related("community", "used_by", "certificate", "certificate__request")
    if community is not None:
        qs = qs.filter(community=community)
    if year:
        qs = qs.filter(used_on__year=year)
    return qs.order_by("-used_at", "-pk")


def dishonesty_for_user(user) -> QuerySet[Dishonesty]:
    q = Q(pk__in=[])
    for root in roots(user, {Role.OFFICE, Role.COMMUNITY}):
        q |= Q(person__org_path__startswith=root.path)
    if user.is_superuser:
        q = Q()
    return Dishonesty.objects.filter(q).select_related("person", "person__community")


def area_for_user(user, code: str | None) -> Org:
    """One organisation the user reads figures of: the one asked for if within reach, else their first."""
    areas = areas_for_user(user)
    if not areas:
        raise Http404
    if code:
        org = Org.objects.filter(code=code).first()
        if org is None or not can_read_area(user, org):
            raise Http404
        return org
    return areas[0]


# ------------------------------------------------------------------------------------- verification


@dataclass
class Verification:
    serial: str
    status: str  # "genuine", "revoked", "code_required", "code_mismatch", "not_found"
    certificate: Certificate | None = None

    @property
    def details(self) -> bool:
        """Whether type, holder (masked) and dates may be shown: only to whoever holds the code."""
        return self.status == "genuine" or (self.status == "revoked" and self.code_ok)

    code_ok: bool = False

    @property
    def holder(self) -> str:
        """The holder's name, masked: the only personal data the public page shows."""
        return mask_name(self.certificate.person.name) if self.certificate and self.details else ""


def verify(serial: str, code: str = "") -> Verification:
    """Public: is this serial a certificate we issued, and is it still valid? The code printed on the
    certificate (and held in its QR) must match before anything about it is shown."""
    serial = (serial or "").strip().upper()
    certificate = (
        Certificate.objects.filter(serial=serial).select_related("community", "item", "person").first()
        if serial
        else None
    )
    if certificate is None:
        return Verification(serial, "not_found")
    code = (code or "").strip().upper()
    code_ok = bool(code) and code == certificate.code
    if certificate.revoked:
        return Verification(serial, "revoked", certificate, code_ok=code_ok)
    if not code:
        return Verification(serial, "code_required", certificate)
    if not code_ok:
        return Verification(serial, "code_mismatch", certificate)
    return Verification(serial, "genuine", certificate, code_ok=True)


# ------------------------------------------------------------------------------------------ figures


def comparable_months(year: int, today: dt.date | None = None) -> list[int]:
    """Whole months of `year` that have passed: a year still running is compared on those alone."""
    today = today or clock.today()
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month))


def monthly_counts(scope: Org, year: int) -> list[dict]:
    """Issued, refused and redirected per certificate type, community and month of `year` in `scope`
    (a district, street or community), by the day the community answered."""
    rows = (
        CertificateRequest.objects.filter(
            community__path__startswith=scope.path, state__in=DECIDED_STATES, decided_on__year=year
        )
        .annotate(month=ExtractMonth("decided_on"))
        .values("item_id", "community_id", "month")
        .annotate(
            issued=Count("pk", filter=Q(state=RequestState.ISSUED)),
            refused=Count("pk", filter=Q(state=RequestState.REFUSED)),
            redirected=Count("pk", filter=Q(state=RequestState.REDIRECTED)),
        )
        .order_by("item_id", "community_id", "month")
    )
    return list(rows)


def issued_per_month(scope: Org, year: int) -> dict[tuple[int, int | str], list[int]]:
    """Certificates issued per (community, type) and month: those issued here plus the counts from
    before the system (BaselineCount). Types are item ids, or the recorded label when no list holds it."""
    cells: dict[tuple[int, int | str], list[int]] = defaultdict(lambda: [0] * 13)
    for row in monthly_counts(scope, year):
        cells[(row["community_id"], row["item_id"])][row["month"]] += row["issued"]
    baseline = (
        BaselineCount.objects.filter(community__path__startswith=scope.path, year=year)
        .values("community_id", "item_id", "label", "month")
        .annotate(n=Sum("issued"))
        .order_by()
    )
    for row in baseline:
        cells[(row["community_id"], row["item_id"] or row["label"])][row["month"]] += row["n"]
    return cells


@dataclass
class Reduction:
    year: int
    baseline_year: int
    months: list[int]
    issued: int
    baseline: int

    @property
    def fall(self) -> float | None:
        """The share by which certificates issued fell (0.4 = 40 % fewer); None without a baseline."""
        if not self.months or not self.baseline:
            return None
        return round(1 - self.issued / self.baseline, 4)


def reduction(scope: Org, year: int, baseline_year: int, *, today: dt.date | None = None) -> Reduction:
    months = comparable_months(year, today)
    issued = sum(sum(v[m] for m in months) for v in issued_per_month(scope, year).values())
    baseline = sum(sum(v[m] for m in months) for v in issued_per_month(scope, baseline_year).values())
    return Reduction(year, baseline_year, months, issued, baseline)


def _percent(fall: float | None) -> int | None:
    """A fall of 0.4 shown as a change of −40 (per cent)."""
    return None if fall is None else round(-fall * 100)


def certificate_figures(scope: Org, year: int, baseline_year: int | None = None) -> dict:
    """The figures the burden monitor reads: per month, per type and per community, issued / refused /
    redirected in `year`, with certificates issued in the baseline year and the fall against it.
    Baseline and fall compare the same whole months of both years."""
    baseline_year = baseline_year or year - 1
    rows = monthly_counts(scope, year)
    months = comparable_months(year)
    base = issued_per_month(scope, baseline_year)
    empty = {"issued": 0, "refused": 0, "redirected": 0, "baseline": 0}

    by_month = {m: dict(empty) for m in range(1, 13)}
    by_type: dict[int | str, dict] = defaultdict(lambda: dict(empty))
    by_community: dict[int, dict] = defaultdict(lambda: dict(empty))
    for row in rows:
        for key in ("issued", "refused", "redirected"):
            by_month[row["month"]][key] += row[key]
            by_type[row["item_id"]][key] += row[key]
            by_community[row["community_id"]][key] += row[key]
    for (community_id, type_key), per_month in base.items():
        by_type[type_key]["baseline"] += sum(per_month[m] for m in months)
        by_community[community_id]["baseline"] += sum(per_month[m] for m in months)
        for m in range(1, 13):
            by_month[m]["baseline"] += per_month[m]
    issued_comparable = sum(by_month[m]["issued"] for m in months)
    total = Reduction(year, baseline_year, months, issued_comparable, sum(by_month[m]["baseline"] for m in months))

    items = WorkItem.objects.in_bulk([k for k in by_type if isinstance(k, int)])
    communities = Org.objects.in_bulk(list(by_community))
    for key, values in by_type.items():
        values["name"] = items[key].name if isinstance(key, int) else key
        values["category"] = items[key].category if isinstance(key, int) else ""
        values["code"] = items[key].code if isinstance(key, int) else ""
    for key, values in by_community.items():
        values["name"] = communities[key].name
        values["code"] = communities[key].code
        comparable_issued = sum(r["issued"] for r in rows if r["community_id"] == key and r["month"] in months)
        values["fall"] = Reduction(year, baseline_year, months, comparable_issued, values["baseline"]).fall
        values["change_percent"] = _percent(values["fall"])
    totals = {k: sum(v[k] for v in by_month.values()) for k in ("issued", "refused", "redirected")}
    return {
        "scope": scope,
        "year": year,
        "baseline_year": baseline_year,
        "months": months,
        "totals": totals,
        "reduction": total,
        "change_percent": _percent(total.fall),
        "by_month": by_month,
        "by_type": sorted(by_type.values(), key=lambda v: (-v["issued"] - v["baseline"], v["name"])),
        "by_community": sorted(by_community.values(), key=lambda v: v["code"]),
        "rows": rows,
    }


def open_deadlines(first: dt.date, last: dt.date) -> list[StoredDeadline]:
    """Answer dates of unanswered requests whose span from the request touches [first, last]
    (services.request_create computes them in working days; schedule_enter recomputes them)."""
    return [
        StoredDeadline(r, "due_on", r.requested_on)
        for r in CertificateRequest.objects.filter(
            state=RequestState.REQUESTED, due_on__gte=first, requested_on__lte=last
        ).only("pk", "requested_on", "due_on")
    ]
