"""Hypothesis state machine for the access workflow: random actors of the cast call the real
services with random inputs, and after every step the machine checks that

- every application is in a state the TRANSITIONS table can reach, and in the state the table says
  the successful calls led it to; terminal states stay terminal;
- every state change has exactly one Transition row and one audit entry, and the timeline chains;
- a refused call (PermissionDenied, InvalidTransition, DomainError) changed nothing at all;
- only the roles the workflow names succeed at each action;
- deadlines are working days from jianfu.core.workdays;
- approval and the catalog item go together (nothing half-applied);
- the audit chain verifies at the end of every example.

Each example runs inside a savepoint that is rolled back, so examples share the cast but not data.
"""

import datetime as dt
import functools
import os
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Max
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

from jianfu.access import services
from jianfu.access.machines import APPLICATION
from jianfu.access.models import (
    FINAL_STATES,
    Application,
    Consultation,
    Decision,
    Opinion,
    State,
    Transition,
    ViolationReport,
    ViolationState,
)
from jianfu.audit.models import AuditEntry, AuditHead
from jianfu.audit.services import verify
from jianfu.catalog.models import Category, Frequency, ItemKind
from jianfu.core import workdays, workflow
from jianfu.core.errors import DomainError
from jianfu.orgs.models import OrgKind, Role, User
from jianfu.orgs.services import membership_grant, org_create

from .conftest import TODAY

pytestmark = pytest.mark.django_db

# finance_reviewer: a second member unit's, assigned the funding part of the review (issue 20, point 4).
CAST = (
    "office",
    "reviewer",
    "finance_reviewer",
    "clerk",
    "street_worker",
    "community_worker",
    "grid_worker",
    "resident",
    "outsider",
)
# Who the workflow lets do what (the consultation's street/community is checked per org below).
ALLOWED = {
    "create": {"clerk"},
    "update": {"clerk"},
    "submit": {"clerk"},
    "return": {"office", "reviewer", "finance_reviewer"},
    "pass_review": {"reviewer", "finance_reviewer"},
    "open_consultation": {"office"},
    "close_consultation": {"office", None},
    "decide": {"office"},
    "adjust": {"clerk"},
    "confirm_adjustment": {"office"},
    "fast_track": {"office"},
    "withdraw": {"clerk"},
    "violation_report": {"community_worker", "grid_worker", "outsider"},
    "violation_decide": {"office"},
}
# Which cast members may answer for which consulted organisation.
# Each answers for its own organisation only: the street worker for the street, never for its communities.
OPINION_BY = {
    "street1": {"street_worker"},
    "community11": {"community_worker"},
    "community12": set(),
    "community21": {"outsider"},
}
AUDITED_TRANSITIONS = {f"application.{a}" for a in services.TRANSITIONS}


def _reachable() -> set[str]:
    seen, frontier = {State.DRAFT.value}, [State.DRAFT.value]
    while frontier:
        state = frontier.pop()
        for sources, target in services.TRANSITIONS.values():
            if state in sources and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


REACHABLE = _reachable()
CJK = re.compile(r"[\u4e00-\u9fff]")
# More examples, randomised, for a longer local hunt: JIANFU_STATE_MACHINE_EXAMPLES=500 pytest …
EXAMPLES = int(os.environ.get("JIANFU_STATE_MACHINE_EXAMPLES", 0))


@functools.cache
def add_workdays(start: dt.date, days: int) -> dt.date:
    """The invariants' own reading of jianfu.core.workdays (no calendar overrides change in a run)."""
    return workdays.add_workdays(start, days)


is_workday = functools.cache(workdays.is_workday)

actors = st.sampled_from(CAST)


def actor_for(usual: str):
    """Mostly the actor the action belongs to (so the machine gets deep), sometimes anyone."""
    return st.one_of(st.just(usual), st.just(usual), actors)


NAMES = [
    "社区健康档案更新",
    "居民议事会组织实施",
    "由社区负责辖区拆迁拆违的组织实施",  # forbidden work (民发〔2015〕136号)
    "出具无犯罪记录证明",  # on the negative list
    "完成年度招商引资任务",  # forbidden work
]
LEGAL_BASIS = ["", "《基本医疗卫生与健康促进法》第六十九条"]
REASONS = ["", "  ", "材料不全，请补充说明"]

application_fields = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "kind": st.sampled_from([ItemKind.LEDGER, ItemKind.TASK, ItemKind.SURVEY, ItemKind.CERTIFICATE]),
        "category": st.sampled_from([Category.DUTY, Category.ASSIST, Category.CERTIFICATE, Category.NEGATIVE]),
        "legal_basis": st.sampled_from(LEGAL_BASIS),
        "funding_yuan": st.sampled_from([0, 3000]),
        "frequency": st.sampled_from([Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY]),
        "hours_per_occurrence": st.sampled_from([Decimal("0"), Decimal("2"), Decimal("6")]),
        "temporary": st.booleans(),
        "ahead": st.sampled_from([3, 29, 30, 45]),  # working days between today and the planned start
        "valid_until": st.sampled_from([None, 60]),  # days after today
    }
)
update_fields = st.dictionaries(
    st.sampled_from(["legal_basis", "funding_yuan", "hours_per_occurrence", "name", "ahead"]),
    st.sampled_from(["", "《城市居民委员会组织法》第三条", 0, 5000, Decimal("3"), "社区文明创建迎检", 40]),
    max_size=2,
)


class AccessWorkflow(RuleBasedStateMachine):
    ctx: dict = {}  # the cast, the tree and the clock setter, given by the test
    seen: Counter = Counter()  # successful transitions over all examples

    applications = Bundle("applications")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.cast = self.ctx["cast"]
        self.tree = self.ctx["tree"]
        self.today = TODAY
        self.ctx["set_today"](TODAY)
        self.expected: dict[int, str] = {}  # application pk -> the state the successful calls led to
        self.final: dict[int, str] = {}
        self.consult_days: dict[int, tuple[dt.date, int]] = {}
        self.reports: dict[int, str] = {}
        self.meeting = services.meeting_create(
            actor=self.cast["office"], district=self.tree["district"], title="联席会议", held_on=TODAY
        )
        # 财政 reviews the funding; any member unit the whole (none is assigned it).
        services.review_assign(
            actor=self.cast["office"], district=self.tree["district"], unit=self.tree["finance"], duty="funding"
        )

    def teardown(self):
        try:
            result = verify()
            assert result.ok, result
        finally:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    # ------------------------------------------------------------------------------- helpers

    def user(self, name):
        return None if name is None else self.cast[name]

    def snapshot(self):
        """Everything a refused call could have touched (any save of an application moves its
        updated_at; any other audited write moves the audit head)."""
        return (
            {a[0]: a for a in Application.objects.values_list("pk", "state", "updated_at", "work_item_id")},
            list(Consultation.objects.order_by("pk").values_list("pk", "opinion", "due", "answered_at")),
            list(ViolationReport.objects.order_by("pk").values_list("pk", "state", "office_note")),
            Transition.objects.aggregate(last=Max("pk"))["last"] or 0,
            AuditHead.objects.filter(id=1).values_list("seq", "hash").first() or (0, ""),
        )

    def attempt(self, kind: str, actor_name, call, *, pk=None, action=None):
        """Run a service call. Refused: nothing changed. Succeeded: an allowed actor, and when it
        is a transition, exactly one Transition row and one audit entry for it."""
        before = self.snapshot()
        state_before = before[0][pk][1] if pk else None
        last_transition, (audit_seq, _hash) = before[3], before[4]
        try:
            result = call()
        except DomainError as exc:
            assert CJK.search(exc.message), f"{kind}: refused without a Chinese message: {exc.message!r}"
            after = self.snapshot()
            assert after == before, f"{kind} by {actor_name} was refused ({exc.message}) but changed data"
            return None
        allowed = ALLOWED.get(kind)
        if allowed is not None:
            assert actor_name in allowed, f"{actor_name} succeeded at {kind}"
        if pk and action is not None:
            sources, target = services.TRANSITIONS[action]
            target = state_before if target is None else target  # an entry of the history only
            assert state_before in sources, f"{action} succeeded from {state_before}"
            app = Application.objects.get(pk=pk)
            assert app.state == target, f"{action} led to {app.state}, the table says {target}"
            new = list(Transition.objects.filter(pk__gt=last_transition))
            assert [(t.action, t.from_state, t.to_state) for t in new] == [(action, state_before, target)]
            audits = AuditEntry.objects.filter(
                seq__gt=audit_seq, object_type="access.application", object_id=str(pk), action=f"application.{action}"
            )
            assert audits.count() == 1
            self.expected[pk] = target
            self.seen[action] += 1
        elif pk:
            app = Application.objects.get(pk=pk)
            assert app.state == state_before, f"{kind} moved the application without a transition"
            assert not Transition.objects.filter(pk__gt=last_transition).exists()
        return result

    # ------------------------------------------------------------------------------- rules

    path = st.lists(st.integers(0, 3), min_size=4, max_size=16)

    @initialize(target=applications, choices=path)
    def first_application(self, choices):
        """Every example starts with an application driven along a random path of the workflow."""
        pk = self._create("clerk", application_fields_default())
        self.progress(pk, choices)
        return pk

    @initialize(target=applications, choices=path)
    def temporary_application(self, choices):
        """…and a temporary item, which may be fast-tracked."""
        fields = application_fields_default() | {"temporary": True, "valid_until": 60, "ahead": 0}
        pk = self._create("clerk", fields)
        self.progress(pk, choices)
        return pk

    @initialize(target=applications, choices=path)
    def funded_application(self, choices):
        """…and an assistance item with its funding, which 财政 reviews besides the whole."""
        fields = application_fields_default() | {"category": Category.ASSIST, "funding_yuan": 3000}
        pk = self._create("clerk", fields)
        self.progress(pk, choices)
        return pk

    @precondition(lambda self: len(self.expected) < 6)
    @rule(target=applications, actor=actor_for("clerk"), fields=application_fields)
    def create(self, actor, fields):
        pk = self._create(actor, fields)
        return multiple(pk) if pk else multiple()

    def _create(self, actor, fields):
        fields = dict(fields)
        start = add_workdays(self.today, fields.pop("ahead"))
        days = fields.pop("valid_until")
        valid_until = self.today + dt.timedelta(days=days) if days else None
        app = self.attempt(
            "create",
            actor,
            lambda: services.application_create(
                actor=self.user(actor),
                department=self.tree["health"],
                scope_streets=[self.tree["street1"]],
                description="每季度更新辖区居民基础信息",
                reason="落实工作要求",
                start_date=start,
                valid_until=valid_until,
                **fields,
            ),
        )
        if app is None:
            return None
        assert app.state == State.DRAFT
        self.expected[app.pk] = State.DRAFT
        return app.pk

    @rule(pk=applications, actor=actor_for("clerk"), fields=update_fields)
    def update(self, pk, actor, fields):
        fields = dict(fields)
        if "ahead" in fields:
            ahead = fields.pop("ahead")
            fields["start_date"] = add_workdays(self.today, ahead if isinstance(ahead, int) else 30)
        fields = {k: v for k, v in fields.items() if _fits(k, v)}
        self.attempt(
            "update",
            actor,
            lambda: services.application_update(actor=self.user(actor), application=Application(pk=pk), **fields),
            pk=pk,
        )

    @rule(pk=applications, actor=actor_for("clerk"))
    def submit(self, pk, actor):
        app = self.attempt(
            "submit",
            actor,
            lambda: services.application_submit(actor=self.user(actor), application=Application(pk=pk)),
            pk=pk,
            action="submit",
        )
        if app is not None:
            app.refresh_from_db()
            assert app.submitted_on == self.today
            assert app.decision_due == add_workdays(self.today, settings.JIANFU["DECISION_WORKDAYS"])

    @rule(pk=applications, actor=actor_for("reviewer"), reason=st.sampled_from(REASONS))
    def return_(self, pk, actor, reason):
        self.attempt(
            "return",
            actor,
            lambda: services.application_return(actor=self.user(actor), application=Application(pk=pk), reason=reason),
            pk=pk,
            action="return",
        )

    @rule(pk=applications, actor=st.one_of(actor_for("reviewer"), st.just("finance_reviewer")))
    def pass_review(self, pk, actor):
        # A unit's review while another unit's is awaited is an entry of the history ("review");
        # the one that completes the review moves the application on ("pass_review").
        available = workflow.available(APPLICATION, self.user(actor), Application.objects.get(pk=pk))
        self.attempt(
            "pass_review",
            actor,
            lambda: services.application_pass_review(actor=self.user(actor), application=Application(pk=pk)),
            pk=pk,
            action="review" if "review" in available else "pass_review",
        )

    @rule(
        pk=applications,
        actor=actor_for("office"),
        org_names=st.lists(
            st.sampled_from(["street1", "community11", "community12", "community21", "grid111", "health"]),
            max_size=4,
            unique=True,
        ),
        days=st.sampled_from([None, 1, 3]),
    )
    def open_consultation(self, pk, actor, org_names, days):
        result = self.attempt(
            "open_consultation",
            actor,
            lambda: services.consultation_open(
                actor=self.user(actor),
                application=Application(pk=pk),
                orgs=[self.tree[n] for n in org_names],
                workdays_to_answer=days,
            ),
            pk=pk,
            action="open_consultation",
        )
        if result is not None:
            used = days or settings.JIANFU["CONSULTATION_WORKDAYS"]
            self.consult_days[pk] = (self.today, used)
            assert {c.org.code for c in result} <= {"S1", "S1C1", "S1C2", "S2C1"}

    @rule(
        pk=applications,
        which=st.integers(0, 3),
        actor=st.one_of(st.sampled_from(["community_worker", "street_worker", "outsider"]), actors),
        opinion=st.sampled_from([Opinion.AGREE, Opinion.DISAGREE, Opinion.SUGGEST, Opinion.NONE, "maybe"]),
        comment=st.sampled_from(["", "建议减少频次"]),
    )
    def give_opinion(self, pk, which, actor, opinion, comment):
        consultations = list(Consultation.objects.filter(application_id=pk).select_related("org").order_by("pk"))
        if not consultations:
            return
        consultation = consultations[which % len(consultations)]
        org_name = next(n for n, o in self.tree.items() if o.pk == consultation.org_id)
        done = self.attempt(
            "opinion",
            actor,
            lambda: services.opinion_give(
                actor=self.user(actor), consultation=consultation, opinion=opinion, comment=comment
            ),
            pk=pk,
            action="give_opinion",
        )
        if done is not None:
            assert actor in OPINION_BY[org_name], f"{actor} answered for {org_name}"
            assert opinion in {Opinion.AGREE, Opinion.DISAGREE, Opinion.SUGGEST}
            assert Application.objects.get(pk=pk).state == State.CONSULTATION

    @rule(pk=applications, actor=st.one_of(actor_for("office"), st.none()))
    def close_consultation(self, pk, actor):
        self.attempt(
            "close_consultation",
            actor,
            lambda: services.consultation_close(actor=self.user(actor), application=Application(pk=pk)),
            pk=pk,
            action="close_consultation",
        )

    @rule(
        pk=applications,
        actor=actor_for("office"),
        decision=st.sampled_from(Decision.values),
        reason=st.sampled_from(["", "同意", "不符合准入条件"]),
        changes=st.sampled_from(["", "频次改为每半年"]),
    )
    def decide(self, pk, actor, decision, reason, changes):
        self.attempt(
            "decide",
            actor,
            lambda: services.application_decide(
                actor=self.user(actor),
                application=Application(pk=pk),
                meeting=self.meeting,
                decision=decision,
                reason=reason,
                changes=changes,
            ),
            pk=pk,
            action=str(decision),
        )

    @rule(pk=applications, actor=actor_for("clerk"), note=st.sampled_from(["", "已按要求修改"]), fields=update_fields)
    def adjust(self, pk, actor, note, fields):
        fields = {k: v for k, v in dict(fields).items() if k != "ahead" and _fits(k, v)}
        self.attempt(
            "adjust",
            actor,
            lambda: services.application_adjust(
                actor=self.user(actor), application=Application(pk=pk), note=note, **fields
            ),
            pk=pk,
            action="adjust",
        )

    @rule(pk=applications, actor=actor_for("office"), accept=st.booleans(), reason=st.sampled_from(["", "仍缺经费"]))
    def confirm_adjustment(self, pk, actor, accept, reason):
        self.attempt(
            "confirm_adjustment",
            actor,
            lambda: services.application_confirm_adjustment(
                actor=self.user(actor), application=Application(pk=pk), accept=accept, reason=reason
            ),
            pk=pk,
            action="confirm_adjustment" if accept else "refuse_adjustment",
        )

    @rule(pk=applications, actor=actor_for("office"))
    def fast_track(self, pk, actor):
        self.attempt(
            "fast_track",
            actor,
            lambda: services.application_fast_track(
                actor=self.user(actor), application=Application(pk=pk), reason="临时性工作"
            ),
            pk=pk,
            action="fast_track",
        )

    @rule(pk=applications, actor=actors)
    def withdraw(self, pk, actor):
        self.attempt(
            "withdraw",
            actor,
            lambda: services.application_withdraw(actor=self.user(actor), application=Application(pk=pk)),
            pk=pk,
            action="withdraw",
        )

    @rule(pk=applications, choices=path)
    def progress(self, pk, choices):
        """The next steps of the way, each by the actor it belongs to with valid inputs: the random
        rules above rarely line up a whole path; this one keeps the machine going deep."""
        for choice in choices:
            self._step(pk, choice)
            self.applications_are_consistent()

    def _step(self, pk, choice):
        app = Application.objects.get(pk=pk)
        state = app.state
        if state in {State.DRAFT, State.RETURNED, State.CHANGES_REQUESTED} and choice == 3 and app.pk % 2:
            self.withdraw(pk, "clerk")
        elif state in {State.DRAFT, State.RETURNED}:
            if services.refusal_reasons(app, self.today):
                good = application_fields_default()
                self.update(pk, "clerk", {"ahead": good.pop("ahead")})
                fix = {k: good[k] for k in ("name", "legal_basis", "hours_per_occurrence", "funding_yuan")}
                fix["category"] = Category.ASSIST if choice == 1 else Category.DUTY
                self.attempt(
                    "update",
                    "clerk",
                    lambda: services.application_update(
                        actor=self.cast["clerk"], application=Application(pk=pk), temporary=choice == 2, **fix
                    ),
                    pk=pk,
                )
            self.submit(pk, "clerk")
        elif state == State.SUBMITTED:
            if choice == 0:
                self.return_(pk, "reviewer", REASONS[2])
            else:
                # Mostly the whole first (so that 财政's funding review completes it), else 财政 first.
                for reviewer in ("reviewer", "finance_reviewer")[:: -1 if choice == 3 else 1]:
                    if Application.objects.get(pk=pk).state == State.SUBMITTED:
                        self.pass_review(pk, reviewer)
        elif state == State.REVIEWED:
            if choice == 0 and app.temporary:
                self.fast_track(pk, "office")
            else:
                self.open_consultation(pk, "office", ["community11", "community12", "street1"][: choice + 1], None)
        elif state == State.CONSULTATION:
            consulted = list(app.consultations.select_related("org").order_by("pk"))
            names = {o.pk: n for n, o in self.tree.items()}
            for which, consultation in enumerate(consulted if choice else consulted[:1]):
                for answerer in sorted(OPINION_BY[names[consultation.org_id]]):
                    self.give_opinion(pk, which, answerer, [Opinion.AGREE, Opinion.SUGGEST][which % 2], "建议减少频次")
            self.close_consultation(pk, "office" if choice else None)
        elif state == State.DELIBERATION:
            decision = [Decision.APPROVE, Decision.APPROVE_WITH_CHANGES, Decision.REJECT, Decision.APPROVE][choice]
            self.decide(pk, "office", decision, "联席会议研究决定", "频次改为每半年")
        elif state == State.CHANGES_REQUESTED:
            fields = {"funding_yuan": 3000} if choice == 1 else {}
            self.adjust(pk, "clerk", "已按要求修改", fields)
        elif state == State.ADJUSTED:
            self.confirm_adjustment(pk, "office", choice not in (0, 2), "仍缺经费")

    @rule(days=st.integers(1, 25))
    def time_passes(self, days):
        self.today += dt.timedelta(days=days)
        self.ctx["set_today"](self.today)

    @rule()
    def timers(self):
        """The timer job: overdue applications are flagged, due consultations closed."""
        in_consultation = set(Application.objects.filter(state=State.CONSULTATION).values_list("pk", flat=True))
        closed = services.close_due_consultations(today=self.today)
        for app in closed:
            assert app.pk in in_consultation and app.state == State.DELIBERATION
            self.expected[app.pk] = State.DELIBERATION
        for app in services.escalate_overdue(today=self.today):
            assert app.escalated_on == self.today and app.is_overdue(self.today)

    @rule(
        actor=actor_for("community_worker"),
        community=st.sampled_from(["community11", "community21"]),
        what=st.sampled_from(["", "要求社区上报消防安全隐患排查台账", "街道要求社区开展招商引资"]),
    )
    def report_violation(self, actor, community, what):
        report = self.attempt(
            "violation_report",
            actor,
            lambda: services.violation_report(
                actor=self.user(actor),
                community=self.tree[community],
                department=self.tree["health"],
                what=what,
                arrived_on=self.today,
            ),
        )
        if report is not None:
            assert report.state == ViolationState.REPORTED
            self.reports[report.pk] = report.state

    @rule(which=st.integers(0, 5), actor=actor_for("office"), confirm=st.booleans(), note=st.sampled_from(["", "属实"]))
    def decide_violation(self, which, actor, confirm, note):
        if not self.reports:
            return
        pk = sorted(self.reports)[which % len(self.reports)]
        report = self.attempt(
            "violation_decide",
            actor,
            lambda: services.violation_decide(
                actor=self.user(actor), report=ViolationReport(pk=pk), confirm=confirm, note=note
            ),
        )
        if report is not None:
            assert self.reports[pk] == ViolationState.REPORTED, "a decided report was decided again"
            self.reports[pk] = report.state

    # ------------------------------------------------------------------------------ invariants

    @invariant()
    def applications_are_consistent(self):
        apps = {a.pk: a for a in Application.objects.all()}
        assert set(apps) == set(self.expected)
        transitions: dict[int, list] = {pk: [] for pk in apps}
        for t in Transition.objects.order_by("at", "pk"):
            transitions[t.application_id].append(t)
        audits: dict[int, list] = {pk: [] for pk in apps}
        for e in AuditEntry.objects.filter(object_type="access.application", action__in=AUDITED_TRANSITIONS).order_by(
            "seq"
        ):
            audits[int(e.object_id)].append(e)
        consultations_of: dict[int, list] = {pk: [] for pk in apps}
        for c in Consultation.objects.all():
            consultations_of[c.application_id].append(c)
        for pk, app in apps.items():
            assert app.state in REACHABLE, f"{app.number} reached {app.state}"
            assert app.state == self.expected[pk], f"{app.number} is {app.state}, expected {self.expected[pk]}"
            if pk in self.final:
                assert app.state == self.final[pk], f"{app.number} left the terminal state {self.final[pk]}"
            elif app.state in FINAL_STATES:
                self.final[pk] = app.state
            # The timeline chains from the draft through the table, one audit entry per row.
            state = State.DRAFT
            for t in transitions[pk]:
                sources, target = services.TRANSITIONS[t.action]
                assert t.from_state == state and state in sources and t.to_state == (target or state), (t.action, state)
                state = t.to_state
            assert state == app.state
            assert [(e.action, e.before["state"], e.after["state"]) for e in audits[pk]] == [
                (f"application.{t.action}", t.from_state, t.to_state) for t in transitions[pk]
            ]
            # Nothing half-applied: approved exactly when it entered the catalog.
            assert (app.state == State.APPROVED) == (app.work_item_id is not None), app.state
            # Deadlines in working days.
            if app.submitted_on is not None:
                due = add_workdays(app.submitted_on, settings.JIANFU["DECISION_WORKDAYS"])
                assert app.decision_due == due and is_workday(due)
            else:
                assert not any(t.action == "submit" for t in transitions[pk])
            consultations = consultations_of[pk]
            if pk in self.consult_days:
                opened, days = self.consult_days[pk]
                assert app.consultation_due == add_workdays(opened, days)
                assert all(c.due == app.consultation_due for c in consultations)
            if app.state == State.CONSULTATION:
                assert consultations
            if app.state == State.DELIBERATION:
                assert all(c.opinion for c in consultations), "a closed consultation left answers blank"
            if app.escalated_on is not None:
                assert app.decision_due is not None and app.escalated_on > app.decision_due

    @invariant()
    def violation_reports_stay_decided(self):
        for report in ViolationReport.objects.all():
            assert report.state == self.reports[report.pk]
            assert (report.state == ViolationState.REPORTED) == (report.decided_on is None)


def application_fields_default() -> dict:
    return {
        "name": NAMES[0],
        "kind": ItemKind.LEDGER,
        "category": Category.DUTY,
        "legal_basis": LEGAL_BASIS[1],
        "funding_yuan": 0,
        "frequency": Frequency.QUARTERLY,
        "hours_per_occurrence": Decimal("6"),
        "temporary": False,
        "ahead": 30,
        "valid_until": None,
    }


def _fits(field: str, value) -> bool:
    """Keep the random update values type-correct for their field (a wrong type is a 500 by design)."""
    kinds = {
        "legal_basis": str,
        "name": str,
        "funding_yuan": int,
        "hours_per_occurrence": Decimal,
        "ahead": int,
        "start_date": dt.date,
    }
    if field == "name" and not value:
        return False
    return isinstance(value, kinds[field]) and not (kinds[field] is int and isinstance(value, bool))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_access_workflow_reaches_no_illegal_state(
    tree, items, frozen, office, reviewer, clerk, street_worker, community_worker, grid_worker, resident, outsider
):
    finance = org_create(
        actor=None, code="CZ", name="财政局", kind=OrgKind.DEPARTMENT, parent=tree["district"], is_member_unit=True
    )
    finance_reviewer = User.objects.create_user(username="cz", password="Test-pass-2026", display_name="财政审核")
    membership_grant(actor=None, user=finance_reviewer, org=finance, role=Role.REVIEWER)
    AccessWorkflow.ctx = {
        "tree": tree | {"finance": finance},
        "set_today": frozen,
        "cast": {
            "office": office,
            "reviewer": reviewer,
            "finance_reviewer": finance_reviewer,
            "clerk": clerk,
            "street_worker": street_worker,
            "community_worker": community_worker,
            "grid_worker": grid_worker,
            "resident": resident,
            "outsider": outsider,
        },
    }
    AccessWorkflow.seen = Counter()
    run_state_machine_as_test(
        AccessWorkflow,
        settings=hsettings(
            max_examples=EXAMPLES or 30,
            stateful_step_count=40,
            deadline=None,
            derandomize=not EXAMPLES,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # The run went deep: every action of the table succeeded somewhere.
    assert set(AccessWorkflow.seen) == set(services.TRANSITIONS), AccessWorkflow.seen
