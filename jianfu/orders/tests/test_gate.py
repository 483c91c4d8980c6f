"""Issue 19, point 2: work of every kind reaches a community only as an order citing an item in force
of that kind whose scope covers the community, within the item's frequency and hours; everything
else is refused before it reaches anyone, and recorded (point 7)."""

import datetime as dt
from decimal import Decimal

import pytest

from jianfu.audit.models import AuditEntry
from jianfu.catalog.models import Frequency, ItemKind
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.orders import selectors, services
from jianfu.orders.models import ORDER_KINDS, Decision, Delivery, DeliveryState, Order
from jianfu.orgs.models import Role

from .conftest import TODAY, make_item, person, send

pytestmark = pytest.mark.django_db
S = DeliveryState


def states(order: Order) -> dict[str, str]:
    return {d.community.code: d.state for d in order.deliveries.select_related("community")}


def reasons(order: Order) -> dict[str, str]:
    return {d.community.code: d.refusal for d in order.deliveries.select_related("community") if d.refusal}


def received(user) -> list[str]:
    return [d.order.number for d in selectors.received(user)]


@pytest.mark.parametrize("kind", ORDER_KINDS)
def test_each_kind_is_refused_without_an_item_and_the_attempt_is_recorded(kind, tree, clerk, community_worker, frozen):
    order = send(clerk, tree["health"], None, [tree["community11"], tree["community12"]], kind=kind)

    assert order.decision == Decision.REFUSED
    assert states(order) == {"S1C1": S.REFUSED_AT_GATE, "S1C2": S.REFUSED_AT_GATE}
    assert "申请准入" in order.refusal and set(reasons(order).values()) == {order.refusal}
    # Recorded: who sent which kind under no item, and what was decided; reaching no one.
    assert (order.source, order.kind, order.item, order.sent_on) == (tree["health"], kind, None, TODAY)
    assert received(community_worker) == []
    entry = AuditEntry.objects.get(action="order.send")
    assert entry.after["kind"] == kind and entry.after["item"] is None and entry.after["decision"] == "refused"


@pytest.mark.parametrize("kind", ORDER_KINDS)
def test_each_kind_is_refused_out_of_the_items_scope(kind, tree, items, clerk, community_worker, outsider):
    order = send(clerk, tree["health"], items[kind], [tree["community11"], tree["community21"]])

    assert order.decision == Decision.PARTLY
    assert states(order) == {"S1C1": S.DELIVERED, "S2C1": S.REFUSED_AT_GATE}
    assert "其他街道" in reasons(order)["S2C1"]
    assert received(community_worker) == [order.number]
    assert received(outsider) == []  # refused before it reached the other street's community


@pytest.mark.parametrize("kind", ORDER_KINDS)
def test_each_kind_is_refused_over_its_frequency(kind, tree, items, clerk, community_worker, frozen):
    item = items[kind]
    item.frequency = Frequency.QUARTERLY
    item.save()
    c11, c12 = tree["community11"], tree["community12"]
    for _ in range(4):
        assert send(clerk, tree["health"], item, [c11]).decision == Decision.SENT
    fifth = send(clerk, tree["health"], item, [c11, c12])

    assert states(fifth) == {"S1C1": S.REFUSED_AT_GATE, "S1C2": S.DELIVERED}
    assert "4" in reasons(fifth)["S1C1"] and "每季度" in reasons(fifth)["S1C1"]
    # A new year starts the count again.
    frozen(dt.date(TODAY.year + 1, 1, 4))
    item.year = TODAY.year + 1
    item.save()
    assert send(clerk, tree["health"], item, [c11]).decision == Decision.SENT


def test_an_order_the_community_refused_does_not_count_towards_the_frequency(tree, items, clerk, community_worker):
    item = items[ItemKind.TASK]
    item.frequency = Frequency.ONCE
    item.save()
    first = send(clerk, tree["health"], item, [tree["community11"]])
    services.delivery_refuse(actor=community_worker, delivery=first.deliveries.get(), reason="要求每周上报，超出事项")
    assert send(clerk, tree["health"], item, [tree["community11"]]).decision == Decision.SENT
    assert send(clerk, tree["health"], item, [tree["community11"]]).decision == Decision.REFUSED


def test_an_order_costing_more_hours_than_its_item_is_refused_as_a_whole(tree, items, clerk):
    order = send(clerk, tree["health"], items[ItemKind.MEETING], [tree["community11"]], hours="6")
    assert order.decision == Decision.REFUSED
    assert "6" in order.refusal and "2" in order.refusal
    assert states(order) == {"S1C1": S.REFUSED_AT_GATE}


def test_an_item_of_another_kind_is_refused(tree, items, clerk):
    order = send(clerk, tree["health"], items[ItemKind.MEETING], [tree["community11"]], kind=ItemKind.CAMPAIGN)
    assert order.decision == Decision.REFUSED
    assert "不涵盖这类工作" in reasons(order)["S1C1"]


def test_only_the_items_own_department_sends_under_it(tree, items, frozen):
    civil_clerk = person("civil", Role.CLERK, tree["civil_affairs"])
    order = send(civil_clerk, tree["civil_affairs"], items[ItemKind.TASK], [tree["community11"]])
    assert order.decision == Decision.REFUSED and "卫健局" in order.refusal


@pytest.mark.parametrize("kind", [ItemKind.LEDGER, ItemKind.SURVEY])
def test_reports_and_surveys_are_refused_with_a_pointer_to_the_ledger(kind, tree, clerk, frozen):
    item = make_item("WJ-TZ", "独居老人关爱服务台账", tree["health"], kind)
    order = send(clerk, tree["health"], item, [tree["community11"]])
    assert order.decision == Decision.REFUSED and "台账" in order.refusal
    assert order.kind == kind and order.item == item  # recorded all the same


def test_a_streets_order_is_refused_out_of_scope(tree, street_meeting, street_worker, frozen):
    c11, c12, c21 = tree["community11"], tree["community12"], tree["community21"]
    c12.community_type = "bungalow"
    c12.save()
    street_meeting.scope_community_types = ["commercial", "resettlement"]
    street_meeting.save()
    for community in (c11, c21):
        community.community_type = "commercial"
        community.save()

    order = send(street_worker, tree["street1"], street_meeting, [c11, c12, c21])

    assert states(order) == {"S1C1": S.DELIVERED, "S1C2": S.REFUSED_AT_GATE, "S2C1": S.REFUSED_AT_GATE}
    assert "其他类型" in reasons(order)["S1C2"]
    assert "第1街道" in reasons(order)["S2C1"]  # in scope, but not the street's own community


def test_a_street_sends_only_the_items_in_force_it_owns(tree, items, street_worker, frozen):
    order = send(street_worker, tree["street1"], items[ItemKind.MEETING], [tree["community11"]])
    assert order.decision == Decision.REFUSED and "卫健局" in order.refusal


def test_all_in_scope_sends_to_every_community_the_item_covers(tree, items, clerk):
    order = send(clerk, tree["health"], items[ItemKind.TASK], [], all_in_scope=True)
    assert states(order) == {"S1C1": S.DELIVERED, "S1C2": S.DELIVERED}


def test_who_may_send_and_what_is_checked_before_anything_is_recorded(
    tree, items, clerk, community_worker, street_worker
):
    with pytest.raises(PermissionDenied):
        send(community_worker, tree["community11"], items[ItemKind.TASK], [tree["community11"]])
    with pytest.raises(PermissionDenied):
        send(street_worker, tree["street2"], items[ItemKind.TASK], [tree["community21"]])
    with pytest.raises(DomainError):
        send(clerk, tree["health"], items[ItemKind.TASK], [])
    with pytest.raises(DomainError):
        send(clerk, tree["health"], items[ItemKind.TASK], [tree["street1"]])
    with pytest.raises(DomainError):
        send(clerk, tree["health"], items[ItemKind.TASK], [tree["community11"]], kind=ItemKind.CERTIFICATE)
    assert not Order.objects.exists() and not Delivery.objects.exists()


def test_an_item_not_in_force_any_more_is_refused(tree, items, clerk, frozen):
    item = items[ItemKind.PLATFORM]
    item.temporary, item.valid_until = True, TODAY + dt.timedelta(days=3)
    item.save()
    assert send(clerk, tree["health"], item, [tree["community11"]]).decision == Decision.SENT
    frozen(TODAY + dt.timedelta(days=10))
    assert send(clerk, tree["health"], item, [tree["community11"]], hours=Decimal(1)).decision == Decision.REFUSED


def test_an_item_needed_every_other_year_still_allows_one_order_this_year(tree, items, clerk):
    item = items[ItemKind.TASK]
    item.frequency, item.occurrences_per_year = Frequency.AS_NEEDED, Decimal("0.5")
    item.save()
    assert send(clerk, tree["health"], item, [tree["community11"]]).decision == Decision.SENT
    assert send(clerk, tree["health"], item, [tree["community11"]]).decision == Decision.REFUSED
