"""One-window services: apply online or at the window, the legal time limit in working days, the
overdue flag, and the public query page a resident follows without logging in."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jianfu.core import clock
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.orgs.models import Role

from .. import services
from ..models import State
from .conftest import person

pytestmark = pytest.mark.django_db


def apply(actor, community, item, name="孙丽华", phone="13805741234"):
    return services.service_apply(
        actor=actor, community=community, item=item, applicant_name=name, applicant_phone=phone
    )


class TestApplications:
    def test_at_the_window_it_is_accepted_at_once_and_due_in_working_days(
        self, tree, service_items, community_worker, frozen
    ):
        case = apply(community_worker, tree["community11"], service_items["elderly_card"])
        assert case.state == State.ACCEPTED and case.channel == "window"
        # Three working days from Tue 30 Sep 2025: Thu 9, Fri 10 and the make-up Sat 11 Oct.
        assert timezone.localtime(case.resolve_due).date() == dt.date(2025, 10, 11)
        assert case.query_code and len(case.query_code) == 10
        case = services.case_resolve(actor=community_worker, case=case, note="当场办结，已发证")
        assert case.state == State.RESOLVED and case.resolved_on_time

    def test_online_the_window_accepts_later(self, tree, service_items, resident, community_worker, frozen):
        case = apply(resident, tree["community11"], service_items["elderly_card"])
        assert case.state == State.REPORTED and case.channel == "resident" and case.resolve_due is None
        frozen.set(dt.datetime(2025, 10, 9, 9, 0))
        case = services.accept(actor=community_worker, case=case)
        # The limit runs from acceptance (Thu 9 Oct): Fri 10, the make-up Sat 11, Mon 13.
        assert timezone.localtime(case.resolve_due).date() == dt.date(2025, 10, 13)

    def test_an_item_the_department_decides_is_passed_on(self, tree, service_items, community_worker, frozen):
        case = apply(community_worker, tree["community11"], service_items["dibao"])
        assert "resolve" not in services.allowed_actions(case)
        with pytest.raises(DomainError):
            services.case_dispatch(actor=community_worker, case=case, assignee=tree["grid111"])
        case = services.case_dispatch(actor=community_worker, case=case, assignee=tree["civil_affairs"])
        assert case.stage_due == case.resolve_due and not case.whistle
        civil_clerk = person("mzclerk", Role.CLERK, tree["civil_affairs"])
        case = services.case_respond(actor=civil_clerk, case=case)
        assert case.state == State.RESPONDED
        case = services.case_resolve(actor=civil_clerk, case=case, note="审批通过")
        assert case.state == State.RESOLVED

    def test_a_returned_application_keeps_its_legal_time_limit(self, tree, service_items, community_worker, frozen):
        case = apply(community_worker, tree["community11"], service_items["dibao"])
        due = case.resolve_due
        case = services.case_dispatch(actor=community_worker, case=case, assignee=tree["civil_affairs"])
        civil_clerk = person("mzclerk", Role.CLERK, tree["civil_affairs"])
        case = services.case_return(actor=civil_clerk, case=case, reason="材料不全，请补充收入证明")
        assert case.state == State.ACCEPTED and case.resolve_due == due and case.stage_due == due

    def test_overdue_is_flagged_and_escalated(self, tree, service_items, community_worker, office, frozen):
        case = apply(community_worker, tree["community11"], service_items["elderly_card"])
        frozen.set(dt.datetime(2025, 10, 13, 9, 0))
        case.refresh_from_db()
        assert case.is_overdue(clock.now())
        [escalation] = services.escalate_overdue()
        assert escalation.case == case and escalation.state == State.ACCEPTED
        case = services.case_resolve(actor=community_worker, case=case, note="补办")
        assert case.resolved_on_time is False

    def test_who_may_apply(self, tree, service_items, resident, outsider, clerk, frozen):
        with pytest.raises(PermissionDenied):
            apply(resident, tree["community12"], service_items["elderly_card"])
        with pytest.raises(PermissionDenied):
            apply(outsider, tree["community11"], service_items["elderly_card"])
        with pytest.raises(DomainError):
            apply(resident, tree["community11"], service_items["elderly_card"], phone="12345")


class TestQueryByCode:
    """Acceptance: a resident follows an application by its code without logging in, and sees no
    one else's data."""

    @pytest.fixture
    def two(self, tree, service_items, community_worker, frozen):
        mine = apply(community_worker, tree["community11"], service_items["elderly_card"], "孙丽华", "13805741234")
        other = apply(community_worker, tree["community11"], service_items["dibao"], "赵建国", "13905749876")
        frozen.advance(hours=2)
        services.case_resolve(actor=community_worker, case=mine, note="已发证")
        return mine, other

    def test_the_code_shows_that_application_with_masked_data(self, client, two):
        mine, other = two
        page = client.post(reverse("cases:query"), {"code": mine.query_code.lower()}).content.decode()
        assert "老年人优待证办理" in page and mine.number in page
        assert "孙**" in page and "138****1234" in page
        assert "孙丽华" not in page and "13805741234" not in page
        for step in ("已上报", "已受理", "已办结"):
            assert step in page, step
        assert "窗口受理" in page  # the handling steps (流程可询)
        # Nothing of the other application, and no worker's name.
        assert other.number not in page and "赵" not in page and "最低生活保障" not in page
        assert "community" not in page

    def test_a_wrong_code_shows_nothing(self, client, two):
        page = client.post(reverse("cases:query"), {"code": "ZZZZZZZZZZ"}).content.decode()
        # Case numbers (SJ2026…, FW2026…); bare letters could come from the random CSRF token.
        assert 'data-testid="not-found"' in page and not re.search(r"(SJ|FW)\d{4}", page)

    def test_the_page_needs_no_login_and_fits_a_phone(self, client, two):
        response = client.get(reverse("cases:query"))
        assert response.status_code == 200 and 'name="viewport"' in response.content.decode()

    def test_the_service_catalogue_is_public(self, client, two, service_items):
        page = client.get(reverse("cases:services")).content.decode()
        assert "老年人优待证办理" in page and "最低生活保障申请" in page
        detail = client.get(reverse("cases:service", args=["FW002"])).content.decode()
        assert "收入证明" in detail and "民政审批" in detail and "20" in detail
        partial = client.get(reverse("cases:services"), {"group": "government"}, HTTP_HX_REQUEST="true")
        assert "老年人优待证" not in partial.content.decode()

    def test_a_resident_applies_online_and_gets_the_code(self, client, tree, service_items, resident, frozen):
        client.force_login(resident)
        response = client.post(
            reverse("cases:apply", args=["FW001"]),
            {"applicant_name": "孙居民", "applicant_phone": "13805740001", "description": ""},
            follow=True,
        )
        page = response.content.decode()
        assert "查询码" in page
        from ..models import Case

        case = Case.objects.get(kind="service")
        assert case.query_code in page and case.reporter == resident
