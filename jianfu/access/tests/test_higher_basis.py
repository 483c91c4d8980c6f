"""Campaigns and inspections need a higher basis (issue 19, point 3; seed 001: 「除中央和市委市政府有明确
要求外，其他一律取消」): a creation or evaluation campaign (创建评比) or an assessment or inspection (考核检查)
is submitted and approved only with a basis at central, provincial or municipal level."""

from decimal import Decimal

import pytest

from jianfu.access import services
from jianfu.access.models import Application, Decision, State
from jianfu.catalog.models import BasisLevel, Category, Frequency, ItemKind
from jianfu.core.errors import DomainError

from .conftest import TODAY
from .test_workflow import START, to_deliberation

SEED_001 = "除中央和市委市政府有明确要求外，其他一律取消"
GREEN = "《绿色社区创建行动方案》（建城〔2020〕68号）"
MUNICIPAL = "《慈溪市文明社区创建三年行动方案》（慈党办〔2026〕5号）"


def campaign(clerk, tree, **fields):
    data = {
        "name": "文明社区创建",
        "kind": ItemKind.CAMPAIGN,
        "category": Category.ASSIST,
        "description": "社区按测评体系开展文明社区创建，年底接受一次测评",
        "reason": "落实文明城市创建部署",
        "funding_yuan": 3000,
        "funding_channel": "市财政专项",
        "frequency": Frequency.YEARLY,
        "hours_per_occurrence": Decimal("16"),
        "start_date": START,
    }
    return services.application_create(actor=clerk, department=tree["health"], **(data | fields))


@pytest.fixture
def meeting(office, tree, frozen):
    return services.meeting_create(actor=office, district=tree["district"], title="第一次联席会议", held_on=TODAY)


@pytest.mark.parametrize("kind", [ItemKind.CAMPAIGN, ItemKind.INSPECTION])
def test_a_campaign_or_inspection_without_a_higher_basis_is_refused_at_submission(tree, items, clerk, kind):
    application = campaign(clerk, tree, kind=kind)
    with pytest.raises(DomainError, match=SEED_001) as caught:
        services.application_submit(actor=clerk, application=application)
    assert "中央、省或市" in caught.value.message and "文件名称和文号" in caught.value.message
    application.refresh_from_db()
    assert application.state == State.DRAFT
    # A level without the document is not a basis either.
    services.application_update(actor=clerk, application=application, basis_level=BasisLevel.MUNICIPAL)
    with pytest.raises(DomainError, match=SEED_001):
        services.application_submit(actor=clerk, application=Application.objects.get(pk=application.pk))


def test_a_district_level_basis_is_no_basis(tree, items, clerk):
    with pytest.raises(DomainError):
        campaign(clerk, tree, basis_level="district", basis_document="《某区创建方案》")


def test_with_a_municipal_basis_it_passes_and_the_item_keeps_its_basis(
    tree, items, clerk, reviewer, office, community_worker, meeting
):
    application = campaign(clerk, tree, basis_level=BasisLevel.MUNICIPAL, basis_document=MUNICIPAL)
    application = to_deliberation(
        application, clerk=clerk, reviewer=reviewer, office=office, community_worker=community_worker, tree=tree
    )
    services.application_decide(
        actor=office, application=application, meeting=meeting, decision=Decision.APPROVE, reason="市委明确要求"
    )
    application.refresh_from_db()
    item = application.work_item
    assert application.state == State.APPROVED
    assert (item.basis_level, item.basis_document) == (BasisLevel.MUNICIPAL, MUNICIPAL)


def test_approval_is_refused_without_a_basis(tree, items, clerk, reviewer, office, community_worker, meeting):
    application = campaign(clerk, tree, basis_level=BasisLevel.CENTRAL, basis_document=GREEN)
    application = to_deliberation(
        application, clerk=clerk, reviewer=reviewer, office=office, community_worker=community_worker, tree=tree
    )
    # An application that reached the meeting before the rule: its basis was never recorded.
    Application.objects.filter(pk=application.pk).update(basis_level="", basis_document="")
    with pytest.raises(DomainError, match=SEED_001) as caught:
        services.application_decide(
            actor=office,
            application=Application.objects.get(pk=application.pk),
            meeting=meeting,
            decision=Decision.APPROVE,
            reason="同意",
        )
    assert caught.value.code == "campaign_without_higher_basis"
    application.refresh_from_db()
    assert application.state == State.DELIBERATION and application.work_item is None


def test_an_adjustment_may_not_drop_the_basis(tree, items, clerk, reviewer, office, community_worker, meeting):
    application = campaign(clerk, tree, basis_level=BasisLevel.PROVINCIAL, basis_document="《健康浙江行动》")
    application = to_deliberation(
        application, clerk=clerk, reviewer=reviewer, office=office, community_worker=community_worker, tree=tree
    )
    services.application_decide(
        actor=office,
        application=application,
        meeting=meeting,
        decision=Decision.APPROVE_WITH_CHANGES,
        reason="同意",
        changes="频次改为每两年一次",
    )
    with pytest.raises(DomainError, match=SEED_001):
        services.application_adjust(
            actor=clerk, application=Application.objects.get(pk=application.pk), note="删去依据", basis_document=""
        )
    assert Application.objects.get(pk=application.pk).state == State.CHANGES_REQUESTED


def test_the_form_asks_for_level_and_document_for_campaigns_and_inspections_only(client, tree, items, clerk):
    client.force_login(clerk)
    body = client.get("/access/new/").content.decode()
    assert 'class="higher-basis"' in body and "文件名称和文号" in body and "仅创建评比、考核检查填写" in body
    data = {
        "name": "社区健康档案更新",
        "kind": "ledger",
        "category": "duty",
        "legal_basis": "《基本医疗卫生与健康促进法》第六十九条",
        "funding_yuan": "0",
        "frequency": "quarterly",
        "occurrences_per_year": "0",
        "hours_per_occurrence": "6",
        "start_date": START.isoformat(),
        "basis_level": "municipal",
        "basis_document": MUNICIPAL,
    }
    assert client.post("/access/new/", data).status_code == 302
    ledger = Application.objects.get()
    assert (ledger.basis_level, ledger.basis_document) == ("", "")  # not asked of a ledger: not kept
    half = data | {"name": "文明社区创建", "kind": "campaign", "category": "assist", "funding_yuan": "3000"}
    page = client.post("/access/new/", half | {"basis_document": ""})
    assert page.status_code == 200 and "文件名称和文号" in page.content.decode()  # level without the document
    assert client.post("/access/new/", half).status_code == 302
    kept = Application.objects.get(name="文明社区创建")
    assert (kept.basis_level, kept.basis_document) == ("municipal", MUNICIPAL)


def test_the_api_takes_and_shows_the_basis_and_refuses_without_it(client, tree, items, clerk):
    client.force_login(clerk)
    base = {
        "name": "文明社区创建",
        "kind": "campaign",
        "category": "assist",
        "funding_yuan": 3000,
        "hours_per_occurrence": "16",
        "start_date": START.isoformat(),
    }
    bare = client.post("/api/v1/applications/", base, content_type="application/json")
    assert bare.status_code == 201 and bare.json()["basis_level"] == ""
    refused = client.post(f"/api/v1/applications/{bare.json()['number']}/submit/")
    assert refused.status_code == 400 and SEED_001 in refused.json()["message"]
    based = client.post(
        "/api/v1/applications/",
        base | {"basis_level": "central", "basis_document": GREEN},
        content_type="application/json",
    )
    assert based.status_code == 201 and based.json()["basis_document"] == GREEN
    assert client.post(f"/api/v1/applications/{based.json()['number']}/submit/").status_code == 200
