"""Demo 一表通 for 慈溪: data elements (most derived from the base registry), a dozen department
reports that overlap heavily, a year of monthly values for the few typed elements, this month's
report requests to every community, and the reform year's earlier months of the 低保 monthly report,
opened and typed by a few communities each month (``_history``). Safe to run again."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jianfu.catalog import gate
from jianfu.catalog.models import WorkItem
from jianfu.core import bulk, clock, workdays
from jianfu.ledger import periods, values
from jianfu.ledger.models import (
    DataElement,
    ElementState,
    ReportRequest,
    ReportTemplate,
    TemplateField,
    TemplateVersion,
    ValidationRule,
    Value,
    ValueSource,
    VersionState,
)
from jianfu.ledger.services import Entry, request_send, submission_open, submission_save
from jianfu.orgs.models import Membership, Org, OrgKind, Role, User
from jianfu.orgs.services import membership_grant

from . import arrival_history as history

P, H = "people", "houses"
# code, name, unit, department, derivation
DERIVED = [
    ("POP", "实有人口数", "人", "市民政局", {"measure": P}),
    ("CHILDREN", "未成年人数", "人", "市民政局", {"measure": P, "age_max": 17}),
    ("POP_60", "60周岁以上老年人数", "人", "市民政局", {"measure": P, "age_min": 60}),
    ("POP_80", "80周岁以上高龄老人数", "人", "市民政局", {"measure": P, "age_min": 80}),
    ("ALONE", "独居老人数", "人", "市民政局", {"measure": P, "tags": ["elderly_alone"]}),
    ("ALONE_80", "80周岁以上独居老人数", "人", "市民政局", {"measure": P, "age_min": 80, "tags": ["elderly_alone"]}),
    ("DIBAO", "低保对象人数", "人", "市民政局", {"measure": P, "tags": ["dibao"]}),
    ("DISABLED", "持证残疾人数", "人", "市残联", {"measure": P, "tags": ["disabled"]}),
    ("DISABLED_60", "60周岁以上持证残疾人数", "人", "市残联", {"measure": P, "age_min": 60, "tags": ["disabled"]}),
    ("VETERANS", "退役军人数", "人", "市退役军人事务局", {"measure": P, "tags": ["veteran"]}),
    ("MIGRANTS", "流动人口数", "人", "市公安局", {"measure": P, "tags": ["migrant"]}),
    ("SEPARATED", "人户分离人数（户籍在外）", "人", "市公安局", {"measure": P, "separated": True}),
    ("RES_HH", "实有住户数", "户", "市民政局", {"measure": "resident_households"}),
    ("REG_HH", "户籍户数", "户", "市公安局", {"measure": "registered_households"}),
    ("HOUSES", "房屋总数", "套", "市住房和城乡建设局", {"measure": H}),
    ("RENTED", "出租房屋数", "套", "市公安局", {"measure": H, "house_use": "rented"}),
    ("VACANT", "空置房屋数", "套", "市住房和城乡建设局", {"measure": H, "house_use": "vacant"}),
    ("UNITS", "实有单位数", "家", "市市场监督管理局", {"measure": "units"}),
    ("SHOPS", "沿街商铺数", "家", "市市场监督管理局", {"measure": "units", "unit_kind": "shop"}),
    ("ORG_SPACE", "社区办公和活动用房面积", "m²", "市民政局", {"measure": "org", "field": "office_space_m2"}),
    ("ORG_STAFF", "社区专职工作者人数", "人", "市民政局", {"measure": "org", "field": "staff_count"}),
]
# code, name, unit, department, value type, level, period type, roll-up, (low, high) for demo values
TYPED = [
    ("FIRE_CHECKS", "防火检查次数", "次", "市应急管理局", "integer", "grid", "monthly", "sum", (4, 12)),
    ("HAZARDS_FOUND", "发现火灾隐患数", "处", "市应急管理局", "integer", "grid", "monthly", "sum", (0, 6)),
    ("HAZARDS_FIXED", "整改火灾隐患数", "处", "市应急管理局", "integer", "grid", "monthly", "sum", (0, 6)),
    ("NINE_SMALL", "九小场所数", "处", "市应急管理局", "integer", "grid", "as_of", "sum", (5, 40)),
    ("EV_PARKING", "电动自行车集中停放充电点数", "处", "市应急管理局", "integer", "grid", "as_of", "sum", (1, 6)),
    ("ELDERLY_VISITS", "探访独居老人人次", "人次", "市民政局", "integer", "grid", "monthly", "sum", (10, 60)),
    (
        "VISIT_COVERAGE",
        "独居老人月探访覆盖率",
        "%",
        "市民政局",
        "decimal",
        "community",
        "monthly",
        "average",
        (85, 100),
    ),
    ("ELDER_SITES", "居家养老服务站点数", "个", "市民政局", "integer", "community", "as_of", "sum", (1, 3)),
    ("DIBAO_REVIEWS", "低保家庭入户复核户数", "户", "市民政局", "integer", "community", "monthly", "sum", (2, 15)),
    ("BARRIER_FREE", "无障碍设施改造户数", "户", "市残联", "integer", "community", "yearly", "sum", (0, 12)),
    ("OLD_BUILDINGS", "老旧住宅楼栋数", "栋", "市住房和城乡建设局", "integer", "community", "as_of", "sum", (0, 60)),
    ("HOUSE_CHECKS", "房屋安全巡查栋次", "栋次", "市住房和城乡建设局", "integer", "grid", "quarterly", "sum", (5, 30)),
    (
        "VETERAN_VISITS",
        "走访慰问退役军人人次",
        "人次",
        "市退役军人事务局",
        "integer",
        "community",
        "quarterly",
        "sum",
        (3, 30),
    ),
    (
        "RENOVATION_AGREE",
        "同意老旧小区改造户数",
        "户",
        "市住房和城乡建设局",
        "integer",
        "community",
        "yearly",
        "sum",
        (0, 400),
    ),
    ("CARE_NEEDS", "有日常照料需求的老年人数", "人", "市民政局", "integer", "community", "yearly", "sum", (10, 120)),
]
# name, catalog item, period type, fields
TEMPLATES = [
    ("低保对象动态管理月报", "最低生活保障和特困供养对象动态管理台账", "monthly",
     ["DIBAO", "REG_HH", "RES_HH", "POP", "POP_60", "DISABLED", "ALONE", "SEPARATED", "CHILDREN", "DIBAO_REVIEWS"]),
    ("残疾人基本服务状况年报", "残疾人基本服务状况和需求信息动态更新", "yearly",
     ["DISABLED", "DISABLED_60", "POP", "RES_HH", "DIBAO", "ALONE", "BARRIER_FREE"]),
    ("高龄独居老人关爱服务月报", "高龄、独居、空巢老年人关爱服务台账", "monthly",
     ["POP_60", "POP_80", "ALONE", "ALONE_80", "ELDERLY_VISITS", "VISIT_COVERAGE", "ELDER_SITES", "RES_HH",
      "DISABLED_60", "DIBAO"]),
    ("流动人口和出租房屋月报", "流动人口和出租房屋信息统计报表", "monthly",
     ["MIGRANTS", "RENTED", "HOUSES", "VACANT", "RES_HH", "REG_HH", "SEPARATED", "POP", "UNITS"]),
    ("房屋使用安全巡查季报", "城镇房屋使用安全巡查台账", "quarterly",
     ["HOUSES", "OLD_BUILDINGS", "HOUSE_CHECKS", "RENTED", "VACANT", "RES_HH", "POP_80", "ALONE"]),
    ("消防安全隐患排查月报", "消防安全重点场所和高层住宅隐患排查台账", "monthly",
     ["NINE_SMALL", "EV_PARKING", "FIRE_CHECKS", "HAZARDS_FOUND", "HAZARDS_FIXED", "SHOPS", "UNITS", "RENTED",
      "HOUSES", "ALONE_80"]),
    ("社区基本情况年报", "社区工作电子台账", "yearly",
     ["POP", "RES_HH", "REG_HH", "HOUSES", "UNITS", "ORG_SPACE", "ORG_STAFF", "CHILDREN", "POP_60", "MIGRANTS",
      "ELDER_SITES"]),
    ("人口变动抽样调查摸底表", "全国人口变动情况抽样调查（样本社区）", "yearly",
     ["POP", "CHILDREN", "POP_60", "POP_80", "RES_HH", "REG_HH", "SEPARATED", "MIGRANTS"]),
    ("劳动力调查样本住户摸底表", "全国劳动力调查（样本社区）", "monthly",
     ["RES_HH", "POP", "CHILDREN", "POP_60", "MIGRANTS", "SEPARATED"]),
    ("老旧小区改造居民意愿汇总表", "{year}年老旧小区改造居民意愿调查", "yearly",
     ["OLD_BUILDINGS", "HOUSES", "RES_HH", "POP_60", "DISABLED", "RENOVATION_AGREE"]),
    ("居家养老服务需求汇总表", "{year}年居家养老服务需求调查", "yearly",
     ["POP_60", "POP_80", "ALONE", "ALONE_80", "DISABLED_60", "DIBAO", "ELDER_SITES", "CARE_NEEDS"]),
    ("退役军人服务保障季报", "退役军人服务保障信息统计报表", "quarterly",
     ["VETERANS", "VETERAN_VISITS", "POP", "RES_HH"]),
]  # fmt: skip
# The monthly reports sent in each past month of the reform year (arrival_history), and the typed field
# two communities fill in each month, in turn (the others' values came from the import).
HISTORY = [("低保对象动态管理月报", "DIBAO_REVIEWS")]
HISTORY_SHARE = 24
RULES = [
    ("HAZARDS_FIXED", "<=", "HAZARDS_FOUND", "整改火灾隐患数不应超过发现火灾隐患数"),
    ("POP_80", "<=", "POP_60", "80周岁以上老人数不应超过60周岁以上老人数"),
    ("ALONE_80", "<=", "ALONE", "80周岁以上独居老人数不应超过独居老人数"),
]


def _months_back(today: dt.date, n: int) -> list[periods.Period]:
    """The n whole months before today's month, oldest first."""
    out, year, month = [], today.year, today.month
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(periods.parse(f"{year}-{month:02d}", periods.MONTHLY))
    return out[::-1]


@transaction.atomic
def load(district: Org) -> dict[str, int]:
    if DataElement.objects.filter(district=district).exists():
        return {"elements": DataElement.objects.filter(district=district).count(), "values": 0, "templates": 0}
    departments = {o.name: o for o in Org.objects.filter(parent=district, kind__in=["department", "group_org"])}
    elements: dict[str, DataElement] = {}
    for code, name, unit, department, spec in DERIVED:
        elements[code] = DataElement.objects.create(
            district=district,
            code=code,
            name=name,
            unit=unit,
            definition=f"由基础信息库自动计算：{name}",
            value_type="decimal" if spec.get("field") == "office_space_m2" else "integer",
            level="community",
            period_type="as_of",
            aggregation="sum",
            department=departments[department],
            derivation=spec,
            state=ElementState.ACTIVE,
        )
    for code, name, unit, department, kind, level, period_type, rollup, _bounds in TYPED:
        elements[code] = DataElement.objects.create(
            district=district,
            code=code,
            name=name,
            unit=unit,
            definition=f"社区（网格）填报：{name}",
            value_type=kind,
            level=level,
            period_type=period_type,
            aggregation=rollup,
            department=departments[department],
            min_value=Decimal(0),
            max_value=Decimal(100) if unit == "%" else None,
            state=ElementState.ACTIVE,
        )
    for left, op, right, message in RULES:
        ValidationRule.objects.create(district=district, left=left, operator=op, right=right, message=message)
    written = _values(district, elements)
    values.rebuild(district)
    templates = _templates(district, elements)
    _history(district, elements)
    return {"elements": len(elements), "values": written, "templates": templates}


def _history_days() -> list[dt.date]:
    """The days the monthly reports went out in the reform year: each whole month before today's."""
    today = clock.today()
    _baseline, reform = history.story_years()
    return [d for d in history.month_days(reform, 20) if (d.year, d.month) != (today.year, today.month)]


def _types_it(community_index: int, month: int) -> bool:
    return (community_index + month) % HISTORY_SHARE == 0


def _history(district: Org, elements: dict[str, DataElement]) -> None:
    """The reform year's monthly reports before this month: sent to every community the item covers;
    two a month in turn open it (the ledger fills most fields) and types its one field."""
    days = _history_days()
    if not days:
        return
    communities = history.communities(district)
    index = {c.pk: i for i, c in enumerate(communities)}
    year = days[0].year
    for name, code in HISTORY:
        version = _history_version(district, name, year)
        if version is None:
            continue
        clerk = clerk_for(version.template.department)
        for day in days:
            with clock.frozen_at(day):
                request = request_send(
                    actor=clerk, version=version, period=f"{day.year}-{day.month:02d}", due_workdays=10
                )
            opened = workdays.add_workdays(day, 2)
            with clock.frozen_at(opened):
                for submission in request.submissions.select_related("community", "request"):
                    if code is None or not _types_it(index[submission.community_id], day.month):
                        continue
                    worker = history.community_worker(submission.community)
                    submission_open(actor=worker, submission=submission)
                    number = 5 + (index[submission.community_id] + day.month) % 9
                    submission_save(
                        actor=worker,
                        submission=submission,
                        entries=[Entry(element=elements[code], org=submission.community, text=str(number))],
                    )
        if version.template.item.year != clock.today().year:
            version.template.retired = True  # last year's report, kept for its history
            version.template.save(update_fields=["retired"])


def _history_version(district: Org, name: str, year: int) -> TemplateVersion | None:
    """The published report `name` built on the item of `year`: this year's, or (in January) one
    built on last year's item, like this year's."""
    existing = TemplateVersion.objects.filter(
        template__name=name, template__item__year=year, template__department__parent=district
    ).select_related("template__department", "template__item")
    if existing.exists():
        return existing.first()
    _name, item_name, period_type, codes = next(t for t in TEMPLATES if t[0] == name)
    item = WorkItem.objects.filter(department__parent=district, year=year, name=item_name.format(year=year)).first()
    if item is None:
        return None
    template = ReportTemplate.objects.create(department=item.department, item=item, name=name)
    version = TemplateVersion.objects.create(
        template=template, number=1, period_type=period_type, state=VersionState.PUBLISHED, published_at=clock.now()
    )
    TemplateField.objects.bulk_create(
        [TemplateField(version=version, element=elements_by_code(district)[c], position=i) for i, c in enumerate(codes)]
    )
    return version


def elements_by_code(district: Org) -> dict[str, DataElement]:
    return {e.code: e for e in DataElement.objects.filter(district=district)}


def _values(district: Org, elements: dict[str, DataElement]) -> int:
    """A year of values for the typed elements, for every community or grid of the district."""
    rng = random.Random(2026)
    today = clock.today()
    months = _months_back(today, 12)
    communities = list(Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).order_by("path"))
    grids = list(Org.objects.filter(kind=OrgKind.GRID, path__startswith=district.path).order_by("path"))
    entered_at = clock.now()
    rows: list[Value] = []
    found_by: dict[tuple[int, str], int] = {}

    def add(element, org, key, number):
        text = str(number)
        rows.append(
            Value(
                element=element,
                org=org,
                org_path=org.path,
                period=key,
                text=text,
                number=Decimal(text),
                source=ValueSource.IMPORTED,
                entered_at=entered_at,
            )
        )

    typed_later = {code for _name, code in HISTORY if code}
    history_months = {f"{d.year}-{d.month:02d}": d.month for d in _history_days()}
    for code, _name, _unit, _dept, kind, level, period_type, _rollup, (low, high) in TYPED:
        element = elements[code]
        orgs = grids if level == "grid" else communities
        keys = sorted({periods.containing(period_type, m.end).key for m in months})
        if period_type == "as_of":
            keys = [months[0].start.isoformat()]
        for i, org in enumerate(orgs):
            for key in keys:
                number = rng.randint(low, high) if kind == "integer" else round(rng.uniform(low, high), 1)
                if code in typed_later and key in history_months and _types_it(i, history_months[key]):
                    continue  # the community types it into the month's report (_history)
                if code == "HAZARDS_FIXED":
                    number = min(number, found_by[(org.pk, key)])
                if code == "HAZARDS_FOUND":
                    found_by[(org.pk, key)] = number
                add(element, org, key, number)
    bulk.insert(rows)
    return len(rows)


def _templates(district: Org, elements: dict[str, DataElement]) -> int:
    today = clock.today()
    items = {i.name: i for i in WorkItem.objects.filter(department__parent=district, year=today.year)}
    made = 0
    for name, item_name, period_type, codes in TEMPLATES:
        item = items.get(item_name.format(year=today.year))
        if item is None or gate.standing(item, on=today):
            continue
        template = ReportTemplate.objects.create(department=item.department, item=item, name=name)
        version = TemplateVersion.objects.create(
            template=template,
            number=1,
            period_type=period_type,
            state=VersionState.PUBLISHED,
            published_at=clock.now(),
        )
        TemplateField.objects.bulk_create(
            [TemplateField(version=version, element=elements[c], position=i) for i, c in enumerate(codes)]
        )
        clerk = clerk_for(item.department)
        if clerk is not None and not ReportRequest.objects.filter(version=version).exists():
            request_send(
                actor=clerk,
                version=version,
                period=periods.containing(period_type, today).key,
                due_workdays=10,
                note="演示：本期数据大部分已由共享台账和基础信息库自动填好。",
            )
        made += 1
    return made


def clerk_for(department: Org) -> User:
    """The department's clerk; departments without a demo account get one that cannot log in."""
    membership = Membership.objects.filter(org=department, role=Role.CLERK).select_related("user").first()
    if membership is not None:
        return membership.user
    clerk = User.objects.create_user(
        username=f"clerk-{department.code}".lower(), display_name=f"{department.name}联络员"
    )
    membership_grant(actor=None, user=clerk, org=department, role=Role.CLERK)
    return clerk
