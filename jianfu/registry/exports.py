"""Exports of personal data: requested with a purpose, approved by the office, downloaded by the
requester only, each download audited and watermarked with who exported it and when."""

import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jianfu.audit import services as audit
from jianfu.core import clock
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.core.numbering import next_number
from jianfu.core.workflow import apply

from .machines import EXPORT
from .models import ExportRequest, ExportState, Person, Tag
from .permissions import people_q, visible_tag_ids

COLUMNS = ["姓名", "性别", "出生日期", "身份证号", "手机", "现住址", "网格", "户籍", "户号", "与户主关系"]


@transaction.atomic
def export_request(*, actor, org, reason: str, tag: Tag | None = None) -> ExportRequest:
    if not Person.objects.filter(people_q(actor)).exists() and not actor.is_superuser:
        raise PermissionDenied(_("You may not export people."))
    if tag is not None and tag.pk not in visible_tag_ids(actor):
        raise PermissionDenied(_("You may not export people with this tag."))
    if len(reason.strip()) < 4:
        raise DomainError(_("State the purpose of the export."))
    request = ExportRequest.objects.create(
        number=next_number("DC", clock.today().year), requester=actor, org=org, tag=tag, reason=reason.strip()
    )
    audit.record(
        action="export.request",
        actor=actor,
        obj=request,
        org=org,
        after={"tag": tag.code if tag else None},
        reason=reason,
    )
    return request


def export_decide(*, actor, request: ExportRequest, approve: bool, note: str = "") -> ExportRequest:
    """The office of the district approves or rejects a request (jianfu.registry.machines.EXPORT)."""

    def decide(export: ExportRequest) -> None:
        export.decided_by, export.note = actor, note

    return apply(EXPORT, request, "approved" if approve else "rejected", actor=actor, note=note, change=decide)


def export_download(*, actor, request: ExportRequest) -> bytes:
    if request.requester_id != actor.pk:
        raise PermissionDenied(_("Only the requester downloads an approved export."))
    if request.state != ExportState.APPROVED:
        raise DomainError(_("The office has not approved this export."))
    people = Person.objects.filter(people_q(actor), org_path__startswith=request.org.path)
    if request.tag_id:
        people = people.filter(tags__tag=request.tag, tags__until__isnull=True)
    people = people.select_related("address", "grid", "hukou_community").distinct().order_by("org_path", "pk")
    when = timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M")
    mark = f"导出人：{actor.display_name or actor.username}（{actor.username}） 导出时间：{when} 审批编号：{request.number} 用途：{request.reason} 严禁外传"
    book = Workbook()
    sheet = book.active
    sheet.title = "人员"
    sheet.append([mark])
    sheet.append(COLUMNS)
    count = 0
    for p in people.iterator(chunk_size=2000):
        sheet.append(
            [
                p.name,
                p.get_gender_display(),
                p.birth_date.isoformat(),
                p.id_number,
                p.phone,
                p.address.label if p.address else "",
                p.grid.name if p.grid else "",
                p.hukou_community.name if p.hukou_community else p.hukou_address,
                p.hukou_household,
                p.get_relation_display(),
            ]
        )
        count += 1
    sheet.oddHeader.center.text = mark
    sheet.oddFooter.center.text = mark
    book.properties.creator = actor.username
    book.properties.description = mark
    out = io.BytesIO()
    book.save(out)
    audit.record(
        action="pii.export", actor=actor, obj=request, org=request.org, after={"rows": count}, reason=request.reason
    )
    return out.getvalue()
