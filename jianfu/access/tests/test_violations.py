import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.access import services
from jianfu.access.models import ViolationState
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.orgs.models import Role
from jianfu.orgs.services import membership_grant

WHAT = "微信群通知：请各社区于本周五前报送辖区个体工商户用工情况"


@pytest.fixture
def report(tree, items, community_worker):
    return services.violation_report(
        actor=community_worker,
        community=tree["community11"],
        department=tree["health"],
        what=WHAT,
        arrived_on=dt.date(2026, 3, 2),
        evidence=SimpleUploadedFile("截图.png", b"\x89PNG fake"),
    )


def test_a_community_worker_reports_and_the_office_confirms(report, office):
    assert report.number.startswith("WG2026-")
    services.violation_decide(actor=office, report=report, confirm=True, note="经核实未经准入")
    report.refresh_from_db()
    assert report.state == ViolationState.CONFIRMED
    with pytest.raises(DomainError):
        services.violation_decide(actor=office, report=report, confirm=False, note="再次处理")


def test_only_the_own_community_can_be_reported_for(tree, items, community_worker, clerk):
    with pytest.raises(PermissionDenied):
        services.violation_report(
            actor=community_worker,
            community=tree["community21"],
            department=tree["health"],
            what=WHAT,
            arrived_on=dt.date(2026, 3, 2),
        )
    with pytest.raises(PermissionDenied):
        services.violation_report(
            actor=clerk,
            community=tree["community11"],
            department=tree["health"],
            what=WHAT,
            arrived_on=dt.date(2026, 3, 2),
        )


def test_the_department_never_sees_who_reported(client, report, office, clerk, community_worker, capsys):
    services.violation_decide(actor=office, report=report, confirm=True, note="经核实未经准入")
    secrets = [community_worker.username, community_worker.display_name, "街道1社区1", "截图"]
    client.force_login(clerk)
    pages = [client.get("/access/violations/"), client.get(f"/access/violations/{report.number}/")]
    assert pages[0].status_code == 200 and pages[1].status_code == 200
    assert "用工情况" in pages[0].content.decode()  # the department sees what it did …
    for page in pages:
        body = page.content.decode()
        assert not any(s in body for s in secrets), body  # … but not who told
    assert client.get(f"/access/violations/{report.number}/receipt/").status_code == 403
    # Nor through the API, with a token.
    from django.core.management import call_command

    call_command("issue_token", clerk.username, stdout=io.StringIO())
    for url in ("/api/v1/applications/", "/api/v1/orgs/"):
        body = client.get(url).content.decode()
        assert not any(s in body for s in secrets)


def test_the_reporter_and_the_office_see_the_identity(client, report, office, community_worker):
    for user in (community_worker, office):
        client.force_login(user)
        body = client.get(f"/access/violations/{report.number}/").content.decode()
        assert community_worker.display_name in body and "街道1社区1" in body


def test_an_unconfirmed_report_is_invisible_to_the_department(client, report, clerk):
    client.force_login(clerk)
    assert client.get(f"/access/violations/{report.number}/").status_code == 404


def test_a_clerk_of_another_department_sees_nothing(client, report, office, tree, django_user_model):
    services.violation_decide(actor=office, report=report, confirm=True, note="经核实")
    other = django_user_model.objects.create_user(username="mz", password="x-Long-pass-1")
    membership_grant(actor=None, user=other, org=tree["civil_affairs"], role=Role.CLERK)
    client.force_login(other)
    assert client.get(f"/access/violations/{report.number}/").status_code == 404
