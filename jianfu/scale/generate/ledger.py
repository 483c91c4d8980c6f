"""一表通 at scale: each district's data element dictionary (the registry-derived elements of the
demo, a few dozen typed monthly elements every community keeps, and thousands more defined once by
the departments), a value per community and month for the typed monthly ones over VALUE_MONTHS,
the roll-ups above them (street, district) as ledger.values.rebuild would compute them, and report
templates sent to every community of the district, with their submissions, steps and locks.

Invariants mirrored from jianfu.ledger: one element code per district; one value per (element, org,
period), `org_path` copied from the org; aggregates keyed (element, ancestor, period) summing each
value's contribution; templates rest on a ledger item of their own department in force in 2026; a
request goes to every community of the department's district; an accepted submission holds the
snapshot of what was reported and locks the values it reported (the first acceptance wins).
"""

from collections import defaultdict
from decimal import Decimal

from jianfu.catalog.models import ENTERING, ItemKind
from jianfu.demo import ledger as ledger_demo
from jianfu.ledger import periods
from jianfu.ledger.models import (
    Aggregate,
    DataElement,
    ReportRequest,
    ReportTemplate,
    Submission,
    SubmissionState,
    SubmissionStep,
    TemplateField,
    TemplateVersion,
    Value,
    ValueSource,
    VersionState,
)

from .. import sizes
from . import names
from .base import at, rng_for
from .world import District, World

ELEMENT_COLUMNS = [
    "id",
    "district_id",
    "code",
    "name",
    "definition",
    "unit",
    "value_type",
    "options",
    "level",
    "period_type",
    "aggregation",
    "department_id",
    "derivation",
    "min_value",
    "max_value",
    "state",
    "created_by_id",
    "created_at",
]
VALUE_COLUMNS = [
    "id",
    "element_id",
    "org_id",
    "org_path",
    "period",
    "text",
    "number",
    "source",
    "entered_by_id",
    "entered_at",
    "locked_by_id",
]
SUBMISSION_COLUMNS = [
    "id",
    "request_id",
    "community_id",
    "state",
    "field_count",
    "prefilled_count",
    "typed_count",
    "opened_at",
    "submitted_at",
    "data",
]
UNITS = {
    "人数": "人",
    "户数": "户",
    "次数": "次",
    "人次": "人次",
    "处数": "处",
    "个数": "个",
    "覆盖率": "%",
    "完成率": "%",
    "新增数": "人",
    "减少数": "人",
    "走访次数": "次",
    "检查次数": "次",
    "整改数": "处",
    "面积": "m²",
    "金额": "元",
}
PERIOD_TYPES = {periods.MONTHLY: 40, periods.QUARTERLY: 25, periods.YEARLY: 20, periods.AS_OF: 15}
PERIOD_WORDS = {periods.MONTHLY: "每月", periods.QUARTERLY: "每季度", periods.YEARLY: "每年", periods.AS_OF: "截至某日"}
CREATED = at(sizes.TODAY.replace(year=2025, month=12, day=15))
# Every (qualifier, topic, measure) a department might define, and the department that owns the topic.
COMBOS = [
    (f"{q}{t}{m}", owner, m)
    for owner, words in names.TOPICS
    for t in words.split()
    for m in names.MEASURES
    for q in names.QUALIFIERS
]
# Submission states of each request period: most of May's are accepted; September's are on their way.
STATES = {
    sizes.REQUEST_PERIODS[0]: {
        SubmissionState.ACCEPTED: 90,
        SubmissionState.STREET_ACCEPTED: 5,
        SubmissionState.SUBMITTED: 5,
    },
    sizes.REQUEST_PERIODS[1]: {
        SubmissionState.ACCEPTED: 50,
        SubmissionState.STREET_ACCEPTED: 20,
        SubmissionState.SUBMITTED: 20,
        SubmissionState.OPEN: 10,
    },
}
STEPS = [
    ("submit", SubmissionState.OPEN, SubmissionState.SUBMITTED),
    ("street_accept", SubmissionState.SUBMITTED, SubmissionState.STREET_ACCEPTED),
    ("accept", SubmissionState.STREET_ACCEPTED, SubmissionState.ACCEPTED),
]
REACHED = {
    SubmissionState.OPEN: 0,
    SubmissionState.SUBMITTED: 1,
    SubmissionState.STREET_ACCEPTED: 2,
    SubmissionState.ACCEPTED: 3,
}


def build(world: World) -> None:
    rng = rng_for(world.seed, "ledger")
    plans = []
    elements: list[tuple] = []
    for district in world.districts:
        plan = _elements(world, district, rng, elements)
        plans.append(plan)
    world.writer.write(DataElement, ELEMENT_COLUMNS, elements)
    for district, plan in zip(world.districts, plans, strict=True):
        _templates(world, district, plan, rng)
    _values(world, plans, rng)
    _requests(world, plans)


class _Plan:
    """One district's elements and reports as the later steps need them."""

    def __init__(self, district: District):
        self.district = district
        self.valued: list[tuple[int, str, bool]] = []  # (element id, code, is a rate)
        self.templates: list[dict] = []
        self.requests: list[dict] = []
        self.locks: dict[tuple[int, int, str], int] = {}  # (element, community, period) → submission
        self.reported: dict[tuple[int, int, str], str] = {}  # values the submissions quote


def _department_by_name(district: District):
    by_name = {d.name: d for d in district.departments}
    fallback = district.departments[0]

    def find(name: str):
        return by_name.get(name) or by_name.get(name.replace("市", "区", 1)) or fallback

    return find


def _element_row(
    district,
    element_id,
    code,
    name,
    unit,
    value_type,
    level,
    period_type,
    aggregation,
    department,
    *,
    derivation=None,
    rate=False,
) -> tuple:
    word = PERIOD_WORDS[period_type]
    definition = f"由基础信息库自动计算：{name}" if derivation else f"社区（网格）{word}填报：{name}"
    return (
        element_id,
        district.id,
        code,
        name,
        definition,
        unit,
        value_type,
        [],
        level,
        period_type,
        aggregation,
        department.id,
        derivation or {},
        Decimal(0),
        Decimal(100) if rate else None,
        "active",
        None,
        CREATED,
    )


def _elements(world: World, district: District, rng, rows: list) -> _Plan:
    s = world.sizes
    plan = _Plan(district)
    find = _department_by_name(district)
    derived = ledger_demo.DERIVED
    others = s.elements_per_district - len(derived) - s.valued_elements
    ids = iter(world.writer.ids(DataElement, s.elements_per_district))
    for code, name, unit, department, spec in derived:
        value_type = "decimal" if spec.get("field") == "office_space_m2" else "integer"
        rows.append(
            _element_row(
                district,
                next(ids),
                code,
                name,
                unit,
                value_type,
                "community",
                periods.AS_OF,
                "sum",
                find(department),
                derivation=spec,
            )
        )
    picked = rng.sample(range(len(COMBOS)), s.valued_elements + others)
    for n, index in enumerate(picked[: s.valued_elements], start=1):
        name, owner, measure = COMBOS[index]
        rate = n % 8 == 0
        if rate:
            name, measure = name.removesuffix(measure) + "覆盖率", "覆盖率"
        element_id = next(ids)
        code = f"V{n:02d}"
        plan.valued.append((element_id, code, rate))
        rows.append(
            _element_row(
                district,
                element_id,
                code,
                name,
                UNITS[measure],
                "decimal" if rate else "integer",
                "community",
                periods.MONTHLY,
                "average" if rate else "sum",
                find(owner),
                rate=rate,
            )
        )
    for n, index in enumerate(picked[s.valued_elements :], start=1):
        name, owner, measure = COMBOS[index]
        rate = measure in names.RATE_MEASURES
        period_type = rng.choices(list(PERIOD_TYPES), list(PERIOD_TYPES.values()))[0]
        rows.append(
            _element_row(
                district,
                next(ids),
                f"E{n:05d}",
                name,
                UNITS[measure],
                "decimal" if rate or measure in ("面积", "金额") else "integer",
                "grid" if rng.random() < 0.2 else "community",
                period_type,
                "average" if rate else "sum",
                find(owner),
                rate=rate,
            )
        )
    return plan


def _templates(world: World, district: District, plan: _Plan, rng) -> None:
    """Report templates on the district's ledger items, each a published version of monthly fields,
    and their requests' submissions planned (ids, states), so values know which are locked."""
    s = world.sizes
    cal = world.cal()
    clerks = world.accounts.clerk
    candidates = [
        i
        for i in district.items
        if i.year == sizes.CURRENT_YEAR
        and i.kind == ItemKind.LEDGER
        and i.category in ENTERING
        and i.department_id in clerks
    ]
    chosen, departments = [], set()
    for item in candidates:  # one template per department first, then more
        if item.department_id not in departments:
            chosen.append(item)
            departments.add(item.department_id)
    chosen += [i for i in candidates if i not in chosen]
    for item in chosen[: s.templates_per_district]:
        fields = rng.sample(plan.valued, min(s.fields_per_template, len(plan.valued)))
        template = {"item": item, "fields": fields, "requests": []}
        plan.templates.append(template)
        for period in sizes.REQUEST_PERIODS:
            parsed = periods.parse(period, periods.MONTHLY)
            sent_on = cal.add(parsed.end, 1)
            request = {"template": template, "period": period, "sent_on": sent_on, "due_on": cal.add(sent_on, 10)}
            states = STATES[period]
            request["submissions"] = [
                (community, rng.choices(list(states), list(states.values()))[0]) for community in district.communities
            ]
            template["requests"].append(request)
            plan.requests.append(request)
    for request in plan.requests:
        request["submission_ids"] = world.writer.ids(Submission, len(request["submissions"]))
        for sid, (community, state) in zip(request["submission_ids"], request["submissions"], strict=True):
            for element_id, _code, _rate in request["template"]["fields"]:
                key = (element_id, community.id, request["period"])
                plan.reported[key] = ""
                if state == SubmissionState.ACCEPTED:
                    plan.locks.setdefault(key, sid)


def _values(world: World, plans: list[_Plan], rng) -> None:
    """A value per valued element, community and month, streamed; the roll-ups summed on the way."""
    keys = [f"{y}-{m:02d}" for y, m in sizes.VALUE_MONTHS]
    entered = {k: at(periods.parse(k, periods.MONTHLY).end, 16) for k in keys}
    community_users = world.accounts.community
    sums: dict[tuple[int, int, str], list] = defaultdict(lambda: [0, 0])
    count = sum(len(p.valued) * len(p.district.communities) * len(keys) for p in plans)
    ids = iter(world.writer.ids(Value, count))

    r = rng.random

    def rows():
        # In the order of the unique key (element, org, period), so its index grows at the right edge.
        for plan in plans:
            district_id = plan.district.id
            for element_id, _code, rate in plan.valued:
                for community in plan.district.communities:
                    worker = community_users.get(community.id)
                    street_id = community.parent_id
                    base = community.resident * (0.002 + 0.038 * r())
                    for key in keys:
                        if rate:
                            number = Decimal(f"{80 + 20 * r():.1f}")
                        else:
                            number = int(base * (0.8 + 0.4 * r()) + 0.5)
                        text = str(number)
                        cell = (element_id, community.id, key)
                        if cell in plan.reported:
                            plan.reported[cell] = text
                        for org_id in (district_id, street_id):
                            total = sums[(element_id, org_id, key)]
                            total[0] += number
                            total[1] += 1
                        yield (
                            next(ids),
                            element_id,
                            community.id,
                            community.path,
                            key,
                            text,
                            number,
                            ValueSource.IMPORTED,
                            worker,
                            entered[key],
                            plan.locks.get(cell),
                        )

    world.writer.write(Value, VALUE_COLUMNS, rows(), big=True)
    aggregate_ids = world.writer.ids(Aggregate, len(sums))
    world.writer.write(
        Aggregate,
        ["id", "element_id", "org_id", "period", "total", "count"],
        (
            (aid, e, o, p, Decimal(total), n)
            for aid, ((e, o, p), (total, n)) in zip(aggregate_ids, sorted(sums.items()), strict=True)
        ),
    )


def _requests(world: World, plans: list[_Plan]) -> None:
    acc = world.accounts
    cal = world.cal()
    templates, versions, fields, requests, submissions, steps = [], [], [], [], [], []
    all_requests = sorted(
        (r for p in plans for r in p.requests), key=lambda r: (r["sent_on"], r["template"]["item"].code)
    )
    for number, request in enumerate(all_requests, start=1):
        request["number"] = f"BB{sizes.CURRENT_YEAR}-{number:04d}"
    for plan in plans:
        codes = {element_id: code for element_id, code, _rate in plan.valued}
        for template in plan.templates:
            item = template["item"]
            (template_id,) = world.writer.ids(ReportTemplate, 1)
            (version_id,) = world.writer.ids(TemplateVersion, 1)
            published = at(sizes.TODAY.replace(month=1, day=20))
            templates.append((template_id, item.department_id, item.id, item.name[:100], False, published))
            versions.append((version_id, template_id, 1, VersionState.PUBLISHED, periods.MONTHLY, published))
            field_ids = world.writer.ids(TemplateField, len(template["fields"]))
            for position, (fid, (element_id, _code, _rate)) in enumerate(
                zip(field_ids, template["fields"], strict=True)
            ):
                fields.append((fid, version_id, element_id, position, True))
            clerk = acc.clerk[item.department_id]
            for request in template["requests"]:
                (request_id,) = world.writer.ids(ReportRequest, 1)
                requests.append(
                    (
                        request_id,
                        request["number"],
                        version_id,
                        request["period"],
                        clerk,
                        request["sent_on"],
                        request["due_on"],
                        "",
                    )
                )
                count = len(template["fields"])
                opened = at(cal.add(request["sent_on"], 1), 10)
                for sid, (community, state) in zip(request["submission_ids"], request["submissions"], strict=True):
                    reached = REACHED[state]
                    moments = [opened]
                    for _ in range(reached):
                        moments.append(at(cal.add(moments[-1].date(), 1 + (sid % 3)), 10 + (sid % 6)))
                    data = {}
                    if reached:
                        for element_id, _code, _rate in template["fields"]:
                            text = plan.reported[(element_id, community.id, request["period"])]
                            data[codes[element_id]] = {"value": text, "by_org": {community.code: text}}
                    submissions.append(
                        (
                            sid,
                            request_id,
                            community.id,
                            state,
                            count,
                            count,
                            0,
                            opened,
                            moments[1] if reached else None,
                            data,
                        )
                    )
                    actors = [acc.community.get(community.id), acc.street.get(community.parent_id), clerk]
                    for k in range(reached):
                        action, before, after = STEPS[k]
                        steps.append((sid, action, before, after, actors[k], "", "", moments[k + 1]))
    writer = world.writer
    writer.write(ReportTemplate, ["id", "department_id", "item_id", "name", "retired", "created_at"], templates)
    writer.write(TemplateVersion, ["id", "template_id", "number", "state", "period_type", "published_at"], versions)
    writer.write(TemplateField, ["id", "version_id", "element_id", "position", "required"], fields)
    writer.write(
        ReportRequest, ["id", "number", "version_id", "period", "sent_by_id", "sent_on", "due_on", "note"], requests
    )
    submissions.sort()
    writer.write(Submission, SUBMISSION_COLUMNS, submissions)
    step_ids = writer.ids(SubmissionStep, len(steps))
    writer.write(
        SubmissionStep,
        ["id", "submission_id", "action", "from_state", "to_state", "actor_id", "role", "note", "at"],
        ((i, *row) for i, row in zip(step_ids, steps, strict=True)),
    )
    world.notes.setdefault("sequences", {})[f"BB{sizes.CURRENT_YEAR}"] = len(all_requests)
