"""Acceptance: a community worker opens a report request, sees the fields the ledger filled, types the
rest and submits; the street and then the department accept; the period is locked."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from jianfu.core import clock
from jianfu.demo.orgs import DEMO_PASSWORD
from jianfu.ledger import services
from jianfu.ledger.models import Submission, SubmissionState, Value
from jianfu.ledger.services import Entry
from jianfu.ledger.tests.conftest import element, report_item

from .test_browser import CHROMIUM_ARGS_CONTEXT, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def request_sent(tree, clerk, community_worker, street_worker):
    for user in (clerk, community_worker, street_worker):
        user.set_password(DEMO_PASSWORD)
        user.save()
    health, community = tree["health"], tree["community11"]
    item = report_item(health, year=clock.today().year)
    staff = element(
        clerk, health, "ORG_STAFF", "社区专职工作者人数", derivation={"measure": "org", "field": "staff_count"}
    )
    room = element(clerk, health, "ROOM_M2", "健康小屋面积", period_type="as_of", value_type="decimal", unit="m²")
    lectures = element(clerk, health, "LECTURES", "健康讲座场次")
    followups = element(clerk, health, "FOLLOWUPS", "慢病随访次数")
    services.values_save(
        actor=community_worker,
        period=(clock.today() - dt.timedelta(days=40)).isoformat(),
        entries=[Entry(room, community, "36")],
    )
    template = services.template_create(
        actor=clerk,
        department=health,
        item=item,
        name="社区卫生健康月报",
        period_type="monthly",
        elements=[staff, room, lectures, followups],
    )
    services.version_publish(actor=clerk, version=template.versions.get())
    period = f"{clock.today():%Y-%m}"
    sent = services.request_send(actor=clerk, version=template.versions.get(), period=period, communities=[community])
    return sent.submissions.get()


def open_as(browser, server, username):
    context = browser.new_context(**CHROMIUM_ARGS_CONTEXT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, username)
    return page


def test_a_community_fills_only_what_is_missing_and_the_accepted_period_locks(browser, live_server, request_sent):
    url = f"{live_server.url}/ledger/submissions/{request_sent.pk}/"

    worker = open_as(browser, live_server, "community")
    worker.goto(f"{live_server.url}/ledger/")
    worker.get_by_role("link", name=request_sent.request.number).click()
    expect(worker.get_by_test_id("auto-share")).to_contain_text("2/4")
    expect(worker.get_by_test_id("value-ORG_STAFF-S1C1")).to_have_text("4")
    expect(worker.get_by_test_id("input-ROOM_M2-S1C1")).to_have_value("36")
    worker.get_by_test_id("input-LECTURES-S1C1").fill("3")
    worker.get_by_test_id("input-FOLLOWUPS-S1C1").fill("28")
    worker.get_by_role("button", name="提交", exact=True).click()
    expect(worker.get_by_test_id("state")).to_have_text("已报送，待街道审核")

    street = open_as(browser, live_server, "street")
    street.goto(url)
    street.get_by_role("button", name="验收通过").click()
    expect(street.get_by_test_id("state")).to_have_text("街道已审核，待部门验收")

    clerk = open_as(browser, live_server, "clerk")
    clerk.goto(url)
    clerk.get_by_role("button", name="验收通过").click()
    expect(clerk.get_by_test_id("state")).to_have_text("已验收锁定")

    worker.goto(url)
    expect(worker.get_by_test_id("value-FOLLOWUPS-S1C1")).to_have_text("28")
    expect(worker.get_by_test_id("input-FOLLOWUPS-S1C1")).to_have_count(0)
    submission = Submission.objects.get(pk=request_sent.pk)
    assert submission.state == SubmissionState.ACCEPTED
    assert submission.data["FOLLOWUPS"]["value"] == "28" and submission.data["ORG_STAFF"]["value"] == "4"
    assert Value.objects.get(element__code="LECTURES").number == Decimal(3)
    assert Value.objects.filter(locked_by=submission).count() == 3
