"""The annual burden report: its figures are the dashboard's (monitor.selectors, standards, workload),
in a .docx python-docx opens and a PDF whose text pypdfium2 reads back."""

import io
import re

import pypdfium2
import pytest
from django.core.management import call_command
from docx import Document
from docx.oxml.ns import qn

from jianfu.core import clock
from jianfu.monitor import report, selectors, services, standards, workload
from jianfu.monitor.indicators import HEADLINE
from jianfu.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db

SECTIONS = [
    "一、总体情况",
    "二、负担指数和趋势",
    "三、各街道（镇）情况",
    "四、服务群众情况",
    "五、社区建设标准",
    "六、工作量均衡",
    "七、说明",
]


@pytest.fixture
def computed(small):
    services.refresh(small["district"], [2025, 2026])
    return small


def word(data: bytes):
    return Document(io.BytesIO(data))


def cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def table_by_header(doc, *header: str) -> list[list[str]]:
    """The one table whose header begins with these cells."""
    found = [cells(t) for t in doc.tables if [c.text for c in t.rows[0].cells[: len(header)]] == list(header)]
    assert len(found) == 1, f"{len(found)} tables headed {header}"
    return found[0]


def headline(doc) -> dict[str, list[str]]:
    """The headline table by its first column: {indicator label: [unit, baseline, current, change]}."""
    labels = {str(selectors.indicator(k).label) for k in HEADLINE}
    tables = [cells(t) for t in doc.tables if t.rows[0].cells[0].text == "指标"]
    found = [t for t in tables if {row[0] for row in t[1:]} == labels]
    assert len(found) == 1
    return {row[0]: row[1:] for row in found[0][1:]}


def displayed(row) -> list[str]:
    return [
        str(row.indicator.unit),
        report.fmt(row.baseline),
        report.fmt(row.current),
        report.fmt_change(row.change_percent),
    ]


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


def appears(cells: list[str], text: str) -> bool:
    """The cells of a table row, in order, separated by nothing but whitespace in the PDF's text."""
    tokens = [t for cell in cells for t in cell.split()]
    return re.search(r"\s*".join(re.escape(t) for t in tokens), text) is not None


def test_the_word_report_shows_the_dashboard_summary_and_charts(computed):
    district = computed["district"]
    built = report.build(district, 2026)
    doc = word(report.docx_bytes(built))
    summary = selectors.summary(district, 2026)
    assert (built.baseline_year, built.months) == (2025, [1, 2])
    table = headline(doc)
    for key in HEADLINE:
        row = summary.row(key)
        assert table[str(row.indicator.label)] == displayed(row)
    # By hand (test_indicators): 6.5 → 2.0 items per community and month; 20 → 12 certificates.
    assert table[str(selectors.indicator("items_total").label)][1:] == ["6.5", "2.0", "-69%"]
    assert table[str(selectors.indicator("certificates_issued").label)][1:] == ["20", "12", "-40%"]
    assert table[str(selectors.indicator("fields_typed").label)][1:] == ["0", "5", "–"]
    # Every other indicator appears with the same figures: the rest of the burden ones and the service ones.
    others = [r for r in summary.rows if r.indicator.key not in HEADLINE]
    lines = {row[0]: row[1:] for t in doc.tables for row in cells(t)[1:]}
    assert all(lines[str(r.indicator.label)] == displayed(r) for r in others)
    # Streets: the selector's figures, ranked in a chart; the three charts are embedded pictures.
    items = selectors.indicator("items_total")
    streets = table_by_header(doc, "街道（镇）", f"{items.label}（{items.unit}）")
    assert [(r[0], r[-2]) for r in streets[1:]] == [
        (o.name, report.fmt(v["burden_index"])) for o, v in selectors.children(district, 2026, [1, 2])
    ]
    assert len(doc.inline_shapes) >= 3
    # Standards: all four communities of the tree have 300 m² where 440–880 m² are due.
    space = table_by_header(doc, "社区或网格", "所属", "现有（m²）")
    assert len(space) - 1 == len(standards.check(district)[0].breaches) == 4
    assert space[1][:5] == ["街道2社区2", "第2街道", "300.0", "880.0", "580.0"]
    # Workload: every community's hours per worker in the annex, as workload.balance computes them.
    annex = table_by_header(doc, "街道（镇）", "社区")
    balance = workload.balance(district, 2026, [1, 2])
    assert [r[-2] for r in annex[1:]] == [report.fmt(r.hours_per_worker) for r in balance.rows]
    # Title and Chinese fonts on the styles (w:eastAsia), theme fonts removed.
    assert doc.paragraphs[0].text == built.title == "测试区社区减负工作年度报告（2026年）"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS + ["附表：各社区指标"]
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体" and fonts.get(qn("w:eastAsiaTheme")) is None
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    # A4, with the annex in landscape.
    assert [round(s.page_width.cm, 1) for s in doc.sections] == [21.0, 29.7]


def test_the_pdf_carries_the_same_figures_and_headings(computed):
    district = computed["district"]
    built = report.build(district, 2026)
    data = report.pdf_bytes(built)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "测试区社区减负工作年度报告（2026年）" in re.sub(r"\s", "", text)
    assert all(heading in text for heading in SECTIONS)
    for block in report.blocks(built) + report.annex(built):
        if block.kind == "heading":
            assert appears([block.text], text), block.text
    summary = selectors.summary(district, 2026)
    for row in summary.rows:
        assert appears([str(row.indicator.label), *displayed(row)], text), row.indicator.key
    # Chinese text is real text in the PDF (the Noto CJK font is embedded), not boxes.
    for name in ("第1街道", "第2街道", "街道2社区2"):
        assert name in text
    assert len(pypdfium2.PdfDocument(data)) >= 3


def test_the_command_writes_both_files_for_the_first_district_and_this_year(computed, tmp_path):
    out = io.StringIO()
    call_command("burden_report", "--out", str(tmp_path / "reports"), stdout=out)
    assert clock.today().year == 2026
    docx_file = tmp_path / "reports" / "burden-report-D-2026.docx"
    pdf_file = tmp_path / "reports" / "burden-report-D-2026.pdf"
    assert out.getvalue().split() == [str(docx_file), str(pdf_file)]
    assert report.filename(computed["district"], 2026, "pdf") == pdf_file.name
    assert len(word(docx_file.read_bytes()).inline_shapes) >= 3
    assert pdf_file.read_bytes().startswith(b"%PDF")


def test_the_command_names_an_unknown_district(computed, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="NOPE"):
        call_command("burden_report", "--district", "NOPE", "--out", str(tmp_path))


def test_a_year_without_a_whole_month_still_reports_without_empty_charts(computed):
    built = report.build(computed["district"], 2027)  # today is 2026-03-16
    assert built.months == [] and set(report.charts(built)) == {"trend"}  # the baseline year's line only
    doc = word(report.docx_bytes(built))
    assert len(doc.inline_shapes) == 1
    assert all(row[3] == "–" for row in cells(doc.tables[0])[1:])


# The demo district stays loaded to the end of the module once a test asks for it: keep these tests last.
@pytest.fixture
def demo(demo_module, db):
    """Read-only: the demo district as loaded once for this module."""


def test_the_demo_report_equals_the_dashboard(demo):
    district = Org.objects.filter(kind=OrgKind.DISTRICT).order_by("path").first()
    year = clock.reporting_year()  # the demo's reform year: this year, or last year in January
    built = report.build(district, year)
    doc = word(report.docx_bytes(built))
    summary = selectors.summary(district, year)
    table = headline(doc)
    for key in HEADLINE:
        assert table[str(summary.row(key).indicator.label)] == displayed(summary.row(key))
    certificates = summary.row("certificates_issued")
    assert -45 <= certificates.change_percent <= -35  # seed 001: certificates −40 %
    assert table[str(certificates.indicator.label)][3] == f"{certificates.change_percent}%"
    # Seed 002: 24 communities below the space standard, all named in the report.
    space = table_by_header(doc, "社区或网格", "所属", "现有（m²）")
    assert len(space) - 1 == 24
    assert any(p.text.startswith("标准：") and "未达标 24 个" in p.text for p in doc.paragraphs)
    pdf = report.pdf_bytes(built)
    assert pdf.startswith(b"%PDF") and appears(
        [str(certificates.indicator.label), *displayed(certificates)], pdf_text(pdf)
    )
