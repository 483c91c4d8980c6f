"""Acceptance in headless Chromium on the demo district: the office opens the burden monitor, sees
the charts drawn by the vendored ECharts, and drills from the district to a street, a community and
its grids; a visitor with no login opens that community's public page on a phone and finds its
commitments, its evaluation result and its burden figures. Both screenshots are kept as test
artefacts. One test, so the demo district is loaded once."""

import pytest
from playwright.sync_api import expect

from .test_browser import ARTIFACTS, demo_server, log_in  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_drills_to_a_community_and_a_visitor_reads_its_public_page(page, phone_page, demo_server):  # noqa: F811
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(demo_server.url) else None)
    log_in(page, demo_server, "office")
    page.get_by_role("link", name="减负监测").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("慈溪市")
    headline = page.get_by_test_id("headline")
    expect(headline.locator('tr[data-indicator="certificates_issued"] td').nth(2)).to_contain_text("%")
    for chart in ("index-trend", "ranking", "heat"):
        expect(page.locator(f"#chart-{chart} [data-chart-canvas] svg path").first).to_be_attached()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "monitor-dashboard.png"), full_page=True)

    page.get_by_test_id("children").get_by_role("link", name="古塘街道").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("古塘街道")
    page.get_by_test_id("children").get_by_role("link", name="古塘社区").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("古塘社区")
    expect(page.get_by_test_id("grids")).to_contain_text("古塘社区第一网格")
    expect(page.locator("nav[aria-label=breadcrumb]")).to_contain_text("古塘街道")
    assert outside == []

    phone = phone_page
    phone.goto(f"{demo_server.url}/portal/")
    expect(phone.get_by_test_id("burden-figures")).to_contain_text("负担指数")
    phone.get_by_test_id("regions").get_by_role("link", name="古塘社区").click()
    expect(phone.get_by_role("heading", name="古塘社区", level=1)).to_be_visible()
    expect(phone.get_by_test_id("commitments").get_by_test_id("duty-phone").first).to_be_visible()
    expect(phone.get_by_test_id("commitments").get_by_test_id("complaint-phone").first).to_be_visible()
    expect(phone.get_by_test_id("results").get_by_test_id("score").first).to_be_visible()
    figures = phone.get_by_test_id("burden-figures")
    expect(figures.locator('tr[data-indicator="plaques"] td').nth(1)).to_have_text("3.0")
    expect(figures.locator("[data-chart-canvas] svg path").first).to_be_attached()
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "the public community page scrolls sideways on a phone"
    phone.screenshot(path=str(ARTIFACTS / "portal-community-demo-phone.png"), full_page=True)
