"""Acceptance, on a phone-sized screen in headless Chromium, with no login: a resident opens the
portal, goes to their community's page, and finds the departments' commitments with a duty phone
and a complaint phone, and the community's released evaluation result. Nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from jianfu.portal.tests.conftest import freeze, hearing, make_campaigns, make_commitments

from .test_browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways on a phone: {width[0]} > {width[1]}"


def test_a_visitor_on_a_phone_finds_the_commitments_and_the_released_result_of_a_community(
    phone_page, live_server, tree, office, community_worker, monkeypatch
):
    freeze(monkeypatch)
    make_commitments(tree)
    campaign = make_campaigns(tree, office)["released"]
    result = campaign.targets.get(org=tree["community11"], worker__isnull=True).result
    hearing(community_worker, tree["community11"], subject="幸福路12号烧烤店油烟扰民居民听证会")

    page = phone_page
    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_role("heading", name="测试区社区公开")).to_be_visible()
    fits(page)
    page.get_by_test_id("regions").get_by_role("link", name="街道1社区1").click()

    expect(page.get_by_role("heading", name="街道1社区1", level=1)).to_be_visible()
    commitment = page.get_by_test_id("commitments").locator("article", has_text="卫健局")
    expect(commitment.get_by_test_id("duty-phone")).to_have_text("0574-63012301")
    expect(commitment.get_by_test_id("duty-phone")).to_have_attribute("href", "tel:0574-63012301")
    expect(commitment.get_by_test_id("complaint-phone")).to_have_text("12320")
    expect(page.get_by_test_id("commitments")).not_to_contain_text("民政局")  # promised to the other street only

    released = page.get_by_test_id(f"result-{campaign.pk}")
    expect(released).to_contain_text("2026年度居民评议社区")
    expect(released.get_by_test_id("score")).to_have_text(str(result.score))
    expect(released).to_contain_text("80.00%")
    expect(page.get_by_test_id("results")).not_to_contain_text("复评")  # closed, not released
    expect(page.get_by_test_id("deliberations")).to_contain_text("幸福路12号烧烤店油烟扰民居民听证会")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-community-phone.png"), full_page=True)
    fits(page)
