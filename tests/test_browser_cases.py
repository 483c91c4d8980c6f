"""Acceptance, on a phone-sized screen in headless Chromium: a grid worker reports a matter with a
photo; the community blows a whistle from it; the department responds and resolves; the reporter
confirms; the case shows every step with its time."""

import re

import pytest
from playwright.sync_api import expect

from jianfu.cases.models import Case, GroupKind, Matter, MatterGroup
from jianfu.orgs import services as orgs
from jianfu.orgs.models import OrgKind, Role, User

from .test_browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Test-pass-2026"  # the named cast's password (root conftest)
PHONE = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def city_clerk(tree):
    city = orgs.org_create(actor=None, code="CG", name="城管局", kind=OrgKind.DEPARTMENT, parent=tree["district"])
    group = MatterGroup.objects.create(
        district=tree["district"],
        code="A",
        name="城市管理类",
        kind=GroupKind.WHISTLE,
        respond_minutes=30,
        resolve_workdays=3,
    )
    Matter.objects.create(group=group, code="A02", name="路灯不亮", department=city)
    user = User.objects.create_user(username="cgclerk", password=PASSWORD, display_name="城管局经办人")
    orgs.membership_grant(actor=None, user=user, org=city, role=Role.CLERK)
    return user


def on_phone(browser, live_server, username):
    page = browser.new_context(**PHONE).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def press(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"


def test_a_whistle_from_a_grid_report_to_the_reporters_confirmation_on_a_phone(
    browser, live_server, tree, grid_worker, community_worker, city_clerk, tmp_path
):
    photo = tmp_path / "lamp.png"
    photo.write_bytes(PNG)

    # The grid worker reports from the phone page, with a photo.
    grid = on_phone(browser, live_server, "grid")
    grid.goto(f"{live_server.url}/cases/grid/")
    fits(grid)
    grid.get_by_test_id("report").click()
    grid.locator("#id_matter").select_option(label="路灯不亮")
    grid.locator("#id_request_type").select_option("complaint")
    grid.locator("#id_description").fill("幸福路12号路灯连续三晚不亮")
    grid.locator("#id_address").fill("幸福路12号")
    grid.locator("#id_photo").set_input_files(str(photo))
    fits(grid)
    press(grid, "提交")
    expect(grid.get_by_test_id("state")).to_have_text("已上报")
    expect(grid.get_by_test_id("photos").locator("img")).to_have_count(1)
    number = Case.objects.get().number

    # The community accepts it and blows the whistle to the department.
    community = on_phone(browser, live_server, "community")
    community.goto(f"{live_server.url}/cases/{number}/")
    press(community, "受理")
    expect(community.get_by_test_id("state")).to_have_text("已受理")
    community.locator("#id_dispatch-assignee").select_option(label="城管局")
    community.locator("#id_dispatch-reason").fill("请30分钟内到场")
    press(community, "派遣（吹哨）")
    expect(community.get_by_test_id("state")).to_have_text("已派遣")
    expect(community.get_by_test_id("assignee")).to_contain_text("城管局")

    # The department responds (报到) and resolves.
    clerk = on_phone(browser, live_server, "cgclerk")
    clerk.goto(f"{live_server.url}/cases/{number}/")
    press(clerk, "报到")
    expect(clerk.get_by_test_id("state")).to_have_text("已报到")
    clerk.locator("#id_resolve-reason").fill("已更换灯泡，恢复照明")
    press(clerk, "办结")
    expect(clerk.get_by_test_id("state")).to_have_text("已办结")

    # The reporter confirms: fixed, satisfied.
    grid.goto(f"{live_server.url}/cases/{number}/")
    grid.get_by_label("已解决").check()
    grid.get_by_label("满意", exact=True).check()
    press(grid, "确认结果")
    expect(grid.get_by_test_id("state")).to_have_text("已确认")

    # Every step, with its time.
    steps = grid.get_by_test_id("timeline").locator("li")
    expect(steps).to_have_count(6)
    texts = steps.all_inner_texts()
    for text, label in zip(texts, ["上报", "受理", "吹哨派遣", "报到", "办结", "确认"], strict=True):
        assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} · " + label, text), text
    assert "城管局" in texts[2] and "已更换灯泡" in texts[4]
    fits(grid)
    ARTIFACTS.mkdir(exist_ok=True)
    grid.screenshot(path=str(ARTIFACTS / "case-phone.png"), full_page=True)
    case = Case.objects.get()
    assert case.responded_on_time and case.satisfaction == "satisfied" and case.photos.count() == 1
