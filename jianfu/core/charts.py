"""Charts drawn in the browser by the vendored Apache ECharts, each with its table and an .xlsx export.

A view builds `Chart`s from numbers it already holds; the page shows them with `{% load charts %}
{% chart c %}` and answers `?export=<name>` with `export_response(request, charts)`. The ECharts option
is plain JSON (no JavaScript functions), so pages stay CSP-safe; jianfu/static/jianfu/charts.js draws it.

Every category label is drawn (ECharts hides overlapping ones unless told `interval: 0`; long or many
labels are turned), axes carry their names and units, and figures of 1,000 or more read with
separators: ECharts groups value-axis ticks and tooltips itself, bar labels and heat cells get their
text from here (jianfu.core.numbers.grouped).
"""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from .numbers import grouped
from .tabular import xlsx_response

Number = Decimal | int | float | None
KINDS = ("line", "bar", "rank", "heat")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NOT_IN_SHEET_TITLE = re.compile(r"[\\/?*\[\]:]")
HEAT_COLOURS = ["#eef5fc", "#9ecae1", "#2171b5", "#08306b"]
# Room for horizontal category labels on a vertical chart, in half-ems (a CJK character takes two):
# beyond it the labels are turned, so none overlaps and none is hidden.
FLAT_LABELS_WIDTH = 70


@dataclass
class Series:
    name: str
    values: list[Number]


@dataclass
class Chart:
    name: str  # slug, unique on a page: the export query parameter (?export=<name>) and element ids use it
    title: str
    kind: str  # "line" (trend), "bar" (vertical), "rank" (horizontal bars, largest first), "heat" (rows × columns)
    categories: list[str]  # x labels; for heat: the column labels
    series: list[Series] = field(default_factory=list)  # for heat: one Series per row, named by its row label
    unit: str = ""
    label: str = ""  # what the categories are (heat: what the rows are), the table's first header

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"chart kind must be one of {KINDS}, not {self.kind!r}")
        if not NAME.match(self.name):
            raise ValueError(f"chart name must be a lower-case slug, not {self.name!r}")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self.categories)} categories")

    # The table view and the .xlsx ------------------------------------------------------------------

    def _with_unit(self, text: str) -> str:
        return f"{text}（{self.unit}）" if self.unit else text

    def _ranked(self) -> list[int]:
        """Category indexes, largest value of the first series first; missing values last."""
        values = self.series[0].values if self.series else []
        order = range(len(self.categories))
        return sorted(order, key=lambda i: (values[i] is None, -(values[i] or 0))) if values else list(order)

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows, numbers exactly as given (a Decimal stays a Decimal)."""
        first = self.label or _("Item")
        if self.kind == "heat":
            header = [first] + [self._with_unit(c) for c in self.categories]
            return header, [[s.name, *s.values] for s in self.series]
        header = [first] + [self._with_unit(s.name) for s in self.series]
        order = self._ranked() if self.kind == "rank" else range(len(self.categories))
        return header, [[self.categories[i], *(s.values[i] for s in self.series)] for i in order]

    @property
    def rows(self) -> int:
        """How many bands the chart stacks vertically (rank: bars, heat: rows); CSS sizes the canvas by it."""
        if self.kind == "heat":
            return len(self.series)
        return len(self.categories) if self.kind == "rank" else 0

    # The ECharts option -----------------------------------------------------------------------------

    def option(self) -> dict:
        """The ECharts option: JSON-serialisable (Decimal → float, None → null), no JavaScript functions."""
        return {"heat": self._heat, "rank": self._rank}.get(self.kind, self._trend)()

    def _base(self) -> dict:
        many = len(self.series) > 1
        return {
            "animation": False,
            "aria": {"enabled": True},
            "tooltip": {"trigger": "axis", "confine": True},
            "legend": {"show": many, "type": "scroll", "top": 0},
            "grid": {"left": 8, "right": 24, "top": 40 if many else 24, "bottom": 8},
        }

    def _trend(self) -> dict:
        option = self._base()
        rotate = _rotation(self.categories)
        option["xAxis"] = {
            "type": "category",
            "data": list(self.categories),
            "boundaryGap": self.kind == "bar",
            "axisLabel": {"interval": 0, "rotate": rotate, "hideOverlap": False},
            "name": self.label,
            "nameLocation": "middle",
            "nameGap": _name_gap(self.categories, rotate),
        }
        option["yAxis"] = {"type": "value", "name": self.unit}
        option["series"] = [
            {"type": self.kind, "name": s.name, "data": [_number(v) for v in s.values], "connectNulls": False}
            for s in self.series
        ]
        return option

    def _rank(self) -> dict:
        order = self._ranked()
        option = self._base()
        option["tooltip"]["axisPointer"] = {"type": "shadow"}
        option["xAxis"] = {"type": "value", "name": self.unit}
        option["yAxis"] = {
            "type": "category",
            "inverse": True,  # the largest on top
            "data": [self.categories[i] for i in order],
            "axisLabel": {"interval": 0, "hideOverlap": False},
            "name": self.label,
            "nameLocation": "start",  # above the first bar (the axis is inverted)
        }
        option["series"] = [
            {
                "type": "bar",
                "name": s.name,
                "data": [_labelled(s.values[i]) for i in order],
                "label": {"show": len(self.series) == 1, "position": "right"},
            }
            for s in self.series
        ]
        return option

    def _heat(self) -> dict:
        """Each column is coloured by where a value stands between that column's own minimum and maximum,
        so indicators on different scales share one colour ramp; labels and tooltips show the real value."""
        columns = len(self.categories)
        bounds = []
        for c in range(columns):
            present = [float(s.values[c]) for s in self.series if s.values[c] is not None]
            bounds.append((min(present), max(present)) if present else (0.0, 0.0))
        data = []
        for r, s in enumerate(self.series):
            for c, value in enumerate(s.values):
                if value is None:
                    continue
                low, high = bounds[c]
                level = round((float(value) - low) / (high - low), 4) if high > low else 0.5
                data.append({"name": f"{s.name} · {self.categories[c]}", "value": [c, r, level, _text(value)]})
        return {
            "animation": False,
            "aria": {"enabled": True},
            "tooltip": {"trigger": "item", "confine": True},
            "grid": {"left": 8, "right": 8, "top": 8, "bottom": 48},
            "xAxis": {
                "type": "category",
                "position": "top",
                "data": list(self.categories),
                "splitArea": {"show": True},
                "axisLabel": {"interval": 0, "rotate": 30 if columns > 4 else 0, "hideOverlap": False},
            },
            "yAxis": {
                "type": "category",
                "inverse": True,  # the first row on top, as in the table
                "data": [s.name for s in self.series],
                "splitArea": {"show": True},
                "axisLabel": {"interval": 0, "hideOverlap": False},
            },
            "visualMap": {
                "type": "continuous",
                "dimension": 2,
                "min": 0,
                "max": 1,
                "calculable": False,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
                "itemHeight": 120,
                "text": [_("High"), _("Low")],
                "inRange": {"color": HEAT_COLOURS},
            },
            "series": [
                {
                    "type": "heatmap",
                    "name": self.title,
                    "dimensions": ["column", "row", "level", {"name": "value", "type": "ordinal"}],
                    "encode": {"x": 0, "y": 1, "tooltip": 3},
                    "data": data,
                    "label": {"show": True, "formatter": "{@[3]}", "fontSize": 10},
                    "labelLayout": {"hideOverlap": True},
                    "emphasis": {"itemStyle": {"borderColor": "#333", "borderWidth": 1}},
                }
            ],
        }


def _number(value: Number) -> float | int | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def _text(value: Number) -> str:
    """The value as the data has it, grouped: Decimal("12.50") stays "12.50" (never "1.25E+1"), 2260 reads 2,260."""
    return str(grouped(value))


def _labelled(value: Number):
    """A bar's value; from 1,000 up it carries its own label text, as ECharts' default label does not group."""
    number = _number(value)
    if number is None or abs(number) < 1000:
        return number
    return {"value": number, "label": {"formatter": _text(value)}}


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _rotation(labels: list[str]) -> int:
    """Degrees to turn category labels so all of them show: flat while they fit side by side."""
    total = sum(_width(str(label)) + 2 for label in labels)
    if total <= FLAT_LABELS_WIDTH:
        return 0
    return 30 if total <= 2 * FLAT_LABELS_WIDTH else 45


def _name_gap(labels: list[str], rotate: int) -> int:
    """Pixels between the category axis and its name, clear of the (turned) labels at 12px."""
    if not rotate:
        return 28
    longest = max((_width(str(label)) for label in labels), default=0)
    return 20 + round(longest * 6 * math.sin(math.radians(rotate)))


def export_response(request, charts: list[Chart]) -> HttpResponse | None:
    """`?export=<name>` naming one of `charts`: its table as an .xlsx download; otherwise None."""
    name = request.GET.get("export")
    chart = next((c for c in charts if c.name == name), None) if name else None
    if chart is None:
        return None
    header, rows = chart.table()
    title = NOT_IN_SHEET_TITLE.sub(" ", chart.title).strip() or chart.name
    return xlsx_response(f"{title}.xlsx", header, rows, title=title)
