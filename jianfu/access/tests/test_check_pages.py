"""Issue 19, points 6 and 7 on the pages: the check asks the gate for the asking community (scope
counts), forbidden work wins, an approved item not yet in force says from when, each check and
refusal is kept without personal data, and the refusal receipt prints on A4 and opens by its link."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from jianfu.access import overlap, receipts
from jianfu.access.models import Application, CheckChannel, CheckRecord, ViolationReport
from jianfu.catalog.models import Category, ItemKind

from .conftest import TODAY, make_item

pytestmark = pytest.mark.django_db

FIRE = "请各社区本周开展消防安全隐患排查，周五前反馈"


def ask(client, message, **extra):
    return client.post("/access/check/", {"message": message, **extra}, HTTP_HX_REQUEST="true").content.decode()


def test_an_item_approved_for_another_street_does_not_cover_the_asking_community(
    client, tree, items, community_worker, outsider
):
    client.force_login(community_worker)  # 第1街道: the fire item is approved for it
    assert "已准入" in ask(client, FIRE)
    client.force_login(outsider)  # 第2街道
    body = ask(client, FIRE)
    assert "未准入" in body and "消防安全隐患排查" in body and "只准入其他街道" in body
    result = overlap.check_request(FIRE, community=tree["community21"])
    assert result.status == "not_in_force" and result.near[0].item == items["fire"]
    records = list(CheckRecord.objects.order_by("id"))
    assert [(r.org, r.decision, r.channel) for r in records] == [
        (tree["community11"], "in_force", CheckChannel.CHECK),
        (tree["community21"], "not_in_force", CheckChannel.CHECK),
    ]
    assert records[0].item == items["fire"] and records[1].item is None


def test_a_check_keeps_no_personal_data(client, tree, items, community_worker):
    client.force_login(community_worker)
    ask(client, "【卫健局】张三（13812345678）请各社区本月完成独居老人关爱服务台账更新")
    [record] = CheckRecord.objects.all()
    assert record.sender == tree["health"] and record.item == items["elderly"] and record.kind == ItemKind.LEDGER
    kept = " ".join(str(getattr(record, f.attname)) for f in CheckRecord._meta.concrete_fields)
    assert "张三" not in kept and "13812345678" not in kept and "台账更新" not in kept
    assert not any(f.name in {"message", "reporter", "user", "actor"} for f in CheckRecord._meta.fields)


def test_a_street_worker_checks_for_a_community_of_the_street(client, tree, items, street_worker):
    client.force_login(street_worker)
    page = client.get("/access/check/").content.decode()
    assert "街道1社区1" in page and "街道2社区1" not in page  # only the street's communities to choose
    assert "已准入" in ask(client, FIRE, community=tree["community12"].pk)
    # Without a community the item's standing is asked, and its approved streets are said.
    body = ask(client, FIRE)
    assert "已准入" in body and "第1街道" in body
    assert [r.org for r in CheckRecord.objects.order_by("id")] == [tree["community12"], tree["street1"]]


def test_forbidden_work_wins_and_the_sender_is_chosen_for_the_refusal(client, tree, items, community_worker):
    client.force_login(community_worker)
    body = ask(client, "【卫健局】请各社区配合违法建设拆除，本周内完成")
    assert "不得进入社区" in body and "民发〔2015〕136号" in body and "拆迁拆违任务" in body
    assert "卫健局" in body and f'value="{tree["health"].pk}" selected' in body  # the refusal's sender
    [record] = CheckRecord.objects.all()
    assert record.decision == "negative" and record.rule == "demolition" and record.item == items["demolition"]


def test_an_approved_item_not_yet_in_force_says_from_when(client, tree, items, community_worker, clerk):
    item = make_item("N3", "社区养老服务驿站运营", tree["civil_affairs"], kind=ItemKind.TASK, year=TODAY.year + 1)
    result = overlap.check_request("请各社区做好社区养老服务驿站运营", community=tree["community11"])
    assert result.status == "not_yet" and result.item == item and result.starts_on == dt.date(TODAY.year + 1, 1, 1)
    Application.objects.create(
        number="SQ-1",
        department=tree["civil_affairs"],
        created_by=clerk,
        name=item.name,
        kind=item.kind,
        category=Category.DUTY,
        start_date=dt.date(TODAY.year + 1, 3, 1),
        state="approved",
        work_item=item,
    )
    client.force_login(community_worker)
    body = ask(client, "请各社区做好社区养老服务驿站运营")
    assert "尚未生效" in body and f"{TODAY.year + 1}-03-01" in body and "拒绝并向准入办举报" in body


def test_the_refusal_is_kept_and_its_receipt_prints_and_opens_by_its_link(client, tree, items, community_worker):
    client.force_login(community_worker)
    response = client.post(
        "/access/check/refuse/",
        {"department": tree["health"].pk, "what": "请社区配合违法建设拆除", "arrived_on": TODAY.isoformat()},
        follow=True,
    )
    report = ViolationReport.objects.get()
    [record] = CheckRecord.objects.all()
    assert (record.channel, record.report, record.sender, record.decision, record.rule) == (
        CheckChannel.REFUSAL,
        report,
        tree["health"],
        "negative",
        "demolition",
    )
    body = response.content.decode()
    link = receipts.public_path(report)
    assert "拒收回执" in body and link.replace("&", "&amp;") in body and "民发〔2015〕136号" in body

    pdf = client.get(f"/access/violations/{report.number}/receipt/?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    client.logout()  # the sender follows the link: no login
    public = client.get(link)
    text = public.content.decode()
    assert public.status_code == 200 and report.number in text and "卫健局" in text and "拆迁拆违" in text
    assert "街道1社区1" not in text and community_worker.username not in text  # not who refused, nor who told
    assert client.get(f"{link}&format=pdf").content.startswith(b"%PDF")
    wrong = client.get(f"/access/receipt/?n={report.number}&c=000000000000")
    assert wrong.status_code == 404 and "卫健局" not in wrong.content.decode()
    assert client.get("/access/receipt/").status_code == 200  # the form to type number and code

    # The sender's PDF leaves the community out; the community's own print carries it.
    request = RequestFactory().get("/")
    public_html = render_to_string("access/receipt_print.html", receipts.context(report, request, public=True))
    own_html = render_to_string("access/receipt_print.html", receipts.context(report, request, public=False))
    assert "街道1社区1" not in public_html and "街道1社区1" in own_html
    assert receipts.check_code(report.number) in public_html


def test_a_receipt_code_belongs_to_its_number():
    assert receipts.code_matches("WG2026-0001", receipts.check_code("WG2026-0001"))
    assert not receipts.code_matches("WG2026-0002", receipts.check_code("WG2026-0001"))
    assert len(receipts.check_code("WG2026-0001")) == 12


def test_a_demand_checked_then_refused_is_one_arrival(client, tree, items, community_worker, outsider):
    """The check page's refusal form carries the check it follows: the check's record becomes the
    refusal's, so the monitor counts the demand once (issue 21); a record of another community, or one
    already refused, is not taken over."""
    client.force_login(community_worker)
    body = ask(client, "【卫健局】请各社区配合违法建设拆除，本周内完成")
    [checked] = CheckRecord.objects.all()
    assert f'name="checked" value="{checked.pk}"' in body  # the refusal form below the answer
    form = {"department": tree["health"].pk, "what": "请社区配合违法建设拆除", "arrived_on": TODAY.isoformat()}
    client.post("/access/check/refuse/", form | {"checked": checked.pk})
    [record] = CheckRecord.objects.all()
    assert record.channel == CheckChannel.REFUSAL and record.report == ViolationReport.objects.get()

    client.force_login(outsider)  # another community's check stays its own arrival
    ask(client, FIRE)
    other = CheckRecord.objects.get(channel=CheckChannel.CHECK)
    client.force_login(community_worker)
    client.post("/access/check/refuse/", form | {"checked": other.pk})
    assert CheckRecord.objects.filter(pk=other.pk).exists()
    assert CheckRecord.objects.filter(channel=CheckChannel.REFUSAL).count() == 2
