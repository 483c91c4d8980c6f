"""Hypothesis state machine for the case engine (reported matters, whistles and one-window service
applications): random actors of the cast call the real services with random inputs, and after
every step the machine checks that

- every case is in a state the TRANSITIONS table (with the window's extra) can reach, and in the
  state its successful calls led it to; closed and merged cases stay so;
- the history chains through the table, each CaseEvent with exactly one audit entry;
- a refused call (PermissionDenied, InvalidTransition, DomainError) changed nothing at all;
- only the people the rules name succeed (reporters where they live or work, dispatchers over the
  place or the office, the assignee's people, the reporter or the community for the revisit);
- stage deadlines are working days from jianfu.core.workdays (or the whistle's minutes);
- what the lists give a department never sits with a community or grid;
- the audit chain verifies at the end of every example.

Each example runs inside a savepoint that is rolled back, so examples share the cast but not data.
"""

import datetime as dt
import functools
import os
import re
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from jianfu.audit.models import AuditEntry, AuditHead
from jianfu.audit.services import verify
from jianfu.core import workdays
from jianfu.core.errors import DomainError
from jianfu.orgs.models import DEPARTMENT_KINDS, Role

from .. import deadlines, services
from ..conf import conf
from ..models import (
    FINAL_STATES,
    WITH_ASSIGNEE,
    Case,
    CaseEvent,
    CaseKind,
    Escalation,
    HandledAt,
    PointEntry,
    RequestType,
    Satisfaction,
    State,
)
from .conftest import START, person

pytestmark = pytest.mark.django_db

S = State
# Who is who: (organisation name in the tree, role).
CAST = {
    "office": ("district", Role.OFFICE),
    "reviewer": ("civil_affairs", Role.REVIEWER),
    "clerk": ("health", Role.CLERK),
    "city_clerk": ("city", Role.CLERK),
    "civil_clerk": ("civil_affairs", Role.CLERK),
    "street_worker": ("street1", Role.STREET),
    "community_worker": ("community11", Role.COMMUNITY),
    "grid_worker": ("grid111", Role.GRID),
    "resident": ("community11", Role.RESIDENT),
    "outsider": ("community21", Role.COMMUNITY),
}
DISPATCHERS = {Role.COMMUNITY, Role.STREET}
REPORTERS = {Role.GRID, Role.COMMUNITY, Role.STREET, Role.RESIDENT}
PLACES = ["grid111", "grid112", "community11", "community12", "grid211", "community21", "street1", "health"]
ASSIGNEES = ["city", "health", "civil_affairs", "community11", "grid111", "community12", "community21", "street1"]
MATTERS = ["stalls", "lamp", "rubbish", "key_person"]
REASONS = ["", " ", "不属于本单位职责"]


def _reachable() -> set[str]:
    seen, frontier = {S.REPORTED.value}, [S.REPORTED.value]
    table = list(services.TRANSITIONS.values()) + [
        (sources, services.TRANSITIONS[a][1]) for a, sources in services.SERVICE_EXTRA.items()
    ]
    while frontier:
        state = frontier.pop()
        for sources, target in table:
            if state in sources and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


REACHABLE = _reachable()
SNAPSHOT_FIELDS = [
    "pk",
    "state",
    "assignee",
    "whistle",
    "disputed",
    "merged_into",
    "updated_at",
    "stage_due",
    "respond_due",
    "resolve_due",
    "responded_on_time",
    "resolved_on_time",
    "reopen_count",
    "solved",
    "satisfaction",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
# More examples, randomised, for a longer local hunt: JIANFU_STATE_MACHINE_EXAMPLES=500 pytest …
EXAMPLES = int(os.environ.get("JIANFU_STATE_MACHINE_EXAMPLES", 0))


@functools.cache
def due_after(start: dt.datetime, days: int) -> dt.datetime:
    """The invariants' own reading of a stage deadline: the end of the day `days` working days on."""
    day = workdays.add_workdays(timezone.localdate(start), days)
    assert days == 0 or workdays.is_workday(day)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


actors = st.sampled_from(sorted(CAST))


def actor_for(*usual: str):
    """Mostly the actors the action belongs to (so the machine gets deep), sometimes anyone."""
    return st.one_of(st.sampled_from(usual), actors)


class CaseWorkflow(RuleBasedStateMachine):
    ctx: dict = {}  # the cast, the tree, the matters, the service items and the clock, given by the test
    seen: Counter = Counter()  # successful actions over all examples

    cases = Bundle("cases")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.cast, self.tree = self.ctx["cast"], self.ctx["tree"]
        self.matters, self.items, self.clock = self.ctx["matters"], self.ctx["items"], self.ctx["clock"]
        self.clock.set(START)
        self.expected: dict[int, str] = {}
        self.final: dict[int, str] = {}
        self._department_matter: dict[int, bool] = {}

    def teardown(self):
        try:
            result = verify()
            assert result.ok, result
        finally:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    # ------------------------------------------------------------------------------- the cast

    def reaches(self, name: str | None, org, roles) -> bool:
        if name is None:
            return False
        home, role = CAST[name]
        return role in roles and org.path.startswith(self.tree[home].path)

    def may_dispatch(self, name, case) -> bool:
        return self.reaches(name, case.org_unit, DISPATCHERS) or self.reaches(name, case.org_unit, {Role.OFFICE})

    def may_handle(self, name, case) -> bool:
        if case.assignee_id is None:
            return case.kind == CaseKind.SERVICE and self.reaches(name, case.org_unit, DISPATCHERS)
        roles = {Role.CLERK} if case.assignee.kind in DEPARTMENT_KINDS else {Role.COMMUNITY, Role.GRID, Role.STREET}
        return self.reaches(name, case.assignee, roles)

    def may_confirm(self, name, case) -> bool:
        return case.reporter_id == self.cast[name].pk or self.reaches(name, case.org_unit, DISPATCHERS)

    def department_matter(self, case) -> bool:
        """Whether the lists give this case's matter to a department (its text and matter do not
        change, so once per case)."""
        if case.pk not in self._department_matter:
            self._department_matter[case.pk] = services.department_matter(case) is not None
        return self._department_matter[case.pk]

    def someone(self, test, case, prefer: int = 0):
        """A cast member `test` allows for this case (the `prefer`-th of them), or None."""
        able = [n for n in sorted(CAST) if test(n, case)]
        return able[prefer % len(able)] if able else None

    # ------------------------------------------------------------------------------- helpers

    def case(self, pk) -> Case:
        return Case.objects.select_related("org_unit", "assignee", "matter__group", "service_item").get(pk=pk)

    def snapshot(self):
        """Everything a refused call could have touched; any other audited write moves the head."""
        return (
            list(Case.objects.order_by("pk").values_list(*SNAPSHOT_FIELDS)),
            CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0,
            PointEntry.objects.count(),
            Escalation.objects.count(),
            AuditHead.objects.filter(id=1).values_list("seq", "hash").first() or (0, ""),
        )

    def attempt(self, kind: str, actor, call, *, may: bool, expect: list[tuple[int, str]] = ()):
        """Run a service call. Refused: nothing changed. Succeeded: an allowed actor, and exactly
        the expected history rows (case, action), each moving by the table, each audited once."""
        before = self.snapshot()
        last_event, (audit_seq, _hash) = before[1], before[4]
        states = {c[0]: c[1] for c in before[0]}
        try:
            result = call()
        except DomainError as exc:
            assert CJK.search(exc.message), f"{kind}: refused without a Chinese message: {exc.message!r}"
            assert self.snapshot() == before, f"{kind} by {actor} was refused ({exc.message}) but changed data"
            return None
        assert may, f"{actor} succeeded at {kind}"
        new = list(CaseEvent.objects.filter(pk__gt=last_event).order_by("pk"))
        if isinstance(result, Case) and result.pk not in states:  # a new case: its report comes first
            expect = [(result.pk, "report")] + [(result.pk if pk == "new" else pk, a) for pk, a in expect]
        assert [(e.case_id, e.action) for e in new] == list(expect), (kind, [(e.case_id, e.action) for e in new])
        audits = list(
            AuditEntry.objects.filter(seq__gt=audit_seq, object_type="cases.case")
            .order_by("seq")
            .values_list("object_id", "action")
        )
        kinds = dict(Case.objects.filter(pk__in={e.case_id for e in new}).values_list("pk", "kind"))
        assert audits == [(str(e.case_id), _audit_action(e, kinds[e.case_id])) for e in new], (kind, audits)
        for e in new:
            if e.action == "report":
                assert e.from_state == "" and e.to_state == S.REPORTED
                states[e.case_id] = S.REPORTED
            elif e.action in services.NOTES:
                assert e.from_state == e.to_state == states[e.case_id]
            else:
                sources, target = services.TRANSITIONS[e.action]
                sources = sources | services.SERVICE_EXTRA.get(e.action, set())
                assert e.from_state == states[e.case_id] and e.from_state in sources and e.to_state == target
                states[e.case_id] = target
            self.expected[e.case_id] = states[e.case_id]
            self.seen[e.action] += 1
        return result

    # ------------------------------------------------------------------------------- rules

    # A path: 0–3 pick among the next steps, 4 lets some hours pass and runs the timer job.
    path = st.lists(st.integers(0, 4), min_size=4, max_size=14)

    @initialize(
        target=cases,
        choices=path,
        matter=st.sampled_from(MATTERS),
        actor=st.sampled_from(["resident", "community_worker"]),
    )
    def reported_matters(self, choices, matter, actor):
        """Every example starts with a matter a grid worker reports and a second report of the same
        place by a resident or the community (a duplicate that may be merged), both driven along a
        random path, step by step in turn…"""
        pks = []
        for reporter, what in (("grid_worker", matter), (actor, "lamp")):
            case = self.attempt(
                "report",
                reporter,
                lambda reporter=reporter, what=what: services.case_report(
                    actor=self.cast[reporter],
                    org_unit=self.tree["grid111"],
                    matter=self.matters[what],
                    description="路灯不亮，晚上行人看不清",
                ),
                may=True,
            )
            pks.append(case.pk)
        for i, choice in enumerate(choices):
            self.progress(pks[i % 2], [choice])
        return multiple(*pks)

    @initialize(target=cases, choices=path, item=st.sampled_from(["elderly_card", "dibao"]), window=st.booleans())
    def service_application(self, choices, item, window):
        """…and a one-window service application, online or at the window."""
        actor = "community_worker" if window else "resident"
        case = self.attempt(
            "apply",
            actor,
            lambda: services.service_apply(
                actor=self.cast[actor],
                community=self.tree["community11"],
                item=self.items[item],
                applicant_name="孙丽华",
                applicant_phone="13805741234",
            ),
            may=True,
            expect=[("new", "accept")] if window else [],
        )
        self.progress(case.pk, choices)
        return case.pk

    @precondition(lambda self: len(self.expected) < 6)
    @rule(
        target=cases,
        actor=actor_for("grid_worker", "community_worker", "resident"),
        place=st.sampled_from(PLACES),
        matter=st.sampled_from(MATTERS),
        description=st.sampled_from(["", "楼道堆放垃圾", "要求社区开展城市管理执法，清理占道摊贩"]),
        request_type=st.sampled_from([*RequestType.values, "rumour"]),
    )
    def report(self, actor, place, matter, description, request_type):
        org = self.tree[place]
        case = self.attempt(
            "report",
            actor,
            lambda: services.case_report(
                actor=self.cast[actor],
                org_unit=org,
                matter=self.matters[matter],
                description=description,
                request_type=request_type,
            ),
            may=self.reaches(actor, org, REPORTERS),
        )
        return multiple(case.pk) if case else multiple()

    @precondition(lambda self: len(self.expected) < 6)
    @rule(
        target=cases,
        actor=actor_for("resident", "community_worker"),
        place=st.sampled_from(["community11", "community21", "grid111"]),
        item=st.sampled_from(["elderly_card", "dibao"]),
        phone=st.sampled_from(["13805741234", "12345"]),
    )
    def apply(self, actor, place, item, phone):
        org = self.tree[place]
        at_window = self.reaches(actor, org, {Role.COMMUNITY})
        before = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        case = self.attempt(
            "apply",
            actor,
            lambda: services.service_apply(
                actor=self.cast[actor],
                community=org,
                item=self.items[item],
                applicant_name="孙丽华",
                applicant_phone=phone,
            ),
            may=at_window or self.reaches(actor, org, {Role.RESIDENT}),
            expect=[("new", "accept")] if at_window else [],
        )
        if case is not None:
            actions = [e.action for e in CaseEvent.objects.filter(pk__gt=before).order_by("pk")]
            assert actions == (["report", "accept"] if at_window else ["report"])
        return multiple(case.pk) if case else multiple()

    @rule(pk=cases, actor=actor_for("community_worker", "street_worker", "office"))
    def accept(self, pk, actor):
        case = self.case(pk)
        self.attempt(
            "accept",
            actor,
            lambda: services.accept(actor=self.cast[actor], case=case),
            may=self.may_dispatch(actor, case),
            expect=[(pk, "accept")],
        )

    @rule(pk=cases, actor=actor_for("community_worker", "office"), assignee=st.sampled_from(ASSIGNEES))
    def dispatch(self, pk, actor, assignee):
        case = self.case(pk)
        self.attempt(
            "dispatch",
            actor,
            lambda: services.case_dispatch(actor=self.cast[actor], case=case, assignee=self.tree[assignee]),
            may=self.may_dispatch(actor, case),
            expect=[(pk, "dispatch")],
        )

    @rule(pk=cases, actor=actor_for("community_worker", "street_worker"), assignee=st.sampled_from(ASSIGNEES))
    def whistle(self, pk, actor, assignee):
        case = self.case(pk)
        expect = [(pk, "accept"), (pk, "dispatch")] if case.state == S.REPORTED else [(pk, "dispatch")]
        self.attempt(
            "whistle",
            actor,
            lambda: services.whistle_blow(actor=self.cast[actor], case=case, assignee=self.tree[assignee]),
            may=self.may_dispatch(actor, case),
            expect=expect,
        )

    @precondition(lambda self: len(self.expected) < 6)
    @rule(target=cases, actor=actor_for("community_worker", "street_worker"), assignee=st.sampled_from(ASSIGNEES))
    def whistle_new(self, actor, assignee):
        """社区吹哨 for a matter the community raises itself: report, accept and dispatch in one go."""
        org = self.tree["community11"]
        before = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        case = self.attempt(
            "whistle",
            actor,
            lambda: services.whistle_blow(
                actor=self.cast[actor],
                assignee=self.tree[assignee],
                org_unit=org,
                matter=self.matters["lamp"],
                description="小区路灯损坏",
            ),
            may=self.reaches(actor, org, DISPATCHERS),
            expect=[("new", "accept"), ("new", "dispatch")],
        )
        if case is not None:
            actions = [e.action for e in CaseEvent.objects.filter(pk__gt=before).order_by("pk")]
            assert actions == ["report", "accept", "dispatch"] and case.whistle
        return multiple(case.pk) if case else multiple()

    @rule(pk=cases, actor=actor_for("city_clerk", "grid_worker", "civil_clerk"))
    def respond(self, pk, actor):
        case = self.case(pk)
        self.attempt(
            "respond",
            actor,
            lambda: services.case_respond(actor=self.cast[actor], case=case, note="已到现场"),
            may=self.may_handle(actor, case),
            expect=[(pk, "respond")],
        )

    @rule(pk=cases, actor=actor_for("city_clerk", "community_worker", "civil_clerk"), note=st.sampled_from(REASONS))
    def resolve(self, pk, actor, note):
        case = self.case(pk)
        self.attempt(
            "resolve",
            actor,
            lambda: services.case_resolve(actor=self.cast[actor], case=case, note=note),
            may=self.may_handle(actor, case),
            expect=[(pk, "resolve")],
        )

    @rule(pk=cases, actor=actor_for("city_clerk", "grid_worker"), reason=st.sampled_from(REASONS))
    def return_(self, pk, actor, reason):
        case = self.case(pk)
        self.attempt(
            "return",
            actor,
            lambda: services.case_return(actor=self.cast[actor], case=case, reason=reason),
            may=self.may_handle(actor, case) and case.assignee_id is not None,
            expect=[(pk, "return")],
        )

    @rule(pk=cases, actor=actor_for("city_clerk", "grid_worker"), reason=st.sampled_from(REASONS))
    def dispute(self, pk, actor, reason):
        case = self.case(pk)
        self.attempt(
            "dispute",
            actor,
            lambda: services.case_dispute(actor=self.cast[actor], case=case, reason=reason),
            may=self.may_handle(actor, case) and case.assignee_id is not None,
            expect=[(pk, "dispute")],
        )

    @rule(
        pk=cases,
        actor=actor_for("community_worker", "office"),
        assignee=st.sampled_from(ASSIGNEES),
        reason=st.sampled_from(REASONS),
    )
    def reassign(self, pk, actor, assignee, reason):
        case = self.case(pk)
        self.attempt(
            "reassign",
            actor,
            lambda: services.case_reassign(
                actor=self.cast[actor], case=case, assignee=self.tree[assignee], reason=reason
            ),
            may=self.may_dispatch(actor, case),
            expect=[(pk, "reassign")],
        )

    @rule(
        pk=cases,
        actor=actor_for("grid_worker", "resident", "community_worker"),
        solved=st.booleans(),
        satisfaction=st.sampled_from([*Satisfaction.values, ""]),
        note=st.sampled_from(REASONS),
        reopen=st.booleans(),
    )
    def confirm(self, pk, actor, solved, satisfaction, note, reopen):
        case = self.case(pk)
        action = "reopen" if not solved and reopen else "confirm"
        self.attempt(
            "confirm",
            actor,
            lambda: services.case_confirm(
                actor=self.cast[actor], case=case, solved=solved, satisfaction=satisfaction, note=note, reopen=reopen
            ),
            may=self.may_confirm(actor, case),
            expect=[(pk, action)],
        )

    @rule(pk=cases, actor=actor_for("community_worker", "street_worker", "office"))
    def close(self, pk, actor):
        case = self.case(pk)
        self.attempt(
            "close",
            actor,
            lambda: services.case_close(actor=self.cast[actor], case=case),
            may=self.may_dispatch(actor, case),
            expect=[(pk, "close")],
        )

    @rule(pk=cases, into=cases, actor=actor_for("community_worker", "office"))
    def merge(self, pk, into, actor):
        case, target = self.case(pk), self.case(into)
        self.attempt(
            "merge",
            actor,
            lambda: services.case_merge(actor=self.cast[actor], case=case, into=target),
            may=self.may_dispatch(actor, case) and self.may_dispatch(actor, target),
            expect=[(pk, "merge"), (into, "absorb")],
        )

    @rule(pk=cases, choices=path)
    def progress(self, pk, choices):
        """The next steps of the way, each by someone it belongs to, with valid inputs: the random
        rules above rarely line up a whole path; this one keeps the machine going deep."""
        for choice in choices:
            if choice == 4:
                self.time_passes(60 * 7)
                self.timers()
            else:
                self._step(pk, choice)
            self.cases_are_consistent()

    def _step(self, pk, choice):
        case = self.case(pk)
        state, service = case.state, case.kind == CaseKind.SERVICE
        dispatcher = self.someone(self.may_dispatch, case, choice)
        handler = self.someone(self.may_handle, case, choice)
        others = Case.objects.filter(kind=case.kind, state__in=[S.REPORTED, S.ACCEPTED]).exclude(pk=pk)
        if state in {S.REPORTED, S.ACCEPTED} and choice == (0 if state == S.REPORTED else 3) and others.exists():
            self.merge(pk, others.first().pk, dispatcher)
        elif state == S.REPORTED:
            if choice == 1 and not service:
                self.whistle(pk, dispatcher, "city")
            else:
                self.accept(pk, dispatcher)
        elif state == S.ACCEPTED:
            if service:
                if case.service_item.handled_at == HandledAt.WINDOW and choice:
                    self.resolve(pk, handler, "当场办结")
                else:
                    self.dispatch(pk, dispatcher, "civil_affairs")
            else:
                self.dispatch(pk, dispatcher, ["city", "grid111", "community11", "health"][choice])
        elif state == S.DISPATCHED:
            if choice == 0:
                self.return_(pk, handler, "不属于本单位职责")
            elif choice == 1:
                self.dispute(pk, handler, "应由其他单位处理")
                self.reassign(pk, dispatcher, "health" if case.assignee.code != "WJ" else "city", "异议成立")
            else:
                self.respond(pk, handler)
        elif state in {S.RESPONDED, S.REOPENED}:
            if choice == 0 and not service:
                self.reassign(pk, dispatcher, "health" if case.assignee.code != "WJ" else "city", "改派")
            else:
                self.resolve(pk, handler, "已处理完毕")
        elif state == S.RESOLVED:
            reporter = next((n for n, u in self.cast.items() if u.pk == case.reporter_id), dispatcher)
            if choice == 0:
                self.confirm(pk, reporter, False, "", "仍未修好", True)
            elif choice == 1:
                self.confirm(pk, dispatcher, False, Satisfaction.DISSATISFIED, "超出政策范围", False)
            else:
                self.confirm(pk, reporter, True, Satisfaction.SATISFIED, "", True)
        elif state == S.CONFIRMED:
            self.close(pk, dispatcher)

    @rule(minutes=st.sampled_from([10, 45, 60 * 20, 60 * 24 * 3, 60 * 24 * 9]))
    def time_passes(self, minutes):
        self.clock.advance(minutes=minutes)

    @rule()
    def timers(self):
        """The timer job: each overdue stage is escalated to the office once."""
        last = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        made = services.escalate_overdue()
        escalated = list(CaseEvent.objects.filter(pk__gt=last).order_by("pk"))
        assert [(e.case_id, e.action) for e in escalated] == [(x.case_id, "escalate") for x in made]
        for escalation in made:
            self.seen["escalate"] += 1
            case = self.case(escalation.case_id)
            assert case.is_overdue(self.clock.at) and escalation.due == case.stage_due
        assert services.escalate_overdue() == []  # once

    # ------------------------------------------------------------------------------ invariants

    @invariant()
    def cases_are_consistent(self):
        cases = {c.pk: c for c in Case.objects.select_related("assignee", "matter__group", "service_item")}
        assert set(cases) == set(self.expected)
        events: dict[int, list] = {pk: [] for pk in cases}
        for e in CaseEvent.objects.order_by("pk"):
            events[e.case_id].append(e)
        audits: dict[int, list] = {pk: [] for pk in cases}
        for object_id, action in (
            AuditEntry.objects.filter(object_type="cases.case").order_by("seq").values_list("object_id", "action")
        ):
            audits[int(object_id)].append(action)
        department_cases = set(
            CaseEvent.objects.filter(assignee__kind__in=DEPARTMENT_KINDS).values_list("case_id", flat=True)
        )
        for entry in PointEntry.objects.all():
            assert entry.case_id in department_cases, "points for a case no department answered"
        for pk, case in cases.items():
            assert case.state in REACHABLE, f"{case.number} reached {case.state}"
            assert case.state == self.expected[pk], f"{case.number} is {case.state}, expected {self.expected[pk]}"
            if pk in self.final:
                assert case.state == self.final[pk], f"{case.number} left the terminal state {self.final[pk]}"
            elif case.state in FINAL_STATES:
                self.final[pk] = case.state
            # The history chains through the table, each row audited once.
            state = ""
            for e in events[pk]:
                if e.action == "report":
                    assert state == "" and e.to_state == S.REPORTED
                elif e.action in services.NOTES:
                    assert e.from_state == e.to_state == state
                else:
                    sources, target = services.TRANSITIONS[e.action]
                    if case.kind == CaseKind.SERVICE:
                        sources = sources | services.SERVICE_EXTRA.get(e.action, set())
                    assert e.from_state == state and state in sources and e.to_state == target, (e.action, state)
                state = e.to_state
            assert state == case.state
            assert audits[pk] == [_audit_action(e, case.kind) for e in events[pk]], (audits[pk], events[pk])
            # Who holds it.
            if case.state in WITH_ASSIGNEE:
                # …the assignee, or (a service done at the window, then reopened) the window itself.
                assert case.assignee_id is not None or (
                    case.state == S.REOPENED and case.service_item.handled_at == HandledAt.WINDOW
                )
            if case.state == S.MERGED:
                assert case.merged_into_id not in (None, pk)
            else:
                assert case.merged_into_id is None
            if case.assignee_id is not None:
                is_department = case.assignee.kind in DEPARTMENT_KINDS
                assert case.whistle == (case.kind == CaseKind.EVENT and is_department)
                if not is_department:
                    assert case.kind == CaseKind.EVENT, "a service went to a community or grid"
                    assert not self.department_matter(case), "a department's matter sits with a community"
            self._deadlines(case, [e for e in events[pk] if e.action == "report" or e.action not in services.NOTES])

    def _deadlines(self, case: Case, moves: list[CaseEvent]):
        """Stage deadlines, recomputed from the history with jianfu.core.workdays."""
        last, state = moves[-1], case.state
        service = case.kind == CaseKind.SERVICE
        if service:
            started = [e for e in moves if e.action in {"accept", "reopen"}]
            if started:
                assert case.resolve_due == due_after(started[-1].at, case.service_item.time_limit_workdays)
            else:
                assert case.resolve_due is None
        elif state in {S.RESPONDED, S.REOPENED}:
            days = case.matter.resolve_workdays or case.matter.group.resolve_workdays
            assert case.resolve_due == due_after(last.at, days)
        elif state in {S.ACCEPTED, S.DISPATCHED}:
            assert case.resolve_due is None
        if not service and state == S.DISPATCHED:
            assert last.action in {"dispatch", "reassign"}
            if case.assignee.kind in DEPARTMENT_KINDS:
                minutes = case.matter.respond_minutes or case.matter.group.respond_minutes
                expected = (
                    last.at + dt.timedelta(minutes=minutes)
                    if minutes
                    else due_after(last.at, case.matter.group.respond_workdays)
                )
            else:
                expected = due_after(last.at, conf("LOCAL_RESPOND_WORKDAYS"))
            assert case.respond_due == expected
        if state == S.REPORTED:
            days = conf("SERVICE_ACCEPT_WORKDAYS" if service else "ACCEPT_WORKDAYS")
            stage_due = due_after(case.reported_at, days)
        elif state == S.RESOLVED:
            stage_due = due_after(last.at, conf("REVISIT_WORKDAYS"))
        elif state in {S.CONFIRMED, S.CLOSED, S.MERGED}:
            stage_due = None
        elif service:
            stage_due = case.resolve_due
        elif state == S.ACCEPTED:
            stage_due = due_after(last.at, conf("ACCEPT_WORKDAYS"))
        elif state == S.DISPATCHED:
            stage_due = case.respond_due
        else:
            stage_due = case.resolve_due
        assert case.stage_due == stage_due, (case.number, state, case.stage_due, stage_due)
        assert deadlines  # the module the services use; the invariants recompute without it


def _audit_action(event: CaseEvent, kind: str) -> str:
    if event.action == "report":
        return "case.report" if kind == CaseKind.EVENT else "case.apply"
    return f"case.{event.action}"


def test_the_case_engine_reaches_no_illegal_state(
    tree,
    matters,
    service_items,
    city,
    city_clerk,
    frozen,
    office,
    reviewer,
    clerk,
    street_worker,
    community_worker,
    grid_worker,
    resident,
    outsider,
):
    CaseWorkflow.ctx = {
        "tree": {**tree, "city": city},
        "matters": matters,
        "items": service_items,
        "clock": frozen,
        "cast": {
            "office": office,
            "reviewer": reviewer,
            "clerk": clerk,
            "city_clerk": city_clerk,
            "civil_clerk": person("mzclerk", Role.CLERK, tree["civil_affairs"]),
            "street_worker": street_worker,
            "community_worker": community_worker,
            "grid_worker": grid_worker,
            "resident": resident,
            "outsider": outsider,
        },
    }
    CaseWorkflow.seen = Counter()
    run_state_machine_as_test(
        CaseWorkflow,
        settings=hsettings(
            max_examples=EXAMPLES or 25,
            stateful_step_count=30,
            deadline=None,
            derandomize=not EXAMPLES,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # The run went deep: every action of the table succeeded somewhere.
    assert set(CaseWorkflow.seen) >= set(services.TRANSITIONS) | services.NOTES, CaseWorkflow.seen
