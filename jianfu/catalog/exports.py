"""The published catalog as the office prints and files it: .xlsx, .docx and PDF."""

import io
from itertools import groupby

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt

from jianfu.core.tabular import xlsx_bytes

from .models import CatalogVersion

COLUMNS = [
    "编码",
    "名称",
    "类型",
    "类别",
    "责任部门",
    "法律依据",
    "经费（元/年）",
    "经费渠道",
    "频次",
    "每月工时",
    "临时",
    "有效期至",
    "范围",
]


def title(version: CatalogVersion) -> str:
    return f"{version.district.name}{version.year}年度部门工作进社区指导目录（第{version.number}版）"


def rows(entries):
    for e in entries:
        yield [
            e.code,
            e.name,
            str(e.get_kind_display()),
            str(e.get_category_display()),
            e.department,
            e.basis,
            e.funding_yuan,
            e.funding_channel,
            str(e.get_frequency_display()),
            float(e.hours_per_month),
            "是" if e.temporary else "",
            e.valid_until.isoformat() if e.valid_until else "",
            e.scope,
        ]


def to_xlsx(version: CatalogVersion, entries) -> bytes:
    return xlsx_bytes(COLUMNS, rows(entries), title=f"{version.year}年度目录")


def to_docx(version: CatalogVersion, entries) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.styles["Normal"].font.size = Pt(9)
    doc.add_heading(title(version), level=1)
    doc.add_paragraph(
        _("Published %(date)s. Work not in this catalog may be refused by communities (非准不入).")
        % {"date": version.published_at.date().isoformat()}
    )
    headers = ["编码", "名称", "类型", "类别", "法律依据", "经费（元/年）", "每月工时"]
    for department, group in groupby(entries, key=lambda e: e.department):
        doc.add_heading(department, level=2)
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=False):
            cell.text = text
        for e in group:
            cells = table.add_row().cells
            values = [
                e.code,
                e.name,
                e.get_kind_display(),
                e.get_category_display(),
                e.basis,
                e.funding_yuan or "",
                e.hours_per_month,
            ]
            for cell, value in zip(cells, values, strict=False):
                cell.text = str(value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_pdf(version: CatalogVersion, entries, request=None) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, needed only for PDFs

    html = render_to_string(
        "catalog/catalog_print.html", {"version": version, "entries": entries, "title": title(version)}
    )
    return HTML(string=html, base_url=request.build_absolute_uri("/") if request else None).write_pdf()
