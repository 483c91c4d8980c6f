"""The case engine: stage deadlines on the official calendar, escalation of overdue stages with a
frozen clock, the dispatch rules, returns, disputes, reassignments, merging and reopening."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from jianfu.audit.models import AuditEntry
from jianfu.core.errors import DomainError, InvalidTransition, PermissionDenied

from .. import selectors, services
from ..models import Case, CaseEvent, Escalation, PointEntry, State
from .conftest import START

pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def report(user, org, matter, text="路灯不亮，晚上行人看不清", **kw):
    return services.case_report(actor=user, org_unit=org, matter=matter, description=text, address="幸福路12号", **kw)


@pytest.fixture
def whistled(tree, matters, grid_worker, community_worker, city, frozen):
    """A grid worker reports a broken lamp at 10:00; the community whistles 城管局 at 10:05."""
    case = report(grid_worker, tree["grid111"], matters["lamp"])
    frozen.advance(minutes=5)
    return services.whistle_blow(actor=community_worker, case=case, assignee=city, reason="请尽快维修")


class TestDeadlines:
    def test_the_first_whistle_stage_is_wall_clock_minutes(self, whistled):
        assert whistled.state == State.DISPATCHED and whistled.whistle
        assert whistled.respond_due == at(2025, 9, 30, 10, 35)
        assert whistled.stage_due == whistled.respond_due

    def test_resolution_is_due_in_working_days_across_national_day_and_a_make_up_saturday(
        self, whistled, city_clerk, frozen
    ):
        frozen.advance(minutes=15)
        case = services.case_respond(actor=city_clerk, case=whistled, note="已到现场")
        assert case.responded_on_time is True
        # Three working days after Tue 30 Sep: 1–8 Oct are off, so Thu 9, Fri 10 and the make-up Sat 11 Oct.
        assert timezone.localtime(case.resolve_due) == at(2025, 10, 11, 23, 59, 59)
        assert case.stage_due == case.resolve_due

    def test_the_revisit_is_due_in_working_days_too(self, whistled, city_clerk, frozen):
        services.case_respond(actor=city_clerk, case=whistled)
        frozen.set(dt.datetime(2025, 10, 10, 16, 0))
        case = services.case_resolve(actor=city_clerk, case=whistled, note="已更换灯泡")
        assert case.resolved_on_time is True
        # Revisit within 3 working days of Fri 10 Oct: Sat 11 (make-up), Mon 13, Tue 14.
        assert timezone.localtime(case.stage_due) == at(2025, 10, 14, 23, 59, 59)


class TestEscalation:
    def test_an_overdue_response_escalates_to_the_office_once(self, whistled, frozen, tree):
        frozen.set(dt.datetime(2025, 9, 30, 10, 34))
        assert services.escalate_overdue() == []
        frozen.set(dt.datetime(2025, 9, 30, 10, 40))
        out = io.StringIO()
        call_command("run_timers", stdout=out)
        assert "case stages escalated: 1" in out.getvalue()
        escalation = Escalation.objects.get()
        assert escalation.case == whistled and escalation.state == State.DISPATCHED
        assert escalation.office == tree["district"]
        assert services.escalate_overdue() == []  # flagged once
        assert CaseEvent.objects.filter(case=whistled, action="escalate").count() == 1
        assert AuditEntry.objects.filter(action="case.escalate", object_id=str(whistled.pk)).exists()

    def test_the_office_sees_the_escalation_until_the_stage_moves_on(self, whistled, frozen, office, city_clerk):
        frozen.set(dt.datetime(2025, 9, 30, 11, 0))
        services.escalate_overdue()
        assert [e.case for e in selectors.open_escalations(office)] == [whistled]
        case = services.case_respond(actor=city_clerk, case=whistled)
        assert case.responded_on_time is False
        assert selectors.open_escalations(office) == []

    def test_the_resolution_stage_is_not_overdue_on_the_make_up_saturday_but_is_after_it(
        self, whistled, frozen, city_clerk
    ):
        services.case_respond(actor=city_clerk, case=whistled)
        frozen.set(dt.datetime(2025, 10, 11, 20, 0))
        assert services.escalate_overdue() == []
        frozen.set(dt.datetime(2025, 10, 12, 0, 30))
        [escalation] = services.escalate_overdue()
        assert escalation.state == State.RESPONDED


class TestDispatchRules:
    def test_a_matter_the_lists_give_a_department_cannot_go_to_a_community_or_grid(
        self, tree, matters, grid_worker, community_worker, city
    ):
        case = report(grid_worker, tree["grid111"], matters["stalls"], text="小区门口有人占道经营")
        case = services.case_accept(actor=community_worker, case=case)
        for target in (tree["community11"], tree["grid111"]):
            with pytest.raises(DomainError) as refused:
                services.case_dispatch(actor=community_worker, case=case, assignee=target)
            assert refused.value.code == "department_matter"
            assert "城市管理执法" in refused.value.message and "综合行政执法部门" in refused.value.message
        case.refresh_from_db()
        assert case.state == State.ACCEPTED and case.assignee is None
        case = services.case_dispatch(actor=community_worker, case=case, assignee=city)
        assert case.state == State.DISPATCHED and case.whistle

    def test_free_text_naming_a_negative_list_item_is_caught_too(self, tree, matters, grid_worker, community_worker):
        case = report(grid_worker, tree["grid111"], matters["rubbish"], text="要求社区开展城市管理执法，清理占道摊贩")
        case = services.case_accept(actor=community_worker, case=case)
        with pytest.raises(DomainError, match="城市管理执法"):
            services.case_dispatch(actor=community_worker, case=case, assignee=tree["grid111"])

    def test_other_matters_may_be_handled_in_the_grid(self, tree, matters, grid_worker, community_worker):
        case = report(grid_worker, tree["grid111"], matters["rubbish"], text="楼道堆放垃圾")
        case = services.case_accept(actor=community_worker, case=case)
        case = services.case_dispatch(actor=community_worker, case=case, assignee=tree["grid112"])
        assert case.state == State.DISPATCHED and not case.whistle
        assert case.assignee == tree["grid112"]

    def test_a_community_cannot_dispatch_to_another_community(self, tree, matters, grid_worker, community_worker):
        case = services.case_accept(
            actor=community_worker, case=report(grid_worker, tree["grid111"], matters["rubbish"])
        )
        with pytest.raises(DomainError):
            services.case_dispatch(actor=community_worker, case=case, assignee=tree["community12"])

    def test_a_return_with_reason_and_a_reassignment_are_kept_in_the_history(
        self, tree, matters, grid_worker, community_worker, clerk, city, city_clerk
    ):
        case = report(grid_worker, tree["grid111"], matters["lamp"])
        # Dispatched to the wrong department (a whistle would go to 城管局, the lamp's department only).
        case = services.case_take_and_dispatch(actor=community_worker, case=case, assignee=tree["health"])
        with pytest.raises(DomainError):
            services.case_return(actor=clerk, case=case, reason=" ")
        case = services.case_return(actor=clerk, case=case, reason="路灯维修不属于卫健局职责")
        assert case.state == State.ACCEPTED and case.assignee is None
        case = services.case_dispatch(actor=community_worker, case=case, assignee=tree["grid111"])
        case = services.case_reassign(
            actor=community_worker, case=case, assignee=city, reason="需要专业维修，改派城管局"
        )
        assert case.assignee == city and case.whistle and case.state == State.DISPATCHED
        history = [(e.action, e.note, e.assignee.code if e.assignee else None) for e in case.events.all()]
        assert ("return", "路灯维修不属于卫健局职责", None) in history
        assert ("reassign", "需要专业维修，改派城管局", "CG") in history
        # The department that returned it still reads the case, but may no longer act on it.
        assert selectors.case_for_user(clerk, case.number) == case
        with pytest.raises(PermissionDenied):
            services.case_respond(actor=clerk, case=case)
        services.case_respond(actor=city_clerk, case=case)

    def test_a_dispute_is_recorded_and_the_dispatcher_reassigns(
        self, tree, matters, grid_worker, community_worker, clerk, city
    ):
        case = services.case_take_and_dispatch(
            actor=community_worker, case=report(grid_worker, tree["grid111"], matters["lamp"]), assignee=tree["health"]
        )
        case = services.case_dispute(actor=clerk, case=case, reason="应由城管局负责")
        assert case.disputed and case.state == State.DISPATCHED
        assert selectors.waiting_for(community_worker)["disputed"].get() == case
        case = services.case_reassign(actor=community_worker, case=case, assignee=city, reason="同意异议，改派城管局")
        assert not case.disputed
        assert [e.action for e in case.events.all()] == ["report", "accept", "dispatch", "dispute", "reassign"]


class TestResolutionAndRevisit:
    def test_not_fixed_reopens_and_the_reporter_confirms_later(
        self, whistled, city_clerk, grid_worker, community_worker
    ):
        services.case_respond(actor=city_clerk, case=whistled)
        services.case_resolve(actor=city_clerk, case=whistled, note="已维修")
        case = services.case_confirm(actor=grid_worker, case=whistled, solved=False, note="还是不亮")
        assert case.state == State.REOPENED and case.reopen_count == 1 and case.solved is False
        services.case_resolve(actor=city_clerk, case=case, note="更换整套灯具")
        case = services.case_confirm(actor=grid_worker, case=case, solved=True, satisfaction="basic")
        assert case.state == State.CONFIRMED and case.solved and case.satisfaction == "basic"
        case = services.case_close(actor=community_worker, case=case)
        assert case.state == State.CLOSED
        rules = list(PointEntry.objects.filter(case=case).values_list("rule", flat=True))
        assert rules == ["respond_on_time", "resolve_on_time", "reopened", "basic"]

    def test_the_community_may_record_a_case_as_unsolved_which_the_resolution_rate_counts(
        self, whistled, city_clerk, community_worker, city
    ):
        services.case_respond(actor=city_clerk, case=whistled)
        services.case_resolve(actor=city_clerk, case=whistled, note="需整体改造，暂无法解决")
        with pytest.raises(DomainError):
            services.case_confirm(
                actor=community_worker, case=whistled, solved=False, reopen=False, satisfaction="basic"
            )
        case = services.case_confirm(
            actor=community_worker,
            case=whistled,
            solved=False,
            reopen=False,
            satisfaction="basic",
            note="线路改造列入明年计划，居民表示理解",
        )
        assert case.state == State.CONFIRMED and case.solved is False and case.reopen_count == 0
        rates = selectors.rates(city, 2025, 9)
        assert (rates.dispatched, rates.solved, rates.satisfied) == (1, 0, 1)

    def test_only_the_reporter_or_the_community_confirms(self, whistled, city_clerk, outsider, resident):
        services.case_respond(actor=city_clerk, case=whistled)
        services.case_resolve(actor=city_clerk, case=whistled, note="已维修")
        for stranger in (outsider, city_clerk, resident):
            with pytest.raises(PermissionDenied):
                services.case_confirm(actor=stranger, case=whistled, satisfaction="satisfied")

    def test_states_cannot_be_skipped(self, whistled, city_clerk, grid_worker):
        with pytest.raises(InvalidTransition):
            services.case_resolve(actor=city_clerk, case=whistled, note="x")
        with pytest.raises(InvalidTransition):
            services.case_confirm(actor=grid_worker, case=whistled, satisfaction="satisfied")

    def test_every_transition_is_audited(self, whistled, city_clerk):
        services.case_respond(actor=city_clerk, case=whistled)
        actions = set(AuditEntry.objects.filter(object_id=str(whistled.pk)).values_list("action", flat=True))
        assert {"case.report", "case.accept", "case.dispatch", "case.respond"} <= actions


class TestReporting:
    def test_duplicates_of_one_matter_are_offered_and_merged(self, tree, matters, grid_worker, community_worker):
        first = report(grid_worker, tree["grid111"], matters["lamp"], text="幸福路12号路灯不亮")
        second = report(community_worker, tree["community11"], matters["lamp"], text="幸福路12号门口路灯坏了")
        assert [c for c, _ in selectors.possible_duplicates(second)] == [first]
        merged = services.case_merge(actor=community_worker, case=second, into=first)
        assert merged.state == State.MERGED and merged.merged_into == first
        assert first.events.filter(action="absorb").exists()
        with pytest.raises(InvalidTransition):
            services.case_accept(actor=community_worker, case=merged)

    def test_a_duplicate_is_found_however_many_open_reports_came_before_it(
        self, tree, matters, grid_worker, community_worker
    ):
        """No cut-off in the candidates: 200 older open reports of the matter in the community do not
        hide the one just before (the pool was the oldest 200)."""
        for n in range(200):
            report(grid_worker, tree["grid111"], matters["lamp"], text=f"第{n}号路段井盖松动异响")
        first = report(grid_worker, tree["grid111"], matters["lamp"], text="幸福路12号路灯不亮")
        second = report(community_worker, tree["community11"], matters["lamp"], text="幸福路12号门口路灯坏了")
        assert [c for c, _ in selectors.possible_duplicates(second)][0] == first

    def test_photos_are_optional_and_must_be_images(self, tree, matters, grid_worker):
        from django.core.files.uploadedfile import SimpleUploadedFile

        assert report(grid_worker, tree["grid111"], matters["lamp"]).photos.count() == 0
        with pytest.raises(DomainError):
            report(grid_worker, tree["grid111"], matters["lamp"], photos=[SimpleUploadedFile("a.exe", b"MZ")])
        photo = SimpleUploadedFile("lamp.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, content_type="image/jpeg")
        assert report(grid_worker, tree["grid111"], matters["lamp"], photos=[photo]).photos.count() == 1

    def test_a_worker_reports_only_where_they_work(self, tree, matters, grid_worker, clerk):
        with pytest.raises(PermissionDenied):
            report(grid_worker, tree["grid112"], matters["lamp"])
        with pytest.raises(PermissionDenied):
            report(clerk, tree["grid111"], matters["lamp"])

    def test_what_each_role_reads(self, whistled, tree, outsider, resident, street_worker, office, city_clerk, clerk):
        assert selectors.case_for_user(street_worker, whistled.number) == whistled
        assert selectors.case_for_user(office, whistled.number) == whistled
        assert selectors.case_for_user(city_clerk, whistled.number) == whistled
        for stranger in (outsider, resident, clerk):
            assert not selectors.cases_for_user(stranger).filter(pk=whistled.pk).exists()

    def test_a_case_number_is_yearly(self, tree, matters, grid_worker):
        case = report(grid_worker, tree["grid111"], matters["lamp"])
        assert case.number.startswith(f"SJ{START.year}-")
        assert Case.objects.count() == 1
