"""Cases at scale: per district the whistle categories and grid matters (the demo's), a set of
one-window service items, and over 2025-01 … 2026-10 every community's one-window applications
(≈ 200 000 at city scale), its grid workers' reported matters and its whistles to departments.

Each case moves through the case engine's states by the rules jianfu.cases.services moves it with
— report, accept, (dispatch, respond,) resolve, confirm, close — in memory: the machine's stamps and
cases.steps (each step's edits, stage deadlines on the official calendar or in minutes for a
whistle's first stage, the points a whistle earns its department), one CaseEvent per transition. The
generator decides only which step comes when. A step that would fall after the generated "now"
(2026-10-31 18:00) is not taken: recent cases are still open. Left out to keep the history lean:
escalations, disputes, returns, reopenings and merges. Applicants stay anonymous (no personal data:
the encrypted applicant fields are blank).
"""

import datetime as dt
import operator
from collections import Counter

from jianfu.cases import steps
from jianfu.cases.models import (
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    HandledAt,
    Matter,
    MatterGroup,
    PointEntry,
    RequestType,
    ServiceItem,
)
from jianfu.cases.services import QUERY_CODE_ALPHABET, QUERY_CODE_LENGTH
from jianfu.demo import cases_data
from jianfu.orgs.models import Org

from .. import sizes
from .base import NOW, TZ, at, rng_for
from .world import District, World

CASE_COLUMNS = [
    "id",
    "number",
    "kind",
    "matter_id",
    "service_item_id",
    "request_type",
    "org_unit_id",
    "org_path",
    "address",
    "address_ref_id",
    "lat",
    "long",
    "description",
    "media_url",
    "reporter_id",
    "channel",
    "applicant_name",
    "applicant_phone",
    "query_code",
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
EVENT_COLUMNS = [
    "id",
    "case_id",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "org_id",
    "assignee_id",
    "role",
    "note",
    "at",
]
POINT_COLUMNS = ["id", "department_id", "case_id", "rule", "points", "period", "at"]
# A case in memory is built from every column positionally, as Model.from_db builds it: keywords cost
# twice as much, two hundred thousand times.
BLANK = {f.attname: f.get_default() for f in Case._meta.concrete_fields}
SATISFACTION = {"satisfied": 85, "basic": 12, "dissatisfied": 3}
WHISTLE_SATISFACTION = {"satisfied": 70, "basic": 20, "dissatisfied": 10}
REQUEST_TYPES = {RequestType.HELP: 6, RequestType.COMPLAINT: 3, RequestType.SUGGESTION: 1}


class _Stop(Exception):
    """The next step would lie after the generated "now": the case stays where it is."""


def build(world: World) -> None:
    rng = rng_for(world.seed, "cases")
    for district in world.districts:
        _configure(world, district, rng)
    _cases(world, rng)


# ---------------------------------------------------------------------------------- configuration


def _configure(world: World, district: District, rng) -> None:
    by_name = {d.name: d for d in district.departments}

    def department(name: str):
        return by_name.get(name.replace("市", "区", 1)) or by_name.get(
            name.replace("市", "区", 1).replace("局", "分局")
        )

    groups, matters = [], []
    district.matters = {"whistle": [], "grid": []}
    for order, (code, name, kind, minutes, days, rows) in enumerate(
        [*cases_data.WHISTLE_GROUPS, cases_data.GRID_GROUP], start=1
    ):
        (group_id,) = world.writer.ids(MatterGroup, 1)
        groups.append((group_id, district.id, f"{district.code}{code}", name, kind, order, minutes, 1, days))
        # In memory, for the case rules (cases.steps) to read.
        group = MatterGroup(id=group_id, respond_minutes=minutes, respond_workdays=1, resolve_workdays=days)
        for position, row in enumerate(rows, start=1):
            owner = department(row[1]) or rng.choice(district.departments)
            public = row[3] if len(row) > 3 else True
            (matter_id,) = world.writer.ids(Matter, 1)
            matters.append(
                (
                    matter_id,
                    group_id,
                    f"{district.code}{code}{position:02d}",
                    row[0],
                    f"{name}：{row[0]}",
                    owner.id,
                    None,
                    None,
                    None,
                    public,
                    True,
                    position,
                )
            )
            district.matters[kind].append(
                {"name": row[0], "department": owner, "matter": Matter(id=matter_id, group=group)}
            )
    world.writer.write(
        MatterGroup,
        [
            "id",
            "district_id",
            "code",
            "name",
            "kind",
            "order",
            "respond_minutes",
            "respond_workdays",
            "resolve_workdays",
        ],
        groups,
    )
    world.writer.write(
        Matter,
        [
            "id",
            "group_id",
            "code",
            "name",
            "description",
            "department_id",
            "work_item_id",
            "respond_minutes",
            "resolve_workdays",
            "public",
            "active",
            "order",
        ],
        matters,
    )
    names = [(group, name) for group, names_ in cases_data.SERVICE_GROUPS for name in names_]
    chosen = rng.sample(names, min(world.sizes.service_items_per_district, len(names)))
    rows = []
    for n, (item_id, (group, name)) in enumerate(
        zip(world.writer.ids(ServiceItem, len(chosen)), chosen, strict=True), start=1
    ):
        keyword = next(
            (d for k, d in cases_data.DEPARTMENT_BY_KEYWORD if k in name), cases_data.DEFAULT_SERVICE_DEPARTMENT
        )
        owner = department(keyword) or district.departments[n % len(district.departments)]
        decides = group in {"public", "government"} and any(w in name for w in cases_data.DEPARTMENT_DECIDES)
        low, high = cases_data.TIME_LIMITS[group]
        limit = rng.randint(low, high) if decides else low
        handled = HandledAt.DEPARTMENT if decides else HandledAt.WINDOW
        rows.append(
            (item_id, f"{district.code}SX{n:03d}", name, group, owner.id, list(cases_data.MATERIALS_BY_GROUP[group]),
             cases_data.STEPS["department" if decides else "window"], limit, "", handled, True)
        )  # fmt: skip
        district.service_items.append(
            {
                "name": name,
                "department": owner,
                "limit": limit,
                "handled": handled,
                "item": ServiceItem(id=item_id, time_limit_workdays=limit),
            }
        )
    world.writer.write(
        ServiceItem,
        [
            "id",
            "code",
            "name",
            "group",
            "department_id",
            "materials",
            "steps",
            "time_limit_workdays",
            "legal_basis",
            "handled_at",
            "active",
        ],
        rows,
    )


# ---------------------------------------------------------------------------------------- the cases


def _cases(world: World, rng) -> None:
    s = world.sizes
    cal = world.cal()
    days = cal.workdays_in(sizes.FIRST_DAY, sizes.TODAY)
    plan = []
    for d, district in enumerate(world.districts):
        for c in range(len(district.communities)):
            for k in range(s.service_cases_per_community + s.event_cases_per_community):
                kind = CaseKind.SERVICE if k < s.service_cases_per_community else CaseKind.EVENT
                moment = at(days[int(rng.random() * len(days))], 8, 30) + dt.timedelta(minutes=int(rng.random() * 541))
                plan.append((moment, d, c, k, kind))
    plan.sort()
    ids = world.writer.ids(Case, len(plan))
    counters: Counter[str] = Counter()
    generator = _Generator(world, rng)

    def rows():
        for case_id, (moment, d, c, _k, kind) in zip(ids, plan, strict=True):
            district = world.districts[d]
            community = district.communities[c]
            key = f"{'FW' if kind == CaseKind.SERVICE else 'SJ'}{moment.year}"
            counters[key] += 1
            number = f"{key}-{counters[key]:04d}"
            if kind == CaseKind.SERVICE:
                yield generator.service(case_id, number, moment, district, community)
            else:
                yield generator.event(case_id, number, moment, district, community)

    world.writer.write(Case, CASE_COLUMNS, rows(), big=True)
    events_ids = world.writer.ids(CaseEvent, len(generator.events))
    world.writer.write(
        CaseEvent, EVENT_COLUMNS, ((i, *e) for i, e in zip(events_ids, generator.events, strict=True)), big=True
    )
    point_ids = world.writer.ids(PointEntry, len(generator.points))
    world.writer.write(PointEntry, POINT_COLUMNS, ((i, *p) for i, p in zip(point_ids, generator.points, strict=True)))
    world.notes.setdefault("sequences", {}).update(counters)


def _case(**columns) -> Case:
    return Case(*(BLANK | columns).values())


class _Generator:
    def __init__(self, world: World, rng):
        self.world, self.rng, self.cal = world, rng, world.cal()
        self.events: list[tuple] = []
        self.points: list[tuple] = []
        self.codes: set[str] = set()
        self.orgs: dict[int, Org] = {}
        self.r = rng.random  # the hot loop draws floats only: randint and choices cost five times more
        self.row = operator.attrgetter(*CASE_COLUMNS)
        # Departments differ: some answer fast and well, some do not — which is what the rates show.
        self.quality = {
            d.id: (rng.uniform(0.74, 0.97), rng.uniform(0.70, 0.95))
            for district in world.districts
            for d in district.departments
        }

    def _int(self, low: int, high: int) -> int:
        """A whole number from low to high, both included."""
        return low + int(self.r() * (high - low + 1))

    def _one(self, items: list):
        return items[int(self.r() * len(items))]

    def _pick(self, weights: dict):
        point, total = self.r() * sum(weights.values()), 0
        for value, weight in weights.items():
            total += weight
            if point < total:
                return value
        return value

    def _moment(self, start: dt.datetime, workdays: int) -> dt.datetime:
        """A moment in office hours `workdays` working days after start, never before it."""
        day = self.cal.add(start.astimezone(TZ).date(), workdays)
        moment = at(day, 8, 30) + dt.timedelta(minutes=self._int(0, 500))
        return max(moment, start + dt.timedelta(minutes=self._int(20, 90)))

    def _query_code(self) -> str:
        while True:
            code = "".join(self.rng.choices(QUERY_CODE_ALPHABET, k=QUERY_CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _org(self, node) -> Org:
        """The organisation in memory, for the case rules to read (its kind): one per node."""
        org = self.orgs.get(node.id)
        if org is None:
            org = self.orgs[node.id] = Org(id=node.id, kind=node.kind)
        return org

    def _report(self, c: Case, moment: dt.datetime, org: int, actor: int | None) -> None:
        steps.report(c, moment, self.cal)
        self.events.append((c.pk, "report", "", c.state, actor, org, c.assignee_id, "", "", moment))

    def _step(self, c: Case, action: str, moment: dt.datetime, org: int, actor: int | None, **params) -> None:
        """The step `action` at `moment` by the case rules (`params`: its inputs, as the service takes them)."""
        if moment > NOW:
            raise _Stop
        before = c.state
        steps.take(c, action, moment, calendar=self.cal, **params)
        self.events.append((c.pk, action, before, c.state, actor, org, c.assignee_id, "", "", moment))
        entry = steps.points(c, action, moment)  # no reopenings here: no earlier resolution to count
        if entry is not None:
            self.points.append((entry.department_id, c.pk, entry.rule, entry.points, entry.period, moment))

    def service(self, case_id, number, moment, district: District, community) -> tuple:
        item = self._one(district.service_items)
        window = self.r() < 0.7
        worker = self.world.accounts.community.get(community.id)
        c = _case(
            id=case_id,
            number=number,
            kind=CaseKind.SERVICE,
            org_unit_id=community.id,
            org_path=community.path,
            description=item["name"],
            reporter_id=worker if window else None,
            channel=Channel.WINDOW if window else Channel.RESIDENT,
            query_code=self._query_code(),
        )
        c.service_item = item["item"]
        try:
            self._report(c, moment, community.id, c.reporter_id)
            accepted = (
                moment + dt.timedelta(minutes=self._int(3, 40)) if window else self._moment(moment, self._int(0, 1))
            )
            self._step(c, "accept", accepted, community.id, worker)
            due = c.resolve_due
            start, org = accepted, community.id
            if item["handled"] == HandledAt.DEPARTMENT:
                department = self._org(item["department"])
                sent = accepted + dt.timedelta(minutes=self._int(10, 120))
                self._step(
                    c, "dispatch", sent, community.id, worker, assignee=department, dispatcher=self._org(community)
                )
                responded = self._moment(sent, self._int(0, 1))
                self._step(c, "respond", responded, department.id, None)
                start, org = responded, department.id
            if self.r() < 0.08:
                resolved = self._moment(due, self._int(1, 5))
            elif item["limit"] == 0:
                resolved = min(start + dt.timedelta(minutes=self._int(5, 40)), due)
            else:
                resolved = min(self._moment(start, self._int(0, item["limit"])), due)
            self._step(c, "resolve", resolved, org, worker if org == community.id else None)
            confirmed = self._moment(resolved, self._int(0, 2))
            satisfaction = self._pick(SATISFACTION)
            self._step(c, "confirm", confirmed, community.id, worker, solved=True, satisfaction=satisfaction)
            closed = confirmed + dt.timedelta(minutes=self._int(5, 600))
            self._step(c, "close", closed, community.id, worker)
        except _Stop:
            pass
        return self.row(c)

    def event(self, case_id, number, moment, district: District, community) -> tuple:
        """A grid worker's report: two in three go to a department as a whistle, the rest back to the grid."""
        whistle = self.r() < 2 / 3
        matter = self._one(district.matters["whistle" if whistle else "grid"])
        grids = district.grids.get(community.id) or [community]
        grid = self._one(grids)
        acc = self.world.accounts
        reporter = acc.grid.get(grid.id)
        worker = acc.community.get(community.id)
        c = _case(
            id=case_id,
            number=number,
            kind=CaseKind.EVENT,
            request_type=self._pick(REQUEST_TYPES),
            org_unit_id=grid.id,
            org_path=grid.path,
            description=f"{grid.name}：{matter['name']}",
            reporter_id=reporter,
            channel=Channel.GRID,
        )
        c.matter = matter["matter"]
        try:
            self._report(c, moment, grid.id, reporter)
            accepted = moment + dt.timedelta(minutes=self._int(10, 90))
            self._step(c, "accept", accepted, community.id, worker)
            sent = accepted + dt.timedelta(minutes=self._int(5, 60))
            if whistle:
                assignee = self._org(matter["department"])
                on_time, resolves = self.quality[assignee.id]
            else:
                assignee, on_time, resolves = self._org(grid), 0.95, 0.92
            self._step(c, "dispatch", sent, community.id, worker, assignee=assignee, dispatcher=self._org(community))
            respond_due = c.respond_due
            if self.r() < on_time:
                responded = sent + (respond_due - sent) * (0.2 + 0.75 * self.r())
            else:
                responded = respond_due + dt.timedelta(minutes=self._int(10, 240))
            handler = reporter if not whistle else None
            self._step(c, "respond", responded, assignee.id, handler)
            resolve_due = c.resolve_due
            if self.r() < resolves:
                resolved = min(self._moment(responded, self._int(0, steps.resolve_workdays(c))), resolve_due)
            else:
                resolved = self._moment(resolve_due, self._int(1, 4))
            self._step(c, "resolve", resolved, assignee.id, handler)
            confirmed = self._moment(resolved, self._int(0, 2))
            satisfaction = self._pick(WHISTLE_SATISFACTION if whistle else SATISFACTION)
            solved = satisfaction != "dissatisfied" or self.r() < 0.5
            self._step(c, "confirm", confirmed, community.id, worker, solved=solved, satisfaction=satisfaction)
            closed = confirmed + dt.timedelta(hours=1)
            self._step(c, "close", closed, community.id, worker)
        except _Stop:
            pass
        return self.row(c)
