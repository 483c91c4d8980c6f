"""Catalogs: each district's work items for 2026 (duty, assist, certificate and negative-list items
of every kind) and the 2025 stock they replaced (a predecessor per item in force, plus the items
cancelled at the end of 2025 — the "六多" of the baseline year), the four lists, the published
annual catalog of each year, certificate types for the certificate items, and plaques (three per
community now; more before the clean-up at the end of 2025).

Invariants mirrored from jianfu.catalog: assist items are funded (workitem_assist_is_funded);
temporary items expire (workitem_temporary_expires); a catalog version's entries are frozen copies
built as services.entries_for builds them; one version per list holds every district's items of its
category and district (each district has its own versions, as services.list_replace writes them);
list positions from 1.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.utils.translation import gettext

from jianfu.catalog.models import (
    ENTERING,
    BasisLevel,
    CatalogEntry,
    CatalogVersion,
    Category,
    Frequency,
    ItemKind,
    ItemList,
    ListEntry,
    ListVersion,
    Plaque,
    PlaqueKind,
    WorkItem,
)
from jianfu.certificates.models import CertificateType
from jianfu.demo import catalog_items
from jianfu.orgs.models import CommunityType

from .. import sizes
from . import names
from .base import at, rng_for
from .world import District, Item, World

ITEM_COLUMNS = [
    "id",
    "code",
    "name",
    "description",
    "kind",
    "category",
    "department_id",
    "year",
    "legal_basis",
    "funding_yuan",
    "funding_channel",
    "frequency",
    "occurrences_per_year",
    "hours_per_occurrence",
    "scope_community_types",
    "temporary",
    "valid_until",
    "responsible_body",
    "evidence",
    "guide",
    "days_to_issue",
    "basis_level",
    "basis_document",
    "created_at",
    "updated_at",
]
ENTRY_COLUMNS = [
    "id",
    "version_id",
    "item_id",
    "code",
    "name",
    "kind",
    "category",
    "department_code",
    "department",
    "legal_basis",
    "funding_yuan",
    "funding_channel",
    "frequency",
    "hours_per_month",
    "temporary",
    "valid_until",
    "scope",
    "basis_level",
    "basis_document",
]
KIND_WEIGHTS = {
    ItemKind.TASK: 30,
    ItemKind.LEDGER: 14,
    ItemKind.SURVEY: 8,
    ItemKind.CAMPAIGN: 6,
    ItemKind.INSPECTION: 6,
    ItemKind.BODY: 4,
    ItemKind.PLATFORM: 6,
    ItemKind.CERTIFICATE: 14,
    ItemKind.MEETING: 12,
}
# What was cancelled at the end of the baseline year: mostly ledgers, campaigns, inspections, platforms.
CANCELLED_KINDS = {
    ItemKind.LEDGER: 4,
    ItemKind.CAMPAIGN: 3,
    ItemKind.INSPECTION: 3,
    ItemKind.PLATFORM: 2,
    ItemKind.BODY: 2,
}
FREQUENCIES = [Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY, Frequency.HALF_YEARLY, Frequency.AS_NEEDED]
PUBLISHED = {2025: at(dt.date(2025, 1, 6)), 2026: at(dt.date(2026, 1, 5))}
CREATED = {2025: at(dt.date(2024, 12, 20)), 2026: at(dt.date(2025, 12, 19))}
HUNG_ON = dt.date(2012, 1, 10)
CLEAN_UP_DAY = dt.date(2025, 12, 31)


def build(world: World) -> None:
    rng = rng_for(world.seed, "catalog")
    writer = world.writer
    items: list[tuple] = []
    scopes: list[tuple[int, int]] = []
    street_names = {s.id: s.name for d in world.districts for s in d.streets}
    departments = {dep.id: dep for d in world.districts for dep in d.departments}
    for district in world.districts:
        _district_items(world, district, rng, items, scopes)
    writer.write(WorkItem, ITEM_COLUMNS, items)
    through = WorkItem.scope_streets.through
    writer.write(
        through,
        ["id", "workitem_id", "org_id"],
        ((i, w, o) for i, (w, o) in zip(writer.ids(through, len(scopes)), scopes, strict=True)),
    )
    scope_of: dict[int, list[int]] = {}
    for item_id, street_id in scopes:
        scope_of.setdefault(item_id, []).append(street_id)
    by_id = {row[0]: row for row in items}
    _catalog_versions(world, by_id, scope_of, street_names, departments)
    _lists(world, by_id)
    _certificate_types(world, by_id)
    _plaques(world, rng)


# ---------------------------------------------------------------------------------------- items


def _topics(district: District) -> dict[int, list[str]]:
    """Each department's subjects: its own when it owns some (names.TOPICS), else borrowed ones."""
    owned = {name: words.split() for name, words in names.TOPICS}
    spare = [words.split() for _name, words in names.TOPICS]
    return {d.id: owned.get(d.name) or spare[n % len(spare)] for n, d in enumerate(district.departments)}


def _pick(rng, weights: dict) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _unique(name: str, used: set[str], rng) -> str:
    if name not in used:
        return name
    for prefix in rng.sample(["辖区", "重点", "专项", "年度", "日常", "网格化", "规范化", "精细化"], 8):
        if f"{prefix}{name}" not in used:
            return f"{prefix}{name}"
    k = 2
    while f"{name}（{k}）" in used:
        k += 1
    return f"{name}（{k}）"


def _district_items(world: World, district: District, rng, rows: list, scopes: list) -> None:
    s = world.sizes
    topics = _topics(district)
    owners = {name for name, _ in names.TOPICS}
    weights = [3.0 if d.name in owners else 1.0 for d in district.departments]
    used: set[str] = set()
    plan = []
    for n in range(1, s.items_per_district + 1):
        department = rng.choices(district.departments, weights)[0]
        kind = _pick(rng, KIND_WEIGHTS)
        if kind == ItemKind.CERTIFICATE:
            category = Category.CERTIFICATE if rng.random() < 0.7 else Category.NEGATIVE
        else:
            category = _pick(rng, {Category.DUTY: 50, Category.ASSIST: 40, Category.NEGATIVE: 10})
        topic = rng.choice(topics[department.id])
        name = _unique(rng.choice(names.ITEM_FORMS[kind]).format(t=topic), used, rng)
        used.add(name)
        plan.append((n, department, kind, category, topic, name))
    ids_2026 = world.writer.ids(WorkItem, len(plan))
    entering = [p for p in plan if p[3] in ENTERING]
    ids_2025 = world.writer.ids(WorkItem, len(entering))
    predecessor = dict(zip((p[0] for p in entering), ids_2025, strict=True))
    for item_id, (n, department, kind, category, topic, name) in zip(ids_2026, plan, strict=True):
        row = _item_row(rng, district, item_id, n, 2026, department, kind, category, topic, name)
        rows.append(row)
        if category in ENTERING and rng.random() < 0.5:
            for street in rng.sample(district.streets, min(len(district.streets), rng.randint(1, 3))):
                scopes.append((item_id, street.id))
        district.items.append(
            Item(
                item_id, row[1], name, kind, category, department.id, 2026, predecessor.get(n), row[20], row[8], row[17]
            )
        )
    for item_id, (n, department, kind, category, topic, name) in zip(ids_2025, entering, strict=True):
        # Last year's version of the same work: a little heavier, every community in scope.
        row = _item_row(rng, district, item_id, n, 2025, department, kind, category, topic, name, heavier=True)
        rows.append(row)
        district.items.append(
            Item(item_id, row[1], name, kind, category, department.id, 2025, None, row[20], row[8], row[17])
        )
    cancelled = round(len(entering) * 0.3)
    for k, item_id in enumerate(world.writer.ids(WorkItem, cancelled), start=1):
        department = rng.choices(district.departments, weights)[0]
        kind = _pick(rng, CANCELLED_KINDS)
        topic = rng.choice(topics[department.id])
        forms = names.OLD_BODIES if kind == ItemKind.BODY else names.ITEM_FORMS[kind]
        name = _unique(rng.choice(forms).format(t=topic), used, rng)
        used.add(name)
        row = _item_row(
            rng, district, item_id, s.items_per_district + k, 2025, department, kind, Category.CANCELLED, topic, name
        )
        rows.append(row)
        district.items.append(Item(item_id, row[1], name, kind, Category.CANCELLED, department.id, 2025))


def _item_row(rng, district, item_id, n, year, department, kind, category, topic, name, heavier=False) -> tuple:
    frequency = rng.choice(FREQUENCIES)
    occurrences = Decimal(rng.randint(2, 24)) if frequency == Frequency.AS_NEEDED else Decimal(0)
    hours = Decimal(str(round(rng.uniform(0.5, 6.0) * (1.25 if heavier else 1.0), 1)))
    funding = rng.randrange(2_000, 60_000, 500) if category == Category.ASSIST else 0
    legal_basis, responsible, evidence, guide, days = rng.choice(names.LEGAL_BASES), "", [], {}, 0
    if category == Category.NEGATIVE:
        certificate = kind == ItemKind.CERTIFICATE
        legal_basis = names.NEGATIVE_CERTIFICATE_BASIS if certificate else names.NEGATIVE_WORK_BASIS
        responsible = department.name
    elif category == Category.CERTIFICATE:
        evidence = ["居民身份证", "户口簿"]
        days = rng.randint(1, 5)
        guide = {
            "basis": legal_basis,
            "purpose": f"用于办理{topic}相关事项",
            "process": "居民提出申请，社区核实后当场或限时出具",
            "sample": f"兹证明某某（公民身份号码：****）{name.removesuffix('证明')}情况属实。",
        }
    types = rng.sample(list(CommunityType.values), rng.randint(1, 2)) if rng.random() < 0.08 else []
    temporary = year == sizes.CURRENT_YEAR and category in ENTERING and rng.random() < 0.03
    return (
        item_id,
        f"{district.code}-{year}-{n:04d}",
        name,
        f"社区{'协助' if category == Category.ASSIST else ''}{department.name}做好{topic}相关工作：{name}。",
        kind,
        category,
        department.id,
        year,
        legal_basis,
        funding,
        "区级财政专项经费" if funding else "",
        frequency,
        occurrences,
        hours,
        types,
        temporary,
        dt.date(year, 12, 31) if temporary else None,
        responsible,
        evidence,
        guide,
        days,
        *_higher_basis(kind, category),
        CREATED[year],
        CREATED[year],
    )


def _higher_basis(kind: str, category: str) -> tuple[str, str]:
    """Campaigns and inspections enter only on a higher basis (seed 001); no draw of the generator."""
    if kind in (ItemKind.CAMPAIGN, ItemKind.INSPECTION) and category in ENTERING:
        return BasisLevel.MUNICIPAL, "《市委办公室 市政府办公室关于规范社区创建评比和考核检查的通知》"
    return "", ""


# ---------------------------------------------------------------------------------------- catalog


def _hours_per_month(row: tuple) -> Decimal:
    c = ITEM_COLUMNS
    item = WorkItem(
        frequency=row[c.index("frequency")],
        occurrences_per_year=row[c.index("occurrences_per_year")],
        hours_per_occurrence=row[c.index("hours_per_occurrence")],
    )
    return item.hours_per_month()


def _scope_text(row: tuple, scope_of: dict, street_names: dict) -> str:
    """As catalog.services.scope_text."""
    parts = [street_names[s] for s in scope_of.get(row[0], [])]
    types = row[ITEM_COLUMNS.index("scope_community_types")]
    parts += [str(CommunityType(t).label) for t in types]
    return "、".join(parts) if parts else gettext("all communities")


def _catalog_versions(world: World, by_id: dict, scope_of: dict, street_names: dict, departments: dict) -> None:
    """Each district's catalog of each year, published once: a frozen copy of the items in force."""
    c = {name: i for i, name in enumerate(ITEM_COLUMNS)}
    office = world.accounts.office
    versions, entries = [], []
    for district in world.districts:
        for year in (sizes.BASELINE_YEAR, sizes.CURRENT_YEAR):
            (version_id,) = world.writer.ids(CatalogVersion, 1)
            publisher = office.get(district.id, [None])[0]
            versions.append((version_id, year, 1, PUBLISHED[year], publisher, district.id))
            rows = [by_id[i.id] for i in district.items if i.year == year and i.category in ENTERING]
            rows.sort(key=lambda r: (departments[r[c["department_id"]]].code, r[c["kind"]], r[c["code"]]))
            for entry_id, row in zip(world.writer.ids(CatalogEntry, len(rows)), rows, strict=True):
                department = departments[row[c["department_id"]]]
                entries.append(
                    (
                        entry_id,
                        version_id,
                        row[0],
                        row[c["code"]],
                        row[c["name"]],
                        row[c["kind"]],
                        row[c["category"]],
                        department.code,
                        department.name,
                        row[c["legal_basis"]],
                        row[c["funding_yuan"]],
                        row[c["funding_channel"]],
                        row[c["frequency"]],
                        _hours_per_month(row),
                        row[c["temporary"]],
                        row[c["valid_until"]],
                        _scope_text(row, scope_of, street_names),
                        row[c["basis_level"]],
                        row[c["basis_document"]],
                    )
                )
    world.writer.write(
        CatalogVersion, ["id", "year", "number", "published_at", "published_by_id", "district_id"], versions
    )
    world.writer.write(CatalogEntry, ENTRY_COLUMNS, entries)


def _lists(world: World, by_id: dict) -> None:
    """The four lists, each with one published version per district holding its 2026 items of its category."""
    lists, versions, entries = [], [], []
    for code, name in catalog_items.LISTS:
        (list_id,) = world.writer.ids(ItemList, 1)
        lists.append((list_id, code, name, code))
        for district in world.districts:
            (version_id,) = world.writer.ids(ListVersion, 1)
            office = world.accounts.office.get(district.id, [None])[0]
            published = PUBLISHED[sizes.CURRENT_YEAR]
            versions.append((version_id, list_id, district.id, 1, published, office))
            members = sorted(
                (i for i in district.items if i.year == sizes.CURRENT_YEAR and i.category == code),
                key=lambda i: i.code,
            )
            ids = world.writer.ids(ListEntry, len(members))
            entries += [
                (eid, version_id, i.id, n) for n, (eid, i) in enumerate(zip(ids, members, strict=True), start=1)
            ]
    world.writer.write(ItemList, ["id", "code", "name", "category"], lists)
    world.writer.write(
        ListVersion,
        ["id", "item_list_id", "district_id", "number", "published_at", "published_by_id"],
        versions,
    )
    world.writer.write(ListEntry, ["id", "version_id", "item_id", "position"], entries)


def _certificate_types(world: World, by_id: dict) -> None:
    """Certificate items of the lists, configured: may-issue ones confirmed within the committee's
    duties (closed by default otherwise), must-not ones with nothing but the names people use."""
    rows = []
    statement = "兹证明{name}（公民身份号码：{id_number}）居住在{address}，经{community}核实，情况属实。"
    items = [
        i
        for d in world.districts
        for i in d.items
        if i.kind == ItemKind.CERTIFICATE and i.category in (Category.CERTIFICATE, Category.NEGATIVE)
    ]
    for type_id, item in zip(world.writer.ids(CertificateType, len(items)), items, strict=True):
        may = item.category == Category.CERTIFICATE
        rows.append(
            (
                type_id,
                item.id,
                [item.name.removesuffix("证明") + "证明材料"] if may else [],
                "申请人在本社区居住的事实" if may else "",
                statement if may else "",
                may,
                False,
                False,
                "",
                False,
                PUBLISHED[item.year],
            )
        )
    world.writer.write(
        CertificateType,
        [
            "id",
            "item_id",
            "aliases",
            "facts_vouched",
            "statement",
            "within_duties",
            "retained",
            "notify_and_commit",
            "commitment_text",
            "public_interest",
            "updated_at",
        ],
        rows,
    )


def _plaques(world: World, rng) -> None:
    """Three plaques per community on approved work bodies; before the clean-up, a few more that
    rested on nothing and came down on the last day of 2025."""
    rows = []
    counts = Counter()
    for district in world.districts:
        bodies = [
            i
            for i in district.items
            if i.year == sizes.CURRENT_YEAR and i.kind == ItemKind.BODY and i.category == Category.DUTY
        ]
        old = [i.name for i in district.items if i.kind == ItemKind.BODY and i.category == Category.CANCELLED]
        old = old or ["社区统计工作站", "社区科普站", "社区计生协会", "社区老年协会"]
        for community in district.communities:
            for item in bodies[:3] if len(bodies) >= 3 else bodies:
                rows.append((community.id, item.name, item.department_id, item.id, HUNG_ON, None, ""))
            for name in rng.sample(old, min(len(old), rng.randint(2, 5))):
                department = rng.choice(district.departments).id
                rows.append(
                    (community.id, name, department, None, HUNG_ON, CLEAN_UP_DAY, "清理规范社区挂牌（只保留三块牌子）")
                )
            counts[district.id] += 1
    ids = world.writer.ids(Plaque, len(rows))
    world.writer.write(
        Plaque,
        ["id", "kind", "community_id", "name", "department_id", "item_id", "hung_on", "removed_on", "removal_reason"],
        ((pid, PlaqueKind.PLAQUE, *row) for pid, row in zip(ids, rows, strict=True)),
    )
