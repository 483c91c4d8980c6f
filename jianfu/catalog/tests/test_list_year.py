"""Issue 20, points 1 and 2: every district has its own lists; approvals wait in the district's draft
until the office publishes it from a joint meeting; the office cancels items during the year (they
stop on their date everywhere); items count from their start date; the catalog in force today is
the default, a next year's catalog waits for its year."""

import datetime as dt
from decimal import Decimal

import pytest

from jianfu.access.tests.conftest import TODAY, make_item
from jianfu.audit.models import AuditEntry
from jianfu.catalog import gate, selectors, services
from jianfu.catalog.machines import ITEM, LIST_VERSION
from jianfu.catalog.models import ItemKind, ListVersion, WorkItem
from jianfu.core import workflow
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.orders import services as orders
from jianfu.orders.models import Decision
from jianfu.orgs import services as orgs
from jianfu.orgs.models import OrgKind

pytestmark = pytest.mark.django_db

FIRE = "请各社区本周开展消防安全隐患排查，周五前反馈"


def _second_district():
    district = orgs.org_create(actor=None, code="E", name="第二区", kind=OrgKind.DISTRICT)
    department = orgs.org_create(actor=None, code="E-MZ", name="第二区民政局", kind=OrgKind.DEPARTMENT, parent=district)
    return district, department


def test_a_second_districts_import_leaves_the_first_districts_entries_alone(tree, items, lists, office):
    first = services.list_replace(
        actor=None, item_list=lists["duty"], district=tree["district"], items=[items["elderly"]]
    )
    district2, department2 = _second_district()
    theirs = make_item("E1", "第二区台账", department2)
    second = services.list_replace(actor=None, item_list=lists["duty"], district=district2, items=[theirs])
    assert (first.number, second.number) == (1, 1)
    assert lists["duty"].current_version(tree["district"]) == first
    assert [e.item for e in selectors.list_entries(lists["duty"], tree["district"])[1]] == [items["elderly"]]
    assert [e.item for e in selectors.list_entries(lists["duty"], district2)[1]] == [theirs]
    # The office of one district replaces only its own list.
    with pytest.raises(PermissionDenied):
        services.list_replace(actor=office, item_list=lists["duty"], district=district2, items=[])


def test_the_office_publishes_the_draft_from_a_joint_meeting_in_force_from_its_date(tree, items, lists, office, frozen):
    services.list_replace(actor=None, item_list=lists["duty"], district=tree["district"], items=[items["elderly"]])
    new = make_item("I9", "新增台账", tree["civil_affairs"])
    services._append_to_list("duty", new)
    draft = lists["duty"].draft(tree["district"])
    assert workflow.available(LIST_VERSION, office, draft) == ["publish"]
    with pytest.raises(DomainError):  # no joint meeting cited
        services.list_publish(actor=office, version=draft, meeting_date=None, meeting_decision="", effective_on=TODAY)
    version = services.list_publish(
        actor=office,
        version=draft,
        meeting_date=TODAY,
        meeting_decision="联席会议纪要〔2026〕2号",
        meeting_minutes="同意新增事项",
        effective_on=TODAY + dt.timedelta(days=7),
    )
    assert version.published_by == office and version.events.get().to_state == "published"
    assert AuditEntry.objects.filter(action="list_version.publish").exists()
    # The version in force stays until the effective date.
    assert lists["duty"].current_version(tree["district"]).number == 1
    assert selectors.pending_versions(lists["duty"], tree["district"]) == [version]
    frozen(TODAY + dt.timedelta(days=7))
    current = lists["duty"].current_version(tree["district"])
    assert current == version and set(current.items.all()) == {items["elderly"], new}


def test_an_import_keeps_the_approvals_waiting_in_the_draft(tree, items, lists):
    services.list_replace(actor=None, item_list=lists["duty"], district=tree["district"], items=[items["elderly"]])
    new = make_item("I9", "新增台账", tree["civil_affairs"])
    services._append_to_list("duty", new)
    services.list_replace(actor=None, item_list=lists["duty"], district=tree["district"], items=[items["fire"]])
    draft = lists["duty"].draft(tree["district"])
    assert [e.item for e in draft.entries.order_by("position")] == [items["fire"], new]


def test_a_cancelled_item_stops_on_its_date_at_the_check_page_and_for_work_orders(
    client, tree, items, office, clerk, community_worker, frozen
):
    fire = items["fire"]
    day = TODAY + dt.timedelta(days=2)
    with pytest.raises(PermissionDenied):
        services.item_cancel(actor=clerk, item=fire, effective_on=day, reason="上级文件废止")
    with pytest.raises(PermissionDenied):  # who may comes first: an outsider learns nothing of the form
        services.item_cancel(actor=clerk, item=fire, effective_on=day - dt.timedelta(days=30), reason="")
    services.item_cancel(
        actor=office, item=fire, effective_on=day, reason="上级文件废止", responsible_body="应急管理局"
    )
    fire.refresh_from_db()
    assert fire.responsible_body == "应急管理局" and fire.events.get().to_state == "cancelled"
    assert AuditEntry.objects.filter(action="item.cancel").exists()
    assert workflow.available(ITEM, office, fire) == []
    assert gate.covers(fire, tree["community11"])  # until the day before its date
    client.force_login(community_worker)
    check = lambda: client.post("/access/check/", {"message": FIRE}, HTTP_HX_REQUEST="true").content.decode()  # noqa: E731
    assert "已准入" in check()

    def send():
        return orders.order_send(
            actor=clerk,
            source=tree["health"],
            kind=ItemKind.INSPECTION,
            item=fire,
            title="消防排查",
            hours=Decimal("1"),
            workdays_to_do=3,
            communities=[tree["community11"]],
        )

    assert send().decision == Decision.SENT
    frozen(day)
    fire.refresh_from_db()
    assert "上级文件废止" in gate.standing(fire)
    assert "已准入" not in check()
    assert fire not in gate.in_force_here(tree["community11"])
    refused = send()
    assert refused.decision == Decision.REFUSED
    assert "上级文件废止" in refused.deliveries.get().refusal


def test_an_item_approved_mid_year_stands_and_counts_from_its_start_date(tree, lists, frozen):
    item = make_item("I8", "年中准入台账", tree["civil_affairs"], starts_on=dt.date(2026, 7, 1))
    assert "2026-07-01" in gate.standing(item)
    assert item not in WorkItem.objects.filter(WorkItem.in_force_q(TODAY))
    assert gate.standing(item, on=dt.date(2026, 7, 1)) == ""
    assert item.months_counted(2026) == 6
    item.cancelled_on = dt.date(2026, 10, 1)
    assert item.months_counted(2026) == 3


def test_the_minutes_file_downloads_for_the_office(client, tree, items, lists, office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.list_replace(actor=None, item_list=lists["duty"], district=tree["district"], items=[items["elderly"]])
    services._append_to_list("duty", make_item("I9", "新增台账", tree["civil_affairs"]))
    version = services.list_publish(
        actor=office,
        version=lists["duty"].draft(tree["district"]),
        meeting_date=TODAY,
        meeting_decision="纪要2号",
        meeting_file=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes"),
        effective_on=TODAY,
    )
    client.force_login(office)
    response = client.get(f"/lists/minutes/{version.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 minutes"
    page = client.get("/lists/duty/").content.decode()
    assert "纪要2号" in page


def test_on_december_20th_with_next_year_published_every_default_view_shows_this_year(
    client, tree, items, lists, office, community_worker, frozen
):
    frozen(dt.date(2026, 12, 20))
    services.catalog_publish(actor=office, district=tree["district"], year=2026)
    make_item("J1", "明年台账一", tree["civil_affairs"], year=2027)
    make_item("J2", "明年台账二", tree["health"], year=2027)
    services.catalog_publish(actor=office, district=tree["district"], year=2027)

    response = client.get("/catalog/")
    assert response.status_code == 302 and response["Location"] == "/catalog/2026/"
    page = client.get("/catalog/2026/").content.decode()
    assert 'data-testid="takes-effect"' not in page and 'href="/catalog/2027/"' in page
    assert "独居老人关爱服务台账" in page and "明年台账一" not in page
    coming = client.get("/catalog/2027/").content.decode()
    assert 'data-testid="takes-effect"' in coming and "2027-01-01" in coming
    api = client.get("/api/v1/catalog/").json()
    assert api["year"] == 2026 and api["takes_effect_on"] is None and "J1" not in {i["code"] for i in api["items"]}
    assert client.get("/api/v1/catalog/2027/").json()["takes_effect_on"] == "2027-01-01"
    # The community's page lists the work in force today, not next year's.
    portal = client.get(f"/community/{tree['community11'].code}/").content.decode()
    assert "明年台账一" not in portal
    frozen(dt.date(2027, 1, 1))
    assert client.get("/catalog/")["Location"] == "/catalog/2027/"


def test_cancelled_items_are_shown_with_date_and_reason_on_the_catalog_and_lists(client, tree, items, lists, office):
    services.catalog_publish(actor=office, district=tree["district"], year=TODAY.year)
    services.item_cancel(
        actor=office, item=items["elderly"], effective_on=TODAY + dt.timedelta(days=1), reason="并入民政统一走访"
    )
    for url in (f"/catalog/{TODAY.year}/", "/lists/"):
        page = client.get(url).content.decode()
        assert 'data-testid="cancelled-I1"' in page and "并入民政统一走访" in page, url
    assert client.get("/api/v1/catalog/").json()["cancelled"][0]["reason"] == "并入民政统一走访"


def test_the_office_cancels_through_the_page_and_the_api(client, tree, items, office, clerk):
    client.force_login(clerk)
    assert client.get("/catalog/items/I1/cancel/").status_code == 403
    client.force_login(office)
    assert client.get("/catalog/items/I1/cancel/").status_code == 200
    response = client.post(
        "/catalog/items/I1/cancel/",
        {"effective_on": (TODAY + dt.timedelta(days=1)).isoformat(), "reason": "取消", "responsible_body": ""},
    )
    assert response.status_code == 302 and WorkItem.objects.get(code="I1").cancelled_on == TODAY + dt.timedelta(days=1)
    answer = client.post(
        "/api/v1/items/I3/cancel/",
        {"effective_on": (TODAY + dt.timedelta(days=5)).isoformat(), "reason": "取消"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["cancelled_on"] == (TODAY + dt.timedelta(days=5)).isoformat()
    assert not ListVersion.objects.exists()  # no list was touched
