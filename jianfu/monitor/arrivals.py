"""Burden as it arrives (issue 21, points 1–3): everything that reached the communities of a district,
counted by where it arrived, who sent it, its kind, how it came and whether an item in force covered
it; the leak rate is the uncovered share. Seven queries per year, whatever the size of the district.

One arrival is
- one work order's delivery to one community (`orders.Delivery`, month of `Order.sent_on`): covered when
  it reached the community (delivered, done, or refused later by the community as going beyond its
  item), uncovered when refused at the gate (no item in force covers it there; the order writes no
  CheckRecord, so it is counted here only);
- one report request's submission of one community (`ledger.Submission`, month of the request's
  `sent_on`): covered — a request is sent only under its template's item; a request the gate refused
  wrote no submission but a CheckRecord of channel ledger, counted below;
- one case a street or department dispatched to a community or one of its grids (`cases.Case`, month
  of `dispatched_at`): covered — the lists allowed it (a refused dispatch is a CheckRecord of channel
  dispatch); a community dispatching to its own grids is no arrival;
- one certificate a resident asked of a community (`certificates.CertificateRequest`, month of
  `requested_on`): covered when the certificate is on the stamp list, uncovered when it is on the
  must-not list;
- one check of an outside demand on the "这能派吗?" page (`access.CheckRecord` of channel check, month of
  `arrived_on`): covered when the gate answered "in force", uncovered otherwise (not yet in force, not
  in force, negative);
- one report or send refused by the gate (`CheckRecord` of channel ledger or dispatch): uncovered;
- one violation report (`access.ViolationReport`, month of `arrived_on`), whatever CheckRecord its
  refusal receipt left (a refusal with a receipt is one arrival): confirmed by the office — uncovered;
  dismissed — not a violation, so covered; not yet decided — the gate's answer on its receipt
  (uncovered unless "in force"), and a report without a receipt waits for the office's decision.

Hours from what arrived are the work the community had to do: an order's `hours` when it reached the
community and was not refused; the typed fields of a submission at LEDGER_MINUTES_PER_FIELD; a case at
MONITOR_MINUTES_PER_CASE; an issued certificate at MONITOR_MINUTES_PER_CERTIFICATE; a check or a
violation at its item's hours per occurrence, else MONITOR_ARRIVAL_HOURS. What the gate refused, the
community refused or a certificate not issued costs no hours here.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractMonth

from jianfu.access.models import CheckChannel, CheckDecision, CheckRecord, ViolationReport, ViolationState
from jianfu.cases.models import Case
from jianfu.catalog.models import ENTERING, ItemKind
from jianfu.certificates.models import CertificateRequest, RequestState
from jianfu.core import clock
from jianfu.ledger.models import Submission
from jianfu.orders.models import REACHED, Delivery, DeliveryState
from jianfu.orgs.models import Org, OrgKind

from .models import ArrivalChannel, ArrivalMonth

TWO = Decimal("0.01")
DONE_STATES = (DeliveryState.DELIVERED, DeliveryState.DONE)


def default_hours() -> Decimal:
    return Decimal(str(settings.JIANFU.get("MONITOR_ARRIVAL_HOURS", 1)))


class _Tally:
    """Sums per (community, street, month, sender, kind, channel, covered)."""

    def __init__(self, district: Org, months: list[int]):
        self.months = set(months)
        # Where an arrival's org lies: a community (itself), a grid (its community), a street.
        self.place: dict[int, tuple[int | None, int]] = {}
        orgs = dict(
            (pk, (kind, parent_id))
            for pk, kind, parent_id in Org.objects.filter(
                path__startswith=district.path,
                kind__in=[OrgKind.STREET, OrgKind.TOWN, OrgKind.COMMUNITY, OrgKind.GRID],
            ).values_list("pk", "kind", "parent_id")
        )
        for pk, (kind, parent_id) in orgs.items():
            if kind == OrgKind.COMMUNITY:
                self.place[pk] = (pk, parent_id)
            elif kind == OrgKind.GRID and parent_id in orgs:
                self.place[pk] = (parent_id, orgs[parent_id][1])
            elif kind != OrgKind.GRID:
                self.place[pk] = (None, pk)
        self.sums: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])

    def add(self, org_id, month, sender_id, kind, channel, covered, count, hours=Decimal(0)) -> None:
        if month not in self.months or org_id not in self.place:
            return
        community, street = self.place[org_id]
        entry = self.sums[(community, street, month, sender_id, kind or "", channel, bool(covered))]
        entry[0] += count
        entry[1] += Decimal(hours or 0)

    def rows(self, district: Org, year: int) -> list[ArrivalMonth]:
        now = clock.now()
        return [
            ArrivalMonth(
                district=district,
                street_id=street,
                community_id=community,
                year=year,
                month=month,
                sender_id=sender,
                kind=kind,
                channel=channel,
                covered=covered,
                count=count,
                hours=hours.quantize(TWO),
                computed_at=now,
            )
            for (community, street, month, sender, kind, channel, covered), (count, hours) in self.sums.items()
            if count
        ]


def _orders(tally: _Tally, district: Org, year: int) -> None:
    rows = (
        Delivery.objects.filter(community__path__startswith=district.path, order__sent_on__year=year)
        .annotate(month=ExtractMonth("order__sent_on"))
        .values("community_id", "month", "order__source_id", "order__kind", "state")
        .annotate(n=Count("pk"), hours=Sum("order__hours"))
        .order_by()
    )
    for r in rows:
        hours = r["hours"] if r["state"] in DONE_STATES else 0
        covered = r["state"] in REACHED
        channel = ArrivalChannel.ORDER if covered else ArrivalChannel.GATE
        tally.add(
            r["community_id"], r["month"], r["order__source_id"], r["order__kind"], channel, covered, r["n"], hours
        )


def _ledger(tally: _Tally, district: Org, year: int) -> None:
    per_field = Decimal(settings.JIANFU["LEDGER_MINUTES_PER_FIELD"])
    rows = (
        Submission.objects.filter(community__path__startswith=district.path, request__sent_on__year=year)
        .annotate(month=ExtractMonth("request__sent_on"))
        .values(
            "community_id",
            "month",
            "request__version__template__department_id",
            "request__version__template__item__kind",
        )
        .annotate(n=Count("pk"), typed=Sum("typed_count"))
        .order_by()
    )
    for r in rows:
        tally.add(
            r["community_id"],
            r["month"],
            r["request__version__template__department_id"],
            r["request__version__template__item__kind"] or ItemKind.LEDGER,
            ArrivalChannel.LEDGER,
            True,
            r["n"],
            (r["typed"] or 0) * per_field / 60,
        )


def _cases(tally: _Tally, district: Org, year: int) -> None:
    per_case = Decimal(settings.JIANFU["MONITOR_MINUTES_PER_CASE"]) / 60
    rows = (
        Case.objects.filter(
            org_path__startswith=district.path,
            dispatched_at__year=year,
            assignee__kind__in=[OrgKind.COMMUNITY, OrgKind.GRID],
        )
        .annotate(month=ExtractMonth("dispatched_at"))
        .values("assignee_id", "month", "dispatcher_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in rows:
        place = tally.place.get(r["assignee_id"])
        if place is None or r["dispatcher_id"] in (None, place[0], r["assignee_id"]):
            continue  # dispatched within the community: nothing arrived from outside
        tally.add(
            r["assignee_id"],
            r["month"],
            r["dispatcher_id"],
            ItemKind.TASK,
            ArrivalChannel.CASE,
            True,
            r["n"],
            r["n"] * per_case,
        )


def _certificates(tally: _Tally, district: Org, year: int) -> None:
    per_certificate = Decimal(settings.JIANFU["MONITOR_MINUTES_PER_CERTIFICATE"]) / 60
    rows = (
        CertificateRequest.objects.filter(community__path__startswith=district.path, requested_on__year=year)
        .annotate(month=ExtractMonth("requested_on"))
        .values("community_id", "month", "item__category", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in rows:
        hours = r["n"] * per_certificate if r["state"] == RequestState.ISSUED else 0
        covered = r["item__category"] in ENTERING
        tally.add(
            r["community_id"],
            r["month"],
            None,
            ItemKind.CERTIFICATE,
            ArrivalChannel.CERTIFICATE,
            covered,
            r["n"],
            hours,
        )


def _checks(tally: _Tally, district: Org, year: int) -> None:
    rows = (
        CheckRecord.objects.filter(org__path__startswith=district.path, arrived_on__year=year, report__isnull=True)
        .annotate(month=ExtractMonth("arrived_on"))
        .values("org_id", "month", "sender_id", "kind", "channel", "decision", "item__hours_per_occurrence")
        .annotate(n=Count("pk"))
        .order_by()
    )
    default = default_hours()
    for r in rows:
        if r["channel"] == CheckChannel.CHECK:
            covered = r["decision"] == CheckDecision.IN_FORCE
            per = r["item__hours_per_occurrence"] or default
            tally.add(
                r["org_id"], r["month"], r["sender_id"], r["kind"], ArrivalChannel.CHECK, covered, r["n"], r["n"] * per
            )
        else:  # refused when sent (ledger, dispatch): it never reached the community
            tally.add(r["org_id"], r["month"], r["sender_id"], r["kind"], ArrivalChannel.GATE, False, r["n"])


def _violations(tally: _Tally, district: Org, year: int) -> None:
    receipts = CheckRecord.objects.filter(report=OuterRef("pk"))
    rows = (
        ViolationReport.objects.filter(community__path__startswith=district.path, arrived_on__year=year)
        .annotate(
            month=ExtractMonth("arrived_on"),
            receipt=Exists(receipts),
            in_force=Exists(receipts.filter(decision=CheckDecision.IN_FORCE)),
        )
        .values("community_id", "month", "department_id", "matched_item__kind", "matched_item__hours_per_occurrence")
        .annotate(
            n=Count("pk"),
            confirmed=Count("pk", filter=Q(state=ViolationState.CONFIRMED)),
            dismissed=Count("pk", filter=Q(state=ViolationState.DISMISSED)),
            open_uncovered=Count("pk", filter=Q(state=ViolationState.REPORTED, receipt=True, in_force=False)),
            open_covered=Count("pk", filter=Q(state=ViolationState.REPORTED, in_force=True)),
        )
        .order_by()
    )
    default = default_hours()
    for r in rows:
        per = r["matched_item__hours_per_occurrence"] or default
        uncovered = r["confirmed"] + r["open_uncovered"]
        covered = r["dismissed"] + r["open_covered"]
        key = (r["community_id"], r["month"], r["department_id"], r["matched_item__kind"], ArrivalChannel.VIOLATION)
        tally.add(*key, False, uncovered, uncovered * per)
        tally.add(*key, True, covered, covered * per)


def year_rows(district: Org, year: int, months: list[int], today: dt.date | None = None) -> list[ArrivalMonth]:
    """The district's arrival rows for those months of a year."""
    tally = _Tally(district, months)
    for source in (_orders, _ledger, _cases, _certificates, _checks, _violations):
        source(tally, district, year)
    return tally.rows(district, year)
