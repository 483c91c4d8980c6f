"""Acceptance 3: a community worker rates three departments in the browser; after close and release,
a department clerk sees its own score and comments, and no other department's comments."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from jianfu.core import clock
from jianfu.evaluation import scoring, services
from jianfu.evaluation.models import Campaign, Comment
from jianfu.evaluation.tests.conftest import create, person
from jianfu.orgs.models import OrgKind, Role
from jianfu.orgs.services import org_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Test-pass-2026"
RATINGS = {  # department: (keeps the access rules, guidance and service, work style, whistles), comment
    "卫健局": (("很满意", "满意", "满意", "很满意"), "卫健局指导及时，培训实在"),
    "民政局": (("基本满意", "不满意", "基本满意", "满意"), "民政局报表仍然偏多"),
    "住建局": (("不满意", "基本满意", "不满意", "基本满意"), "住建局很少到社区"),
}


@pytest.fixture
def frozen(monkeypatch):
    today = dt.date(2026, 12, 7)
    monkeypatch.setattr(clock, "today", lambda: today)
    monkeypatch.setattr(clock, "now", lambda: dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC))


def log_in(browser, server, username):
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/")
    return page


def test_a_community_rates_three_departments_and_each_sees_only_its_own_comments(
    browser, live_server, tree, office, community_worker, clerk, frozen
):
    org_create(actor=None, code="ZJ", name="住建局", kind=OrgKind.DEPARTMENT, parent=tree["district"])
    person("civil", Role.CLERK, tree["civil_affairs"])
    campaign = create(office, title="2026年度社区和街道评议部门")
    services.campaign_open(actor=office, campaign=campaign)

    worker = log_in(browser, live_server, "community")
    worker.get_by_role("link", name="评议", exact=True).click()
    worker.get_by_test_id("to-rate").get_by_role("link", name="2026年度社区和街道评议部门").click()
    expect(worker.get_by_role("heading", name="街道1社区1评议部门")).to_be_visible()
    for name, (levels, comment) in RATINGS.items():
        card = worker.get_by_test_id(f"card-{name}")
        fieldsets = card.locator("fieldset")
        for n, level in enumerate(levels):
            fieldsets.nth(n).get_by_label(level, exact=True).check()
        card.get_by_label("意见建议").fill(comment)
        card.get_by_role("button", name="保存评分").click()
        expect(worker.get_by_test_id(f"card-{name}").get_by_test_id("saved")).to_have_text("已保存")
    assert Comment.objects.count() == 3

    # The office reads the comments, closes the ballots and releases the results.
    for c in Comment.objects.all():
        services.comment_moderate(actor=office, comment=c, approve=True)
    services.campaign_close(actor=office, campaign=campaign)
    services.campaign_release(actor=office, campaign=Campaign.objects.get(pk=campaign.pk))
    expected = {r.target.name: r for r in scoring.results(Campaign.objects.get(pk=campaign.pk))}

    health = log_in(browser, live_server, "clerk")
    health.get_by_role("link", name="评议", exact=True).click()
    health.get_by_test_id("mine").get_by_role("link").click()
    expect(health.get_by_role("heading", name="卫健局")).to_be_visible()
    expect(health.get_by_test_id("score")).to_have_text(str(expected["卫健局"].score))
    expect(health.get_by_test_id("rank")).to_have_text("第 1 名（共 3 个）")
    expect(health.get_by_test_id("comments")).to_contain_text("卫健局指导及时，培训实在")
    expect(health.get_by_test_id("comments")).not_to_contain_text("街道1社区1")  # never who wrote it

    # Another department's page shows its score but none of its comments.
    other = campaign.targets.get(name="民政局")
    health.goto(f"{live_server.url}/evaluation/{campaign.pk}/targets/{other.pk}/")
    expect(health.get_by_test_id("score")).to_have_text(str(expected["民政局"].score))
    expect(health.get_by_test_id("comments")).to_have_count(0)
    expect(health.locator("body")).not_to_contain_text("民政局报表仍然偏多")
    expect(health.locator("body")).not_to_contain_text("住建局很少到社区")
