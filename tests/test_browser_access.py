"""Acceptance: one application walks through every state as the real roles, in headless Chromium,
then appears in the public catalog for a visitor who is not logged in."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from jianfu.access.models import Application, State
from jianfu.core import clock, workdays
from jianfu.demo.orgs import DEMO_PASSWORD
from jianfu.orgs.models import Org, Role, User
from jianfu.orgs.services import membership_grant

from .test_browser import CHROMIUM_ARGS_CONTEXT, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NAME = "社区母婴健康服务对象登记"


@pytest.fixture
def server(live_server):
    call_command("load_demo", stdout=io.StringIO())
    second = User.objects.create_user(username="danyuan", password=DEMO_PASSWORD, display_name="旦苑社区社工")
    membership_grant(actor=None, user=second, org=Org.objects.get(name="旦苑社区"), role=Role.COMMUNITY)
    return live_server


def as_user(browser, server, username):
    context = browser.new_context(**CHROMIUM_ARGS_CONTEXT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, username)
    return page


def click(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def test_an_application_walks_every_state_and_reaches_the_public_catalog(browser, server):
    start = workdays.add_workdays(clock.today(), 35)

    # The department clerk drafts and submits.
    clerk = as_user(browser, server, "clerk")
    clerk.goto(f"{server.url}/access/new/")
    clerk.locator("#id_name").fill(NAME)
    clerk.locator("#id_kind").select_option("ledger")
    clerk.locator("#id_category").select_option("duty")
    clerk.locator("#id_description").fill("每季度登记辖区孕产妇和0-3岁婴幼儿健康服务对象")
    clerk.locator("#id_reason").fill("落实母婴健康管理")
    clerk.locator("#id_legal_basis").fill("《中华人民共和国母婴保健法》第十四条")
    clerk.locator("#id_frequency").select_option("quarterly")
    clerk.locator("#id_hours_per_occurrence").fill("4")
    clerk.locator("#id_start_date").fill(start.isoformat())
    click(clerk, "保存草稿")
    number = Application.objects.get(name=NAME).number
    click(clerk, "提交")
    expect(clerk.get_by_test_id("state")).to_have_text("待初审")
    expect(clerk.get_by_test_id("burden")).to_contain_text("48")  # every community of the district

    # A member-unit reviewer passes the preliminary review.
    reviewer = as_user(browser, server, "reviewer")
    reviewer.goto(f"{server.url}/access/{number}/")
    click(reviewer, "初审通过")
    expect(reviewer.get_by_test_id("state")).to_have_text("初审通过")

    # The office consults two communities.
    office = as_user(browser, server, "office")
    office.goto(f"{server.url}/access/{number}/")
    # The picker (Tom Select) offers the application's streets and communities, searchable.
    picker = office.locator("#id_consult-orgs-ts-control")
    for name in ("古塘社区", "旦苑社区"):
        picker.fill(name[:2])
        office.locator(".ts-dropdown").get_by_role("option", name=name, exact=True).click()
    expect(office.locator("#id_consult-orgs option:checked")).to_have_count(2)
    office.locator("h1").click()  # leave the picker (its list closes) before pressing the form's button
    click(office, "征求意见")
    expect(office.get_by_test_id("state")).to_have_text("征求基层意见中")

    # Two community workers give their opinions.
    for username, opinion, comment in (
        ("community", "同意", ""),
        ("danyuan", "同意并提出建议", "建议与现有妇幼台账合并"),
    ):
        worker = as_user(browser, server, username)
        worker.goto(f"{server.url}/access/")
        worker.get_by_test_id("waiting").get_by_role("link", name=f"{number} {NAME}").click()
        worker.get_by_label(opinion, exact=True).check()
        if comment:
            worker.locator("#id_comment").fill(comment)
        click(worker, "提交意见")
        expect(worker.get_by_test_id("consultations")).to_contain_text(opinion)
        worker.context.close()

    # The office closes the consultation, convenes the joint meeting and records its decision.
    office.goto(f"{server.url}/access/{number}/")
    click(office, "结束征求意见")
    expect(office.get_by_test_id("state")).to_have_text("待联席会议审议")
    office.goto(f"{server.url}/access/meetings/")
    office.locator("#id_title").fill("第五次社区工作准入联席会议")
    office.locator("#id_held_on").fill(clock.today().isoformat())
    click(office, "召集")
    office.goto(f"{server.url}/access/{number}/")
    office.locator("#id_decision-meeting").select_option(label="第五次社区工作准入联席会议")
    office.get_by_label("修改后准入", exact=True).check()
    office.locator("#id_decision-reason").fill("确有必要，但频次过高")
    office.locator("#id_decision-changes").fill("频次由每季度改为每半年")
    click(office, "记录联席会议决定")
    expect(office.get_by_test_id("state")).to_have_text("修改后准入：待部门修改")

    # The clerk adjusts and hands it back.
    clerk.goto(f"{server.url}/access/{number}/")
    clerk.get_by_role("button", name="修改").click()
    clerk.locator("#id_frequency").select_option("half_yearly")
    clerk.locator("textarea[name=note]").fill("已改为每半年一次")
    click(clerk, "保存并提交准入办")
    expect(clerk.get_by_test_id("state")).to_have_text("已修改：待准入办确认")

    # The office accepts: the item enters the catalog, and the office publishes the catalog.
    office.goto(f"{server.url}/access/{number}/")
    click(office, "确认修改：准入")
    expect(office.get_by_test_id("state")).to_have_text("已准入")
    application = Application.objects.get(number=number)
    assert application.state == State.APPROVED and application.work_item.frequency == "half_yearly"
    # Seven moves and the two communities' answers, each an entry of the history.
    expect(office.get_by_test_id("timeline").locator("li")).to_have_count(9)
    expect(office.get_by_test_id("timeline").locator('li[data-action="give_opinion"]')).to_have_count(2)
    expect(office.get_by_test_id("decision-document")).to_be_visible()
    year = application.work_item.year
    office.goto(f"{server.url}/catalog/")
    office.locator("select[name=year]").select_option(str(year))
    click(office, "发布该年度目录")

    # A visitor with no login finds it in the public catalog.
    visitor = browser.new_context(**CHROMIUM_ARGS_CONTEXT).new_page()
    visitor.goto(f"{server.url}/catalog/{year}/")
    visitor.get_by_placeholder("搜索名称、编码或法律依据").fill("母婴")
    expect(visitor.get_by_test_id("catalog").locator("tbody tr")).to_have_count(1)
    expect(visitor.get_by_test_id("catalog")).to_contain_text(NAME)
    assert "登录" in visitor.content()  # still anonymous
