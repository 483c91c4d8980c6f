"""Who may send, see and answer work orders, written once for services, pages, templates and the API.

A department's clerk sends for the department, a street worker for the street or town; the community's
workers answer what reached their community; the office reads its district's orders."""

import rules
from django.db.models import Q

from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind, Role
from jianfu.orgs.permissions import reaches, roots

from .models import REACHED, Delivery, Order

STREET_KINDS = {OrgKind.STREET, OrgKind.TOWN}


def sender_orgs(user) -> list[Org]:
    """The departments and streets a user may send orders for."""
    clerks = [org for org in roots(user, {Role.CLERK}) if org.kind in DEPARTMENT_KINDS]
    streets = [org for org in roots(user, {Role.STREET}) if org.kind in STREET_KINDS]
    return clerks + streets


def sender_role(org: Org) -> str:
    return Role.STREET if org.kind in STREET_KINDS else Role.CLERK


@rules.predicate
def is_sender(user) -> bool:
    return bool(sender_orgs(user))


@rules.predicate
def can_send_for(user, org: Org | None) -> bool:
    return org is not None and any(org.pk == own.pk for own in sender_orgs(user))


@rules.predicate
def is_community_worker(user) -> bool:
    return bool(roots(user, {Role.COMMUNITY}))


@rules.predicate
def is_district_office(user) -> bool:
    return user.is_superuser or bool(roots(user, {Role.OFFICE}))


@rules.predicate
def can_answer(user, delivery: Delivery) -> bool:
    """Only a worker of the community the order reached marks it done or refuses it."""
    return reaches(user, delivery.community, {Role.COMMUNITY})


def sees_every_delivery(user, order: Order) -> bool:
    """The sender and its district's office see every community's outcome; a community only its own."""
    if user.is_superuser:
        return True
    return can_send_for(user, order.source) or any(
        order.source.path.startswith(root.path) for root in roots(user, {Role.OFFICE})
    )


def followed_q(user) -> Q:
    """Orders a user follows with every community's outcome: sent by their department or street, or
    sent in their office's district."""
    if user.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for org in sender_orgs(user):
        q |= Q(source=org)
    for root in roots(user, {Role.OFFICE}):
        q |= Q(source__path__startswith=root.path)
    return q


def orders_q(user) -> Q:
    """Orders a user may read: those they follow, and those that reached their community (an order
    refused at the gate never reached it)."""
    q = followed_q(user)
    communities = [root.pk for root in roots(user, {Role.COMMUNITY})]
    if communities:
        reached = Delivery.objects.filter(community__in=communities, state__in=REACHED)
        q |= Q(pk__in=reached.values("order_id"))
    return q


def deliveries_q(user, order: Order) -> Q:
    """Which of an order's deliveries a user sees."""
    if sees_every_delivery(user, order):
        return Q()
    return Q(community__in=[root.pk for root in roots(user, {Role.COMMUNITY})], state__in=REACHED)


rules.add_perm("orders.send", is_sender)
rules.add_perm("orders.view", is_sender | is_community_worker | is_district_office)
rules.add_perm("orders.answer", can_answer)
