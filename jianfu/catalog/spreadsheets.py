"""Lists (清单) to and from Excel. Headers and names are a fixed Chinese file format."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core import clock
from jianfu.core.tabular import ImportRejected, ImportResult, RowError, Table
from jianfu.orgs.models import DEPARTMENT_KINDS, Org

from . import services
from .models import BasisLevel, Category, Frequency, ItemKind, ItemList, WorkItem, higher_basis_refusal

LIST_COLUMNS = [
    "编码",
    "名称",
    "说明",
    "类型",
    "责任部门",
    "法律依据",
    "经费（元/年）",
    "经费渠道",
    "频次",
    "每年次数",
    "每次工时",
    "责任主体",
    "临时",
    "有效期至",
    "依据层级",
    "依据文件名称和文号",
]
KIND_NAMES = {
    ItemKind.TASK: "工作任务",
    ItemKind.LEDGER: "台账报表",
    ItemKind.SURVEY: "普查调查",
    ItemKind.CAMPAIGN: "创建评比",
    ItemKind.INSPECTION: "考核检查",
    ItemKind.BODY: "组织机构挂牌",
    ItemKind.PLATFORM: "信息平台",
    ItemKind.CERTIFICATE: "盖章证明",
    ItemKind.MEETING: "会议",
}
FREQUENCY_NAMES = {
    Frequency.ONCE: "一次性",
    Frequency.WEEKLY: "每周",
    Frequency.MONTHLY: "每月",
    Frequency.QUARTERLY: "每季度",
    Frequency.HALF_YEARLY: "每半年",
    Frequency.YEARLY: "每年",
    Frequency.AS_NEEDED: "按需",
}
# Campaigns and inspections: who requires them (seed 001: only the central and municipal level).
BASIS_LEVEL_NAMES = {BasisLevel.CENTRAL: "中央", BasisLevel.PROVINCIAL: "省", BasisLevel.MUNICIPAL: "市"}
BASIS_LEVEL_BY_NAME = (
    {v: k for k, v in BASIS_LEVEL_NAMES.items()}
    | {"省级": BasisLevel.PROVINCIAL, "市级": BasisLevel.MUNICIPAL}
    | {k.value: k for k in BasisLevel}
)
KIND_BY_NAME = {v: k for k, v in KIND_NAMES.items()} | {k.value: k for k in ItemKind}
FREQUENCY_BY_NAME = {v: k for k, v in FREQUENCY_NAMES.items()} | {k.value: k for k in Frequency}


def export_rows(entries):
    for entry in entries:
        item = entry.item
        yield [
            item.code,
            item.name,
            item.description,
            KIND_NAMES[item.kind],
            item.department.name,
            item.legal_basis,
            item.funding_yuan,
            item.funding_channel,
            FREQUENCY_NAMES[item.frequency],
            float(item.occurrences_per_year),
            float(item.hours_per_occurrence),
            item.responsible_body,
            "是" if item.temporary else "",
            item.valid_until.isoformat() if item.valid_until else "",
            BASIS_LEVEL_NAMES.get(item.basis_level, ""),
            item.basis_document,
        ]


def _decimal(raw: str, row: int, column: str, errors: list[RowError]) -> Decimal:
    try:
        value = Decimal(raw or "0")
        if value < 0:
            raise InvalidOperation
        return value
    except InvalidOperation:
        errors.append(RowError(row, column, _("“%(value)s” is not a number ≥ 0") % {"value": raw}))
        return Decimal(0)


def import_list(*, actor, item_list: ItemList, district: Org, table: Table) -> ImportResult:
    """Replace the list by the file's items (created or updated). Any bad row: nothing changes."""
    services._require_office(actor, district)
    table.require(["编码", "名称", "类型", "责任部门"])
    departments = {
        key: org
        for org in Org.objects.filter(kind__in=DEPARTMENT_KINDS, path__startswith=district.path)
        for key in (org.name, org.code)
    }
    codes = [r.values.get("编码", "") for r in table.rows]
    existing = {i.code: i for i in WorkItem.objects.filter(code__in=codes, department__path__startswith=district.path)}
    elsewhere = set(
        WorkItem.objects.filter(code__in=codes)
        .exclude(department__path__startswith=district.path)
        .values_list("code", flat=True)
    )
    errors: list[RowError] = []
    parsed, seen = [], set()
    category = item_list.category
    for row in table.rows:
        v, n = row.values, row.number
        code, name = v.get("编码", ""), v.get("名称", "")
        if not code:
            errors.append(RowError(n, "编码", _("the code is empty")))
        elif code in seen:
            errors.append(RowError(n, "编码", _("the code %(code)s appears twice") % {"code": code}))
        elif code in elsewhere or len(code) > 32:
            errors.append(
                RowError(n, "编码", _("the code %(code)s is used by another district or too long") % {"code": code})
            )
        seen.add(code)
        if not name or len(name) > 200:
            errors.append(RowError(n, "名称", _("the name is empty or longer than 200 characters")))
        kind = KIND_BY_NAME.get(v.get("类型", ""))
        if kind is None:
            errors.append(
                RowError(
                    n,
                    "类型",
                    _("unknown kind “%(value)s”; use one of %(names)s")
                    % {"value": v.get("类型", ""), "names": "、".join(KIND_NAMES.values())},
                )
            )
        department = departments.get(v.get("责任部门", ""))
        if department is None:
            errors.append(
                RowError(
                    n, "责任部门", _("no department “%(value)s” in this district") % {"value": v.get("责任部门", "")}
                )
            )
        frequency = FREQUENCY_BY_NAME.get(v.get("频次", "") or "每年")
        if frequency is None:
            errors.append(
                RowError(
                    n,
                    "频次",
                    _("unknown frequency “%(value)s”; use one of %(names)s")
                    % {"value": v.get("频次", ""), "names": "、".join(FREQUENCY_NAMES.values())},
                )
            )
        funding = _decimal(v.get("经费（元/年）", "").replace(",", ""), n, "经费（元/年）", errors)
        legal_basis = v.get("法律依据", "")
        if category == Category.DUTY and not legal_basis:
            errors.append(RowError(n, "法律依据", _("a lawful-duty item needs its legal basis")))
        if category == Category.ASSIST and funding <= 0:
            errors.append(RowError(n, "经费（元/年）", _("an assistance item needs funding (费随事转)")))
        if category == Category.NEGATIVE and kind == ItemKind.CERTIFICATE and not v.get("责任主体", ""):
            errors.append(
                RowError(n, "责任主体", _("a certificate on the negative list needs the body that issues it instead"))
            )
        valid_until = None
        if v.get("有效期至", ""):
            try:
                valid_until = dt.date.fromisoformat(v["有效期至"].replace("/", "-"))
            except ValueError:
                errors.append(
                    RowError(n, "有效期至", _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": v["有效期至"]})
                )
        temporary = v.get("临时", "") in {"是", "Y", "1"}
        if temporary and not valid_until:
            errors.append(RowError(n, "有效期至", _("a temporary item needs an expiry date")))
        # A level the rule does not know (区, 街道 …) is no higher basis: the rule below refuses it.
        basis_level = BASIS_LEVEL_BY_NAME.get(v.get("依据层级", ""), "")
        basis_document = v.get("依据文件名称和文号", "")
        if len(basis_document) > 200:
            errors.append(RowError(n, "依据文件名称和文号", _("longer than 200 characters")))
        if kind is not None:
            refusal = higher_basis_refusal(kind=kind, category=category, level=basis_level, document=basis_document)
            if refusal:
                errors.append(RowError(n, "依据层级", refusal))
        parsed.append(
            {
                "code": code,
                "name": name,
                "description": v.get("说明", ""),
                "kind": kind,
                "category": category,
                "department": department,
                "legal_basis": legal_basis,
                "funding_yuan": int(funding),
                "funding_channel": v.get("经费渠道", ""),
                "frequency": frequency,
                "occurrences_per_year": _decimal(v.get("每年次数", ""), n, "每年次数", errors),
                "hours_per_occurrence": _decimal(v.get("每次工时", ""), n, "每次工时", errors),
                "responsible_body": v.get("责任主体", ""),
                "temporary": temporary,
                "valid_until": valid_until,
                "basis_level": basis_level,
                "basis_document": basis_document,
            }
        )
    if errors:
        raise ImportRejected(errors)
    result = ImportResult()
    year = clock.today().year
    with transaction.atomic():
        items = []
        for fields in parsed:
            item = existing.get(fields["code"])
            if item is None:
                item = WorkItem(year=year, **fields)
                item.full_clean()
                item.save()
                services.mark_item_dirty(item)
                audit.record(
                    action="item.create",
                    actor=actor,
                    obj=item,
                    org=district,
                    after=audit.snapshot(item, services.ITEM_FIELDS),
                )
                result.created += 1
            else:
                before = audit.snapshot(item, services.ITEM_FIELDS)
                for name, value in fields.items():
                    setattr(item, name, value)
                item.full_clean()
                after = audit.snapshot(item, services.ITEM_FIELDS)
                if after != before:
                    item.save()
                    services.mark_item_dirty(item)
                    audit.record(action="item.update", actor=actor, obj=item, org=district, before=before, after=after)
                    result.updated += 1
                else:
                    result.unchanged += 1
            items.append(item)
        services.list_replace(actor=actor, item_list=item_list, district=district, items=items)
    return result
