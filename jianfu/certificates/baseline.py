"""Certificates issued before the system, per community, certificate and month (from the paper seal
log), imported from .xlsx or CSV so the fall against a baseline year can be shown. Headers are a
fixed Chinese file format; any bad row and nothing changes."""

from django.db import transaction
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.catalog.models import ItemKind, WorkItem
from jianfu.core import clock, dirty
from jianfu.core.errors import PermissionDenied
from jianfu.core.tabular import ImportRejected, ImportResult, RowError, Table
from jianfu.orgs.models import Org, OrgKind

from .models import BaselineCount
from .permissions import can_configure_types

COLUMNS = ["社区编码", "证明名称", "年份", "月份", "开具数量"]


def _int(raw: str, low: int, high: int) -> int | None:
    try:
        value = int(float(raw))
    except (TypeError, ValueError):
        return None
    return value if low <= value <= high and float(raw) == value else None


def import_baseline(*, actor, district: Org, table: Table) -> ImportResult:
    if not can_configure_types(actor, district):
        raise PermissionDenied(_("Only the access office loads baseline figures."))
    table.require(COLUMNS)
    communities = {
        key: org
        for org in Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path)
        for key in (org.code, org.name)
    }
    items = {  # a name held by several years' items: the newest year wins (later rows override)
        i.name: i
        for i in WorkItem.objects.filter(
            kind=ItemKind.CERTIFICATE, department__path__startswith=district.path
        ).order_by("year", "pk")
    }
    this_year = clock.today().year
    errors: list[RowError] = []
    parsed, seen = [], set()
    for row in table.rows:
        v, n = row.values, row.number
        community = communities.get(v.get("社区编码", ""))
        if community is None:
            errors.append(
                RowError(
                    n, "社区编码", _("no community “%(value)s” in this district") % {"value": v.get("社区编码", "")}
                )
            )
        label = v.get("证明名称", "").strip()
        if not label or len(label) > 200:
            errors.append(RowError(n, "证明名称", _("the name is empty or longer than 200 characters")))
        year = _int(v.get("年份", ""), 2000, this_year)
        if year is None:
            errors.append(
                RowError(
                    n,
                    "年份",
                    _("“%(value)s” is not a year from 2000 to %(max)s")
                    % {"value": v.get("年份", ""), "max": this_year},
                )
            )
        month = _int(v.get("月份", ""), 1, 12)
        if month is None:
            errors.append(RowError(n, "月份", _("“%(value)s” is not a month (1–12)") % {"value": v.get("月份", "")}))
        issued = _int(v.get("开具数量", ""), 0, 1_000_000)
        if issued is None:
            errors.append(
                RowError(n, "开具数量", _("“%(value)s” is not a whole number ≥ 0") % {"value": v.get("开具数量", "")})
            )
        key = (community.pk if community else None, label, year, month)
        if None not in key:
            if key in seen:
                errors.append(RowError(n, "证明名称", _("this community, certificate and month appear twice")))
            seen.add(key)
            parsed.append((community, label, year, month, issued))
    if errors:
        raise ImportRejected(errors)
    result = ImportResult()
    with transaction.atomic():
        for community, label, year, month, issued in parsed:
            cell, created = BaselineCount.objects.get_or_create(
                community=community,
                label=label,
                year=year,
                month=month,
                defaults={"issued": issued, "item": items.get(label)},
            )
            if created:
                result.created += 1
            elif cell.issued != issued or cell.item != items.get(label):
                cell.issued, cell.item = issued, items.get(label)
                cell.save(update_fields=["issued", "item"])
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            dirty.mark(community.district_id, year, [month])  # the monitor's certificate counts
        audit.record(
            action="certificate_baseline.import",
            actor=actor,
            org=district,
            after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
    return result


def export_rows(scope: Org, year: int):
    for cell in BaselineCount.objects.filter(community__path__startswith=scope.path, year=year).select_related(
        "community"
    ):
        yield [cell.community.code, cell.label, cell.year, cell.month, cell.issued]
