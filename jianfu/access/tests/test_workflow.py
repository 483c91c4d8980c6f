import datetime as dt
from decimal import Decimal

import pytest

from jianfu.access import services
from jianfu.access.models import Application, Decision, Opinion, State
from jianfu.audit.services import verify
from jianfu.catalog.models import Category, Frequency, ItemKind, WorkItem
from jianfu.core import workdays
from jianfu.core.errors import DomainError, InvalidTransition, PermissionDenied

from .conftest import TODAY

START = dt.date(2026, 5, 6)  # well over 30 working days after TODAY


def draft(clerk, tree, **fields):
    data = {
        "name": "社区健康档案更新",
        "kind": ItemKind.LEDGER,
        "category": Category.DUTY,
        "description": "每季度更新辖区居民健康档案基础信息",
        "reason": "落实基本公共卫生服务",
        "legal_basis": "《基本医疗卫生与健康促进法》第六十九条",
        "frequency": Frequency.QUARTERLY,
        "hours_per_occurrence": Decimal("6"),
        "start_date": START,
    }
    return services.application_create(actor=clerk, department=tree["health"], **(data | fields))


@pytest.fixture
def meeting(office, tree, frozen):
    return services.meeting_create(actor=office, district=tree["district"], title="第一次联席会议", held_on=TODAY)


def to_deliberation(application, *, clerk, reviewer, office, community_worker, tree):
    services.application_submit(actor=clerk, application=application)
    services.application_pass_review(actor=reviewer, application=application)
    consultations = services.consultation_open(
        actor=office, application=application, orgs=[tree["community11"], tree["community12"]]
    )
    services.opinion_give(actor=community_worker, consultation=consultations[0], opinion=Opinion.AGREE)
    services.consultation_close(actor=office, application=application)
    application.refresh_from_db()
    return application


def test_the_whole_way_to_the_catalog_with_changes(tree, items, clerk, reviewer, office, community_worker, meeting):
    application = draft(clerk, tree)
    application = to_deliberation(
        application, clerk=clerk, reviewer=reviewer, office=office, community_worker=community_worker, tree=tree
    )
    assert application.state == State.DELIBERATION
    assert dict(application.consultations.values_list("org__code", "opinion")) == {
        "S1C1": Opinion.AGREE,
        "S1C2": Opinion.CLOSED_EARLY,  # closed at quorum before its due date: not overdue
    }
    services.application_decide(
        actor=office,
        application=application,
        meeting=meeting,
        decision=Decision.APPROVE_WITH_CHANGES,
        reason="同意",
        changes="频次改为每半年",
    )
    application.refresh_from_db()
    assert application.state == State.CHANGES_REQUESTED and application.work_item is None
    services.application_adjust(
        actor=clerk, application=application, note="已改为每半年", frequency=Frequency.HALF_YEARLY
    )
    services.application_confirm_adjustment(actor=office, application=application, accept=True)
    application.refresh_from_db()
    assert application.state == State.APPROVED
    item = application.work_item
    assert item.frequency == Frequency.HALF_YEARLY and item.is_in_force(START)
    assert item.hours_per_month() == Decimal("1.00")
    assert [t.to_state for t in application.transitions.all()] == [
        State.SUBMITTED,
        State.REVIEWED,
        State.CONSULTATION,
        State.CONSULTATION,  # 街道1社区1's answer, an entry of the history
        State.DELIBERATION,
        State.CHANGES_REQUESTED,
        State.ADJUSTED,
        State.APPROVED,
    ]
    assert verify().ok


def test_an_assist_item_without_funding_cannot_be_approved(
    tree, items, clerk, reviewer, office, community_worker, meeting
):
    application = draft(clerk, tree, category=Category.ASSIST, funding_yuan=0)
    application = to_deliberation(
        application, clerk=clerk, reviewer=reviewer, office=office, community_worker=community_worker, tree=tree
    )
    assert any("费随事转" in w for w in application.warnings)
    with pytest.raises(DomainError, match="费随事转"):
        services.application_decide(
            actor=office, application=application, meeting=meeting, decision=Decision.APPROVE, reason="同意"
        )
    application.refresh_from_db()
    assert application.state == State.DELIBERATION and not WorkItem.objects.filter(name="社区健康档案更新").exists()


def test_a_negative_list_item_cannot_be_applied_for(tree, items, clerk):
    application = draft(
        clerk, tree, name="出具无犯罪记录证明", kind=ItemKind.CERTIFICATE, category=Category.CERTIFICATE
    )
    with pytest.raises(DomainError, match="公安机关"):
        services.application_submit(actor=clerk, application=application)
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_making_the_community_responsible_for_demolition_is_refused_naming_the_rule(tree, items, clerk):
    application = draft(clerk, tree, name="城中村改造协助", description="由社区负责辖区拆迁拆违的组织实施和进度上报")
    with pytest.raises(DomainError) as caught:
        services.application_submit(actor=clerk, application=application)
    assert "民发〔2015〕136号" in caught.value.message and "拆迁拆违" in caught.value.message


@pytest.mark.parametrize("text", ["完成年度招商引资任务", "协助开展协税护税工作", "社區負責轄區拆違工作"])
def test_other_forbidden_work_is_refused(tree, items, clerk, text):
    application = draft(clerk, tree, name="年度重点工作", description=text)
    with pytest.raises(DomainError, match="民发〔2015〕136号"):
        services.application_submit(actor=clerk, application=application)


def test_apply_thirty_working_days_ahead_unless_temporary(tree, items, clerk):
    application = draft(clerk, tree, start_date=workdays.add_workdays(TODAY, 29))
    with pytest.raises(DomainError, match="30"):
        services.application_submit(actor=clerk, application=application)
    services.application_update(actor=clerk, application=application, start_date=workdays.add_workdays(TODAY, 30))
    assert services.application_submit(actor=clerk, application=application).state == State.SUBMITTED


def test_a_temporary_item_is_fast_tracked_and_expires(tree, items, clerk, office, frozen):
    application = draft(clerk, tree, temporary=True, valid_until=dt.date(2026, 4, 30), start_date=TODAY)
    services.application_submit(actor=clerk, application=application)
    services.application_fast_track(actor=office, application=application, reason="防汛紧急排查")
    item = Application.objects.get(pk=application.pk).work_item
    assert item.is_in_force(dt.date(2026, 4, 30)) and not item.is_in_force(dt.date(2026, 5, 1))


def test_the_15_working_day_limit_flags_and_escalates_an_overdue_application(tree, items, clerk, frozen):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    assert application.decision_due == workdays.add_workdays(TODAY, 15) == dt.date(2026, 3, 23)
    frozen(dt.date(2026, 3, 23))
    assert not application.is_overdue(dt.date(2026, 3, 23))
    assert services.escalate_overdue() == []
    frozen(dt.date(2026, 3, 24))
    escalated = services.escalate_overdue()
    assert [a.pk for a in escalated] == [application.pk]
    assert Application.objects.get(pk=application.pk).escalated_on == dt.date(2026, 3, 24)
    assert services.escalate_overdue() == []  # once only


def test_consultation_closes_early_only_with_a_quorum(tree, items, clerk, reviewer, office, community_worker, outsider):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    services.application_pass_review(actor=reviewer, application=application)
    consulted = [tree["community11"], tree["community12"], tree["community21"], tree["community22"]]
    consultations = services.consultation_open(actor=office, application=application, orgs=consulted)
    services.opinion_give(actor=community_worker, consultation=consultations[0], opinion=Opinion.AGREE)
    with pytest.raises(DomainError):
        services.consultation_close(actor=office, application=application)
    services.opinion_give(
        actor=outsider, consultation=consultations[2], opinion=Opinion.SUGGEST, comment="建议合并到现有台账"
    )
    assert services.consultation_close(actor=office, application=application).state == State.DELIBERATION


def test_only_the_consulted_community_gives_its_opinion(
    tree, items, clerk, reviewer, office, community_worker, outsider
):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    services.application_pass_review(actor=reviewer, application=application)
    (consultation,) = services.consultation_open(actor=office, application=application, orgs=[tree["community11"]])
    with pytest.raises(PermissionDenied):
        services.opinion_give(actor=outsider, consultation=consultation, opinion=Opinion.DISAGREE)


def test_roles_cannot_take_each_others_steps(tree, items, clerk, reviewer, office, street_worker):
    application = draft(clerk, tree)
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=office, application=application)
    services.application_submit(actor=clerk, application=application)
    with pytest.raises(PermissionDenied):
        services.application_pass_review(actor=clerk, application=application)
    with pytest.raises(PermissionDenied):
        services.application_pass_review(actor=street_worker, application=application)
    with pytest.raises(DomainError):  # no longer the department's to submit
        services.application_submit(actor=clerk, application=Application.objects.get(pk=application.pk))


def test_an_illegal_transition_names_the_state(tree, items, clerk, office, meeting):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    with pytest.raises(InvalidTransition, match="待初审"):
        services.application_decide(
            actor=office, application=application, meeting=meeting, decision=Decision.APPROVE, reason="x"
        )


def test_a_returned_application_can_be_fixed_and_resubmitted(tree, items, clerk, reviewer):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    services.application_return(actor=reviewer, application=application, reason="请补充法律依据条款")
    services.application_update(
        actor=clerk, application=application, legal_basis="《基本医疗卫生与健康促进法》第六十九条第二款"
    )
    assert services.application_submit(actor=clerk, application=application).state == State.SUBMITTED
