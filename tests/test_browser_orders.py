"""Acceptance (issue 19, point 2), in headless Chromium: a street sends a meeting notice to three
communities, one outside its item's scope, and sees that one refused with the reason at once; the
other two find it in their list (on a phone); then the same order through the API is decided alike."""

import json
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from jianfu.catalog.models import Category, Frequency, ItemKind, WorkItem
from jianfu.core import clock
from jianfu.orders.models import Order
from jianfu.orgs.models import Role, User
from jianfu.orgs.services import membership_grant

from .test_browser import ARTIFACTS, CHROMIUM_ARGS_CONTEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Test-pass-2026"
MEETING = "街道（镇）社区工作例会"


def street_item(tree, code, name, kind, **fields) -> WorkItem:
    item = WorkItem.objects.create(
        code=code,
        name=name,
        kind=kind,
        category=Category.DUTY,
        department=tree["street1"],
        year=clock.today().year,
        legal_basis="《中华人民共和国城市居民委员会组织法》第二条第二款",
        frequency=Frequency.MONTHLY,
        hours_per_occurrence=Decimal(2),
        **fields,
    )
    item.scope_streets.set([tree["street1"]])
    return item


def person(username, role, org) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    membership_grant(actor=None, user=user, org=org, role=role)
    return user


@pytest.fixture
def contexts(browser):
    """Each signed-in person's browser, closed when the test ends (with the live server's connections)."""
    opened = []

    def new(**options):
        context = browser.new_context(**(CHROMIUM_ARGS_CONTEXT | options))
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def as_user(contexts, server, username, **context):
    page = contexts(**context).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/")
    return page


def received(page, server) -> list[str]:
    page.goto(f"{server.url}/orders/")
    return page.locator("[data-testid=received] [data-testid=number]").all_inner_texts()


def fits(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways on a phone: {width[0]} > {width[1]}"


def test_a_street_sends_a_meeting_notice_and_the_one_out_of_scope_is_refused(contexts, live_server, tree):
    meeting = street_item(tree, "S1-HY", MEETING, ItemKind.MEETING)
    street_item(tree, "S1-RW", "街道网格走访任务", ItemKind.TASK)
    person("street", Role.STREET, tree["street1"])
    person("c11", Role.COMMUNITY, tree["community11"])
    person("c12", Role.COMMUNITY, tree["community12"])
    person("c21", Role.COMMUNITY, tree["community21"])

    # The street fills the order: the kind narrows the items to its own meetings in force.
    street = as_user(contexts, live_server, "street")
    street.get_by_role("link", name="工作派单").click()
    street.get_by_role("button", name="派发工作").click()
    street.locator("#id_kind").select_option("meeting")
    expect(street.locator("#id_item option", has_text="街道网格走访任务")).to_have_count(0)
    street.locator("#id_item").select_option(label=street.locator("#id_item option", has_text=MEETING).inner_text())
    street.locator("#id_title").fill("3月社区工作例会通知")
    street.locator("#id_instructions").fill("请社区书记周一上午9点到街道三楼会议室参会")
    street.locator("#id_hours").fill("2")
    street.locator("#id_workdays").fill("3")
    communities = street.get_by_test_id("communities")
    communities.get_by_label("街道1社区1").check()
    communities.get_by_label("街道1社区2").check()
    communities.get_by_text("第2街道").click()  # the other street's group opens
    communities.get_by_label("街道2社区1").check()
    ARTIFACTS.mkdir(exist_ok=True)
    street.screenshot(path=str(ARTIFACTS / "orders-street-form.png"), full_page=True)
    street.get_by_role("button", name="派发至所选社区").click()

    # At once: two delivered, the other street's community refused with the rule.
    expect(street.get_by_test_id("decision")).to_have_text("已派发，部分社区被拦截")
    refused = street.get_by_test_id("delivery-S2C1")
    expect(refused.get_by_test_id("state")).to_have_text("准入拦截")
    expect(refused.get_by_test_id("reason")).to_contain_text("只准入其他街道")
    expect(street.get_by_test_id("delivery-S1C1").get_by_test_id("state")).to_have_text("待办")
    expect(street.get_by_test_id("delivery-S1C2").get_by_test_id("state")).to_have_text("待办")
    expect(street.locator(".message.warning")).to_contain_text("街道2社区1")
    number = Order.objects.get().number
    street.screenshot(path=str(ARTIFACTS / "orders-street-sent.png"), full_page=True)

    # The two communities find it in their list, on a phone; the refused one never sees it.
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    pages = {name: as_user(contexts, live_server, name, **phone) for name in ("c11", "c12", "c21")}
    assert received(pages["c11"], live_server) == [number]
    assert received(pages["c12"], live_server) == [number]
    assert received(pages["c21"], live_server) == []
    row = pages["c11"].get_by_test_id(f"order-{number}")
    expect(row).to_contain_text(MEETING)
    expect(row).to_contain_text("还剩3个工作日")
    fits(pages["c11"])
    pages["c11"].screenshot(path=str(ARTIFACTS / "orders-community-phone.png"), full_page=True)

    # The same order through the API, by the same street, is decided alike.
    csrf = next(c["value"] for c in street.context.cookies() if c["name"] == "csrftoken")
    answer = street.request.post(
        f"{live_server.url}/api/v1/orders/",
        data=json.dumps(
            {
                "kind": "meeting",
                "item": meeting.code,
                "title": "3月社区工作例会通知",
                "hours": "2",
                "workdays": 3,
                "communities": ["S1C1", "S1C2", "S2C1"],
            }
        ),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf, "Referer": live_server.url},
    )
    assert answer.status == 201, answer.text()
    body = answer.json()
    outcome = {d["community"]: d["state"] for d in body["deliveries"]}
    assert outcome == {"S1C1": "delivered", "S1C2": "delivered", "S2C1": "refused_at_gate"}
    reason = next(d["refusal"] for d in body["deliveries"] if d["community"] == "S2C1")
    assert reason == refused.get_by_test_id("reason").inner_text().strip()
    assert received(pages["c11"], live_server) == [body["number"], number]
    assert received(pages["c21"], live_server) == []
