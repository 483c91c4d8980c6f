"""The district's annual burden report (.docx and PDF) with its charts.

`build` reads the figures only through monitor.selectors, monitor.standards and monitor.workload, the
functions the dashboards use, so the report's numbers equal the dashboard's by construction. `blocks`
turns a Report into headings, paragraphs, tables (numbers already formatted as text) and charts; both
`docx_bytes` (python-docx) and `pdf_bytes` (WeasyPrint, monitor/report_print.html) render those same
blocks. Charts are drawn once by matplotlib (Agg, no display) as PNG for both, with the Noto CJK font of
Debian's fonts-noto-cjk."""

import base64
import datetime as dt
import io
import math
import subprocess
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jianfu.core import clock
from jianfu.core.errors import DomainError
from jianfu.core.numbers import grouped
from jianfu.orgs.models import Org

from . import report_arrivals, selectors, selfgov, standards, workload
from .indicators import BY_KEY, HEADLINE, HEAT, INDICATORS, index_weights

ANNEX = HEAT  # the community annex shows the dashboard's heat table
STREET_COLUMNS = ["items_total", "plaques", "certificates_issued", "fields_typed", "worker_hours"]
CJK_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC"]
# Word fonts (East Asian, Latin): SimSun and SimHei are on every Chinese Word and WPS.
DOCX_FONT, DOCX_HEADING_FONT = ("宋体", "Times New Roman"), ("黑体", "Arial")
DOCX_SIZES = {"Normal": 10.5, "Title": 22, "Heading 1": 16, "Heading 2": 14, "Heading 3": 12}


def filename(district: Org, year: int, ext: str) -> str:
    return f"burden-report-{district.code}-{year}.{ext}"


NONE = "–"  # as the dashboard shows a missing figure


def fmt(value) -> str:
    """A figure as the dashboard shows it: as computed (already rounded by the selectors), thousands
    separated (2,814.2), "–" if none."""
    return NONE if value is None else str(grouped(value))


def fmt_change(change: Decimal | None) -> str:
    return NONE if change is None else f"{grouped(change)}%"


def months_text(months: list[int]) -> str:
    if not months:
        return _("no whole month yet")
    if len(months) == 1:
        return _("month %(n)s") % {"n": months[0]}
    return _("months %(first)s–%(last)s") % {"first": months[0], "last": months[-1]}


@dataclass
class StreetLine:
    street: Org
    now: dict[str, Decimal | None]
    then: dict[str, Decimal | None]

    def change(self, key: str) -> Decimal | None:
        return selectors.SummaryRow(BY_KEY[key], self.then[key], self.now[key]).change_percent


@dataclass
class Report:
    district: Org
    year: int
    baseline_year: int
    months: list[int]
    made_on: dt.date
    summary: selectors.Summary
    trend: dict[int, list[Decimal | None]]  # burden index per month: {year: [12 values]}
    streets: list[StreetLine]
    communities: list[tuple[Org, dict[str, Decimal | None]]]
    departments: list[selectors.DepartmentService]
    department_total: selectors.DepartmentService
    satisfaction: Decimal | None
    satisfaction_baseline: Decimal | None
    standards: list[standards.Standard]
    balance: workload.Balance
    weights: dict[str, Decimal] = field(default_factory=dict)
    arrivals: report_arrivals.ArrivalFigures = field(default_factory=lambda: report_arrivals.ArrivalFigures())
    self_governance: selfgov.SelfGovernance | None = None
    _images: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    @property
    def title(self) -> str:
        return _("%(district)s annual report on reducing community burdens (%(year)s)") % {
            "district": self.district.name,
            "year": self.year,
        }

    def headline(self) -> list[selectors.SummaryRow]:
        return [self.summary.row(k) for k in HEADLINE]

    def group(self, group: str, *, leave_out: list[str] = ()) -> list[selectors.SummaryRow]:
        """Summary rows of one group ("burden" or "service"), in the indicators' order."""
        return [r for r in self.summary.rows if r.indicator.group == group and r.indicator.key not in leave_out]


def build(district: Org, year: int, *, today: dt.date | None = None) -> Report:
    summary = selectors.summary(district, year, today=today)
    base, months = summary.baseline_year, summary.months
    now = selectors.children(district, year, months)
    then = dict(selectors.children(district, base, months))
    table, total = selectors.department_service(district, year, months)
    return Report(
        district=district,
        year=year,
        baseline_year=base,
        months=months,
        made_on=today or clock.today(),
        summary=summary,
        trend=selectors.trend(district, [base, year], ["burden_index"])["burden_index"],
        streets=[StreetLine(o, values, then[o]) for o, values in now],
        communities=selectors.communities(district, year, months),
        departments=table,
        department_total=total,
        satisfaction=selectors.resident_satisfaction(district, year),
        satisfaction_baseline=selectors.resident_satisfaction(district, base),
        standards=standards.check(district),
        balance=workload.balance(district, year, months),
        weights=index_weights(),
        arrivals=report_arrivals.figures(district, base, year, months, [o for o, _v in now]),
        self_governance=selfgov.for_org(district, year, base, months),
    )


# The document as blocks ----------------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    numeric_from: int = 1  # columns before this one name things; from it on are figures (right-aligned) …
    text_last: bool = False  # … but for a last column of text
    name: str = ""  # what tests and readers find it by

    def kind(self, column: int) -> str:
        """How the column is set: "name", "num" or "text" (CSS class in the PDF, alignment in Word)."""
        if column < self.numeric_from:
            return "name"
        return "text" if self.text_last and column == len(self.header) - 1 else "num"

    def lines(self) -> list[list[tuple[str, str]]]:
        return [[(text, self.kind(n)) for n, text in enumerate(row)] for row in self.rows]


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "table", "chart"
    text: str = ""
    level: int = 2
    table: Table | None = None
    chart: str = ""  # the key in charts(report)
    src: str = ""  # the chart's image as a data: URI, set for the PDF


def summary_table(report: Report, rows: list[selectors.SummaryRow], name: str) -> Table:
    header = [
        pgettext("burden report", "Indicator"),
        pgettext("burden report", "Unit"),
        _("Baseline %(year)s") % {"year": report.baseline_year},
        _("This year %(year)s") % {"year": report.year},
        pgettext("burden report", "Change"),
    ]
    body = [
        [str(r.indicator.label), str(r.indicator.unit), fmt(r.baseline), fmt(r.current), fmt_change(r.change_percent)]
        for r in rows
    ]
    return Table(header, body, numeric_from=2, name=name)


def trend_table(report: Report) -> Table:
    header = [pgettext("burden report", "Year")] + [_("M%(n)s") % {"n": m} for m in range(1, 13)]
    rows = [[str(y)] + [fmt(v) for v in report.trend[y]] for y in sorted(report.trend)]
    return Table(header, rows, name="trend")


def street_table(report: Report) -> Table:
    index = BY_KEY["burden_index"]
    header = [pgettext("burden report", "Street or town")] + [
        f"{BY_KEY[k].label}（{BY_KEY[k].unit}）" for k in STREET_COLUMNS
    ]
    header += [
        _("%(label)s %(year)s") % {"label": index.label, "year": report.baseline_year},
        _("%(label)s %(year)s") % {"label": index.label, "year": report.year},
        pgettext("burden report", "Change"),
    ]
    rows = [
        [line.street.name]
        + [fmt(line.now[k]) for k in STREET_COLUMNS]
        + [fmt(line.then["burden_index"]), fmt(line.now["burden_index"]), fmt_change(line.change("burden_index"))]
        for line in report.streets
    ]
    return Table(header, rows, name="streets")


def _rate(value) -> str:
    return NONE if value is None else f"{value}%"


def department_table(report: Report) -> Table:
    header = [
        pgettext("burden report", "Department"),
        pgettext("burden report", "Whistles dispatched"),
        pgettext("burden report", "Responded on time"),
        pgettext("burden report", "Resolved"),
        pgettext("burden report", "Satisfied"),
        pgettext("burden report", "Points"),
    ]

    def line(name, d):
        return [
            name,
            fmt(d.dispatched),
            _rate(d.response_rate),
            _rate(d.resolution_rate),
            _rate(d.satisfaction_rate),
            str(d.points),
        ]

    rows = [line(d.department.name, d) for d in report.departments]
    rows.append(line(pgettext("burden report", "Whole district"), report.department_total))
    return Table(header, rows, name="departments")


def standard_table(standard: standards.Standard) -> Table:
    header = [
        pgettext("burden report", "Community or grid"),
        pgettext("burden report", "Belongs to"),
        _("Has (%(unit)s)") % {"unit": standard.unit},
        _("Standard (%(unit)s)") % {"unit": standard.unit},
        _("Gap (%(unit)s)") % {"unit": standard.unit},
        pgettext("burden report", "What to fix"),
    ]
    rows = [
        [b.org.name, b.org.parent.name if b.org.parent else "", fmt(b.figure), fmt(b.required), fmt(b.gap), b.fix]
        for b in standard.breaches
    ]
    return Table(header, rows, numeric_from=2, text_last=True, name=standard.key)


def _flag(flag: str) -> str:
    return {
        workload.IDLE: pgettext("burden report", "idle"),
        workload.SWAMPED: pgettext("burden report", "swamped"),
    }.get(flag, "")


def load_table(loads: list[workload.Load], name: str) -> Table:
    header = [
        pgettext("burden report", "Community"),
        pgettext("burden report", "Street or town"),
        _("Worker-hours per month"),
        pgettext("burden report", "Full-time workers"),
        _("Hours per worker per month"),
        pgettext("burden report", "Outlier"),
    ]
    rows = [
        [
            r.community.name,
            r.community.parent.name,
            fmt(r.hours_per_month),
            str(r.staff),
            fmt(r.hours_per_worker),
            _flag(r.flag),
        ]
        for r in loads
    ]
    return Table(header, rows, numeric_from=2, text_last=True, name=name)


def community_table(report: Report) -> Table:
    loads = {r.community.pk: r for r in report.balance.rows}
    header = [pgettext("burden report", "Street or town"), pgettext("burden report", "Community")] + [
        str(BY_KEY[k].label) for k in ANNEX
    ]
    header += [_("Hours per worker per month"), pgettext("burden report", "Outlier")]
    rows = []
    for org, values in report.communities:
        load = loads.get(org.pk)
        rows.append(
            [org.parent.name, org.name]
            + [fmt(values[k]) for k in ANNEX]
            + [fmt(load.hours_per_worker) if load else NONE, _flag(load.flag) if load else ""]
        )
    return Table(header, rows, numeric_from=2, text_last=True, name="communities")


def _h(text: str, level: int = 2) -> Block:
    return Block("heading", text=text, level=level)


def _p(text: str) -> Block:
    return Block("paragraph", text=text)


def _t(table: Table) -> Block:
    return Block("table", table=table)


def _overview(report: Report) -> list[Block]:
    index = report.summary.row("burden_index")
    blocks = [
        _h(_("1. Overview")),
        _p(
            _(
                "The figures cover %(months)s of %(year)s and compare them with the same months of the baseline "
                "year %(baseline)s. Items carried, plaques and the burden index are means per community and "
                "month; requests, fields, meetings, certificates and hours are totals over all communities."
            )
            % {"months": months_text(report.months), "year": report.year, "baseline": report.baseline_year}
        ),
    ]
    if report.months:
        blocks.append(
            _p(
                _("The burden index went from %(then)s in %(baseline)s to %(now)s in %(year)s (%(change)s).")
                % {
                    "then": fmt(index.baseline),
                    "now": fmt(index.current),
                    "baseline": report.baseline_year,
                    "year": report.year,
                    "change": fmt_change(index.change_percent),
                }
            )
        )
    blocks += [
        _h(_("Headline indicators"), 3),
        _t(summary_table(report, report.headline(), "headline")),
        _h(_("Other burden indicators"), 3),
        _t(summary_table(report, report.group("burden", leave_out=HEADLINE), "other-burden")),
    ]
    return blocks


def _index(report: Report) -> list[Block]:
    return [
        _h(_("2. Burden index and its trend")),
        _p(_("Burden index per month (mean per community; 100 = the average community of the baseline year).")),
        Block("chart", chart="trend"),
        _t(trend_table(report)),
        _p(_("Change of each headline indicator against the baseline year, in %.")),
        Block("chart", chart="change"),
    ]


def _streets(report: Report) -> list[Block]:
    return [
        _h(_("3. Streets and towns")),
        _p(
            _("Streets and towns ranked by burden index in %(months)s of %(year)s.")
            % {"months": months_text(report.months), "year": report.year}
        ),
        Block("chart", chart="streets"),
        _t(street_table(report)),
    ]


def _service(report: Report) -> list[Block]:
    satisfaction = _(
        "Residents' mean score for their communities in the latest released evaluation up to %(year)s: "
        "%(score)s (up to %(baseline)s: %(base_score)s)."
    ) % {
        "year": report.year,
        "score": fmt(report.satisfaction),
        "baseline": report.baseline_year,
        "base_score": fmt(report.satisfaction_baseline),
    }
    return [
        _h(_("4. Serving residents")),
        _t(summary_table(report, report.group("service"), "service")),
        _p(satisfaction),
        _h(_("Whistles answered by departments"), 3),
        _p(
            _(
                "Whistles blown by communities and dispatched to departments in %(months)s of %(year)s, with "
                "the share responded to on time, resolved, and rated satisfied."
            )
            % {"months": months_text(report.months), "year": report.year}
        ),
        _t(department_table(report)),
    ]


def selfgov_table(report: Report) -> Table:
    figures = report.self_governance
    header = [
        _("Kind of meeting"),
        _("Meetings held %(year)s") % {"year": report.baseline_year},
        _("Meetings held %(year)s") % {"year": report.year},
        _("Residents taking part"),
        _("Follow-ups done"),
    ]
    lines = [(line.label, line.then, line.now) for line in figures.lines]
    lines.append((_("All kinds"), figures.total_then, figures.total_now))
    rows = [
        [label, *(grouped(v) for v in (then.held, now.held, now.participants, now.follow_ups_done))]
        for label, then, now in lines
    ]
    return Table(header, rows, name="selfgov")


def _selfgov(report: Report) -> list[Block]:
    if report.self_governance is None:
        return []
    return [
        _h(_("Residents' self-governance"), 3),
        _p(
            _(
                "Hearings, forums, dialogues and consultations residents held in %(months)s, from the published "
                "deliberation records (seeds 001 and 004 encourage them). They are not burden: they count neither "
                "in the meetings to attend nor in the burden index."
            )
            % {"months": months_text(report.months)}
        ),
        _t(selfgov_table(report)),
    ]


def _standards(report: Report) -> list[Block]:
    blocks = [_h(_("5. Community building standards"))]
    for n, standard in enumerate(report.standards, start=1):
        blocks.append(_h(f"（{n}）{standard.title}", 3))
        figures = {"rule": standard.rule, "count": len(standard.breaches)}
        if standard.key == "space":
            figures["m2"] = sum((b.gap for b in standard.breaches), Decimal(0))
            text = _("Standard: %(rule)s. %(count)s below it, %(m2)s m² short in all.") % figures
        else:
            text = _("Standard: %(rule)s. %(count)s below or outside it.") % figures
        blocks.append(_p(text))
        if standard.breaches:
            blocks.append(_t(standard_table(standard)))
    return blocks


def _balance(report: Report) -> list[Block]:
    balance = report.balance
    blocks = [_h(_("6. Workload balance"))]
    if balance.low_fence is None:
        blocks.append(
            _p(
                _("Median %(median)s worker-hours per worker and month; too few communities to name outliers.")
                % {"median": fmt(balance.median)}
            )
        )
        return blocks
    blocks.append(
        _p(
            _(
                "Estimated worker-hours per full-time worker and month: median %(median)s. Communities below "
                "%(low)s are named idle, above %(high)s swamped (Tukey's fences, 1.5 × the interquartile "
                "range)."
            )
            % {"median": fmt(balance.median), "low": fmt(balance.low_fence), "high": fmt(balance.high_fence)}
        )
    )
    outliers = balance.swamped + balance.idle
    if outliers:
        blocks.append(
            _p(
                _("Swamped: %(swamped)s. Idle: %(idle)s.")
                % {
                    "swamped": "、".join(r.community.name for r in balance.swamped)
                    or pgettext("burden report", "none"),
                    "idle": "、".join(r.community.name for r in balance.idle) or pgettext("burden report", "none"),
                }
            )
        )
        blocks.append(_t(load_table(outliers, "outliers")))
    else:
        blocks.append(_p(_("No community lies outside the fences.")))
    return blocks


def _notes(report: Report) -> list[Block]:
    weight = pgettext("burden report", "weight")
    terms = "、".join(f"{i.label}（{weight} {report.weights[i.key].normalize()}）" for i in INDICATORS if i.in_index)
    return [
        _h(_("7. Notes")),
        _p(
            _(
                "Sources: every figure is computed from the records the platform already holds (the work "
                "catalog, the shared ledger, certificates, cases and whistles, resident evaluations and the "
                "organisation tree); nothing was typed for this report. The same figures are on the monitor "
                "dashboard."
            )
        ),
        _p(
            _(
                "Burden index (per community and month): 100 × the weighted mean, over the index indicators "
                "with a baseline, of the community's figure divided by the district's mean per community and "
                "month in the baseline year. 100 is the average community of the baseline year; 50 is half its "
                "burden. Index indicators: %(terms)s."
            )
            % {"terms": terms}
        ),
        _p(
            _(
                "Months compared: %(months)s of %(year)s against the same months of %(baseline)s (a year still "
                "running is compared on its whole months). Report made on %(day)s."
            )
            % {
                "months": months_text(report.months),
                "year": report.year,
                "baseline": report.baseline_year,
                "day": report.made_on.isoformat(),
            }
        ),
    ]


def blocks(report: Report) -> list[Block]:
    """The report's sections in order; a chart with nothing to draw is left out."""
    drawn = charts(report)
    return [
        b
        for b in (
            *_overview(report),
            *report_arrivals.blocks(report),
            *_index(report),
            *_streets(report),
            *_service(report),
            *_selfgov(report),
            *_standards(report),
            *_balance(report),
            *_notes(report),
        )
        if b.kind != "chart" or b.chart in drawn
    ]


def annex(report: Report) -> list[Block]:
    return [
        _h(_("Annex: figures per community")),
        _p(
            _("%(months)s of %(year)s; units as in the overview.")
            % {"months": months_text(report.months), "year": report.year}
        ),
        _t(community_table(report)),
    ]


# Charts (matplotlib) -------------------------------------------------------------------------------


class FontMissing(DomainError):
    code = "font_missing"
    status = 500


def cjk_family() -> str:
    """A CJK font family matplotlib can use; fonts-noto-cjk gives Noto Sans CJK SC."""
    from matplotlib import font_manager

    def found(family: str) -> bool:
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            return False
        return True

    for family in CJK_FAMILIES:
        if found(family):
            return family
    # Installed after matplotlib cached its font list: ask fontconfig for the file.
    try:
        path = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{CJK_FAMILIES[0]}:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except OSError:
        path = ""
    if "CJK" in path:
        font_manager.fontManager.addfont(path)
        if found(CJK_FAMILIES[0]):
            return CJK_FAMILIES[0]
    raise FontMissing(_("No Chinese font for the report charts: install the Debian package fonts-noto-cjk."))


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "trend" or "bars"
    labels: list[str]
    series: list[tuple[str, list[Decimal | None]]]
    unit: str = ""


def charts(report: Report) -> dict[str, Chart]:
    """The charts that have something to draw, by key."""
    index = BY_KEY["burden_index"]
    streets = sorted(
        (line for line in report.streets if line.now["burden_index"] is not None),
        key=lambda line: line.now["burden_index"],
    )
    changes = [r for r in report.headline() if r.change_percent is not None]
    drawn = {
        "trend": Chart(
            "trend",
            _("Burden index per month"),
            "trend",
            [str(m) for m in range(1, 13)],
            [(str(y), report.trend[y]) for y in sorted(report.trend)],
            unit=str(index.unit),
        ),
        "streets": Chart(
            "streets",
            _("Streets and towns by burden index, %(year)s") % {"year": report.year},
            "bars",
            [line.street.name for line in streets],
            [(str(report.year), [line.now["burden_index"] for line in streets])],
            unit=str(index.unit),
        ),
        "change": Chart(
            "change",
            _("Change against %(year)s") % {"year": report.baseline_year},
            "bars",
            [str(r.indicator.label) for r in reversed(changes)],
            [("%", [r.change_percent for r in reversed(changes)])],
            unit="%",
        ),
    }
    return {key: chart for key, chart in drawn.items() if any(v is not None for _s, vs in chart.series for v in vs)}


COLOURS = ["#9ecae1", "#2171b5"]


def _figure(chart: Chart):
    from matplotlib.figure import Figure

    if chart.kind == "trend":
        fig = Figure(figsize=(6.4, 3.0))
        ax = fig.add_subplot()
        x = range(1, 13)
        for (name, values), colour in zip(chart.series, COLOURS, strict=False):
            ax.plot(x, [math.nan if v is None else float(v) for v in values], marker="o", color=colour, label=name)
        ax.axhline(100, color="#999999", linewidth=0.8, linestyle="--")
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter("{x:,.10g}")
        ax.set_xticks(list(x), chart.labels)
        ax.set_xlabel(pgettext("burden report", "Month"))
        ax.set_ylabel(chart.unit)
        ax.legend(loc="best", frameon=False)
    else:
        values = [float(v or 0) for v in chart.series[0][1]] if chart.series else []
        fig = Figure(figsize=(6.4, max(1.6, 0.32 * len(values) + 0.9)))
        ax = fig.add_subplot()
        colours = ["#2e7d32" if v < 0 else "#c62828" for v in values] if chart.unit == "%" else "#2171b5"
        bars = ax.barh(range(len(values)), values, color=colours)
        ax.set_yticks(range(len(values)), chart.labels)
        ax.bar_label(bars, labels=[f"{v:,.0f}" if chart.unit == "%" else f"{v:,.10g}" for v in values], padding=2)
        ax.xaxis.set_major_formatter("{x:,.10g}")
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.margins(x=0.15)
        ax.set_xlabel(chart.unit)
    ax.set_title(chart.title)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def render(chart: Chart) -> bytes:
    """The chart as a 200 dpi PNG (python-docx embeds no SVG; WeasyPrint prints the PNG faster too)."""
    import matplotlib

    with matplotlib.rc_context({"font.family": [cjk_family()], "font.size": 9, "axes.unicode_minus": False}):
        fig = _figure(chart)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=200)
    return out.getvalue()


def images(report: Report) -> dict[str, bytes]:
    """Every chart of the report as PNG, drawn once for both documents."""
    if not report._images:
        report._images.update({key: render(chart) for key, chart in charts(report).items()})
    return report._images


# Word ----------------------------------------------------------------------------------------------


def _set_fonts(style, fonts: tuple[str, str]) -> None:
    """Set the style's East Asian (w:eastAsia) and Latin fonts, dropping theme fonts that would win."""
    from docx.oxml.ns import qn

    east_asian, latin = fonts
    element = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        element.attrib.pop(qn(attr), None)
    element.set(qn("w:eastAsia"), east_asian)
    element.set(qn("w:ascii"), latin)
    element.set(qn("w:hAnsi"), latin)


def _docx_table(doc, table: Table, size) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    out = doc.add_table(rows=1, cols=len(table.header))
    out.style = "Table Grid"
    out.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on every page
    for cell, text in zip(out.rows[0].cells, table.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        for n, (cell, text) in enumerate(zip(out.add_row().cells, row, strict=True)):
            cell.text = text
            if table.kind(n) == "num":
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in out.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = size


def _docx_blocks(doc, items: list[Block], pngs: dict[str, bytes], width, table_size) -> None:
    for b in items:
        if b.kind == "heading":
            doc.add_heading(b.text, level=b.level - 1)
        elif b.kind == "paragraph":
            doc.add_paragraph(b.text)
        elif b.kind == "table":
            _docx_table(doc, b.table, table_size)
            doc.add_paragraph()
        elif b.kind == "chart":
            doc.add_picture(io.BytesIO(pngs[b.chart]), width=width)


def docx_bytes(report: Report) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    doc.core_properties.title = report.title
    doc.core_properties.language = "zh-CN"
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    normal = doc.styles["Normal"]
    _set_fonts(normal, DOCX_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    for name, size in DOCX_SIZES.items():
        style = doc.styles[name]
        style.font.size = Pt(size)
        if name != "Normal":
            _set_fonts(style, DOCX_HEADING_FONT)
            style.font.color.rgb = RGBColor(0, 0, 0)
    title = doc.add_heading(report.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(
        _("%(months)s of %(year)s against %(baseline)s · made on %(day)s")
        % {
            "months": months_text(report.months),
            "year": report.year,
            "baseline": report.baseline_year,
            "day": report.made_on.isoformat(),
        }
    )
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pngs = images(report)
    _docx_blocks(doc, blocks(report), pngs, Cm(16), Pt(9))
    landscape = doc.add_section(WD_SECTION.NEW_PAGE)
    landscape.orientation = WD_ORIENT.LANDSCAPE
    landscape.page_width, landscape.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(landscape, side, Cm(1.5))
    _docx_blocks(doc, annex(report), pngs, Cm(24), Pt(7.5))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# PDF -----------------------------------------------------------------------------------------------


def html(report: Report) -> str:
    uris = {key: "data:image/png;base64," + base64.b64encode(png).decode() for key, png in images(report).items()}
    context = {
        "report": report,
        "title": report.title,
        "subtitle": _("%(months)s of %(year)s against %(baseline)s · made on %(day)s")
        % {
            "months": months_text(report.months),
            "year": report.year,
            "baseline": report.baseline_year,
            "day": report.made_on.isoformat(),
        },
        "blocks": [replace(b, src=uris[b.chart]) if b.kind == "chart" else b for b in blocks(report)],
        "annex": annex(report),
    }
    return render_to_string("monitor/report_print.html", context)


def pdf_bytes(report: Report) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, needed only for PDFs

    return HTML(string=html(report)).write_pdf()
