"""Sending work orders and answering them.

`order_send` is the gate at run time for every kind of work but reports and surveys (the ledger's):
the order must cite one item in force of its kind, of the sender's own, costing no more hours than
the item; then each target community is asked of `jianfu.catalog.gate` (in force here, scope
included), of the sender's reach (a street sends only to its own communities) and of the item's
frequency (this year's orders of the item that reached the community). Whatever is refused is
refused before it reaches anyone, with the rule; the rest is delivered.

A send with some targets refused is sent to the others: the sender sees each refusal at once on the
order's page, and the community refused never sees the order. An order with no item, refused as a
whole (ledger kind, another's item, too many hours) or refused for every target reaches no one. Every
attempt is recorded all the same (issue 19, point 7): the order keeps the source, the kind, the item
(or none) and the decision; each target keeps its delivery (delivered or refused at the gate, why),
written through the workflow kernel."""

import math
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.catalog import gate
from jianfu.catalog.models import WorkItem
from jianfu.core import clock, dirty, workdays
from jianfu.core.errors import DomainError
from jianfu.core.numbering import next_number
from jianfu.core.workflow import apply, check, opened, require
from jianfu.orgs.models import Org, OrgKind, User

from .machines import DELIVERY
from .models import LEDGER_KINDS, ORDER_KINDS, Decision, Delivery, DeliveryState, Order
from .permissions import STREET_KINDS, can_send_for, sender_role

S = DeliveryState


def _number(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def whole_refusal(*, source: Org, kind: str, item: WorkItem | None, hours: Decimal) -> str:
    """Why the order may reach no community at all ("" when each target is asked on its own)."""
    if kind in LEDGER_KINDS:
        return _(
            "Reports and surveys are not sent as work orders: request them through the ledger (一表通), "
            "which checks them against the catalog."
        )
    if item is None:
        # The gate's answer without an item is the same for every community.
        return gate.refusal(None, source, kind=kind)
    if item.department_id != source.pk:
        return _("“%(item)s” is an item of %(owner)s: only it may send work under it. Apply for access first.") % {
            "item": item.name,
            "owner": item.department.name,
        }
    if hours > item.hours_per_occurrence:
        return _(
            "The order may cost %(hours)s hours, but “%(item)s” is approved for at most %(max)s hours each "
            "time: ask for less, or apply for access to change the item."
        ) % {"hours": _number(hours), "item": item.name, "max": _number(item.hours_per_occurrence)}
    return ""


def reachable_communities(source: Org):
    """The communities a sender may send to at all: a street's own, a department's whole district."""
    communities = Org.objects.filter(kind=OrgKind.COMMUNITY).select_related("parent")
    if source.kind in STREET_KINDS:
        return communities.filter(path__startswith=source.path).order_by("path")
    return communities.filter(path__startswith=f"/{source.district_id}/").order_by("path")


def in_scope(*, source: Org, item: WorkItem | None, kind: str, on=None) -> list[Org]:
    """The sender's communities the item covers (the "all in scope" shortcut)."""
    if item is None:
        return []
    return [c for c in reachable_communities(source) if gate.covers(item, c, kind=kind, on=on)]


def _orders_this_year(item: WorkItem, communities: list[Org], year: int) -> Counter:
    """This year's orders of the item each community took on (refused ones do not count)."""
    rows = (
        Delivery.objects.filter(
            order__item=item,
            order__sent_on__year=year,
            community__in=communities,
            state__in=[S.DELIVERED, S.DONE],
        )
        .values("community")
        .annotate(n=Count("pk"))
    )
    return Counter({row["community"]: row["n"] for row in rows})


def target_refusal(*, source: Org, kind: str, item: WorkItem, community: Org, taken: int, on) -> str:
    """Why this community does not receive the order ("" if it does); `taken`: this year's orders of
    the item it already has."""
    reason = gate.refusal(item, community, kind=kind, on=on)
    if reason:
        return reason
    if source.kind in STREET_KINDS and not community.is_within(source):
        return _("%(community)s is not in %(street)s: a street sends work only to its own communities.") % {
            "community": community.name,
            "street": source.name,
        }
    # A fraction of a time a year (a charter revised every other year) still allows one this year.
    allowed = math.ceil(item.yearly_occurrences())
    if taken + 1 > allowed:
        return _(
            "“%(item)s” is approved %(frequency)s, %(allowed)s times a year: %(community)s has already had it "
            "%(taken)s times this year. Apply for access to change the item."
        ) % {
            "item": item.name,
            "frequency": item.get_frequency_display(),
            "allowed": allowed,
            "community": community.name,
            "taken": taken,
        }
    return ""


def _targets(source: Org, communities) -> list[Org]:
    reachable_district = f"/{source.district_id}/"
    seen, targets = set(), []
    for community in communities:
        if community.kind != OrgKind.COMMUNITY or not community.path.startswith(reachable_district):
            raise DomainError(_("Send only to communities of your district."), code="invalid")
        if community.pk not in seen:
            seen.add(community.pk)
            targets.append(community)
    return targets


def order_send(
    *,
    actor: User,
    source: Org,
    kind: str,
    item: WorkItem | None,
    title: str,
    hours: Decimal,
    workdays_to_do: int,
    communities=(),
    all_in_scope: bool = False,
    instructions: str = "",
) -> Order:
    """Send an order; returns it, recorded whatever was decided (its `decision`, each delivery's state
    and refusal say what reached whom)."""
    require(
        can_send_for(actor, source),
        _("Only a department's clerk or a street's worker sends work orders, for their own department or street."),
    )
    if kind not in ORDER_KINDS and kind not in LEDGER_KINDS:
        raise DomainError(
            _("Choose the kind of work: a task, a meeting, an inspection, a campaign, a platform or a body.")
        )
    if not title.strip() or len(title.strip()) > 200:
        raise DomainError(_("Say what the order is, in at most 200 characters."))
    hours = Decimal(hours)
    if not hours.is_finite() or not 0 <= hours < 100000:
        raise DomainError(_("The hours it may cost must be between 0 and 99999.99."))
    hours = hours.quantize(Decimal("0.01"))
    if not 1 <= workdays_to_do <= 250:
        raise DomainError(_("Give between 1 and 250 working days to do it."))
    targets = _targets(source, communities)
    if not targets and not all_in_scope:
        raise DomainError(_("Choose at least one community."))

    today = clock.today()
    role = sender_role(source)
    with transaction.atomic():
        if item is not None:
            # One send of an item at a time, so that two cannot both pass its frequency.
            item = (
                WorkItem.objects.select_for_update(of=("self",))
                .select_related("department")
                .prefetch_related("scope_streets")
                .get(pk=item.pk)
            )
        if all_in_scope:
            targets = _targets(source, [*targets, *in_scope(source=source, item=item, kind=kind, on=today)])
        whole = whole_refusal(source=source, kind=kind, item=item, hours=hours)
        taken = _orders_this_year(item, targets, today.year) if item is not None and not whole else Counter()
        reasons = {
            c.pk: whole or target_refusal(source=source, kind=kind, item=item, community=c, taken=taken[c.pk], on=today)
            for c in targets
        }
        delivered = sum(1 for reason in reasons.values() if not reason)
        if not delivered:
            decision = Decision.REFUSED
        elif delivered < len(targets):
            decision = Decision.PARTLY
        else:
            decision = Decision.SENT
        if not whole and not targets:
            whole = _("No community of yours is in the scope of “%(item)s”.") % {"item": item.name}
        order = Order.objects.create(
            number=next_number("GD", today.year),
            source=source,
            sent_by=actor,
            kind=kind,
            item=item,
            title=title.strip(),
            instructions=instructions.strip(),
            hours=hours,
            workdays=workdays_to_do,
            sent_at=clock.now(),
            sent_on=today,
            due=workdays.add_workdays(today, workdays_to_do),
            decision=decision,
            refusal=whole,
        )
        for community in targets:
            reason = reasons[community.pk]
            delivery = Delivery.objects.create(
                order=order,
                community=community,
                state=S.REFUSED_AT_GATE if reason else S.DELIVERED,
                refusal=reason,
            )
            opened(
                DELIVERY,
                delivery,
                "refuse_at_gate" if reason else "deliver",
                actor=actor,
                role=role,
                history={"note": reason},
                after=_arrival(order) | {"refusal": reason},
            )
        audit.record(
            action="order.send",
            actor=actor,
            obj=order,
            org=source,
            role=role,
            after=_arrival(order) | {"delivered": delivered, "refused": len(targets) - delivered, "refusal": whole},
        )
        dirty.mark_on(source.district_id, today)  # the monitor counts every delivery as an arrival
    return order


def _arrival(order: Order) -> dict:
    """What the monitor counts of an arrival: the source, the kind, the item (or none) and the decision."""
    return {
        "order": order.number,
        "source": order.source.code,
        "kind": order.kind,
        "item": order.item.code if order.item else None,
        "decision": order.decision,
    }


def _mark_dirty(delivery: Delivery) -> None:
    """The monitor counts a delivery's hours once it is done or refused, in the month it was sent."""
    dirty.mark_on(delivery.community.district_id, delivery.order.sent_on)


@transaction.atomic
def delivery_done(*, actor: User, delivery: Delivery) -> Delivery:
    delivery = apply(DELIVERY, delivery, "done", actor=actor)
    _mark_dirty(delivery)
    return delivery


@transaction.atomic
def delivery_refuse(*, actor: User, delivery: Delivery, reason: str) -> Delivery:
    """The community refuses an order that goes beyond its item; its receipt quotes the reason."""
    delivery = DELIVERY.lock(delivery)
    check(DELIVERY, delivery, "refuse", actor)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say how the order goes beyond its item: the receipt quotes it."))

    def change(d: Delivery) -> None:
        d.refusal = reason

    delivery = apply(
        DELIVERY, delivery, "refuse", actor=actor, note=reason, change=change, after={"refusal": reason}, locked=True
    )
    _mark_dirty(delivery)
    return delivery


def refusals(order: Order) -> list[str]:
    """What the sender is told at once: the reason the whole order was refused, else each community refused."""
    if order.refusal:
        return [order.refusal]
    return [
        f"{d.community.name}：{d.refusal}"
        for d in order.deliveries.filter(state=S.REFUSED_AT_GATE).select_related("community")
    ]
