"""The pages and the API of work orders: a community sees what reached it, marks it done or refuses it
with a receipt; the buttons are the API's actions; every move writes one history row and one audit
entry; the API sends and refuses as the page does."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from jianfu.audit.models import AuditEntry
from jianfu.catalog.models import ItemKind
from jianfu.core import workflow
from jianfu.orders.machines import DELIVERY
from jianfu.orders.models import Decision, Delivery, DeliveryEvent, DeliveryState, Order

from .conftest import send

pytestmark = pytest.mark.django_db
S = DeliveryState


@pytest.fixture
def order(tree, items, clerk):
    return send(
        clerk,
        tree["health"],
        items[ItemKind.INSPECTION],
        [tree["community11"], tree["community12"], tree["community21"]],
        title="春节前消防安全检查",
    )


def delivery(order, code) -> Delivery:
    return order.deliveries.get(community__code=code)


def footprint(d: Delivery) -> tuple:
    d.refresh_from_db()
    return d.state, DeliveryEvent.objects.filter(delivery=d).count(), AuditEntry.objects.count()


def buttons(html: str, number: str) -> set[tuple[str, str]]:
    """(community code, action) of every button on an order's page."""
    found = set()
    prefix = re.escape(reverse("orders:detail", args=[number]))
    form_action = None
    for tag in re.finditer(r"<(form|button)\b([^>]*)>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(2)))
        if tag.group(1) == "form":
            form_action = attrs.get("action")
            continue
        target = attrs.get("formaction") or form_action or ""
        match = re.match(prefix + r"([^/]+)/([a-z_]+)/$", target)
        if match and match.group(2) in DELIVERY.actions:
            found.add((match.group(1), match.group(2)))
    return found


def api_actions(client, number) -> set[tuple[str, str]]:
    body = client.get(f"/api/v1/orders/{number}/").json()
    return {(d["community"], a) for d in body["deliveries"] for a in d["actions"]}


def test_a_community_sees_its_orders_with_the_item_the_hours_and_the_deadline(client, order, community_worker):
    client.force_login(community_worker)
    page = client.get(reverse("orders:list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert order.number in body and "春节前消防安全检查" in body and "消防安全隐患排查检查" in body
    assert "5个工作日" in body  # due five working days after it was sent, all still ahead
    assert 'data-testid="total"' in body and "共 1" in body
    detail = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "S2C1" not in detail  # a community sees its own delivery only


def test_a_community_marks_an_order_done(client, order, community_worker):
    d = delivery(order, "S1C1")
    state, history, entries = footprint(d)
    client.force_login(community_worker)
    client.post(reverse("orders:action", args=[order.number, "S1C1", "done"]))
    assert footprint(d) == (S.DONE, history + 1, entries + 1)
    assert AuditEntry.objects.order_by("-seq").first().action == "order.done"
    assert DeliveryEvent.objects.filter(delivery=d).last().actor == community_worker


def test_a_community_refuses_an_order_with_a_printable_receipt(client, order, community_worker, clerk):
    d = delivery(order, "S1C1")
    _state, history, entries = footprint(d)
    client.force_login(community_worker)
    url = reverse("orders:action", args=[order.number, "S1C1", "refuse"])
    client.post(url, {"reason": ""})
    assert footprint(d)[0] == S.DELIVERED  # a refusal says why
    answer = client.post(url, {"reason": "要求每天拍照上传检查记录，事项只准每月一次"}, follow=True)
    assert footprint(d) == (S.REFUSED_BY_COMMUNITY, history + 1, entries + 1)
    receipt = reverse("orders:receipt", args=[order.number, "S1C1"])
    assert answer.redirect_chain[-1][0] == receipt
    body = answer.content.decode()
    assert "卫健局" in body and "要求每天拍照上传检查记录" in body and "@media print" in body
    # The sender opens the same link.
    client.force_login(clerk)
    assert "要求每天拍照上传检查记录" in client.get(receipt).content.decode()


def test_only_the_community_reached_answers_and_an_answered_order_stays(client, order, outsider, community_worker):
    client.force_login(outsider)
    assert client.post(reverse("orders:action", args=[order.number, "S1C1", "done"])).status_code == 404
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 404  # refused at its gate
    client.force_login(community_worker)
    client.post(reverse("orders:action", args=[order.number, "S1C1", "done"]))
    before = footprint(delivery(order, "S1C1"))
    answer = client.post(
        f"/api/v1/orders/{order.number}/S1C1/refuse/", {"reason": "x"}, content_type="application/json"
    )
    assert answer.status_code == 409 and footprint(delivery(order, "S1C1")) == before


@pytest.mark.parametrize("who", ["clerk", "community_worker", "street_worker", "office"])
def test_the_buttons_are_the_actions_the_api_gives(client, order, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("orders:detail", args=[order.number]))
    api = client.get(f"/api/v1/orders/{order.number}/")
    assert page.status_code == api.status_code
    if api.status_code == 404:
        return
    shown = buttons(page.content.decode(), order.number)
    assert shown == api_actions(client, order.number)
    expected = {
        (d.community.code, a)
        for d in order.deliveries.select_related("community")
        for a in workflow.available(DELIVERY, user, d)
    }
    assert shown == expected
    assert bool(shown) == (who == "community_worker")


def test_the_sender_sees_every_outcome_at_once_on_the_page(client, tree, items, clerk):
    client.force_login(clerk)
    page = client.get(reverse("orders:new"))
    assert page.status_code == 200 and "独居老人定期走访" in page.content.decode()
    answer = client.post(
        reverse("orders:new"),
        {
            "kind": "inspection",
            "item": items[ItemKind.INSPECTION].pk,
            "title": "春节前消防安全检查",
            "hours": "2",
            "workdays": "5",
            "communities": ["S1C1", "S2C1"],
            "send": "chosen",
        },
        follow=True,
    )
    order = Order.objects.get()
    assert answer.redirect_chain[-1][0] == reverse("orders:detail", args=[order.number])
    body = answer.content.decode()
    assert "已拒绝" in body or "拒绝" in body
    assert "只准入其他街道" in body
    listed = client.get(reverse("orders:list")).content.decode()
    assert order.number in listed and "拦截 1" in listed


def test_an_order_refused_as_a_whole_stays_on_the_form_with_the_reason(client, tree, items, clerk):
    client.force_login(clerk)
    answer = client.post(
        reverse("orders:new"),
        {
            "kind": "task",
            "item": "",
            "title": "入户宣传家庭医生签约",
            "hours": "1",
            "workdays": "3",
            "communities": ["S1C1"],
            "send": "chosen",
        },
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "申请准入" in body and "入户宣传家庭医生签约" in body
    assert Order.objects.get().decision == Decision.REFUSED


def test_the_form_lists_only_the_senders_own_items_of_the_kind(client, tree, items, street_meeting, street_worker):
    client.force_login(street_worker)
    body = client.get(reverse("orders:new") + "?kind=meeting").content.decode()
    assert "街道（镇）社区工作例会" in body and "三方协调会议" not in body
    assert body.index("第1街道") < body.index("第2街道")  # its own street first


def test_pages_refuse_those_who_send_nothing_and_receive_nothing(client, tree, resident, community_worker):
    client.force_login(resident)
    assert client.get(reverse("orders:list")).status_code == 403
    client.force_login(community_worker)
    assert client.get(reverse("orders:new")).status_code == 403
    client.logout()
    assert client.get(reverse("orders:list")).status_code == 302


def test_the_api_sends_and_refuses_as_the_page_does(client, tree, items, clerk, community_worker):
    client.force_login(clerk)
    payload = {
        "kind": "inspection",
        "item": items[ItemKind.INSPECTION].code,
        "title": "春节前消防安全检查",
        "hours": "2",
        "workdays": 5,
        "communities": ["S1C1", "S2C1"],
    }
    answer = client.post("/api/v1/orders/", payload, content_type="application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    outcome = {d["community"]: (d["state"], d["refusal"]) for d in body["deliveries"]}
    assert outcome["S1C1"] == ("delivered", "")
    assert outcome["S2C1"][0] == "refused_at_gate" and "只准入其他街道" in outcome["S2C1"][1]

    refused = client.post("/api/v1/orders/", payload | {"item": None}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "order_refused"
    assert "申请准入" in refused.json()["message"]
    ledger = client.post("/api/v1/orders/", payload | {"kind": "ledger"}, content_type="application/json")
    assert ledger.status_code == 400 and "台账" in ledger.json()["message"]
    assert Order.objects.count() == 3  # every attempt recorded

    client.force_login(community_worker)
    mine = client.get("/api/v1/orders/").json()
    assert [o["number"] for o in mine] == [body["number"]]
    assert [d["community"] for d in mine[0]["deliveries"]] == ["S1C1"]
    assert mine[0]["deliveries"][0]["actions"] == ["done", "refuse"]
    done = client.post(f"/api/v1/orders/{body['number']}/S1C1/done/", content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "done"


def test_every_move_writes_one_history_row_and_one_audit_entry(tree, items, clerk, community_worker):
    entries = AuditEntry.objects.count()
    order = send(clerk, tree["health"], items[ItemKind.TASK], [tree["community11"], tree["community21"]])
    # One opening row and entry per community, one entry for the order.
    assert DeliveryEvent.objects.filter(delivery__order=order).count() == 2
    assert AuditEntry.objects.count() == entries + 3
    gate = delivery(order, "S2C1").history.get()
    assert (gate.action, gate.to_state) == ("refuse_at_gate", S.REFUSED_AT_GATE) and gate.note
    from jianfu.orders import services

    d = delivery(order, "S1C1")
    _s, history, entries = footprint(d)
    services.delivery_done(actor=community_worker, delivery=d)
    assert footprint(d) == (S.DONE, history + 1, entries + 1)


def test_hours_are_read_as_decimals(tree, items, clerk):
    order = send(clerk, tree["health"], items[ItemKind.TASK], [tree["community11"]], hours="1.5")
    assert order.hours == Decimal("1.5")


def test_the_api_refuses_malformed_orders_with_a_400_and_records_nothing(client, tree, items, clerk):
    client.force_login(clerk)
    good = {"kind": "task", "item": items[ItemKind.TASK].code, "title": "走访", "hours": "1", "workdays": 3}
    for bad in ({"workdays": 10**9}, {"hours": "1e30"}, {"title": "长" * 201}, {"communities": ["S1"]}):
        answer = client.post("/api/v1/orders/", good | {"communities": ["S1C1"]} | bad, content_type="application/json")
        assert answer.status_code == 400, (bad, answer.content)
    assert not Order.objects.exists()
    anonymous = client.__class__()
    assert anonymous.post("/api/v1/orders/", good, content_type="application/json").status_code == 401
