"""Demo cases for the demo district: the whistle categories and grid matters (seed 003's shape),
167 service items, the departments' public commitments (四到社区), and a year of whistles, grid
matters and service applications with realistic on-time / late / reopened mixes.

The year is replayed in memory through the case rules the services use (the machine's stamps and
cases.steps: each step's edits, stage deadlines, points, escalations) and bulk-inserted, so load_demo
stays fast; a few live cases for the demo accounts then go through the real services (and the audit
log)."""

import bisect
import datetime as dt
import math
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from jianfu.cases import services, steps
from jianfu.cases.conf import conf
from jianfu.cases.models import (
    FINAL_STATES,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    Escalation,
    HandledAt,
    Matter,
    MatterGroup,
    PointEntry,
    RequestType,
    ServiceItem,
    State,
)
from jianfu.catalog.models import Category, WorkItem
from jianfu.core import bulk, clock, workdays
from jianfu.core.models import Sequence
from jianfu.orgs.models import Org, OrgKind, User

from . import cases_data as data

S = State
SEED = 2019  # the year 德城 started "社区吹哨、支部报到"


# ------------------------------------------------------------------------------------ configuration


def _departments(district: Org) -> dict[str, Org]:
    return {o.name: o for o in Org.objects.filter(parent=district, kind__in=[OrgKind.DEPARTMENT, OrgKind.GROUP_ORG])}


def _configure(district: Org) -> tuple[list[Matter], list[ServiceItem]]:
    """Categories, matters and service items (idempotent)."""
    departments = _departments(district)
    negative = {i.name: i for i in WorkItem.objects.filter(category=Category.NEGATIVE, department__parent=district)}
    matters = []
    for order, (code, name, kind, minutes, days, rows) in enumerate([*data.WHISTLE_GROUPS, data.GRID_GROUP], start=1):
        group, _ = MatterGroup.objects.get_or_create(
            code=code,
            defaults={
                "district": district,
                "name": name,
                "kind": kind,
                "order": order,
                "respond_minutes": minutes,
                "respond_workdays": 1,
                "resolve_workdays": days,
            },
        )
        for position, row in enumerate(rows, start=1):
            matter_name, department, item_name = row[:3]
            public = row[3] if len(row) > 3 else True
            matter, _ = Matter.objects.get_or_create(
                code=f"{code}{position:02d}",
                defaults={
                    "group": group,
                    "name": matter_name,
                    "description": f"{name}：{matter_name}",
                    "department": departments[department],
                    "work_item": negative.get(item_name),
                    "public": public,
                    "order": position,
                },
            )
            matters.append(matter)
    rng = random.Random(SEED)
    items, position = [], 0
    # This year's items of the lists, by name: the windows handle a service item only under one in force.
    listed = {i.name: i for i in WorkItem.objects.filter(department__parent=district, year=clock.today().year)}
    for group, names in data.SERVICE_GROUPS:
        for name in names:
            position += 1
            department = departments[
                next((d for k, d in data.DEPARTMENT_BY_KEYWORD if k in name), data.DEFAULT_SERVICE_DEPARTMENT)
            ]
            decides = group in {"public", "government"} and any(w in name for w in data.DEPARTMENT_DECIDES)
            work_item = None if decides else _window_item(name, listed, department)
            at_window = work_item is not None
            materials = list(data.MATERIALS_BY_GROUP[group])
            materials += [m for k, m in data.EXTRA_MATERIALS.items() if k in name]
            low, high = data.TIME_LIMITS[group]
            item, _ = ServiceItem.objects.get_or_create(
                code=f"SX{position:03d}",
                defaults={
                    "name": name,
                    "group": group,
                    "department": department,
                    "materials": materials,
                    "steps": data.STEPS["window" if at_window else "department"],
                    "time_limit_workdays": low if at_window else rng.randint(max(low, 1), high),
                    "handled_at": HandledAt.WINDOW if at_window else HandledAt.DEPARTMENT,
                    "work_item": work_item,
                },
            )
            items.append(item)
    return matters, items


def _window_item(name: str, listed: dict[str, WorkItem], department: Org) -> WorkItem | None:
    """The list item in force under which community windows handle this service item themselves, or
    None (then the department handles it): the demo keeps the rule the services keep."""
    item_name = next((i for k, i in data.WINDOW_ITEM_BY_KEYWORD if k in name), None)
    item = listed.get(item_name) if item_name else None
    if item is None or services.window_handover_refusal(item, department):
        return None
    return item


# ------------------------------------------------------------------------------------ the replay


class _Stop(Exception):
    """The next step lies in the future: the case stays where it is today."""


class _Calendar(workdays.Calendar):
    """The core's calendar of the year replayed, with the demo's own office-hours moments."""

    def __init__(self, first: dt.date, last: dt.date):
        super().__init__(first, last)
        self.tz = timezone.get_current_timezone()

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def at(self, day: dt.date, minutes_after_eight: float) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(8), tzinfo=self.tz) + dt.timedelta(minutes=minutes_after_eight)

    def working_moment(self, start: dt.datetime, days: int, rng: random.Random) -> dt.datetime:
        """A moment during office hours `days` working days after start (never before start)."""
        day = self.add(self.local_date(start), days)
        moment = self.at(day, rng.uniform(30, 540))
        return max(moment, start + dt.timedelta(minutes=rng.uniform(20, 90)))


class _Replay:
    """One case moved in memory by the case rules themselves (the machine's stamps, cases.steps: the
    services' edits, stage deadlines and points), with its history and escalations; the generator
    decides only which step comes when, by whom."""

    def __init__(self, gen: "_Generator", case: Case):
        self.gen, self.case = gen, case
        self.events: list[CaseEvent] = []
        self.points: list[PointEntry] = []
        self.escalations: list[Escalation] = []
        self._flagged: set[tuple[str, dt.datetime]] = set()

    def _escalate_until(self, moment: dt.datetime) -> None:
        """The hourly timer (run_timers) flags an overdue stage once, if it ran before `moment`."""
        c = self.case
        if not c.is_overdue(moment) or (c.state, c.stage_due) in self._flagged:
            return
        sweep = c.stage_due.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        if sweep <= min(moment, self.gen.now):
            self._flagged.add((c.state, c.stage_due))
            escalation, note = steps.escalation(c, self.gen.district, sweep)
            self.escalations.append(escalation)
            self._move("escalate", sweep, org=self.gen.district, note=note)

    def _event(self, action, at, from_state, to_state, assignee_id, *, org, actor=None, note="") -> CaseEvent:
        # Ids, not objects: tens of thousands of rows, and related-object checks cost more than the rest.
        return CaseEvent(
            case_id=self.case.pk,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor_id=actor.pk if actor else None,
            org_id=org.pk if org else None,
            assignee_id=assignee_id,
            note=note,
            at=at,
        )

    def _move(self, action, at, *, org, actor=None, note="", **params) -> CaseEvent:
        c = self.case
        before = c.state
        steps.take(c, action, at, calendar=self.gen.cal, **params)
        event = self._event(action, at, before, c.state, c.assignee_id, org=org, actor=actor, note=note)
        self.events.append(event)
        entry = steps.points(c, action, at, earlier=self.points)
        if entry is not None:
            self.points.append(entry)
        return event

    def step(self, action: str, at: dt.datetime, *, org, actor=None, note="", **params) -> CaseEvent:
        """The step `action` at `at` (`params`: its inputs, as the service takes them)."""
        if at > self.gen.now:
            raise _Stop
        self._escalate_until(at)
        return self._move(action, at, org=org, actor=actor, note=note, **params)

    def report(self, at, *, org, actor=None):
        c = self.case
        steps.report(c, at, self.gen.cal)
        self.events.append(self._event("report", at, "", c.state, c.assignee_id, org=org, actor=actor))

    def dispatch(self, at, assignee: Org, *, org, actor=None, action="dispatch", note=""):
        # The dispatcher is the organisation acted for, as in services.case_dispatch.
        self.step(action, at, org=org, actor=actor, note=note, assignee=assignee, dispatcher=org)

    def merge(self, at, into: "_Replay", *, org, actor=None):
        """A duplicate joins an open case; the case joined notes it in its history (services.case_merge)."""
        merged = self.step("merge", at, org=org, actor=actor, into=into.case)
        # Its replay has run ahead: the note goes into its past, as it stood then.
        then = [e for e in into.events if e.at <= at][-1]
        took_in = into._event("absorb", at, then.to_state, then.to_state, then.assignee_id, org=org, actor=actor)
        bisect.insort(into.events, took_in, key=lambda e: e.at)
        into.case.updated_at = max(into.case.updated_at, at)  # the machine's stamp, unless a later move touched it
        # Case numbers are given at save, in order of report.
        self.gen.numbered.append((merged, lambda: f"与{into.case.number}为同一事项，合并办理"))
        self.gen.numbered.append((took_in, lambda: steps.took_in(self.case)))

    def finish(self) -> None:
        self._escalate_until(self.gen.now)


class _Generator:
    def __init__(self, district: Org, matters: list[Matter], items: list[ServiceItem]):
        self.district = district
        self.rng = random.Random(SEED)
        self.now = clock.now()
        self.today = timezone.localdate(self.now)
        self.start = self.today - dt.timedelta(days=365)
        self.cal = _Calendar(self.start, self.today + dt.timedelta(days=90))
        communities = list(
            Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).select_related("parent")
        )
        self.communities = communities
        self.weights = [max(c.resident_households, 1) for c in communities]
        grids: dict[int, list[Org]] = {}
        for g in Org.objects.filter(kind=OrgKind.GRID, path__startswith=district.path).order_by("code"):
            grids.setdefault(g.parent_id, []).append(g)
        self.grids = grids
        self.whistle_matters = [m for m in matters if m.group.kind == "whistle"]
        self.grid_matters = [m for m in matters if m.group.kind == "grid"]
        self.items = items
        self.item_weights = [{"convenience": 5, "public": 4, "government": 3, "party": 1}[i.group] for i in items]
        self.offered: dict[int, tuple[list[ServiceItem], list[int]]] = {}
        departments = sorted({m.department for m in matters} | {i.department for i in items}, key=lambda d: d.code)
        self.departments = departments
        # Departments differ: some answer fast and well, some do not — which is what the rates show.
        self.quality = {
            d.pk: {
                "on_time": self.rng.uniform(0.74, 0.97),
                "resolve": self.rng.uniform(0.70, 0.95),
                "reopen": self.rng.uniform(0.02, 0.10),
                "satisfied": self.rng.uniform(0.55, 0.88),
                "solved": self.rng.uniform(0.82, 0.98),
            }
            for d in departments
        }
        users = {u.username: u for u in User.objects.filter(username__in=["grid", "community", "resident", "clerk"])}
        self.users = users
        self.gutang = next((c for c in communities if c.name == "古塘社区"), None)
        self.replays: list[_Replay] = []
        self.numbered: list[tuple[CaseEvent, Callable[[], str]]] = []  # notes naming a case, once numbered
        self.next_pk = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    # -- helpers
    def _new_case(self, **fields) -> Case:
        case = Case(pk=self.next_pk, updated_at=self.now, **fields)
        self.next_pk += 1
        return case

    def _address(self) -> str:
        return f"{self.rng.choice(data.STREET_NAMES)}{self.rng.randint(1, 399)}号"

    def _name(self) -> str:
        return self.rng.choice(data.SURNAMES) + "".join(
            self.rng.choice(data.GIVEN) for _ in range(self.rng.randint(1, 2))
        )

    def _phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 999_999_999):09d}"

    def _poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _actor(self, community: Org, who: str) -> User | None:
        return self.users.get(who) if community == self.gutang else None

    def _satisfaction(self, department: Org) -> str:
        good = self.quality[department.pk]["satisfied"]
        roll = self.rng.random()
        return "satisfied" if roll < good else "basic" if roll < good + (1 - good) * 0.6 else "dissatisfied"

    # -- one whistle or grid matter
    def event_case(self, day: dt.date, *, whistle: bool) -> None:
        rng = self.rng
        community = rng.choices(self.communities, self.weights)[0]
        grids = self.grids.get(community.pk) or [community]
        grid = rng.choice(grids)
        from_grid = not whistle or rng.random() < 0.6
        matter = rng.choice(self.grid_matters if not whistle and rng.random() < 0.85 else self.whistle_matters)
        org_unit = grid if from_grid else community
        address = self._address()
        text = rng.choice(data.EVENT_TEXTS["default"]).format(address=address, matter=matter.name)
        at = self.cal.at(day, rng.uniform(0, 570))
        if at > self.now:
            return
        duplicate = self._recent_duplicate(community, at) if rng.random() < 0.03 else None
        if duplicate is not None:  # a second report of a matter already reported
            matter, address = duplicate.case.matter, duplicate.case.address
            text = f"{address}{matter.name}，居民再次反映"
        reporter = (
            self.users.get("grid")
            if from_grid and grid.name == "古塘社区第一网格"
            else self._actor(community, "community")
        )
        coords = rng.random() < 0.4
        case = self._new_case(
            kind=CaseKind.EVENT,
            matter=matter,
            request_type=rng.choices(RequestType.values, [1, 5, 3, 1, 1])[0],
            org_unit=org_unit,
            org_path=org_unit.path,
            address=address,
            lat=round(30.17 + rng.uniform(-0.05, 0.05), 6) if coords else None,
            long=round(121.27 + rng.uniform(-0.06, 0.06), 6) if coords else None,
            description=text,
            reporter=reporter,
            channel=Channel.GRID if from_grid else Channel.COMMUNITY,
        )
        r = _Replay(self, case)
        self.replays.append(r)
        community_actor = self._actor(community, "community")
        try:
            r.report(at, org=org_unit, actor=reporter)
            at += dt.timedelta(minutes=rng.uniform(5, 120))
            if duplicate is not None:
                r.merge(at, duplicate, org=community, actor=community_actor)
                return
            r.step("accept", at, org=community, actor=community_actor)
            at += dt.timedelta(minutes=rng.uniform(1, 25))
            right = matter.department
            if not whistle and matter.work_item is None:
                self._local(r, at, grid, community, community_actor)
                return
            roll = rng.random()
            if roll < 0.05:  # wrong department first: it returns the case with its reason
                wrong = rng.choice([d for d in self.departments if d != right])
                r.dispatch(at, wrong, org=community, actor=community_actor)
                at += dt.timedelta(minutes=rng.uniform(10, 80))
                r.step("return", at, org=wrong, note=rng.choice(data.REASONS_RETURN).format(right=right.name))
                at += dt.timedelta(minutes=rng.uniform(5, 60))
            elif roll < 0.08:  # disputed, then reassigned by the community
                wrong = rng.choice([d for d in self.departments if d != right])
                r.dispatch(at, wrong, org=community, actor=community_actor)
                at += dt.timedelta(minutes=rng.uniform(5, 40))
                r.step("dispute", at, org=wrong, note=f"该事项应由{right.name}负责")
                at += dt.timedelta(minutes=rng.uniform(10, 120))
                r.dispatch(at, right, org=community, actor=community_actor, action="reassign", note="同意异议，改派")
                right = None
            if right is not None:
                r.dispatch(at, right, org=community, actor=community_actor)
            self._answer(r, community, community_actor)
        except _Stop:
            pass
        finally:
            r.finish()

    def _recent_duplicate(self, community: Org, at: dt.datetime) -> _Replay | None:
        """An event case of this community reported in recent days and still open at `at`."""
        since = at - dt.timedelta(days=conf("DUPLICATE_DAYS"))
        for other in reversed(self.replays[-60:]):
            o = other.case
            if o.kind != CaseKind.EVENT or not o.org_path.startswith(community.path) or o.reported_at < since:
                continue
            state_then = [e.to_state for e in other.events if e.at <= at][-1:]
            if state_then and state_then[0] not in FINAL_STATES | {S.CONFIRMED}:
                return other
        return None

    def _answer(self, r: _Replay, community: Org, community_actor) -> None:
        """The department responds, resolves, perhaps has it reopened; the reporter confirms."""
        rng, c = self.rng, r.case
        q = self.quality[c.assignee.pk]
        actor = self.users.get("clerk") if c.assignee.name == "市卫生健康局" else None
        window = (c.respond_due - c.dispatched_at).total_seconds() / 60
        if rng.random() < q["on_time"]:
            at = c.dispatched_at + dt.timedelta(minutes=rng.uniform(2, max(3, window - 2)))
        else:
            at = c.respond_due + dt.timedelta(minutes=rng.uniform(5, 300))
        r.step("respond", at, org=c.assignee, actor=actor)
        days = steps.resolve_workdays(c)
        if rng.random() < q["resolve"]:
            at = min(self.cal.working_moment(at, rng.randint(0, days), rng), c.resolve_due)
        else:
            at = self.cal.working_moment(c.resolve_due, rng.randint(1, 4), rng)
        r.step("resolve", at, org=c.assignee, actor=actor, note="已现场处置完毕")
        reporter_org = c.org_unit
        if rng.random() < q["reopen"]:
            at = self.cal.working_moment(at, rng.randint(0, 2), rng)
            r.step("reopen", at, org=reporter_org, actor=c.reporter, note="回访反映问题仍未解决")
            at = self.cal.working_moment(at, rng.randint(1, days + 1), rng)
            r.step("resolve", at, org=c.assignee, actor=actor, note="再次处置，已解决")
        at = self.cal.working_moment(at, rng.randint(0, 2), rng)
        if rng.random() < q["solved"]:
            satisfaction = self._satisfaction(c.assignee)
            r.step(
                "confirm",
                at,
                org=reporter_org,
                actor=c.reporter,
                note="回访确认",
                solved=True,
                satisfaction=satisfaction,
            )
        else:  # the revisit finds it unsolved and nothing more can be done: it counts against 解决率
            satisfaction = rng.choices(["basic", "dissatisfied"], [1, 2])[0]
            note = "回访未解决，已向反映人说明"
            r.step(
                "confirm", at, org=community, actor=community_actor, note=note, solved=False, satisfaction=satisfaction
            )
        r.step("close", at + dt.timedelta(hours=rng.uniform(1, 48)), org=community, actor=community_actor)

    def _local(self, r: _Replay, at, grid: Org, community: Org, community_actor) -> None:
        """A grid matter the community gives its own grid: no whistle, no points."""
        rng, c = self.rng, r.case
        r.dispatch(at, grid, org=community, actor=community_actor)
        grid_actor = self.users.get("grid") if grid.name == "古塘社区第一网格" else None
        r.step("respond", self.cal.working_moment(at, 0, rng), org=grid, actor=grid_actor)
        at = self.cal.working_moment(c.responded_at, rng.randint(0, 3), rng)
        r.step("resolve", at, org=grid, actor=grid_actor, note="网格已处置")
        at = self.cal.working_moment(c.resolved_at, rng.randint(0, 1), rng)
        satisfaction = rng.choices(["satisfied", "basic", "dissatisfied"], [8, 2, 0.5])[0]
        r.step("confirm", at, org=community, actor=community_actor, solved=True, satisfaction=satisfaction)
        r.step("close", at + dt.timedelta(hours=1), org=community, actor=community_actor)

    # -- one service application
    def service_case(self, day: dt.date) -> None:
        rng = self.rng
        at = self.cal.at(day, rng.uniform(30, 540))
        if at > self.now:
            return
        community = rng.choices(self.communities, self.weights)[0]
        item = rng.choices(*self._offered(community))[0]
        window = rng.random() < 0.7
        gutang = community == self.gutang
        reporter = (self.users.get("community") if window else self.users.get("resident")) if gutang else None
        case = self._new_case(
            kind=CaseKind.SERVICE,
            service_item=item,
            request_type=RequestType.HELP,
            org_unit=community,
            org_path=community.path,
            description=item.name,
            reporter=reporter,
            channel=Channel.WINDOW if window else Channel.RESIDENT,
            applicant_name=self._name(),
            applicant_phone=self._phone(),
            query_code="".join(rng.choice(services.QUERY_CODE_ALPHABET) for _ in range(services.QUERY_CODE_LENGTH)),
        )
        r = _Replay(self, case)
        self.replays.append(r)
        worker = self._actor(community, "community")
        try:
            r.report(at, org=community, actor=reporter)
            if not window:
                at = self.cal.working_moment(at, rng.choice([0, 1]), rng)
            r.step("accept", at, org=community, actor=worker)
            late = rng.random() < 0.08
            if item.handled_at == HandledAt.DEPARTMENT:
                at += dt.timedelta(minutes=rng.uniform(10, 120))
                r.dispatch(at, item.department, org=community, actor=worker)
                r.step("respond", self.cal.working_moment(at, rng.choice([0, 1]), rng), org=item.department)
                at = c_resp = case.responded_at
                org = item.department
            else:
                c_resp, org = at, community
            if late:
                at = self.cal.working_moment(case.resolve_due, rng.randint(1, 5), rng)
            else:
                limit = item.time_limit_workdays
                at = min(self.cal.working_moment(c_resp, rng.randint(0, limit), rng), case.resolve_due)
                if limit == 0:
                    at = min(c_resp + dt.timedelta(minutes=rng.uniform(5, 40)), case.resolve_due)
            r.step("resolve", at, org=org, actor=worker if org == community else None, note="已办结")
            if rng.random() < 0.02:
                at = self.cal.working_moment(at, 1, rng)
                r.step("reopen", at, org=community, actor=worker, note="材料未发放，申请人要求继续办理")
                r.step("resolve", self.cal.working_moment(at, 1, rng), org=org, note="补发完毕")
                at = case.resolved_at
            at = self.cal.working_moment(at, rng.randint(0, 2), rng)
            satisfaction = rng.choices(["satisfied", "basic", "dissatisfied"], [85, 12, 3])[0]
            r.step(
                "confirm",
                at,
                org=community,
                actor=worker,
                note="已告知申请人结果",
                solved=True,
                satisfaction=satisfaction,
            )
            r.step("close", at + dt.timedelta(minutes=rng.uniform(5, 600)), org=community, actor=worker)
        except _Stop:
            pass
        finally:
            r.finish()

    def _offered(self, community: Org) -> tuple[list[ServiceItem], list[int]]:
        """The service items a resident may apply for at this community, with their weights: an item
        handled at the window only where its list item is in force (services.window_refusal)."""
        if community.pk not in self.offered:
            pairs = [
                (item, weight)
                for item, weight in zip(self.items, self.item_weights, strict=True)
                if not services.window_refusal(item, community, on=self.today)
            ]
            self.offered[community.pk] = ([i for i, _ in pairs], [w for _, w in pairs])
        return self.offered[community.pk]

    def run(self) -> None:
        day = self.start
        while day <= self.today:
            workday = self.cal.is_workday(day)
            for _ in range(self._poisson(3.6 if workday else 0.8)):
                self.event_case(day, whistle=True)
            for _ in range(self._poisson(1.5 if workday else 0.3)):
                self.event_case(day, whistle=False)
            if workday:
                for _ in range(self._poisson(5.5)):
                    self.service_case(day)
            day += dt.timedelta(days=1)

    def save(self) -> dict[str, int]:
        cases = sorted((r.case for r in self.replays), key=lambda c: (c.reported_at, c.pk))
        counters: dict[str, int] = {}
        for c in cases:
            key = f"{'FW' if c.kind == CaseKind.SERVICE else 'SJ'}{timezone.localdate(c.reported_at).year}"
            counters[key] = counters.get(key, 0) + 1
            c.number = f"{key}-{counters[key]:04d}"
        for event, note in self.numbered:
            event.note = note()
        # Later cases point at earlier ones (merged_into), so insert in pk order.
        bulk.insert(sorted(cases, key=lambda c: c.pk))
        bulk.insert([e for r in self.replays for e in r.events])
        bulk.insert([p for r in self.replays for p in r.points])
        bulk.insert([e for r in self.replays for e in r.escalations])
        for key, value in counters.items():
            seq, _ = Sequence.objects.get_or_create(key=key)
            seq.value = max(seq.value, value)
            seq.save(update_fields=["value"])
        return {
            "whistles": sum(1 for c in cases if c.whistle),
            "events": sum(1 for c in cases if c.kind == CaseKind.EVENT),
            "services": sum(1 for c in cases if c.kind == CaseKind.SERVICE),
        }


def _live(district: Org, matters: list[Matter], items: list[ServiceItem]) -> Case | None:
    """A few cases today through the real services, for the demo accounts (and the audit log)."""
    users = {u.username: u for u in User.objects.filter(username__in=["grid", "community"])}
    grid = Org.objects.filter(name="古塘社区第一网格").first()
    if grid is None or len(users) < 2:
        return None
    by_name = {m.name: m for m in matters}
    services.case_report(
        actor=users["grid"],
        org_unit=grid,
        matter=by_name["垃圾堆放清理"],
        description="小区东门垃圾桶满溢，周边有散落垃圾",
        address="古塘小区东门",
    )
    services.whistle_blow(
        actor=users["community"],
        assignee=by_name["家庭医生上门服务"].department,
        org_unit=grid.parent,
        matter=by_name["家庭医生上门服务"],
        description="独居老人行动不便，需家庭医生上门随访",
        address="古塘小区5幢",
        reason="请30分钟内报到，联系社区网格员",
    )
    item = next(i for i in items if i.name == "老年人优待证办理")
    return services.service_apply(
        actor=users["community"],
        community=grid.parent,
        item=item,
        applicant_name="孙居民",
        applicant_phone="13805740001",
    )


@transaction.atomic
def load(district: Org) -> str:
    matters, items = _configure(district)
    if Case.objects.exists():
        return f"{Case.objects.count()} cases (already loaded)"
    matters = list(
        Matter.objects.filter(pk__in=[m.pk for m in matters]).select_related("group", "department", "work_item")
    )
    items = list(
        ServiceItem.objects.filter(pk__in=[i.pk for i in items])
        .select_related("department", "work_item__department")
        .prefetch_related("work_item__scope_streets")
    )
    generator = _Generator(district, matters, items)
    generator.run()
    counts = generator.save()
    application = _live(district, matters, items)
    code = f"; query code of a demo application: {application.query_code}" if application else ""
    return (
        f"{len(matters)} matters, {len(items)} service items; {counts['events']} reported matters "
        f"({counts['whistles']} whistles) and {counts['services']} service applications over a year{code}"
    )
