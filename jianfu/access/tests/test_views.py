import datetime as dt

from django.core.management import call_command

from jianfu.access.models import Application, State

from .test_workflow import START


def test_anonymous_visitors_are_sent_to_login(client, items):
    for url in ("/access/", "/access/new/", "/access/check/", "/access/violations/"):
        assert client.get(url).status_code == 302


def test_a_clerk_drafts_and_submits_through_the_pages(client, tree, items, clerk):
    client.force_login(clerk)
    data = {
        "name": "社区健康档案更新",
        "kind": "ledger",
        "category": "duty",
        "description": "每季度更新居民健康档案",
        "reason": "基本公共卫生服务",
        "legal_basis": "《基本医疗卫生与健康促进法》第六十九条",
        "funding_yuan": "0",
        "funding_channel": "",
        "frequency": "quarterly",
        "occurrences_per_year": "0",
        "hours_per_occurrence": "6",
        "start_date": START.isoformat(),
        "valid_until": "",
    }
    response = client.post("/access/new/", data)
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/access/{application.number}/"
    response = client.post(f"/access/{application.number}/submit/", follow=True)
    assert "已完成" in response.content.decode()
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.burden_preview["communities"] == 4


def test_a_refused_submission_says_why_on_the_page(client, tree, items, clerk):
    client.force_login(clerk)
    from jianfu.access import services

    application = services.application_create(
        actor=clerk,
        department=tree["health"],
        name="协税护税",
        kind="task",
        category="assist",
        funding_yuan=100,
        hours_per_occurrence=1,
        start_date=START,
        description="社区协助开展协税护税",
    )
    body = client.post(f"/access/{application.number}/submit/", follow=True).content.decode()
    assert "民发〔2015〕136号" in body and "招商引资、协税护税" in body


def test_the_office_cannot_see_another_districts_application_and_outsiders_get_404(
    client, tree, items, clerk, outsider
):
    from jianfu.access import services

    application = services.application_create(
        actor=clerk,
        department=tree["health"],
        name="x台账",
        kind="ledger",
        category="duty",
        legal_basis="某法",
        hours_per_occurrence=1,
        start_date=START,
    )
    client.force_login(outsider)
    assert client.get(f"/access/{application.number}/").status_code == 404


def test_the_check_page_answers_with_htmx(client, tree, items, community_worker):
    client.force_login(community_worker)
    response = client.post(
        "/access/check/", {"message": "请各社区本月完成独居老人关爱服务台账更新"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body and "已准入" in body and "独居老人关爱服务台账" in body
    response = client.post("/access/check/", {"message": "请社区组织无人机航拍比赛"}, HTTP_HX_REQUEST="true")
    assert "未准入" in response.content.decode() and "拒绝并向准入办举报" in response.content.decode()


def test_one_click_refusal_files_a_receipt_and_a_report(client, tree, items, community_worker):
    client.force_login(community_worker)
    response = client.post(
        "/access/check/refuse/",
        {
            "department": tree["health"].pk,
            "what": "请社区组织无人机航拍比赛",
            "arrived_on": dt.date(2026, 3, 2).isoformat(),
        },
        follow=True,
    )
    body = response.content.decode()
    assert "拒收回执" in body and "卫健局" in body and "非准不入" in body


def test_the_api_needs_a_token_and_refuses_illegal_steps_with_4xx(client, tree, items, clerk, capsys):
    assert client.get("/api/v1/applications/").status_code == 401
    call_command("issue_token", "clerk")
    auth = {"HTTP_AUTHORIZATION": "Bearer " + capsys.readouterr().out.strip().splitlines()[-1]}
    payload = {
        "name": "社区健康档案更新",
        "kind": "ledger",
        "category": "duty",
        "legal_basis": "某法第一条",
        "hours_per_occurrence": "2",
        "start_date": START.isoformat(),
    }
    created = client.post("/api/v1/applications/", payload, content_type="application/json", **auth)
    assert created.status_code == 201
    number = created.json()["number"]
    assert client.post(f"/api/v1/applications/{number}/submit/", **auth).json()["state"] == "submitted"
    again = client.post(f"/api/v1/applications/{number}/submit/", **auth)
    assert again.status_code == 403 and again.json()["code"] == "permission_denied"
    bad = dict(payload, name="招商", description="完成招商引资任务")
    number = client.post("/api/v1/applications/", bad, content_type="application/json", **auth).json()["number"]
    refused = client.post(f"/api/v1/applications/{number}/submit/", **auth)
    assert refused.status_code == 400 and "民发〔2015〕136号" in refused.json()["message"]


def test_the_decision_page_says_why_an_unfunded_assist_item_cannot_be_approved(
    client, tree, items, clerk, reviewer, office, community_worker
):
    from jianfu.access import services
    from jianfu.access.models import Opinion

    application = services.application_create(
        actor=clerk,
        department=tree["health"],
        name="老年人防诈骗宣传",
        kind="task",
        category="assist",
        funding_yuan=0,
        hours_per_occurrence=2,
        start_date=START,
        description="入户宣传防范电信诈骗",
    )
    services.application_submit(actor=clerk, application=application)
    services.application_pass_review(actor=reviewer, application=application)
    (consultation,) = services.consultation_open(actor=office, application=application, orgs=[tree["community11"]])
    services.opinion_give(actor=community_worker, consultation=consultation, opinion=Opinion.AGREE)
    services.consultation_close(actor=office, application=application)
    meeting = services.meeting_create(
        actor=office, district=tree["district"], title="联席会议", held_on=dt.date(2026, 3, 2)
    )
    client.force_login(office)
    response = client.post(
        f"/access/{application.number}/decide/",
        {"decision-meeting": meeting.pk, "decision-decision": "approve", "decision-reason": "同意"},
        follow=True,
    )
    body = response.content.decode()
    assert "费随事转" in body and "待联席会议审议" in body


def test_a_clerk_attaches_a_form_and_readers_download_it(client, tree, items, clerk, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jianfu.access import services

    application = services.application_create(
        actor=clerk,
        department=tree["health"],
        name="x台账",
        kind="ledger",
        category="duty",
        legal_basis="某法",
        hours_per_occurrence=1,
        start_date=START,
    )
    client.force_login(clerk)
    client.post(f"/access/{application.number}/attach/", {"file": SimpleUploadedFile("表样.xlsx", b"PK\x03\x04data")})
    bad = client.post(
        f"/access/{application.number}/attach/", {"file": SimpleUploadedFile("病毒.exe", b"MZ")}, follow=True
    )
    assert "PDF" in bad.content.decode()
    (attachment,) = application.attachments.all()
    response = client.get(f"/access/{application.number}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"PK\x03\x04data"
    client.force_login(outsider)
    assert client.get(f"/access/{application.number}/attachments/{attachment.pk}/").status_code == 404
