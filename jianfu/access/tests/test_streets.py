"""Streets in the gate (issue 19, point 1): a street applies like a department for work beyond the
catalog, the office decides; communities report a street's demands, and the street sees the confirmed
report without the reporter."""

import datetime as dt
from decimal import Decimal

import pytest

from jianfu.access import services
from jianfu.access.forms import ApplicationForm, ViolationForm
from jianfu.access.models import Application, Decision, Opinion, State, ViolationState
from jianfu.catalog import gate
from jianfu.catalog.models import Category, Frequency, ItemKind
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.orgs.models import Role

from .conftest import TODAY
from .test_workflow import START

DEMAND = "街道通知：请各社区每周一上报辖区“门前三包”巡查照片和台账"


def street_fields(**fields) -> dict:
    data = {
        "name": "背街小巷环境整治入户动员",
        "kind": ItemKind.TASK,
        "category": Category.ASSIST,
        "description": "每季度动员背街小巷沿街住户参与环境整治，街道组织、社区协助入户",
        "reason": "街道背街小巷整治三年行动",
        "funding_yuan": 1500,
        "funding_channel": "街道专项经费",
        "frequency": Frequency.QUARTERLY,
        "hours_per_occurrence": Decimal("4"),
        "start_date": START,
    }
    return data | fields


@pytest.fixture
def meeting(office, tree, frozen):
    return services.meeting_create(actor=office, district=tree["district"], title="第一次联席会议", held_on=TODAY)


def test_a_street_worker_applies_for_the_street_and_the_office_approves(
    client, tree, items, street_worker, reviewer, office, community_worker, meeting
):
    client.force_login(street_worker)
    page = client.get("/access/new/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "第1街道" in body and "申请单位" in body
    form = {k: str(v) for k, v in street_fields().items()} | {"occurrences_per_year": "0", "valid_until": ""}
    response = client.post("/access/new/", form)
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/access/{application.number}/"
    assert application.department == tree["street1"] and application.created_by == street_worker
    # A street's work reaches only its own communities: its scope is the street.
    assert list(application.scope_streets.all()) == [tree["street1"]]
    assert f'href="/access/{application.number}/"' in client.get("/access/").content.decode()  # its own list
    assert client.post(f"/access/{application.number}/submit/").status_code == 302
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.transitions.get(to_state=State.SUBMITTED).role == Role.STREET
    # The same workflow: a member unit reviews, communities are consulted, the office decides.
    services.application_pass_review(actor=reviewer, application=application)
    consultations = services.consultation_open(
        actor=office, application=application, orgs=[tree["community11"], tree["community12"]]
    )
    services.opinion_give(actor=community_worker, consultation=consultations[0], opinion=Opinion.AGREE)
    services.consultation_close(actor=office, application=application)
    services.application_decide(
        actor=office, application=application, meeting=meeting, decision=Decision.APPROVE, reason="经费落实"
    )
    application.refresh_from_db()
    item = application.work_item
    assert application.state == State.APPROVED and item.department == tree["street1"]
    assert gate.covers(item, tree["community11"], kind=ItemKind.TASK, on=START)
    assert gate.covers(item, tree["community12"], kind=ItemKind.TASK, on=START)
    assert not gate.covers(item, tree["community21"], kind=ItemKind.TASK, on=START)  # another street's community
    assert item in gate.in_force_here(tree["community11"], kind=ItemKind.TASK, on=START, department=tree["street1"])


def test_a_street_applies_only_for_its_own_street_and_only_for_its_own_communities(
    tree, items, street_worker, community_worker
):
    with pytest.raises(PermissionDenied):
        services.application_create(actor=street_worker, department=tree["street2"], **street_fields())
    with pytest.raises(PermissionDenied):
        services.application_create(actor=community_worker, department=tree["street1"], **street_fields())
    with pytest.raises(DomainError, match="本街道"):
        services.application_create(
            actor=street_worker, department=tree["street1"], scope_streets=[tree["street2"]], **street_fields()
        )


def test_the_street_holds_its_application_and_a_department_clerk_cannot_touch_it(tree, items, street_worker, clerk):
    application = services.application_create(actor=street_worker, department=tree["street1"], **street_fields())
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=clerk, application=application)
    services.application_withdraw(actor=street_worker, application=application, reason="并入区级项目")
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN


def test_the_street_form_has_no_choice_of_streets(tree, items):
    form = ApplicationForm(district=tree["district"], street=tree["street1"])
    assert "scope_streets" not in form.fields
    assert "scope_streets" in ApplicationForm(district=tree["district"]).fields


@pytest.fixture
def street_report(tree, items, community_worker):
    return services.violation_report(
        actor=community_worker,
        community=tree["community11"],
        department=tree["street1"],
        what=DEMAND,
        arrived_on=dt.date(2026, 3, 2),
    )


def test_a_community_may_report_a_streets_demand(tree, items):
    choices = ViolationForm(district=tree["district"]).fields["department"].queryset
    assert {tree["street1"], tree["street2"], tree["health"]} <= set(choices)
    assert tree["community11"] not in choices


def test_a_report_names_a_department_or_street_of_the_district(tree, items, community_worker):
    with pytest.raises(DomainError):
        services.violation_report(
            actor=community_worker,
            community=tree["community11"],
            department=tree["community12"],
            what=DEMAND,
            arrived_on=dt.date(2026, 3, 2),
        )


def test_the_street_sees_the_confirmed_report_without_the_reporter(
    client, tree, street_report, office, street_worker, community_worker
):
    client.force_login(street_worker)
    assert DEMAND[:10] not in client.get("/access/violations/").content.decode()  # not before the office confirms
    assert client.get(f"/access/violations/{street_report.number}/").status_code == 404
    services.violation_decide(actor=office, report=street_report, confirm=True, note="经核实未经准入")
    street_report.refresh_from_db()
    assert street_report.state == ViolationState.CONFIRMED
    secrets = [community_worker.username, community_worker.display_name, "街道1社区1"]
    pages = [client.get("/access/violations/"), client.get(f"/access/violations/{street_report.number}/")]
    assert all(p.status_code == 200 for p in pages)
    assert "门前三包" in pages[0].content.decode()  # the street sees what it did …
    for page in pages:
        body = page.content.decode()
        assert not any(s in body for s in secrets), body  # … but not who told
    assert client.get(f"/access/violations/{street_report.number}/receipt/").status_code == 403
    # Another street sees nothing of it.
    other = services_user(tree["street2"])
    client.force_login(other)
    assert client.get(f"/access/violations/{street_report.number}/").status_code == 404


def services_user(street):
    from jianfu.orgs.models import User
    from jianfu.orgs.services import membership_grant

    user = User.objects.create_user(username="street2", password="Test-pass-2026", display_name="street2")
    membership_grant(actor=None, user=user, org=street, role=Role.STREET)
    return user
