"""The demo district's catalog: the four lists shaped like seeds 001/003, ≈110 approved items of
every kind, cancelled items, the published catalog for this year, the baseline year's stock of work
(the year before the reform year: the "六多" of seed 000, see catalog_baseline), and plaques before and
after the clean-up at the end of the baseline year (seed 001: only three plaques remain).

Years come from the clock (``demo.years``). In January the reform year is last year: its items
and published catalog stay as they were, and this year's catalog carries on the items still in
force under this year's codes."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jianfu.catalog import plaques, services
from jianfu.catalog.models import CatalogVersion, ItemList, Plaque, PlaqueKind, WorkItem
from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind

from . import catalog_baseline, catalog_items
from . import years as demo_years

OLD_PLAQUES = [
    "社区老年协会",
    "社区禁毒工作站",
    "社区计生协会",
    "社区科普站",
    "社区关工委",
    "社区调解委员会",
    "社区妇女之家",
    "社区青少年活动中心",
    "社区残疾人之家",
    "社区消防工作站",
    "社区综治中心",
    "社区安全生产监管站",
    "社区红十字服务站",
    "社区退役军人服务站",
    "社区健康教育室",
    "社区流动人口服务站",
    "社区统计工作站",
    "社区环保监督站",
]
# Rules and material the departments had posted on a community's walls (seed 003: 上墻制度).
OLD_WALL = [
    "社区禁毒工作制度",
    "社区计划生育工作职责",
    "社区科普工作制度",
    "社区综治维稳工作流程图",
    "社区安全生产检查制度",
    "社区消防工作职责",
    "社区统计工作制度",
    "社区流动人口管理流程图",
]
# What is posted now, each on the approved work body it belongs to: (kind, name, body item's name).
WALL_MATERIAL = [
    (PlaqueKind.RULE, "社区居民委员会工作制度", "社区居民委员会"),
    (PlaqueKind.WALL, "社区党组织党务公开栏", "社区党组织"),
    (PlaqueKind.WALL, "社区工作站服务事项公开栏", "社区工作站"),
]


def _department_by_name(district: Org) -> dict[str, Org]:
    return {o.name: o for o in Org.objects.filter(kind__in=[OrgKind.DEPARTMENT, OrgKind.GROUP_ORG], parent=district)}


def _create_items(district: Org, rows: list[dict], year: int, *, scoped: bool = True) -> list[WorkItem]:
    """The rows as items of `year`; `scoped=False` drops their approved streets and community types
    (before the reform every item reached every community alike)."""
    departments = _department_by_name(district)
    streets = {o.name: o for o in Org.objects.filter(parent=district, kind__in=[OrgKind.STREET, OrgKind.TOWN])}
    existing = {i.code: i for i in WorkItem.objects.filter(code__in=[r["code"] for r in rows])}
    made = []
    for row in rows:
        item = existing.get(row["code"])
        if item is None:
            fields = {k: v for k, v in row.items() if k not in {"department", "days", "scope_streets"}}
            if not scoped:
                fields.pop("scope_community_types", None)
            for number in ("occurrences_per_year", "hours_per_occurrence"):
                fields[number] = Decimal(str(fields[number]))
            item = WorkItem(
                department=departments[row["department"]], year=year, days_to_issue=row.get("days", 0), **fields
            )
            item.full_clean()
            item.save()
            if scoped and row.get("scope_streets"):
                item.scope_streets.set([streets[name] for name in row["scope_streets"]])
        made.append(item)
    return made


@transaction.atomic
def load(district: Org) -> dict[str, int]:
    years = demo_years.years()
    year = years.current
    lists = {
        code: ItemList.objects.get_or_create(code=code, defaults={"name": name, "category": code})[0]
        for code, name in catalog_items.LISTS
    }
    if years.reform < year:
        _reform_year(district, years.reform)
    by_list = {
        "duty": _create_items(district, catalog_items.for_year(catalog_items.DUTY_ITEMS, year), year),
        "assist": _create_items(district, catalog_items.for_year(catalog_items.ASSIST_ITEMS, year), year),
        "certificate": _create_items(district, catalog_items.for_year(catalog_items.CERTIFICATE_ITEMS, year), year),
        "negative": _create_items(district, catalog_items.for_year(catalog_items.NEGATIVE_ITEMS, year), year),
    }
    _create_items(district, catalog_items.for_year(catalog_items.EXTRA_ITEMS, year), year)
    cancelled = catalog_items.for_year(catalog_items.CANCELLED_ITEMS, years.baseline)
    _create_items(district, cancelled, years.baseline)
    # On no list, in no catalog, and no scope: before the reform, everything reached every community.
    _create_items(district, catalog_baseline.rows(years.baseline), years.baseline, scoped=False)
    for code, items in by_list.items():
        current = lists[code].current_version(district)
        if current is None or list(current.entries.values_list("item_id", flat=True)) != [i.pk for i in items]:
            services.list_replace(actor=None, item_list=lists[code], district=district, items=items)
    if not CatalogVersion.objects.filter(district=district, year=year).exists():
        services.catalog_publish(actor=None, district=district, year=year)
    _plaques(district, years)
    return {
        "items": WorkItem.objects.count(),
        "catalog": CatalogVersion.objects.filter(district=district, year=year).first().entries.count(),
    }


def _reform_year(district: Org, reform: int) -> None:
    """Last year's items as they were approved, and the catalog published at its start."""
    _create_items(district, catalog_items.for_year(catalog_items.ITEMS + catalog_items.EXTRA_ITEMS, reform), reform)
    if not CatalogVersion.objects.filter(district=district, year=reform).exists():
        with clock.frozen_at(dt.date(reform, 1, 5)):
            services.catalog_publish(actor=None, district=district, year=reform)


def _plaques(district: Org, years: demo_years.Years) -> None:
    if Plaque.objects.exists():
        return
    year, clean_up_day = years.current, dt.date(years.baseline, 12, 31)  # the clean-up ends the baseline year
    rng = random.Random(2018)  # the year of seed 001's clean-up
    walls = random.Random(2019)  # apart, so the plaques above stay as they were
    bodies = {i.name: i for i in WorkItem.objects.filter(kind="body", category="duty", year=year)}
    departments = list(Org.objects.filter(kind=OrgKind.DEPARTMENT, parent=district))
    hung_on = dt.date(2012, 1, 10)
    for community in Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).order_by("path"):
        for name in catalog_items.ALLOWED_PLAQUES:
            item = bodies[name]
            plaques.plaque_register(
                actor=None, community=community, name=name, department=item.department, hung_on=hung_on, item=item
            )
        for name in rng.sample(OLD_PLAQUES, rng.randint(6, 12)):
            plaque = plaques.plaque_register(
                actor=None, community=community, name=name, department=rng.choice(departments), hung_on=hung_on
            )
            plaques.plaque_remove(
                actor=None, plaque=plaque, removed_on=clean_up_day, reason="清理规范社区挂牌（只保留三块牌子）"
            )
        _wall_material(community, walls, bodies, departments, hung_on=hung_on, clean_up_day=clean_up_day)


def _wall_material(community: Org, rng, bodies: dict, departments: list, *, hung_on, clean_up_day) -> None:
    """Seeds 001 and 003: the departments' rules and material on the walls came down in the clean-up;
    what is posted now rests on the three approved work bodies."""
    for name in rng.sample(OLD_WALL, rng.randint(3, 6)):
        posted = plaques.plaque_register(
            actor=None,
            community=community,
            kind=PlaqueKind.RULE,
            name=name,
            department=rng.choice(departments),
            hung_on=hung_on,
        )
        plaques.plaque_remove(actor=None, plaque=posted, removed_on=clean_up_day, reason="清理上墙制度、资料")
    for kind, name, body in WALL_MATERIAL:
        plaques.plaque_register(
            actor=None,
            community=community,
            kind=kind,
            name=name,
            item=bodies[body],
            hung_on=clean_up_day + dt.timedelta(days=1),
        )
