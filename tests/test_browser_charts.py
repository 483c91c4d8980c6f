"""The vendored ECharts really draws jianfu's charts in headless Chromium, on the desktop and on a phone,
without a console error and without a single request to another host.

No page uses the chart component yet, so this module serves one itself: a test-only URLconf (the
project's URLs plus /charts-test/) whose view renders base.html with a trend and a heat table."""

import io
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from openpyxl import load_workbook
from playwright.sync_api import expect

from jianfu.core.charts import Chart, Series, export_response
from jianfu.urls import urlpatterns as project_urlpatterns

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.test_browser_charts"),
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
INDICATORS = ["台账", "报表", "系统", "挂牌", "证明", "考核"]
COMMUNITIES = [f"第{i}社区" for i in range(1, 13)]

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}{% load charts %}
    {% block content %}<h1>图表</h1>{% chart trend %}{% chart heat %}{% endblock %}"""
)


def charts():
    trend = Chart(
        name="trend",
        title="每月新增报表",
        kind="line",
        categories=[f"2026-{m:02d}" for m in range(1, 13)],
        series=[
            Series("浒山街道", [12, 15, 9, None, 7, 6, 8, 5, 4, 6, 3, 2]),
            Series("古塘街道", [Decimal("8.5"), 9, 11, 10, 9, 7, 6, 6, 5, 4, 4, 3]),
        ],
        unit="份",
        label="月份",
    )
    heat = Chart(
        name="heat",
        title="社区 × 指标",
        kind="heat",
        categories=INDICATORS,
        series=[
            Series(name, [r * 3 + c if (r + c) % 7 else None for c in range(len(INDICATORS))])
            for r, name in enumerate(COMMUNITIES)
        ]
        + [Series("旦苑社区", [Decimal("1.50"), 2, 3, 4, 5, 6])],
        label="社区",
    )
    return [trend, heat]


def chart_page(request):
    """What a dashboard view does: answer an export, or render the page."""
    trend, heat = charts()
    return export_response(request, [trend, heat]) or HttpResponse(PAGE.render({"trend": trend, "heat": heat}, request))


urlpatterns = [path("charts-test/", chart_page), *project_urlpatterns]


def watch(page, host):
    """Console errors (CSP violations included) and every request that leaves the test server."""
    problems = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "request",
        lambda r: (
            problems.append(f"request: {r.url}")
            if urlsplit(r.url).scheme in ("http", "https", "ws", "wss") and urlsplit(r.url).hostname != host
            else None
        ),
    )
    return problems


def drawn(page, name):
    figure = page.locator(f"#chart-{name}")
    expect(figure).to_have_attribute("data-chart-ready", "")
    svg = figure.locator("[data-chart-canvas] svg")
    expect(svg).to_have_count(1)
    assert svg.locator("path").count() > 10, f"{name}: ECharts drew no shapes"
    return figure


def test_echarts_draws_trend_and_heat_charts_offline_with_table_and_export(page, phone_page, live_server, tmp_path):
    host = urlsplit(live_server.url).hostname
    assert host in ("127.0.0.1", "localhost")
    url = f"{live_server.url}/charts-test/?street=S1"
    problems = watch(page, host)
    page.goto(url)

    trend = drawn(page, "trend")
    heat = drawn(page, "heat")
    # The heat table labels its cells with the real values, the Decimal's places kept.
    expect(heat.locator("svg text", has_text="1.50")).to_have_count(1)
    expect(trend.locator("svg text", has_text="浒山街道").first).to_be_visible()
    # Its tooltip too: the cell's colour comes from the column's range, its text from the data.
    page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector("#chart-heat [data-chart-canvas]"));
            const data = chart.getOption().series[0].data;
            chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: data.length - 6});
        }"""
    )
    tip = heat.locator("[data-chart-canvas] > div", has_text="旦苑社区 · 台账")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("1.50")

    # The table view is there without JavaScript and opens on a click.
    table = heat.locator("details table")
    expect(table).to_be_hidden()
    heat.locator("details summary").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(len(COMMUNITIES) + 1)
    expect(table.locator("tbody tr").last).to_contain_text("旦苑社区")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "charts.png"), full_page=True)

    # The export keeps the page's filters and downloads the chart's own table.
    link = heat.locator("a.chart-export")
    assert link.get_attribute("href") == "?street=S1&export=heat"
    with page.expect_download() as download_info:
        link.click()
    target = tmp_path / "heat.xlsx"
    download_info.value.save_as(target)
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["社区", *INDICATORS] and rows[-1] == ["旦苑社区", 1.5, 2, 3, 4, 5, 6]
    assert len(rows) == len(COMMUNITIES) + 2

    # On a 390 px phone both charts draw too, and the page does not scroll sideways.
    phone_problems = watch(phone_page, host)
    phone_page.goto(url)
    drawn(phone_page, "trend")
    drawn(phone_page, "heat")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    box = phone_page.locator("#chart-heat [data-chart-canvas]").bounding_box()
    assert box["width"] <= 390 and box["height"] > 300
    phone_page.screenshot(path=str(ARTIFACTS / "charts-phone.png"), full_page=True)

    assert problems == [] and phone_problems == []
