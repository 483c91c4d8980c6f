"""End to end in headless Debian Chromium: real login, real pages, real permissions."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from jianfu.demo.orgs import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS_CONTEXT = {"locale": "zh-CN"}


@pytest.fixture
def demo_server(live_server):
    call_command("load_demo", stdout=io.StringIO())
    return live_server


def log_in(page, server, username):
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/")


def community_names(page):
    return page.locator("[data-testid=communities] tbody td:first-child a").all_inner_texts()


def test_a_community_worker_sees_only_its_own_community(page, demo_server):
    log_in(page, demo_server, "community")
    page.get_by_text("我的社区").click()
    assert community_names(page) == ["古塘社区"]
    page.get_by_role("link", name="古塘社区").click()
    expect(page.get_by_role("heading", name="古塘社区")).to_be_visible()  # waits for the page the click opened
    expect(page.get_by_text("古塘社区第一网格")).to_be_visible()
    # Another street's community is simply not there.
    response = page.goto(f"{demo_server.url}/orgs/330282001001/")
    assert response.status == 404


def test_a_street_worker_sees_all_of_its_street_and_none_of_another(page, demo_server):
    log_in(page, demo_server, "street")
    page.goto(f"{demo_server.url}/orgs/")
    names = community_names(page)
    assert len(names) == 10 and "古塘社区" in names and "旦苑社区" in names
    assert "青少年宫路社区" not in names  # 浒山街道
    # Live search narrows the table through htmx without reloading the page.
    page.get_by_placeholder("按名称或编码搜索").fill("旦苑")
    expect(page.locator("[data-testid=communities] tbody tr")).to_have_count(1)
    assert community_names(page) == ["旦苑社区"]


def test_the_home_page_works_on_a_phone_in_chinese_and_english(phone_page, demo_server):
    phone_page.goto(demo_server.url)
    assert phone_page.get_by_role("heading", level=1).inner_text().startswith("非准不入")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    phone_page.screenshot(path=str(ARTIFACTS / "home-phone.png"), full_page=True)
    phone_page.get_by_role("button", name="English").click()
    assert phone_page.get_by_role("heading", level=1).inner_text() == "Nothing enters a community unapproved"
