"""Import of people from .xlsx or CSV (UTF-8 or GBK): dedup on ID number and normalised address,
all or nothing, with a dry run that reports what would be added, updated or left unchanged."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from jianfu.audit import services as audit
from jianfu.core.crypto import (
    birth_date_from_id,
    blind_index,
    gender_from_id,
    is_valid_id_number,
    is_valid_phone,
    normalize_id_number,
    normalize_phone,
)
from jianfu.core.errors import PermissionDenied
from jianfu.core.tabular import ImportRejected, ImportResult, RowError, Table
from jianfu.orgs.models import Org, OrgKind

from .addresses import parse_address
from .models import Address, Gender, Person, Relation
from .permissions import can_edit_area, can_import

PEOPLE_COLUMNS = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "手机",
    "网格编码",
    "现住址",
    "与户主关系",
    "户籍社区编码",
    "户号",
    "户籍地址",
]
RELATION_NAMES = {
    Relation.HEAD: "户主",
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.GRANDCHILD: "孙子女",
    Relation.OTHER: "其他",
}
RELATION_BY_NAME = {v: k for k, v in RELATION_NAMES.items()} | {"本人": Relation.HEAD}
GENDER_BY_NAME = {"男": Gender.MALE, "女": Gender.FEMALE}
COMPARED = [
    "name",
    "gender",
    "birth_date",
    "phone",
    "address_id",
    "relation",
    "hukou_community_id",
    "hukou_household",
    "hukou_address",
]


class _DryRun(Exception):
    pass


@dataclass
class PeopleImportResult(ImportResult):
    new_addresses: int = 0
    dry_run: bool = False


def _date(raw: str) -> dt.date | None:
    raw = raw.replace("/", "-").replace(".", "-").strip()
    if len(raw) == 8 and raw.isdigit():
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


PROGRESS_EVERY = 1000


def import_people(*, actor, table: Table, dry_run: bool = False, filename: str = "") -> PeopleImportResult:
    return run_steps(import_people_steps(actor=actor, table=table, dry_run=dry_run, filename=filename))


def run_steps(steps):
    """Drive a step generator to its end and return its result (for callers that show no progress)."""
    try:
        while True:
            next(steps)
    except StopIteration as done:
        return done.value


def import_people_steps(*, actor, table: Table, dry_run: bool = False, filename: str = ""):
    """The import as a generator of progress ("check" | "write", done, total), so a page can show
    progress on large files while the whole import stays one transaction."""
    if not can_import(actor):
        raise PermissionDenied(_("Only the office and community or grid workers import people."))
    table.require(["姓名", "身份证号", "网格编码", "现住址"])
    grid_codes = {r.values.get("网格编码", "") for r in table.rows}
    grids = {g.code: g for g in Org.objects.filter(kind=OrgKind.GRID, code__in=grid_codes)}
    hukou_codes = {r.values.get("户籍社区编码", "") for r in table.rows} - {""}
    hukou = {c.code: c for c in Org.objects.filter(kind=OrgKind.COMMUNITY, code__in=hukou_codes)}
    errors: list[RowError] = []
    parsed = []
    seen: dict[str, int] = {}
    total = len(table.rows)
    for done, row in enumerate(table.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            yield ("check", done, total)
        v, n = row.values, row.number
        before = len(errors)
        name = v.get("姓名", "").strip()
        if not name:
            errors.append(RowError(n, "姓名", _("the name is empty")))
        id_number = normalize_id_number(v.get("身份证号", ""))
        if not is_valid_id_number(id_number):
            errors.append(RowError(n, "身份证号", _("not a valid resident ID number")))
        elif id_number in seen:
            errors.append(RowError(n, "身份证号", _("the same ID number as row %(row)s") % {"row": seen[id_number]}))
        else:
            seen[id_number] = n
        birth = birth_date_from_id(id_number) if is_valid_id_number(id_number) else None
        if v.get("出生日期") and birth and _date(v["出生日期"]) != birth:
            errors.append(RowError(n, "出生日期", _("does not match the ID number")))
        gender = gender_from_id(id_number) if birth else None
        if v.get("性别") and gender and GENDER_BY_NAME.get(v["性别"]) != gender:
            errors.append(RowError(n, "性别", _("does not match the ID number")))
        phone = normalize_phone(v.get("手机", "")) if v.get("手机") else ""
        if phone and not is_valid_phone(phone):
            errors.append(RowError(n, "手机", _("not a valid phone number")))
        grid = grids.get(v.get("网格编码", ""))
        if grid is None:
            errors.append(RowError(n, "网格编码", _("no grid has the code %(code)s") % {"code": v.get("网格编码", "")}))
        elif not can_edit_area(actor, grid.path):
            errors.append(RowError(n, "网格编码", _("%(code)s is outside your area") % {"code": grid.code}))
        address_text = v.get("现住址", "").strip()
        if not address_text:
            errors.append(RowError(n, "现住址", _("the address is empty")))
        relation = RELATION_BY_NAME.get(v.get("与户主关系", "") or "户主")
        if relation is None:
            errors.append(
                RowError(n, "与户主关系", _("use one of %(names)s") % {"names": "、".join(RELATION_NAMES.values())})
            )
        hukou_community = None
        if v.get("户籍社区编码"):
            hukou_community = hukou.get(v["户籍社区编码"])
            if hukou_community is None:
                errors.append(
                    RowError(n, "户籍社区编码", _("no community has the code %(code)s") % {"code": v["户籍社区编码"]})
                )
        if len(errors) == before:
            parsed.append(
                {
                    "name": name,
                    "gender": gender,
                    "birth_date": birth,
                    "id_number": id_number,
                    "phone": phone,
                    "grid": grid,
                    "address": parse_address(address_text),
                    "relation": relation,
                    "hukou_community": hukou_community,
                    "hukou_household": v.get("户号", ""),
                    "hukou_address": v.get("户籍地址", ""),
                }
            )
    if errors:
        raise ImportRejected(errors)
    yield ("check", total, total)
    try:
        with transaction.atomic():
            result = yield from _write(actor, parsed, filename)
            if dry_run:
                raise _DryRun(result)
    except _DryRun as stopped:
        result = stopped.args[0]
        result.dry_run = True
    return result


def _write(actor, parsed: list[dict], filename: str) -> PeopleImportResult:
    result = PeopleImportResult()
    communities = {p["grid"].parent_id for p in parsed}
    addresses = {(a.community_id, a.key): a for a in Address.objects.filter(community_id__in=communities)}
    new_addresses = []
    for p in parsed:
        grid, parts = p["grid"], p["address"]
        key = (grid.parent_id, parts.key())
        if key not in addresses:
            address = Address(
                grid=grid,
                community_id=grid.parent_id,
                org_path=grid.path,
                area=parts.area,
                building=parts.building,
                unit=parts.unit,
                room=parts.room,
                key=parts.key(),
                label=parts.label(),
            )
            addresses[key] = address
            new_addresses.append(address)
    Address.objects.bulk_create(new_addresses, batch_size=2000)
    result.new_addresses = len(new_addresses)
    indexes = {blind_index(p["id_number"], purpose="id_number"): p for p in parsed}
    existing = {person.id_index: person for person in Person.objects.filter(id_index__in=list(indexes))}
    created = []
    for index, p in indexes.items():
        address = addresses[(p["grid"].parent_id, p["address"].key())]
        fields = {
            "name": p["name"],
            "gender": p["gender"],
            "birth_date": p["birth_date"],
            "phone": p["phone"],
            "address_id": address.pk,
            "relation": p["relation"],
            "hukou_community_id": p["hukou_community"].pk if p["hukou_community"] else None,
            "hukou_household": p["hukou_household"],
            "hukou_address": p["hukou_address"],
        }
        place = {"grid_id": address.grid_id, "community_id": address.community_id, "org_path": address.org_path}
        person = existing.get(index)
        if person is None:
            created.append(Person(id_number=p["id_number"], id_index=index, **fields, **place))
            continue
        if all(getattr(person, f) == value for f, value in fields.items()):
            result.unchanged += 1
            continue
        for f, value in (fields | place).items():
            setattr(person, f, value)
        person._history_user = actor
        person.save()
        result.updated += 1
    for start in range(0, len(created), PROGRESS_EVERY):
        batch = created[start : start + PROGRESS_EVERY]
        bulk_create_with_history(batch, Person, batch_size=PROGRESS_EVERY, default_user=actor)
        yield ("write", start + len(batch), len(created))
    result.created = len(created)
    audit.record(
        action="registry.import_people",
        actor=actor,
        after={
            "file": filename,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "new_addresses": result.new_addresses,
        },
    )
    return result


HOUSE_COLUMNS = ["网格编码", "地址", "用途", "建筑面积"]
UNIT_COLUMNS = ["网格编码", "地址", "单位名称", "类型", "统一社会信用代码", "联系人", "联系电话"]
USE_BY_NAME = {"自住": "self", "出租": "rented", "空置": "vacant", "商用": "commercial"}
UNIT_KIND_BY_NAME = {
    "商铺": "shop",
    "企业": "company",
    "社会组织": "organisation",
    "事业单位": "institution",
    "其他": "other",
}
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def _grid_rows(actor, table: Table, errors: list[RowError]) -> list[tuple]:
    """(row, grid, parsed address) for each row whose grid and address are usable."""
    grids = {
        g.code: g
        for g in Org.objects.filter(kind=OrgKind.GRID, code__in={r.values.get("网格编码", "") for r in table.rows})
    }
    usable = []
    for row in table.rows:
        grid = grids.get(row.values.get("网格编码", ""))
        if grid is None:
            errors.append(
                RowError(
                    row.number,
                    "网格编码",
                    _("no grid has the code %(code)s") % {"code": row.values.get("网格编码", "")},
                )
            )
        elif not can_edit_area(actor, grid.path):
            errors.append(RowError(row.number, "网格编码", _("%(code)s is outside your area") % {"code": grid.code}))
        elif not row.values.get("地址", "").strip():
            errors.append(RowError(row.number, "地址", _("the address is empty")))
        else:
            usable.append((row, grid, parse_address(row.values["地址"])))
    return usable


def _addresses_for(usable: list[tuple]) -> dict:
    """Existing or new addresses for the rows, keyed (community, key); new ones are inserted."""
    communities = {grid.parent_id for _row, grid, _parts in usable}
    known = {(a.community_id, a.key): a for a in Address.objects.filter(community_id__in=communities)}
    for _row, grid, parts in usable:
        key = (grid.parent_id, parts.key())
        if key not in known:
            known[key] = Address.objects.create(
                grid=grid,
                community_id=grid.parent_id,
                org_path=grid.path,
                area=parts.area,
                building=parts.building,
                unit=parts.unit,
                room=parts.room,
                key=parts.key(),
                label=parts.label(),
            )
    return known


def import_houses(*, actor, table: Table) -> ImportResult:
    """Houses by address (one house per standard address): use and floor area."""
    from .models import House

    if not can_import(actor):
        raise PermissionDenied(_("Only the office and community or grid workers import people."))
    table.require(HOUSE_COLUMNS[:3])
    errors: list[RowError] = []
    usable = []
    for row, grid, parts in _grid_rows(actor, table, errors):
        use = USE_BY_NAME.get(row.values.get("用途", ""))
        if use is None:
            errors.append(RowError(row.number, "用途", _("use one of %(names)s") % {"names": "、".join(USE_BY_NAME)}))
            continue
        area = row.values.get("建筑面积", "")
        try:
            area_value = Decimal(area) if area else None
        except InvalidOperation:
            errors.append(RowError(row.number, "建筑面积", _("“%(value)s” is not a number ≥ 0") % {"value": area}))
            continue
        usable.append((row, grid, parts, use, area_value))
    if errors:
        raise ImportRejected(errors)
    result = ImportResult()
    with transaction.atomic():
        addresses = _addresses_for([(r, g, p) for r, g, p, _, _ in usable])
        for _row, grid, parts, use, area_value in usable:
            address = addresses[(grid.parent_id, parts.key())]
            house = House.objects.filter(address=address).first()
            if house is None:
                House.objects.create(address=address, use=use, area_m2=area_value)
                result.created += 1
            elif (house.use, house.area_m2) != (use, area_value):
                house.use, house.area_m2 = use, area_value
                house._history_user = actor
                house.save()
                result.updated += 1
            else:
                result.unchanged += 1
        audit.record(
            action="registry.import_houses", actor=actor, after={"created": result.created, "updated": result.updated}
        )
    return result


def import_units(*, actor, table: Table) -> ImportResult:
    """Units, matched on their unified social credit code."""
    from .models import Unit

    if not can_import(actor):
        raise PermissionDenied(_("Only the office and community or grid workers import people."))
    table.require(UNIT_COLUMNS[:5])
    errors: list[RowError] = []
    usable, seen = [], {}
    for row, grid, parts in _grid_rows(actor, table, errors):
        v = row.values
        code = v.get("统一社会信用代码", "").strip().upper()
        kind = UNIT_KIND_BY_NAME.get(v.get("类型", ""))
        phone = normalize_phone(v.get("联系电话", "")) if v.get("联系电话") else ""
        problems = []
        if not v.get("单位名称", "").strip():
            problems.append(RowError(row.number, "单位名称", _("the name is empty")))
        if not CREDIT_CODE.match(code):
            problems.append(
                RowError(row.number, "统一社会信用代码", _("not an 18-character unified social credit code"))
            )
        elif code in seen:
            problems.append(
                RowError(row.number, "统一社会信用代码", _("the same code as row %(row)s") % {"row": seen[code]})
            )
        if kind is None:
            problems.append(
                RowError(row.number, "类型", _("use one of %(names)s") % {"names": "、".join(UNIT_KIND_BY_NAME)})
            )
        if phone and not is_valid_phone(phone):
            problems.append(RowError(row.number, "联系电话", _("not a valid phone number")))
        seen.setdefault(code, row.number)
        errors += problems
        if not problems:
            usable.append((row, grid, parts, code, kind, phone))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    result = ImportResult()
    with transaction.atomic():
        addresses = _addresses_for([(r, g, p) for r, g, p, *_ in usable])
        existing = {u.credit_code: u for u in Unit.objects.filter(credit_code__in=[u[3] for u in usable])}
        for row, grid, parts, code, kind, phone in usable:
            address = addresses[(grid.parent_id, parts.key())]
            fields = {
                "name": row.values["单位名称"].strip(),
                "kind": kind,
                "address": address,
                "org_path": address.org_path,
                "contact": row.values.get("联系人", ""),
                "contact_phone": phone,
            }
            unit = existing.get(code)
            if unit is None:
                Unit.objects.create(credit_code=code, **fields)
                result.created += 1
            elif any(getattr(unit, k) != val for k, val in fields.items()):
                for k, val in fields.items():
                    setattr(unit, k, val)
                unit.save()
                result.updated += 1
            else:
                result.unchanged += 1
        audit.record(
            action="registry.import_units", actor=actor, after={"created": result.created, "updated": result.updated}
        )
    return result
