"""Reads of work orders, each filtered by who asks (an outsider gets 404)."""

import datetime as dt
from itertools import groupby

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from jianfu.catalog.models import WorkItem
from jianfu.core import clock, workdays
from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import roots

from .models import ORDER_KINDS, REACHED, Delivery, DeliveryState, Order
from .permissions import deliveries_q, followed_q, orders_q, sees_every_delivery, sender_orgs


def sender_for(user, code: str = "") -> Org | None:
    """The department or street a user sends for: the one named by `code`, else their first."""
    orgs = sender_orgs(user)
    if code:
        return next((o for o in orgs if o.code == code), None)
    return orgs[0] if orgs else None


def sent_orders(user) -> QuerySet[Order]:
    """The orders a sender (or the office) follows, each with every community's outcome, newest first."""
    return (
        Order.objects.filter(followed_q(user))
        .select_related("source", "item")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.select_related("community")))
    )


def received(user) -> QuerySet[Delivery]:
    """The orders that reached the user's communities, newest first."""
    communities = [root.pk for root in roots(user, {Role.COMMUNITY})]
    return (
        Delivery.objects.filter(community__in=communities, state__in=REACHED)
        .select_related("order", "order__source", "order__item", "community")
        .order_by("-order__sent_at", "-pk")
    )


def order_for_user(user, number: str) -> Order:
    order = Order.objects.filter(orders_q(user), number=number).select_related("source", "item", "sent_by").first()
    if order is None:
        raise Http404
    return order


def deliveries_for_user(user, order: Order) -> list[Delivery]:
    """The order's deliveries the user sees: all for the sender and the office, a community its own."""
    if sees_every_delivery(user, order):
        rows = order.deliveries.all()
    else:
        rows = order.deliveries.filter(deliveries_q(user, order))
    return list(rows.select_related("community", "community__parent").order_by("community__path"))


def delivery_for_user(user, order: Order, code: str) -> Delivery:
    for delivery in deliveries_for_user(user, order):
        if delivery.community.code == code:
            delivery.order = order
            return delivery
    raise Http404


def items_for_sender(source: Org, *, kind: str = "", on: dt.date | None = None) -> QuerySet[WorkItem]:
    """The sender's own items in force this year, of the order kinds (of one kind when given); whether
    each covers a community is the gate's to say when the order is sent."""
    kinds = [kind] if kind in ORDER_KINDS else ORDER_KINDS
    on = on or clock.today()
    return WorkItem.objects.filter(WorkItem.in_force_q(on), department=source, kind__in=kinds).order_by("kind", "code")


def communities_by_street(source: Org) -> list[tuple[Org, list[Org]]]:
    """The district's communities grouped by street or town; a street's own first."""
    communities = (
        Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=f"/{source.district_id}/")
        .select_related("parent")
        .order_by("path")
    )
    groups = [(street, list(rows)) for street, rows in groupby(communities, key=lambda c: c.parent)]
    return sorted(groups, key=lambda group: group[0].pk != source.pk)


def workdays_left(due_dates: list[dt.date], today: dt.date | None = None) -> dict[dt.date, int]:
    """Working days from today to each due date (negative once overdue), with one calendar for all."""
    today = today or clock.today()
    if not due_dates:
        return {}
    first, last = min([today, *due_dates]), max([today, *due_dates])
    calendar = workdays.Calendar(first, last)
    left = {}
    for due in set(due_dates):
        if due >= today:
            left[due] = len(calendar.workdays_in(today + dt.timedelta(days=1), due))
        else:
            left[due] = -len(calendar.workdays_in(due + dt.timedelta(days=1), today))
    return left


def outcome_counts(order: Order) -> dict[str, int]:
    """How many communities are in each state (from the prefetched deliveries)."""
    counts = dict.fromkeys(DeliveryState.values, 0)
    for delivery in order.deliveries.all():
        counts[delivery.state] += 1
    return counts


def orders_for_user(user) -> QuerySet[Order]:
    """Every order the user may read, newest first (the API's list)."""
    return Order.objects.filter(orders_q(user)).select_related("source", "item")
