"""The demo district: 慈溪 as seed 002 describes it (48 communities in 4 streets and 3 towns,
7.3万 households, 20.2万 people, 369 full-time workers, 24 communities below the space standard).
Deterministic: the same numbers every run; running it again changes nothing."""

import math
import random
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from jianfu.orgs import services
from jianfu.orgs.models import CommunityType, Org, OrgKind, Role, User

DISTRICT = ("330282", "慈溪市")
# (street or town, kind, its communities) — seed 002's counts: 25, 10, 3, 1, 6, 2, 1.
STREETS = [
    (
        "浒山街道",
        OrgKind.STREET,
        "青少年宫路 三北 虞波 华兴 孙塘 天九街 东门 南门 西门 北门 明州 蓝天 金山 新城 峙山 担山 新江路 东山 前应路 城北 慈甬路 文化 潮塘 浒江 教场山".split(),
    ),
    ("古塘街道", OrgKind.STREET, "古塘 旦苑 西河 南三 彩虹 新江 中虞 万丰 海关 舒苑".split()),
    ("白沙路街道", OrgKind.STREET, "白沙 东三 三江".split()),
    ("宗汉街道", OrgKind.STREET, "宗汉".split()),
    ("周巷镇", OrgKind.TOWN, "周巷 城中 城东 城西 大蔡 兴业".split()),
    ("观海卫镇", OrgKind.TOWN, "卫山 鸣鹤".split()),
    ("横河镇", OrgKind.TOWN, "横河".split()),
]
# Seed 002: 古塘 about 2 800 registered households, only about 1 500 living there;
# 旦苑 438 registered, 2 260 owner households actually living there.
FIXED_HOUSEHOLDS = {"古塘": (2800, 1500), "旦苑": (438, 2260)}
TOTAL_HOUSEHOLDS = 73_000
TOTAL_POPULATION = 202_000
TOTAL_STAFF = 369
BELOW_SPACE_STANDARD = 24

# Member units of the leading group (seed 000), then the departments and mass organisations that
# push work into communities.
MEMBER_UNITS = [
    "市纪委市监委",
    "市委办公室",
    "市委编办",
    "市直机关工委",
    "市政府办公室",
    "市经信局",
    "市民政局",
    "市财政局",
]
DEPARTMENTS = [
    "市公安局",
    "市卫生健康局",
    "市人力社保局",
    "市住房和城乡建设局",
    "市自然资源和规划局",
    "宁波市生态环境局慈溪分局",
    "市应急管理局",
    "市市场监督管理局",
    "市教育局",
    "市文化广电旅游体育局",
    "市司法局",
    "市统计局",
    "市退役军人事务局",
    "市医疗保障局",
    "市农业农村局",
    "市综合行政执法局",
    "市交通运输局",
    "市水利局",
    "市商务局",
]
GROUP_ORGS = ["市总工会", "团市委", "市妇联", "市残联", "市红十字会", "市科协"]

DEMO_PASSWORD = "Jianfu@2026"
# (username, name, role, org name): one account for every role.
DEMO_ACCOUNTS = [
    ("office", "王主任（准入办）", Role.OFFICE, "慈溪市"),
    ("reviewer", "李审核（民政局）", Role.REVIEWER, "市民政局"),
    ("clerk", "张经办（卫健局）", Role.CLERK, "市卫生健康局"),
    ("street", "陈干事（古塘街道）", Role.STREET, "古塘街道"),
    ("street2", "周干事（浒山街道）", Role.STREET, "浒山街道"),
    ("community", "刘书记（古塘社区）", Role.COMMUNITY, "古塘社区"),
    ("grid", "赵网格（古塘社区第一网格）", Role.GRID, "古塘社区第一网格"),
    ("resident", "孙居民（古塘社区）", Role.RESIDENT, "古塘社区"),
]
GRID_ORDINALS = "一二三四五六七八九十"


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights that sum exactly to total (largest remainder)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [math.floor(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _community_figures() -> list[dict]:
    rng = random.Random(2009)  # the year of seed 002's survey
    names = [(street, c) for street, _, cs in STREETS for c in cs]
    free = [i for i, (_, c) in enumerate(names) if c not in FIXED_HOUSEHOLDS]
    fixed_total = sum(r for r, _ in FIXED_HOUSEHOLDS.values())
    registered = dict(
        zip(free, _apportion(TOTAL_HOUSEHOLDS - fixed_total, [rng.uniform(0.5, 1.6) for _ in free]), strict=False)
    )
    rows = []
    for i, (street, name) in enumerate(names):
        if name in FIXED_HOUSEHOLDS:
            reg, res = FIXED_HOUSEHOLDS[name]
        else:
            reg = registered[i]
            res = max(620, round(reg * rng.uniform(0.86, 1.04)))
        rows.append({"street": street, "name": name, "registered": reg, "resident": res})
    # Population is the people living here (实有人口, what the registry and the ledger count), so it
    # follows the resident households, not the registered ones.
    population = _apportion(TOTAL_POPULATION, [r["resident"] * rng.uniform(2.55, 2.95) for r in rows])
    staff = _apportion(TOTAL_STAFF, [r["registered"] * rng.uniform(0.8, 1.2) for r in rows])
    below = set(rng.sample(range(len(rows)), BELOW_SPACE_STANDARD))
    per_100 = settings.JIANFU["SPACE_M2_PER_100_HOUSEHOLDS"]
    types = list(CommunityType.values)
    for i, row in enumerate(rows):
        # Judged on the larger of registered and resident households (seed 002's 人户分离).
        required = max(row["registered"], row["resident"]) * per_100 / 100
        factor = rng.uniform(0.1, 0.35) if i in below else rng.uniform(1.05, 1.6)
        row |= {
            "population": population[i],
            "staff": max(1, staff[i]),
            "space": Decimal(str(round(required * factor, 1))),
            "type": types[rng.randrange(len(types))],
        }
    return rows


def _upsert(code: str, name: str, kind: str, parent: Org | None, **figures) -> Org:
    org = Org.objects.filter(code=code).first()
    if org is None:
        return services.org_create(actor=None, code=code, name=name, kind=kind, parent=parent, **figures)
    services.org_update(actor=None, org=org, parent=parent, name=name, **figures)
    return org


def _grids(community: Org, registered: int, resident: int, population: int) -> None:
    count = max(1, math.ceil(resident / settings.JIANFU["GRID_HOUSEHOLDS_MAX"]))
    res = _apportion(resident, [1] * count)
    reg = _apportion(registered, [1] * count)
    pop = _apportion(population, [1] * count)
    for g in range(count):
        _upsert(
            f"{community.code}{g + 1:02d}",
            f"{community.name}第{GRID_ORDINALS[g]}网格",
            OrgKind.GRID,
            community,
            registered_households=reg[g],
            resident_households=res[g],
            population=pop[g],
        )


@transaction.atomic
def load() -> dict[str, int]:
    district = _upsert(DISTRICT[0], DISTRICT[1], OrgKind.DISTRICT, None)
    by_street: dict[str, Org] = {}
    for s, (street, kind, _) in enumerate(STREETS, start=1):
        by_street[street] = _upsert(f"{DISTRICT[0]}{s:03d}", street, kind, district)
    counters: dict[str, int] = {}
    for row in _community_figures():
        street = by_street[row["street"]]
        counters[street.code] = counters.get(street.code, 0) + 1
        community = _upsert(
            f"{street.code}{counters[street.code]:03d}",
            f"{row['name']}社区",
            OrgKind.COMMUNITY,
            street,
            registered_households=row["registered"],
            resident_households=row["resident"],
            population=row["population"],
            office_space_m2=row["space"],
            staff_count=row["staff"],
            community_type=row["type"],
        )
        _grids(community, row["registered"], row["resident"], row["population"])
    departments = [(n, OrgKind.DEPARTMENT, True) for n in MEMBER_UNITS]
    departments += [(n, OrgKind.DEPARTMENT, False) for n in DEPARTMENTS]
    departments += [(n, OrgKind.GROUP_ORG, False) for n in GROUP_ORGS]
    for d, (name, kind, member) in enumerate(departments, start=1):
        _upsert(f"{DISTRICT[0]}D{d:02d}", name, kind, district, is_member_unit=member)
    _accounts()
    return {kind: Org.objects.filter(kind=kind).count() for kind in OrgKind.values}


def _accounts() -> None:
    for username, display_name, role, org_name in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display_name)
            user.set_password(DEMO_PASSWORD)
            if role == Role.OFFICE:  # the office administrator also runs Django's admin
                user.is_staff = user.is_superuser = True
            user.save()
        services.membership_grant(actor=None, user=user, org=Org.objects.get(name=org_name), role=role)
