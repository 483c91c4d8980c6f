"""Acceptance (issue 20, point 5), in headless Chromium on a phone: a community worker tries to put up a
fourth plaque without an item and is refused with the rule; then registers it on the approved
work-body item that covers the community, sees it listed, and the before/after page counts it."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from jianfu.catalog import plaques
from jianfu.catalog.models import Category, Frequency, ItemKind, Plaque, WorkItem
from jianfu.core import clock
from jianfu.orgs.models import Role

from .test_browser import ARTIFACTS
from .test_browser_orders import as_user, contexts, fits, person  # noqa: F401  (the fixture and helpers)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PRACTICE = "社区新时代文明实践站"


def test_a_community_registers_a_plaque_covered_by_an_item(contexts, live_server, tree):  # noqa: F811
    community = tree["community11"]
    for name in plaques.STANDING:
        plaques.plaque_register(actor=None, community=community, name=name)
    item = WorkItem.objects.create(
        code="B1",
        name=PRACTICE,
        kind=ItemKind.BODY,
        category=Category.DUTY,
        department=tree["civil_affairs"],
        year=clock.today().year,
        legal_basis="《中华人民共和国城市居民委员会组织法》第四条",
        frequency=Frequency.YEARLY,
        hours_per_occurrence=Decimal(2),
    )
    item.scope_streets.set([tree["street1"]])
    person("c11", Role.COMMUNITY, community)

    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    page = as_user(contexts, live_server, "c11", **phone)
    page.goto(f"{live_server.url}/plaques/")
    page.get_by_test_id(f"community-{community.code}").get_by_role("link").click()
    expect(page.get_by_test_id("total")).to_contain_text("3")

    # Without an item: refused, with the rule; nothing goes up.
    form = page.get_by_test_id("plaque-form")
    form.locator("#id_kind").select_option("plaque")
    form.locator("#id_name").fill(PRACTICE)
    form.get_by_role("button").click()
    expect(page.locator(".message.error")).to_contain_text("社区党组织")
    assert Plaque.objects.filter(community=community).count() == 3

    # On the item that covers the community: it goes up and is listed.
    form = page.get_by_test_id("plaque-form")
    form.locator("#id_name").fill(PRACTICE)
    form.locator("#id_item").select_option(str(item.pk))
    form.get_by_role("button").click()
    expect(page.locator(".message.success")).to_contain_text(PRACTICE)
    plaque = Plaque.objects.get(community=community, name=PRACTICE)
    row = page.get_by_test_id(f"plaque-{plaque.pk}")
    expect(row.get_by_test_id("item")).to_contain_text("B1")
    expect(page.get_by_test_id("total")).to_contain_text("4")
    fits(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plaques-community-phone.png"), full_page=True)

    # The before/after page reads the same records.
    page.goto(f"{live_server.url}/plaques/")
    expect(page.get_by_test_id(f"community-{community.code}").locator("td").nth(2)).to_have_text("4")
