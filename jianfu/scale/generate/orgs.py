"""The org tree (district → street/town → community → grid, and each district's departments) and
the accounts that act in the generated records.

Invariants mirrored from jianfu.orgs.services.org_create: codes unique; `path` is the chain of
primary keys from the district down ("/1/2/17/"), `depth` its length minus one; only districts are
roots; streets and towns hang under a district, communities under a street or town, grids under a
community, departments under their district. Codes follow the demo's pattern: district (6 digits),
street = district + 3 digits, community = street + 3 digits, grid = community + 2 digits,
department = district + "D" + 2 digits.
"""

import math
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password

from jianfu.orgs.models import CommunityType, Membership, Org, OrgKind, Role, User

from .. import sizes
from . import names
from .base import apportion, at, rng_for, spread
from .world import District, Node, World

ORG_COLUMNS = [
    "id",
    "code",
    "name",
    "kind",
    "parent_id",
    "path",
    "depth",
    "registered_households",
    "resident_households",
    "population",
    "office_space_m2",
    "staff_count",
    "community_type",
    "is_member_unit",
]
USER_COLUMNS = [
    "id",
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "display_name",
]
JOINED = at(sizes.TODAY.replace(month=1, day=5))
COMMUNITY_NAMES = [f"{w}{x}" for w in names.PLACE for x in names.COMMUNITY_SUFFIX]


def build(world: World) -> None:
    s = world.sizes
    rng = rng_for(world.seed, "orgs")
    writer = world.writer
    district_ids = writer.ids(Org, s.districts)
    per_district = spread(s.communities, s.districts)
    departments = spread(s.departments, s.districts) if s.departments else [0] * s.districts
    labels = _district_labels(s, rng)
    rows: list[tuple] = []
    for n, (district_id, (code, name, province, city)) in enumerate(zip(district_ids, labels, strict=True)):
        node = Node(district_id, code, name, OrgKind.DISTRICT, None, f"/{district_id}/", 0)
        district = District(node=node, province=province, city=city)
        world.districts.append(district)
        rows.append(_row(node))
        _streets_and_communities(world, district, per_district[n], rng, rows)
        _departments(world, district, departments[n], rows)
    if s.grids:
        _grids(world, rng, rows)
    writer.write(Org, ORG_COLUMNS, rows, big=s.communities > 50_000)


def _district_labels(s: sizes.Sizes, rng) -> list[tuple[str, str, tuple | None, tuple | None]]:
    """(code, name, province, city) of every district."""
    if not s.provinces:
        prefix = names.CITY[0][:4]
        words = rng.sample(names.PLACE, s.districts)
        return [(f"{prefix}{n:02d}", f"{w}区", None, names.CITY) for n, w in enumerate(words, start=1)]
    out = []
    for (pcode, pname), count in zip(names.PROVINCES[: s.provinces], spread(s.districts, s.provinces), strict=True):
        cities = spread(count, max(1, math.ceil(count / s.districts_per_city)))
        city_words = rng.sample(names.PLACE, len(cities))
        for c, (in_city, city_word) in enumerate(zip(cities, city_words, strict=True), start=1):
            city = (f"{pcode}{c:02d}00", f"{city_word}市")
            for d, word in enumerate(rng.sample(names.PLACE, in_city), start=1):
                suffix = rng.choice(names.DISTRICT_SUFFIX)
                out.append((f"{pcode}{c:02d}{d:02d}", f"{city[1]}{word}{suffix}", (pcode, pname), city))
    return out


def _row(node: Node) -> tuple:
    return (
        node.id,
        node.code,
        node.name,
        node.kind,
        node.parent_id,
        node.path,
        node.depth,
        node.registered,
        node.resident,
        node.population,
        node.space,
        node.staff,
        node.community_type,
        node.member_unit,
    )


def _streets_and_communities(world: World, district: District, communities: int, rng, rows: list) -> None:
    s = world.sizes
    street_ids = world.writer.ids(Org, s.streets_per_district)
    per_street = spread(communities, s.streets_per_district)
    space_per_100 = settings.JIANFU["SPACE_M2_PER_100_HOUSEHOLDS"]
    per_worker = settings.JIANFU["HOUSEHOLDS_PER_WORKER"]
    types = list(CommunityType.values)
    for n, (street_id, word) in enumerate(zip(street_ids, rng.sample(names.PLACE, len(street_ids)), strict=True)):
        town = n >= s.streets_per_district * 0.8 and s.streets_per_district > 2
        street = Node(
            street_id,
            f"{district.code}{n + 1:03d}",
            f"{word}{'镇' if town else '街道'}",
            OrgKind.TOWN if town else OrgKind.STREET,
            district.id,
            f"{district.node.path}{street_id}/",
            1,
        )
        district.streets.append(street)
        rows.append(_row(street))
        for c, (community_id, word) in enumerate(
            zip(world.writer.ids(Org, per_street[n]), rng.sample(COMMUNITY_NAMES, per_street[n]), strict=True), start=1
        ):
            resident = rng.randint(1_800, 3_400)
            registered = round(resident * rng.uniform(0.85, 1.15))
            below_space = rng.random() < 0.2
            required = registered * space_per_100 / 100
            community = Node(
                community_id,
                f"{street.code}{c:03d}",
                f"{word}社区",
                OrgKind.COMMUNITY,
                street.id,
                f"{street.path}{community_id}/",
                2,
                registered=registered,
                resident=resident,
                population=round(registered * rng.uniform(2.5, 2.9)),
                space=Decimal(
                    str(round(required * (rng.uniform(0.3, 0.9) if below_space else rng.uniform(1.0, 1.5)), 1))
                ),
                staff=max(1, math.ceil(registered / per_worker) + rng.choice([-2, -1, 0, 0, 0, 1])),
                community_type=rng.choice(types),
            )
            district.communities.append(community)
            rows.append(_row(community))


def _departments(world: World, district: District, count: int, rows: list) -> None:
    if not count:
        return
    pool = (
        [(n, OrgKind.DEPARTMENT, True) for n in names.MEMBER_UNITS]
        + [(n, OrgKind.DEPARTMENT, False) for n in names.DEPARTMENTS]
        + [(n, OrgKind.GROUP_ORG, False) for n in names.GROUP_ORGS]
    )
    # Small districts still get the departments that own most community work, and a mass organisation.
    chosen = pool[:count] if count >= 20 else pool[: count - 1] + [pool[-len(names.GROUP_ORGS)]]
    for d, (department_id, (name, kind, member)) in enumerate(
        zip(world.writer.ids(Org, len(chosen)), chosen, strict=True), start=1
    ):
        node = Node(
            department_id,
            f"{district.code}D{d:02d}",
            name,
            kind,
            district.id,
            f"{district.node.path}{department_id}/",
            1,
            member_unit=member,
        )
        district.departments.append(node)
        rows.append(_row(node))


def _grids(world: World, rng, rows: list) -> None:
    """Grids in all: spread over every community by resident households, at least one each."""
    communities = [c for d in world.districts for c in d.communities]
    counts = iter(apportion(world.sizes.grids - len(communities), [c.resident for c in communities]))
    for district in world.districts:
        for community in district.communities:
            n = next(counts) + 1
            grids = []
            resident, registered, population = (
                spread(community.resident, n),
                spread(community.registered, n),
                spread(community.population, n),
            )
            for g, grid_id in enumerate(world.writer.ids(Org, n)):
                grid = Node(
                    grid_id,
                    f"{community.code}{g + 1:02d}",
                    f"{community.name}第{g + 1}网格",
                    OrgKind.GRID,
                    community.id,
                    f"{community.path}{grid_id}/",
                    3,
                    registered=registered[g],
                    resident=resident[g],
                    population=population[g],
                )
                grids.append(grid)
                rows.append(_row(grid))
            district.grids[community.id] = grids


# ------------------------------------------------------------------------------------------ accounts


def accounts(world: World) -> None:
    """One account per street, community and department (clerk; reviewer for member units), two
    office accounts per district and a few grid workers and residents — in the districts that get
    accounts (all but at nation scale). One password for all, hashed once (PBKDF2/Argon2 per user
    would cost minutes); the salt comes from the seed, so the rows are the same on every run."""
    rng = rng_for(world.seed, "accounts")
    salt = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(22))
    password = make_password(sizes.PASSWORD, salt=salt)
    plan: list[tuple[str, str, int, str]] = []  # username, display name, org id, role
    acc = world.accounts
    limit = world.sizes.user_districts
    for district in world.districts[:limit] if limit else world.districts:
        for n in (1, 2):
            plan.append((f"office-{district.code}-{n}", f"{district.node.name}准入办{n}", district.id, Role.OFFICE))
        for department in district.departments:
            plan.append((f"clerk-{department.code}", f"{department.name}经办人", department.id, Role.CLERK))
            if department.member_unit:
                plan.append((f"reviewer-{department.code}", f"{department.name}审核员", department.id, Role.REVIEWER))
        for street in district.streets:
            plan.append((f"street-{street.code}", f"{street.name}工作人员", street.id, Role.STREET))
        for c, community in enumerate(district.communities):
            plan.append((f"community-{community.code}", f"{community.name}工作者", community.id, Role.COMMUNITY))
            if c < 3:
                for grid in district.grids.get(community.id, [])[:1]:
                    plan.append((f"grid-{grid.code}", f"{grid.name}网格员", grid.id, Role.GRID))
                if c == 0:
                    plan.append((f"resident-{community.code}", f"{community.name}居民", community.id, Role.RESIDENT))
    user_ids = world.writer.ids(User, len(plan))
    world.writer.write(
        User,
        USER_COLUMNS,
        (
            (uid, password, None, False, username, "", "", "", False, True, JOINED, display)
            for uid, (username, display, _org, _role) in zip(user_ids, plan, strict=True)
        ),
    )
    membership_ids = world.writer.ids(Membership, len(plan))
    world.writer.write(
        Membership,
        ["id", "user_id", "org_id", "role"],
        ((mid, uid, org, role) for mid, uid, (_u, _d, org, role) in zip(membership_ids, user_ids, plan, strict=True)),
    )
    by_role = {
        Role.CLERK: acc.clerk,
        Role.REVIEWER: acc.reviewer,
        Role.STREET: acc.street,
        Role.COMMUNITY: acc.community,
        Role.GRID: acc.grid,
        Role.RESIDENT: acc.resident,
    }
    for uid, (username, _display, org, role) in zip(user_ids, plan, strict=True):
        acc.usernames[uid] = username
        if role == Role.OFFICE:
            acc.office.setdefault(org, []).append(uid)
        else:
            by_role[role].setdefault(org, uid)
