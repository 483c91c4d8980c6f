"""In headless Chromium: the application form asks for the higher basis only while a campaign or an
inspection is chosen (issue 19, point 3), and a street worker applies for the street without a choice
of streets (point 1)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, server, username):
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Test-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/")


def test_the_higher_basis_shows_for_campaigns_and_inspections_only(page, live_server, tree, clerk):
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/access/new/")
    basis = page.get_by_test_id("higher-basis")
    page.locator("#id_kind").select_option("ledger")
    expect(basis).to_be_hidden()
    page.locator("#id_kind").select_option("campaign")
    expect(basis).to_be_visible()
    expect(basis).to_contain_text("文件名称和文号")
    page.locator("#id_kind").select_option("inspection")
    expect(basis).to_be_visible()
    page.locator("#id_kind").select_option("meeting")
    expect(basis).to_be_hidden()


def test_a_street_worker_applies_for_the_street(page, live_server, tree, street_worker):
    log_in(page, live_server, "street")
    page.goto(f"{live_server.url}/access/")
    page.get_by_role("button", name="新建申请").click()
    expect(page.get_by_test_id("applicant")).to_have_text("申请单位：第1街道")
    expect(page.locator("input[name=scope_streets]")).to_have_count(0)
