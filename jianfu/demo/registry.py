"""The demo district's base registry, generated deterministically with bulk inserts.

Per community: its resident households live at standard addresses in its grids, as many people in
each grid as the organisation tree records for it (so the public page's population, the ledger's
实有人口 and the tree agree); its registered households are those of its
residents who are registered here plus registered-only households living elsewhere (古塘: 2 800
registered, 1 500 living there; 旦苑: 438 registered, 2 260 living there — seed 002)."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jianfu.catalog.models import WorkItem
from jianfu.core import bulk
from jianfu.core.crypto import blind_index
from jianfu.orgs.models import Org, OrgKind, User
from jianfu.registry import exports
from jianfu.registry.models import (
    Address,
    ExportRequest,
    Gender,
    House,
    HouseUse,
    Person,
    PersonTag,
    Relation,
    Tag,
    Unit,
    UnitKind,
)

SAMPLE_COMMUNITIES = ["古塘社区", "旦苑社区"]
UNITS_TOTAL = 5000
TODAY = dt.date(2026, 1, 1)  # ages are fixed against this day, so the data never drifts
# The registry's history starts when the demo district took it over, so that figures for any
# earlier-dated period (the ledger's derived elements) read the same people.
HISTORY_SINCE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉海燕鹏飞志宏宇婷雪梅晨浩然欣怡子涵梓轩雨桐佳琪俊博思远嘉怡一诺"
AREA_SUFFIXES = ["新村", "花园", "小区", "家园", "公寓"]
HOUSEHOLD_SIZES = [(1, 18), (2, 30), (3, 28), (4, 14), (5, 7), (6, 3)]
# (tag code, name, department, a phrase of the approved item that justifies it)
TAGS = [
    ("dibao", "低保", "市民政局", "最低生活保障和特困供养对象动态管理台账"),
    ("disabled", "残疾人", "市残联", "残疾人基本服务状况和需求信息动态更新"),
    ("elderly_alone", "独居老人", "市民政局", "高龄、独居、空巢老年人关爱服务台账"),
    ("veteran", "退役军人", "市退役军人事务局", "协助做好退役军人服务保障"),
    ("migrant", "流动人口", "市公安局", "协助流动人口居住登记和出租房屋信息采集"),
    ("key_person", "重点人员", "市公安局", "协助维护社会治安（群防群治）"),
]


def _weighted(rng: random.Random, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _id_number(birth: dt.date, female: bool, serial: int) -> str:
    seq = serial * 2 + (0 if female else 1)
    body = f"330282{birth:%Y%m%d}{seq % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


class _Ids:
    """Unique, valid ID numbers: a serial per (birth date, sex)."""

    def __init__(self):
        self.serials: dict[tuple, int] = {}

    def next(self, birth: dt.date, female: bool) -> str:
        key = (birth, female)
        n = self.serials.get(key, 0)
        self.serials[key] = n + 1
        if n >= 500:  # more than 500 people of one sex born on one day: move a day
            return self.next(birth + dt.timedelta(days=1), female)
        return _id_number(birth, female, n)


def _birth(rng: random.Random, low: int, high: int) -> dt.date:
    age_days = rng.randint(low * 365, high * 365 + 364)
    return TODAY - dt.timedelta(days=age_days)


def tags(district: Org) -> dict[str, Tag]:
    departments = {
        o.name: o for o in Org.objects.filter(kind__in=[OrgKind.DEPARTMENT, OrgKind.GROUP_ORG], parent=district)
    }
    made = {}
    for code, name, department, item_name in TAGS:
        item = WorkItem.objects.filter(name=item_name).order_by("-year").first()  # this year's, not the baseline's
        made[code], _ = Tag.objects.get_or_create(
            code=code, defaults={"name": name, "department": departments[department], "item": item}
        )
    return made


@transaction.atomic
def load(district: Org, scale: str = "full") -> int:
    """scale: "full" (every community), "sample" (古塘 and 旦苑 only) or "none"."""
    if scale == "none":
        return 0
    tag_by_code = tags(district)
    communities = Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).order_by("path")
    if scale == "sample":
        communities = communities.filter(name__in=SAMPLE_COMMUNITIES)
    done = set(Person.objects.values_list("hukou_community_id", flat=True).distinct())
    units_per_household = UNITS_TOTAL / max(
        1,
        sum(c.resident_households for c in Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path)),
    )
    ids = _Ids()
    created = 0
    for community in communities:
        if community.pk in done:
            continue
        created += _community(community, tag_by_code, ids, units_per_household)
    _exports(district, tag_by_code)
    return created


def _exports(district: Org, tag_by_code: dict[str, Tag]) -> None:
    """古塘's community asks to export its lone elderly for visits (the office approves) and its
    whole registry for a check (awaiting the office) — through the services, audited like any other."""
    community = Org.objects.filter(
        kind=OrgKind.COMMUNITY, name=SAMPLE_COMMUNITIES[0], path__startswith=district.path
    ).first()
    worker, office = User.objects.filter(username="community").first(), User.objects.filter(username="office").first()
    if community is None or worker is None or office is None or ExportRequest.objects.exists():
        return
    if not Person.objects.filter(community=community).exists():
        return
    visits = exports.export_request(
        actor=worker, org=community, tag=tag_by_code["elderly_alone"], reason="独居老人季度走访入户名单"
    )
    exports.export_decide(actor=office, request=visits, approve=True, note="同意，仅限走访使用")
    exports.export_request(actor=worker, org=community, reason="居民信息年度核对")


def _community(community: Org, tag_by_code: dict[str, Tag], ids: _Ids, units_per_household: float) -> int:
    rng = random.Random(int(community.code))
    grids = list(community.children.order_by("code"))
    area_names = [f"{community.name[:-2]}{s}" for s in rng.sample(AREA_SUFFIXES, 3)]
    addresses: list[Address] = []
    roles: list[str] = []  # what each address is for: "home", "vacant", "shop"
    sizes: list[int] = []  # people in each home, in order
    registered_here: set[int] = set()  # homes (by order) whose household is registered here
    building = shop_no = 0
    for g, grid in enumerate(grids):
        homes = grid.resident_households
        first = len(sizes)
        sizes += _sizes(rng, homes, grid.population)
        # As many of the grid's homes registered here as the tree records for the grid (all of them
        # where more are registered than live there, as in 古塘).
        registered_here |= {first + i for i in rng.sample(range(homes), min(homes, grid.registered_households))}
        vacant = max(1, round(homes * 0.04))
        shops = max(1, round(homes * units_per_household))
        area = area_names[g % 2]
        slots = [("home", i) for i in range(homes)] + [("vacant", i) for i in range(vacant)]
        for n, (role, _) in enumerate(slots):
            if n % 36 == 0:
                building += 1
            unit, rest = divmod(n % 36, 12)
            floor, door = divmod(rest, 2)
            addresses.append(_address(grid, community, area, str(building), str(unit + 1), f"{floor + 1}0{door + 1}"))
            roles.append(role)
        for _ in range(shops):
            shop_no += 1
            addresses.append(_address(grid, community, area_names[2], "", "", f"商铺{shop_no:03d}"))
            roles.append("shop")
    bulk.insert(addresses)

    registered = community.registered_households
    homes = [a for a, r in zip(addresses, roles, strict=True) if r == "home"]
    people: list[Person] = []
    house_uses: dict[int, str] = {}
    household_no = 0
    for index, address in enumerate(homes):
        local = index in registered_here
        if local:
            household_no += 1
        people += _household(rng, ids, sizes[index], address, community, household_no if local else None)
        house_uses[address.pk] = HouseUse.SELF if local or rng.random() < 0.3 else HouseUse.RENTED
    # Registered here, living elsewhere (人户分离): their households count as registered, not resident.
    for _ in range(max(0, registered - len(registered_here))):
        household_no += 1
        people += _household(rng, ids, _weighted(rng, HOUSEHOLD_SIZES), None, community, household_no)
    bulk.insert_with_history(people, when=HISTORY_SINCE)

    houses = []
    for address, role in zip(addresses, roles, strict=True):
        use = house_uses.get(address.pk) or (HouseUse.VACANT if role == "vacant" else HouseUse.COMMERCIAL)
        houses.append(
            House(
                address=address,
                use=use,
                area_m2=Decimal(rng.randint(35, 140)) if role != "shop" else Decimal(rng.randint(20, 300)),
            )
        )
    bulk.insert_with_history(houses, when=HISTORY_SINCE)

    bulk.insert(_tags(rng, people, tag_by_code))
    units = [_unit(rng, a, i) for i, (a, r) in enumerate(zip(addresses, roles, strict=True)) if r == "shop"]
    bulk.insert(units)
    return len(people)


def _sizes(rng: random.Random, homes: int, population: int) -> list[int]:
    """Household sizes drawn from HOUSEHOLD_SIZES, then nudged one person at a time until they add up
    to the grid's population: the registry counts exactly the people the organisation tree records."""
    sizes = [_weighted(rng, HOUSEHOLD_SIZES) for _ in range(homes)]
    largest = HOUSEHOLD_SIZES[-1][0]
    population = min(max(population, homes), homes * largest)
    while (gap := population - sum(sizes)) != 0:
        i = rng.randrange(homes)
        if gap > 0 and sizes[i] < largest:
            sizes[i] += 1
        elif gap < 0 and sizes[i] > 1:
            sizes[i] -= 1
    return sizes


def _address(grid: Org, community: Org, area: str, building: str, unit: str, room: str) -> Address:
    label = f"{area}{building + '幢' if building else ''}{unit + '单元' if unit else ''}{room}{'室' if room[:1].isdigit() else ''}"
    key = f"{area}|{building}|{unit}|{room}"
    return Address(
        grid=grid,
        community=community,
        org_path=grid.path,
        area=area,
        building=building,
        unit=unit,
        room=room,
        key=key,
        label=label,
    )


def _person(rng, ids, *, relation, low, high, address, community, household_no, female=None) -> Person:
    female = rng.random() < 0.5 if female is None else female
    birth = _birth(rng, low, high)
    id_number = ids.next(birth, female)
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if high >= 16 and rng.random() < 0.85 else ""
    return Person(
        name=name,
        gender=Gender.FEMALE if female else Gender.MALE,
        birth_date=birth,
        id_number=id_number,
        id_index=blind_index(id_number, purpose="id_number"),
        phone=phone,
        address=address,
        grid_id=address.grid_id if address else None,
        community_id=address.community_id if address else None,
        org_path=address.org_path if address else "",
        relation=relation,
        hukou_community=community if household_no else None,
        hukou_address=f"{community.name}"
        if household_no
        else rng.choice(["安徽省阜阳市", "贵州省毕节市", "江西省上饶市", "河南省信阳市", "宁波市鄞州区"]),
        hukou_household=f"{community.code}-{household_no:05d}" if household_no else "",
    )


def _household(rng, ids, size, address, community, household_no) -> list[Person]:
    kw = {"address": address, "community": community, "household_no": household_no}
    elderly_head = rng.random() < 0.3
    low, high = (60, 95) if elderly_head else (25, 59)
    members = [_person(rng, ids, relation=Relation.HEAD, low=low, high=high, **kw)]
    if size >= 2:
        female = members[0].gender == Gender.MALE
        members.append(_person(rng, ids, relation=Relation.SPOUSE, low=low, high=high, female=female, **kw))
    for _ in range(size - 2):
        if elderly_head:
            members.append(_person(rng, ids, relation=Relation.CHILD, low=25, high=55, **kw))
        else:
            members.append(
                _person(
                    rng,
                    ids,
                    relation=rng.choice([Relation.CHILD, Relation.CHILD, Relation.PARENT]),
                    low=0,
                    high=17,
                    **kw,
                )
            )
    return members


def _tags(rng, people: list[Person], tags: dict[str, Tag]) -> list[PersonTag]:
    made = []
    since = dt.date(2024, 1, 1)
    household_size: dict[tuple, int] = {}
    for p in people:
        household_size[(p.address_id, p.hukou_household)] = household_size.get((p.address_id, p.hukou_household), 0) + 1
    for p in people:
        age = (TODAY - p.birth_date).days // 365
        chosen = []
        if p.relation == Relation.HEAD and rng.random() < 0.015:
            chosen.append("dibao")
        if rng.random() < 0.025:
            chosen.append("disabled")
        if p.address_id and age >= 60 and household_size[(p.address_id, p.hukou_household)] == 1:
            chosen.append("elderly_alone")
        if p.gender == Gender.MALE and age >= 25 and rng.random() < 0.02:
            chosen.append("veteran")
        if p.hukou_community_id is None:
            chosen.append("migrant")
        if rng.random() < 0.001:
            chosen.append("key_person")
        made += [PersonTag(person=p, tag=tags[c], since=since) for c in chosen]
    return made


def _unit(rng, address: Address, i: int) -> Unit:
    kind = _weighted(
        rng,
        [
            (UnitKind.SHOP, 60),
            (UnitKind.COMPANY, 25),
            (UnitKind.ORGANISATION, 8),
            (UnitKind.INSTITUTION, 4),
            (UnitKind.OTHER, 3),
        ],
    )
    names = {
        UnitKind.SHOP: ["便利店", "超市", "理发店", "面馆", "水果店", "药店", "五金店", "早餐店"],
        UnitKind.COMPANY: ["电器有限公司", "贸易有限公司", "物业服务有限公司", "家政服务有限公司"],
        UnitKind.ORGANISATION: ["志愿者协会", "老年协会", "文体队"],
        UnitKind.INSTITUTION: ["社区卫生服务站", "幼儿园", "派出所警务室"],
        UnitKind.OTHER: ["快递驿站", "停车场"],
    }[kind]
    name = f"{address.area[:2]}{rng.choice(names)}"
    code = f"91330282{rng.randrange(10**9):09d}{rng.choice('0123456789ABCDEFGHJKLMNPQRTUWXY')}"
    return Unit(
        name=name,
        kind=kind,
        credit_code=code,
        address=address,
        org_path=address.org_path,
        contact=rng.choice(SURNAMES) + rng.choice(GIVEN),
        contact_phone=f"13{rng.randrange(10**9):09d}",
    )
