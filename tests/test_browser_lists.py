"""Acceptance (issue 20, point 1), in headless Chromium: an approval waits in the district's draft
list; the office publishes the draft citing the joint meeting (date, decision, minutes) with its
effective date, and the list in force then holds the approved item."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from jianfu.catalog import services as catalog
from jianfu.catalog.models import Category, ItemKind, ItemList, ListVersion, WorkItem
from jianfu.core import clock
from jianfu.orgs.models import Role

from .test_browser import ARTIFACTS
from .test_browser_orders import as_user, contexts, person  # noqa: F401  (the shared browser fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _item(tree, code, name) -> WorkItem:
    return WorkItem.objects.create(
        code=code,
        name=name,
        kind=ItemKind.LEDGER,
        category=Category.DUTY,
        department=tree["civil_affairs"],
        year=clock.today().year,
        legal_basis="《中华人民共和国城市居民委员会组织法》第三条",
    )


def test_the_office_publishes_a_list_version_from_a_joint_meeting(contexts, live_server, tree):  # noqa: F811
    duty = ItemList.objects.create(code="duty", name="依法履职事项清单", category="duty")
    catalog.list_replace(
        actor=None, item_list=duty, district=tree["district"], items=[_item(tree, "I1", "独居老人台账")]
    )
    with transaction.atomic():  # as an approval does, inside its transaction
        catalog._append_to_list("duty", _item(tree, "I2", "新增的居家养老台账"))
    person("office", Role.OFFICE, tree["district"])

    office = as_user(contexts, live_server, "office")
    office.goto(f"{live_server.url}/lists/duty/")
    expect(office.get_by_test_id("list")).not_to_contain_text("新增的居家养老台账")
    office.get_by_test_id("publish-draft").click()
    expect(office.get_by_test_id("new-entry")).to_contain_text("新增的居家养老台账")
    today = clock.today().isoformat()
    office.locator("#id_meeting_date").fill(today)
    office.locator("#id_meeting_decision").fill("社区工作准入联席会议纪要〔2026〕4号")
    office.locator("#id_meeting_minutes").fill("会议审议同意将居家养老台账列入依法履职事项清单。")
    office.locator("#id_effective_on").fill(today)
    ARTIFACTS.mkdir(exist_ok=True)
    office.screenshot(path=str(ARTIFACTS / "lists-publish-form.png"), full_page=True)
    office.get_by_test_id("publish-form").locator("button[type=submit]").click()

    office.wait_for_url(f"{live_server.url}/lists/duty/")
    expect(office.get_by_test_id("list")).to_contain_text("新增的居家养老台账")
    expect(office.get_by_test_id("meeting")).to_contain_text("〔2026〕4号")
    version = ListVersion.objects.get(district=tree["district"], number=2)
    assert version.meeting_decision == "社区工作准入联席会议纪要〔2026〕4号" and version.published_at
    assert duty.current_version(tree["district"]) == version
    office.screenshot(path=str(ARTIFACTS / "lists-published.png"), full_page=True)
