"""The decision on an application (准入决定书) as the office files and sends it: A4, official layout —
title, number, addressee, the item, the decision, its reasons, the place it reaches, its basis, the
date and the office's name — as Word (.docx) and PDF, both from one text (`content`)."""

import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.orgs.models import CommunityType, Org

from .models import Application, Decision, State, Transition

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The moves that decide an application: the joint meeting's three, and the office's fast track.
DECISIONS = ("approve", "approve_with_changes", "reject", "fast_track")


def decided(application: Application, transitions: list[Transition] | None = None) -> Transition | None:
    """The latest decision on the application (None while it waits for one). `transitions`: the
    application's history in order, when the caller has read it already (the page)."""
    if transitions is not None:
        return next((t for t in reversed(transitions) if t.action in DECISIONS), None)
    return application.transitions.filter(action__in=DECISIONS).select_related("actor").order_by("-at", "-pk").first()


@dataclass
class Content:
    title: str
    number: str
    addressee: str
    opening: str
    sections: list[tuple[str, str]] = field(default_factory=list)
    office: str = ""
    date: str = ""


def _decision_text(application: Application, decision: Transition) -> str:
    if decision.action == "fast_track":
        return _("Approved at once as a temporary item (fast track), valid until %(date)s.") % {
            "date": application.valid_until.isoformat() if application.valid_until else "—"
        }
    if decision.action == "approve":
        return _("Approved: the item enters the communities' catalog.")
    if decision.action == "reject":
        return _("Rejected: the work must not be sent to communities.")
    text = _("Approved with changes: the applicant makes the changes below before the item enters the catalog.")
    if application.state == State.APPROVED:
        text += " " + _("The changes were made and the office confirmed them.")
    return text


def _scope(application: Application) -> str:
    streets = [s.name for s in application.scope_streets.order_by("path")]
    place = "、".join(streets) if streets else _("every street and town of the district")
    text = _("Communities of %(place)s") % {"place": place}
    if application.scope_community_types:
        labels = dict(CommunityType.choices)
        text += _(" (only: %(types)s)") % {
            "types": "、".join(str(labels.get(t, t)) for t in application.scope_community_types)
        }
    period = _("from %(start)s") % {"start": application.start_date.isoformat()}
    if application.valid_until:
        period += _(" until %(end)s") % {"end": application.valid_until.isoformat()}
    return f"{text}; {period}"


def _basis(application: Application) -> str:
    parts = []
    if application.legal_basis.strip():
        parts.append(application.legal_basis.strip())
    if application.basis_document.strip():
        parts.append(
            _("Required by a higher level (%(level)s): %(document)s")
            % {"level": application.get_basis_level_display(), "document": application.basis_document}
        )
    if application.meeting is not None:
        parts.append(
            _("Deliberated by %(meeting)s on %(date)s")
            % {"meeting": application.meeting.title, "date": application.meeting.held_on.isoformat()}
        )
    return "；".join(parts) or "—"


def office_name(district: Org) -> str:
    return _("Office of the community work access leading group of %(district)s") % {"district": district.name}


def content(application: Application) -> Content:
    decision = decided(application)
    if decision is None:
        raise ValueError("no decision yet")
    district = application.department.parent
    day = timezone.localdate(decision.at)
    item = _("%(name)s (%(kind)s, %(category)s): %(description)s") % {
        "name": application.name,
        "kind": application.get_kind_display(),
        "category": application.get_category_display(),
        "description": application.description or "—",
    }
    workload = _("%(frequency)s, %(hours)s worker-hours each time per community") % {
        "frequency": application.get_frequency_display(),
        "hours": application.hours_per_occurrence,
    }
    sections = [
        (_("Applicant"), application.department.name),
        (_("Item"), item),
        (_("Workload"), workload),
        (_("Decision"), _decision_text(application, decision)),
        (_("Reasons"), application.decision_reason or decision.note or "—"),
    ]
    if application.decision == Decision.APPROVE_WITH_CHANGES and application.required_changes:
        sections.append((_("Changes required"), application.required_changes))
    if decision.action != "reject":
        sections.append((_("Scope"), _scope(application)))
        if application.funding_yuan:
            sections.append(
                (
                    _("Funding"),
                    _("%(yuan)s yuan per community per year, %(channel)s")
                    % {"yuan": application.funding_yuan, "channel": application.funding_channel or "—"},
                )
            )
    sections.append((_("Basis"), _basis(application)))
    if application.work_item_id:
        sections.append((_("Catalog code"), application.work_item.code))
    return Content(
        title=_("Decision on community work access"),
        number=_("%(district)s access decision No. %(number)s")
        % {"district": district.name, "number": application.number},
        addressee=application.department.name,
        opening=_("Your application “%(name)s” (%(number)s), submitted on %(submitted)s, has been decided as follows.")
        % {
            "name": application.name,
            "number": application.number,
            "submitted": application.submitted_on.isoformat() if application.submitted_on else "—",
        },
        sections=sections,
        office=office_name(district),
        date=day.isoformat(),
    )


def filename(application: Application, suffix: str) -> str:
    return f"准入决定书-{application.number}.{suffix}"


def to_docx(application: Application) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    text = content(application)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4 portrait
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)  # GB/T 9704 margins
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(16)  # 三号
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    def paragraph(value: str, *, align=None, bold=False, size=None, font=None):
        p = doc.add_paragraph()
        run = p.add_run(value)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if font:
            run.font.name = font
            run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if align is not None:
            p.alignment = align
        return p

    paragraph(text.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=22, font="方正小标宋简体")  # 二号
    paragraph(text.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(f"{text.addressee}：")
    paragraph(text.opening).paragraph_format.first_line_indent = Pt(32)
    for label, value in text.sections:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        head = p.add_run(f"{label}：")
        head.bold = True
        p.add_run(value)
    paragraph("")
    paragraph(text.office, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(text.date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_pdf(application: Application, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, needed only for PDFs

    html = render_to_string("access/decision_print.html", {"doc": content(application), "application": application})
    return HTML(string=html, base_url=base_url).write_pdf()
