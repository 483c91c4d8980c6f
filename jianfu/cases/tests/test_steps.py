"""The services and the demo's bulk replay move a case by the same rules (cases.steps and the machine's
stamps): the same case taken through the same steps at the same moments, once by the services and
once by the replay in memory, ends — and stands after every step — with the same state, stamps,
deadlines, history, points and escalations."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from jianfu.core import workdays
from jianfu.demo.cases import _Replay
from jianfu.orgs.models import Role

from .. import services
from ..models import Case, CaseEvent, Escalation, PointEntry
from .conftest import START, person

pytestmark = pytest.mark.django_db

RULED = [
    "state",
    "whistle",
    "dispatcher_id",
    "assignee_id",
    "disputed",
    "merged_into_id",
    "reported_at",
    "accepted_at",
    "dispatched_at",
    "responded_at",
    "resolved_at",
    "confirmed_at",
    "closed_at",
    "stage_due",
    "respond_due",
    "resolve_due",
    "responded_on_time",
    "resolved_on_time",
    "reopen_count",
    "solved",
    "satisfaction",
    "updated_at",
]


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, month, day, hour, minute))


# Each step by its service, with the inputs the replay takes too (and a reason where one is required).
SERVICES = {
    "accept": lambda case, actor: services.accept(actor=actor, case=case),
    "dispatch": lambda case, actor, assignee: services.case_dispatch(actor=actor, case=case, assignee=assignee),
    "reassign": lambda case, actor, assignee: services.case_reassign(
        actor=actor, case=case, assignee=assignee, reason="改派"
    ),
    "return": lambda case, actor: services.case_return(actor=actor, case=case, reason="非本部门职责"),
    "dispute": lambda case, actor: services.case_dispute(actor=actor, case=case, reason="应由他部门负责"),
    "respond": lambda case, actor: services.case_respond(actor=actor, case=case),
    "resolve": lambda case, actor: services.case_resolve(actor=actor, case=case, note="已办理"),
    "reopen": lambda case, actor: services.case_reopen(actor=actor, case=case, reason="仍未解决"),
    "confirm": lambda case, actor, **params: services.case_confirm(actor=actor, case=case, **params),
    "close": lambda case, actor: services.case_close(actor=actor, case=case),
}


class Twin:
    """One case moved twice: by the services (saved) and by the demo's replay (in memory)."""

    def __init__(self, live: Case, gen, frozen):
        self.live, self.frozen = live, frozen
        copy = Case(
            pk=live.pk,
            kind=live.kind,
            matter=live.matter,
            service_item=live.service_item,
            org_unit=live.org_unit,
            org_path=live.org_path,
            reporter=live.reporter,
            channel=live.channel,
        )
        self.replay = _Replay(gen, copy)
        self.replay.report(live.reported_at, org=live.org_unit, actor=live.reporter)
        self.agree()

    def step(self, moment: dt.datetime, action: str, *, org, actor, **params) -> None:
        """`org`: the organisation the actor acts for, which the services find from the actor."""
        self.frozen.set(moment)
        self.live = SERVICES[action](self.live, actor, **params)
        if action in {"dispatch", "reassign"}:
            self.replay.dispatch(moment, params["assignee"], org=org, actor=actor, action=action)
        else:
            self.replay.step(action, moment, org=org, actor=actor, **params)
        self.agree()

    def agree(self) -> None:
        live = Case.objects.get(pk=self.live.pk)
        mine = self.replay.case
        assert {f: getattr(mine, f) for f in RULED} == {f: getattr(live, f) for f in RULED}
        assert [_event(e) for e in self.replay.events] == [
            _event(e) for e in CaseEvent.objects.filter(case=live).order_by("at", "pk")
        ]
        assert [_point(p) for p in self.replay.points] == [_point(p) for p in live.points.order_by("at", "pk")]
        assert [_escalation(e) for e in self.replay.escalations] == [
            _escalation(e) for e in live.escalations.order_by("at", "pk")
        ]


def _event(e: CaseEvent) -> tuple:
    return (e.action, e.from_state, e.to_state, e.actor_id, e.org_id, e.assignee_id, e.at)


def _point(p: PointEntry) -> tuple:
    return (p.department_id, p.rule, p.points, p.period, p.at)


def _escalation(e: Escalation) -> tuple:
    return (e.office_id, e.state, e.due, e.at)


@pytest.fixture
def gen(tree):
    """What the replay reads of the demo's generator: the calendar, "now" (far ahead), the office."""
    first = START.date() - dt.timedelta(days=30)
    return SimpleNamespace(
        cal=workdays.Calendar(first, first + dt.timedelta(days=400)),
        now=START + dt.timedelta(days=365),
        district=tree["district"],
        numbered=[],
    )


def test_a_whistle_returned_disputed_reassigned_late_and_reopened(
    tree, matters, gen, grid_worker, community_worker, clerk, city_clerk, city, frozen
):
    grid, community, health = tree["grid111"], tree["community11"], tree["health"]
    live = services.case_report(actor=grid_worker, org_unit=grid, matter=matters["lamp"], description="路灯不亮")
    t = Twin(live, gen, frozen)
    t.step(at(9, 30, 10, 10), "accept", org=community, actor=community_worker)
    t.step(at(9, 30, 10, 15), "dispatch", org=community, actor=community_worker, assignee=health)
    t.step(at(9, 30, 10, 40), "return", org=health, actor=clerk)
    t.step(at(9, 30, 10, 50), "dispatch", org=community, actor=community_worker, assignee=health)
    t.step(at(9, 30, 11, 0), "dispute", org=health, actor=clerk)
    t.step(at(9, 30, 11, 10), "reassign", org=community, actor=community_worker, assignee=city)
    # Due in 30 minutes (11:40): the hourly timer escalates it at noon, before the late response.
    frozen.set(at(9, 30, 12))
    [escalation] = services.escalate_overdue()
    assert escalation.due == at(9, 30, 11, 40)
    t.step(at(9, 30, 13), "respond", org=city, actor=city_clerk)
    t.step(at(10, 9, 10), "resolve", org=city, actor=city_clerk)
    t.step(at(10, 10, 10), "reopen", org=grid, actor=grid_worker)
    t.step(at(10, 11, 10), "resolve", org=city, actor=city_clerk)  # the make-up Saturday
    t.step(at(10, 13, 10), "confirm", org=grid, actor=grid_worker, solved=True, satisfaction="satisfied")
    t.step(at(10, 13, 11), "close", org=community, actor=community_worker)
    t.replay.finish()
    t.agree()
    # Resolution is scored once, not again after the reopening.
    assert [p.rule for p in t.replay.points] == ["respond_late", "resolve_on_time", "reopened", "satisfied"]


def test_a_service_application_passed_on_to_its_department(
    tree, service_items, gen, resident, community_worker, frozen
):
    community, civil = tree["community11"], tree["civil_affairs"]
    civil_clerk = person("mzclerk", Role.CLERK, civil)
    live = services.service_apply(
        actor=resident,
        community=community,
        item=service_items["dibao"],
        applicant_name="孙丽华",
        applicant_phone="13805741234",
    )
    t = Twin(live, gen, frozen)
    t.step(at(9, 30, 11), "accept", org=community, actor=community_worker)
    t.step(at(9, 30, 11, 30), "dispatch", org=community, actor=community_worker, assignee=civil)
    t.step(at(9, 30, 14), "respond", org=civil, actor=civil_clerk)
    t.step(at(10, 20, 10), "resolve", org=civil, actor=civil_clerk)
    t.step(at(10, 21, 10), "confirm", org=community, actor=community_worker, solved=True, satisfaction="basic")
    t.step(at(10, 21, 11), "close", org=community, actor=community_worker)
    assert not t.replay.points and not t.live.whistle


def test_a_duplicate_merged_into_an_open_whistle(tree, matters, gen, grid_worker, community_worker, city, frozen):
    grid, community = tree["grid111"], tree["community11"]
    report = services.case_report
    first = Twin(report(actor=grid_worker, org_unit=grid, matter=matters["lamp"], description="路灯不亮"), gen, frozen)
    first.step(at(9, 30, 10, 10), "accept", org=community, actor=community_worker)
    first.step(at(9, 30, 10, 20), "dispatch", org=community, actor=community_worker, assignee=city)
    frozen.set(at(9, 30, 11))
    second = Twin(report(actor=grid_worker, org_unit=grid, matter=matters["lamp"], description="又不亮"), gen, frozen)
    moment = at(9, 30, 11, 10)
    frozen.set(moment)
    second.live = services.case_merge(actor=community_worker, case=second.live, into=first.live)
    second.replay.merge(moment, first.replay, org=community, actor=community_worker)
    second.agree()
    first.agree()  # the case joined notes the duplicate in its history
    second.replay.case.number = second.live.number  # the demo numbers its cases when it saves them
    for event, note in gen.numbered:
        event.note = note()
    absorbed = CaseEvent.objects.get(case=first.live, action="absorb")
    assert [e.note for e in first.replay.events if e.action == "absorb"] == [absorbed.note]
