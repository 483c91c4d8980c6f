"""Import and export of the organisation tree and of users, as the office keeps them in Excel.

The column headers and the names of kinds and roles are a fixed Chinese file format (not the
translated UI labels), so a file exported in English mode imports again unchanged.
"""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core.errors import PermissionDenied
from jianfu.core.tabular import ImportRejected, ImportResult, RowError, Table

from . import services
from .models import ROLE_ORG_KINDS, CommunityType, Org, OrgKind, Role, User
from .permissions import can_manage_org, is_office

ORG_COLUMNS = [
    "编码",
    "名称",
    "类型",
    "上级编码",
    "在册户数",
    "实住户数",
    "人口",
    "办公和活动用房面积",
    "专职工作人员",
    "社区类型",
    "成员单位",
]
KIND_NAMES = {
    OrgKind.DISTRICT: "区",
    OrgKind.STREET: "街道",
    OrgKind.TOWN: "镇",
    OrgKind.COMMUNITY: "社区",
    OrgKind.GRID: "网格",
    OrgKind.DEPARTMENT: "部门",
    OrgKind.GROUP_ORG: "群团组织",
}
KIND_BY_NAME = {name: kind for kind, name in KIND_NAMES.items()} | {"县级市": OrgKind.DISTRICT, "市": OrgKind.DISTRICT}
COMMUNITY_TYPE_NAMES = {
    CommunityType.BUNGALOW: "平房区",
    CommunityType.COMMERCIAL: "商品房区",
    CommunityType.RESETTLEMENT: "回迁房区",
    CommunityType.AFFORDABLE: "保障房区",
}
COMMUNITY_TYPE_BY_NAME = {name: code for code, name in COMMUNITY_TYPE_NAMES.items()}
INT_COLUMNS = {
    "在册户数": "registered_households",
    "实住户数": "resident_households",
    "人口": "population",
    "专职工作人员": "staff_count",
}
YES = {"是", "Y", "y", "1", "true", "TRUE", "√"}
NO = {"", "否", "N", "n", "0", "false", "FALSE"}

USER_COLUMNS = ["用户名", "姓名", "角色", "组织编码", "初始密码"]
ROLE_NAMES = {
    Role.OFFICE: "准入办",
    Role.REVIEWER: "成员单位审核员",
    Role.CLERK: "部门经办人",
    Role.STREET: "街道工作人员",
    Role.COMMUNITY: "社区工作者",
    Role.GRID: "网格员",
    Role.RESIDENT: "居民",
}
ROLE_BY_NAME = {name: role for role, name in ROLE_NAMES.items()}


def export_org_rows(orgs):
    for org in orgs:
        yield [
            org.code,
            org.name,
            KIND_NAMES[org.kind],
            org.parent.code if org.parent else "",
            org.registered_households,
            org.resident_households,
            org.population,
            float(org.office_space_m2),
            org.staff_count,
            COMMUNITY_TYPE_NAMES.get(org.community_type, ""),
            "是" if org.is_member_unit else "",
        ]


def _parse_org_row(row, errors: list[RowError]) -> dict:
    """The row's values; problems go to errors, and the row is still returned so that its parent
    can be checked too — the file's author gets every problem in one go."""
    v = row.values
    n = row.number
    code, name, kind_name = v.get("编码", ""), v.get("名称", ""), v.get("类型", "")
    if not code:
        errors.append(RowError(n, "编码", _("the code is empty")))
    elif len(code) > 32:
        errors.append(RowError(n, "编码", _("the code is longer than 32 characters")))
    if not name:
        errors.append(RowError(n, "名称", _("the name is empty")))
    kind = KIND_BY_NAME.get(kind_name)
    if kind is None:
        errors.append(
            RowError(
                n,
                "类型",
                _("unknown kind “%(value)s”; use one of %(names)s")
                % {"value": kind_name, "names": "、".join(KIND_NAMES.values())},
            )
        )
    fields: dict = {}
    for column, field in INT_COLUMNS.items():
        raw = v.get(column, "").replace(",", "")
        if raw == "":
            continue
        if not raw.isdigit():
            errors.append(RowError(n, column, _("“%(value)s” is not a whole number ≥ 0") % {"value": raw}))
        else:
            fields[field] = int(raw)
    raw_space = v.get("办公和活动用房面积", "").replace(",", "")
    if raw_space:
        try:
            space = Decimal(raw_space).quantize(Decimal("0.1"))
            if space < 0:
                raise InvalidOperation
            fields["office_space_m2"] = space
        except InvalidOperation:
            errors.append(
                RowError(n, "办公和活动用房面积", _("“%(value)s” is not an area in m²") % {"value": raw_space})
            )
    type_name = v.get("社区类型", "")
    if type_name:
        if type_name not in COMMUNITY_TYPE_BY_NAME:
            errors.append(
                RowError(
                    n,
                    "社区类型",
                    _("unknown community type “%(value)s”; use one of %(names)s")
                    % {"value": type_name, "names": "、".join(COMMUNITY_TYPE_NAMES.values())},
                )
            )
        else:
            fields["community_type"] = COMMUNITY_TYPE_BY_NAME[type_name]
    member = v.get("成员单位", "")
    if member not in YES | NO:
        errors.append(RowError(n, "成员单位", _("write 是 or leave empty")))
    elif member:
        fields["is_member_unit"] = member in YES
    return {"row": n, "code": code, "name": name, "kind": kind, "parent_code": v.get("上级编码", ""), "fields": fields}


def import_orgs(*, actor: User, table: Table) -> ImportResult:
    """All or nothing: a file with any bad row changes nothing and reports every bad row."""
    if not is_office(actor):
        raise PermissionDenied(_("Only the access office imports the organisation tree."))
    table.require(["编码", "名称", "类型", "上级编码"])
    errors: list[RowError] = []
    parsed = [_parse_org_row(r, errors) for r in table.rows]
    seen: dict[str, int] = {}
    for p in parsed:
        if p["code"] in seen:
            errors.append(
                RowError(
                    p["row"],
                    "编码",
                    _("the code %(code)s also appears in row %(other)s")
                    % {"code": p["code"], "other": seen[p["code"]]},
                )
            )
        seen.setdefault(p["code"], p["row"])
    existing = {
        o.code: o for o in Org.objects.filter(code__in=[p["code"] for p in parsed] + [p["parent_code"] for p in parsed])
    }
    in_file = {p["code"]: p for p in parsed}
    for p in parsed:
        if p["kind"] is None:
            continue
        old = existing.get(p["code"])
        if old is not None and old.kind != p["kind"]:
            errors.append(
                RowError(
                    p["row"],
                    "类型",
                    _("%(code)s exists as a %(kind)s; the kind cannot change")
                    % {"code": p["code"], "kind": old.get_kind_display()},
                )
            )
        parent_code = p["parent_code"]
        if not parent_code:
            if p["kind"] != OrgKind.DISTRICT:
                errors.append(RowError(p["row"], "上级编码", _("the parent code is empty")))
            continue
        if parent_code in in_file:
            parent_kind = in_file[parent_code]["kind"]
            if parent_kind is None:
                continue  # that row's kind is already reported
        else:
            parent_kind = getattr(existing.get(parent_code), "kind", None)
        if parent_kind is None:
            errors.append(
                RowError(p["row"], "上级编码", _("no organisation has the code %(code)s") % {"code": parent_code})
            )
        elif parent_kind not in services.ALLOWED_PARENT_KINDS[p["kind"]]:
            errors.append(
                RowError(
                    p["row"],
                    "上级编码",
                    _("a %(kind)s cannot be placed under a %(parent)s")
                    % {"kind": OrgKind(p["kind"]).label, "parent": OrgKind(parent_kind).label},
                )
            )
        elif parent_code in existing and not can_manage_org(actor, existing[parent_code]):
            errors.append(
                RowError(p["row"], "上级编码", _("%(code)s is outside your district") % {"code": parent_code})
            )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))

    result = ImportResult()
    with transaction.atomic():
        pending = list(parsed)
        while pending:
            placed = []
            for p in pending:
                parent = Org.objects.filter(code=p["parent_code"]).first() if p["parent_code"] else None
                if p["parent_code"] and parent is None:
                    continue  # its parent is later in the file
                old = existing.get(p["code"])
                if old is None:
                    services.org_create(
                        actor=actor, code=p["code"], name=p["name"], kind=p["kind"], parent=parent, **p["fields"]
                    )
                    result.created += 1
                elif services.org_update(actor=actor, org=old, parent=parent, name=p["name"], **p["fields"]):
                    result.updated += 1
                else:
                    result.unchanged += 1
                placed.append(p)
            if not placed:  # a cycle of parents inside the file
                raise ImportRejected([RowError(p["row"], "上级编码", _("the parents form a cycle")) for p in pending])
            pending = [p for p in pending if p not in placed]
    return result


def export_user_rows(users):
    for user in users:
        for m in user.memberships.all():
            yield [user.username, user.display_name, ROLE_NAMES[m.role], m.org.code, ""]


def import_users(*, actor: User, table: Table) -> ImportResult:
    if not is_office(actor):
        raise PermissionDenied(_("Only the access office imports users."))
    table.require(["用户名", "角色", "组织编码"])
    errors: list[RowError] = []
    orgs = {o.code: o for o in Org.objects.filter(code__in=[r.values.get("组织编码", "") for r in table.rows])}
    parsed = []
    for row in table.rows:
        v, n = row.values, row.number
        before = len(errors)
        username = v.get("用户名", "")
        if not username:
            errors.append(RowError(n, "用户名", _("the user name is empty")))
        elif not User.username_validator.regex.match(username) or len(username) > 150:
            errors.append(RowError(n, "用户名", _("use letters, digits and @/./+/-/_ only")))
        role = ROLE_BY_NAME.get(v.get("角色", ""))
        if role is None:
            errors.append(
                RowError(
                    n,
                    "角色",
                    _("unknown role “%(value)s”; use one of %(names)s")
                    % {"value": v.get("角色", ""), "names": "、".join(ROLE_NAMES.values())},
                )
            )
        org = orgs.get(v.get("组织编码", ""))
        if org is None:
            errors.append(
                RowError(n, "组织编码", _("no organisation has the code %(code)s") % {"code": v.get("组织编码", "")})
            )
        elif not can_manage_org(actor, org):
            errors.append(RowError(n, "组织编码", _("%(code)s is outside your district") % {"code": org.code}))
        elif role is not None and org.kind not in ROLE_ORG_KINDS[role]:
            errors.append(
                RowError(
                    n,
                    "角色",
                    _("a %(role)s cannot be held in a %(kind)s")
                    % {"role": ROLE_NAMES[role], "kind": org.get_kind_display()},
                )
            )
        password = v.get("初始密码", "")
        if password:
            try:
                validate_password(password)
            except ValidationError as exc:
                errors.append(RowError(n, "初始密码", "；".join(exc.messages)))
        if len(errors) == before:
            parsed.append((username, v.get("姓名", ""), role, org, password))
    if errors:
        raise ImportRejected(errors)
    result = ImportResult()
    with transaction.atomic():
        for username, display_name, role, org, password in parsed:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, display_name=display_name)
                if password:
                    user.set_password(password)
                else:
                    user.set_unusable_password()  # signs in through the city's single sign-on
                user.save()
                audit.record(
                    action="user.create",
                    actor=actor,
                    obj=user,
                    org=org,
                    after={"username": username, "display_name": display_name},
                )
                result.created += 1
            elif display_name and user.display_name != display_name:
                audit.record(
                    action="user.update",
                    actor=actor,
                    obj=user,
                    org=org,
                    before={"display_name": user.display_name},
                    after={"display_name": display_name},
                )
                user.display_name = display_name
                user.save(update_fields=["display_name"])
                result.updated += 1
            else:
                result.unchanged += 1
            services.membership_grant(actor=actor, user=user, org=org, role=role)
    return result
