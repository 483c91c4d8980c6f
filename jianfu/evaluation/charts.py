"""Horizontal bar charts as plain SVG geometry, drawn by a template: no JavaScript and no plotting
library, so the same chart shows in the browser and prints in WeasyPrint's PDF."""

from dataclasses import dataclass
from decimal import Decimal

LABEL_WIDTH = 190
BAR_AREA = 420
VALUE_WIDTH = 60
ROW = 22
BAR = 15
TOP = 18


@dataclass
class Bar:
    label: str
    value: Decimal | None
    y: int
    width: str  # SVG numbers as text, so no locale formats them
    text_y: int
    value_x: str
    muted: bool  # not valid / no data: drawn grey


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_area: int
    ticks: list[tuple[str, int]]  # (x, value)


def bar_chart(
    title: str, rows: list[tuple[str, Decimal | None, bool]], *, max_value: int = 100, label_width: int = LABEL_WIDTH
) -> Chart:
    """rows: (label, value from 0 to max_value or None, highlighted?)."""
    bars = []
    for n, (label, value, strong) in enumerate(rows):
        y = TOP + n * ROW
        width = 0.0 if value is None else round(float(value) / max_value * BAR_AREA, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=f"{width:.1f}",
                text_y=y + BAR - 3,
                value_x=f"{label_width + width + 4:.1f}",
                muted=not strong,
            )
        )
    ticks = [(f"{label_width + BAR_AREA * v / max_value:.1f}", v) for v in range(0, max_value + 1, max_value // 4)]
    return Chart(
        title=title,
        bars=bars,
        width=label_width + BAR_AREA + VALUE_WIDTH,
        height=TOP + len(rows) * ROW + 8,
        label_width=label_width,
        bar_area=BAR_AREA,
        ticks=ticks,
    )
