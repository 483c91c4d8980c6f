"""Every stored deadline computed in working days is recomputed when the office enters a schedule:
certificate requests, report requests and cases, besides applications (test_holiday_schedule.py).

The 2027 Spring Festival is illustrative, not the State Council's: holiday 6–12 February 2027,
make-up working days Sunday 14 and Saturday 20 February."""

import datetime as dt

import pytest
from django.utils import timezone

from jianfu.cases import services as cases
from jianfu.cases.models import State as CaseState
from jianfu.cases.tests.conftest import city, frozen, matters, service_items  # noqa: F401  (fixtures)
from jianfu.catalog.models import Category, ItemKind, WorkItem
from jianfu.certificates.models import CertificateRequest, RequestState
from jianfu.core import workdays
from jianfu.ledger.models import ReportRequest, ReportTemplate, Submission, SubmissionState, TemplateVersion
from jianfu.ops.services import Holiday, schedule_enter
from jianfu.orgs import services as orgs
from jianfu.orgs.models import Role, User

D = dt.date
SPRING_FESTIVAL = {
    "holidays": [Holiday("春节", D(2027, 2, 6), D(2027, 2, 12))],
    "makeup_days": [D(2027, 2, 14), D(2027, 2, 20)],
}


def enter_2027(office):
    return schedule_enter(actor=office, year=2027, notice_title="示例通知", **SPRING_FESTIVAL)


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _item(tree, code: str, kind: str) -> WorkItem:
    return WorkItem.objects.create(
        code=code, name="居住证明", kind=kind, category=Category.CERTIFICATE, department=tree["health"], year=2027
    )


def test_open_certificate_requests_are_recomputed_and_answered_ones_are_not(tree, office):
    item = _item(tree, "C1", ItemKind.CERTIFICATE)
    due = workdays.add_workdays(D(2027, 2, 1), 10)

    def request(number: str, state: str) -> CertificateRequest:
        return CertificateRequest.objects.create(
            number=number,
            community=tree["community11"],
            item=item,
            channel="counter",
            state=state,
            requested_on=D(2027, 2, 1),
            due_on=due,
            decided_on=None if state == RequestState.REQUESTED else D(2027, 2, 3),
        )

    waiting, issued = request("ZQ2027-0001", RequestState.REQUESTED), request("ZQ2027-0002", RequestState.ISSUED)
    result = enter_2027(office)
    waiting.refresh_from_db()
    issued.refresh_from_db()
    assert (waiting.due_on, issued.due_on) == (D(2027, 2, 19), D(2027, 2, 15))
    assert result.recomputed["certificates.certificaterequest"] == 1


def test_report_requests_still_being_filled_in_are_recomputed(tree, office, clerk):
    template = ReportTemplate.objects.create(
        department=tree["health"], item=_item(tree, "L1", ItemKind.LEDGER), name="健康档案季报"
    )
    version = TemplateVersion.objects.create(template=template, number=1, state="published", period_type="quarter")

    def request(number: str, state: str) -> ReportRequest:
        r = ReportRequest.objects.create(
            number=number,
            version=version,
            period="2027Q1",
            sent_by=clerk,
            sent_on=D(2027, 2, 1),
            due_on=workdays.add_workdays(D(2027, 2, 1), 10),
        )
        Submission.objects.create(request=r, community=tree["community11"], state=state)
        return r

    open_one, done = request("BB2027-0001", SubmissionState.OPEN), request("BB2027-0002", SubmissionState.ACCEPTED)
    enter_2027(office)
    open_one.refresh_from_db()
    done.refresh_from_db()
    assert (open_one.due_on, done.due_on) == (D(2027, 2, 19), D(2027, 2, 15))


@pytest.mark.django_db
class TestCases:
    """The cases app's own fixtures (imported above), asked for by name."""

    def test_a_service_accepted_at_the_window_gets_its_time_limit_recomputed(
        self, request, tree, community_worker, office
    ):
        business_clock = request.getfixturevalue("frozen")
        business_clock.set(dt.datetime(2027, 2, 1, 10, 0))  # Monday
        case = cases.service_apply(
            actor=community_worker,
            community=tree["community11"],
            item=request.getfixturevalue("service_items")["dibao"],
            applicant_name="王芳",
            applicant_phone="13800000000",
        )
        assert case.state == CaseState.ACCEPTED
        # 20 working days by weekends: 1 March.
        assert timezone.localtime(case.resolve_due) == end_of(D(2027, 3, 1))
        enter_2027(office)
        case.refresh_from_db()
        # 2–5 Feb, 14 (make-up), 15–19, 20 (make-up), 22–26 Feb, 1–4 March.
        assert timezone.localtime(case.resolve_due) == end_of(D(2027, 3, 4))
        assert case.stage_due == case.resolve_due

    def test_a_whistle_keeps_its_minutes_and_moves_its_working_days(
        self, request, tree, grid_worker, community_worker, office
    ):
        business_clock, kinds, department = (request.getfixturevalue(n) for n in ("frozen", "matters", "city"))
        business_clock.set(dt.datetime(2027, 2, 5, 10, 0))  # Friday before the holiday
        case = cases.case_report(
            actor=grid_worker,
            org_unit=tree["grid111"],
            matter=kinds["lamp"],
            description="路灯不亮",
            address="幸福路",
        )
        case = cases.whistle_blow(actor=community_worker, case=case, assignee=department, reason="请维修")
        minutes_due = case.respond_due
        clerk = User.objects.create_user(username="cg", password="Test-pass-2026", display_name="cg")
        orgs.membership_grant(actor=None, user=clerk, org=department, role=Role.CLERK)
        business_clock.advance(minutes=10)
        case = cases.case_respond(actor=clerk, case=case)
        # Three working days by weekends: 8, 9, 10 February.
        assert timezone.localtime(case.resolve_due) == end_of(D(2027, 2, 10))
        enter_2027(office)
        case.refresh_from_db()
        assert case.respond_due == minutes_due
        # The make-up Sunday 14th, then 15 and 16 February.
        assert timezone.localtime(case.resolve_due) == end_of(D(2027, 2, 16))
        assert case.stage_due == case.resolve_due
