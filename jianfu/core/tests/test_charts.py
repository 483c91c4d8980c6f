import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from openpyxl import load_workbook

from jianfu.core.charts import Chart, Series, export_response
from jianfu.core.tabular import XLSX_MIME

MONTHS = ["2026-01", "2026-02", "2026-03"]


def trend(kind="line"):
    return Chart(
        name="forms",
        title="报表数量",
        kind=kind,
        categories=MONTHS,
        series=[Series("古塘社区", [Decimal("12.50"), None, 9]), Series("旦苑社区", [3, 4.5, Decimal("0")])],
        unit="份",
        label="月份",
    )


def rank():
    return Chart(
        name="rank",
        title="台账数量排名",
        kind="rank",
        categories=["古塘社区", "旦苑社区", "青少年宫路社区", "新城社区"],
        series=[Series("台账", [Decimal("3.5"), None, 17, 8])],
    )


def heat():
    return Chart(
        name="heat",
        title="社区 × 指标",
        kind="heat",
        categories=["户数", "面积", "人数"],
        series=[
            Series("古塘社区", [2800, Decimal("412.50"), 7]),
            Series("旦苑社区", [438, Decimal("300.00"), 7]),
            Series("新城社区", [1000, None, 7]),
        ],
        label="社区",
    )


def test_a_line_chart_has_one_line_per_series_and_keeps_gaps():
    option = trend().option()
    x = option["xAxis"]
    assert (x["type"], x["data"], x["boundaryGap"], x["name"]) == ("category", MONTHS, False, "月份")
    assert x["axisLabel"]["interval"] == 0  # every month labelled (test_charts_labels.py)
    assert option["yAxis"]["name"] == "份"
    assert [(s["type"], s["name"], s["data"]) for s in option["series"]] == [
        ("line", "古塘社区", [12.5, None, 9]),
        ("line", "旦苑社区", [3, 4.5, 0.0]),
    ]
    assert option["legend"]["show"] is True
    # Plain JSON: no Decimal, nothing a browser would have to evaluate.
    assert json.loads(json.dumps(option)) == option


def test_a_bar_chart_is_vertical_bars():
    option = trend("bar").option()
    assert option["xAxis"]["boundaryGap"] is True and option["yAxis"]["type"] == "value"
    assert {s["type"] for s in option["series"]} == {"bar"}


def test_a_rank_is_horizontal_bars_largest_first_missing_last():
    option = rank().option()
    assert option["xAxis"]["type"] == "value"
    assert option["yAxis"]["type"] == "category" and option["yAxis"]["inverse"] is True
    assert option["yAxis"]["data"] == ["青少年宫路社区", "新城社区", "古塘社区", "旦苑社区"]
    assert option["series"][0]["type"] == "bar" and option["series"][0]["data"] == [17, 8, 3.5, None]
    assert option["legend"]["show"] is False


def test_a_heat_table_colours_each_column_by_its_own_range_and_shows_the_real_value():
    option = heat().option()
    assert option["xAxis"]["data"] == ["户数", "面积", "人数"]
    assert option["yAxis"]["data"] == ["古塘社区", "旦苑社区", "新城社区"]
    assert option["visualMap"]["dimension"] == 2 and (option["visualMap"]["min"], option["visualMap"]["max"]) == (0, 1)
    series = option["series"][0]
    assert series["type"] == "heatmap" and series["label"]["formatter"] == "{@[3]}"
    cells = {(v[0], v[1]): (v[2], v[3]) for v in (d["value"] for d in series["data"])}
    # 户数 runs 438 … 2800: 2800 is the top, 438 the bottom, 1000 in between (shown grouped).
    assert cells[(0, 0)] == (1.0, "2,800") and cells[(0, 1)] == (0.0, "438")
    assert cells[(0, 2)] == (round((1000 - 438) / (2800 - 438), 4), "1,000")
    # 面积 on its own scale; the Decimal keeps its two places; the missing cell is simply absent.
    assert cells[(1, 0)] == (1.0, "412.50") and cells[(1, 1)] == (0.0, "300.00") and (1, 2) not in cells
    # A column where every value is the same sits in the middle.
    assert {cells[(2, r)] for r in range(3)} == {(0.5, "7")}
    assert series["data"][0]["name"] == "古塘社区 · 户数"


def test_tables_keep_the_numbers_as_given():
    header, rows = trend().table()
    assert header == ["月份", "古塘社区（份）", "旦苑社区（份）"]
    assert rows == [["2026-01", Decimal("12.50"), 3], ["2026-02", None, 4.5], ["2026-03", 9, Decimal("0")]]
    header, rows = rank().table()
    assert header[1:] == ["台账"] and [r[0] for r in rows] == ["青少年宫路社区", "新城社区", "古塘社区", "旦苑社区"]
    header, rows = heat().table()
    assert header == ["社区", "户数", "面积", "人数"]
    assert rows[0] == ["古塘社区", 2800, Decimal("412.50"), 7] and rows[2] == ["新城社区", 1000, None, 7]


def test_a_chart_refuses_an_unknown_kind_a_bad_name_and_ragged_series():
    with pytest.raises(ValueError):
        Chart(name="x", title="x", kind="pie", categories=[])
    with pytest.raises(ValueError):
        Chart(name="Not a slug", title="x", kind="line", categories=[])
    with pytest.raises(ValueError):
        Chart(name="x", title="x", kind="line", categories=["a", "b"], series=[Series("s", [1])])


def test_export_answers_only_the_chart_it_names():
    charts = [trend(), heat()]
    factory = RequestFactory()
    assert export_response(factory.get("/"), charts) is None
    assert export_response(factory.get("/", {"export": "nothing"}), charts) is None
    response = export_response(factory.get("/", {"export": "heat", "street": "S1"}), charts)
    assert response.status_code == 200 and response["Content-Type"] == XLSX_MIME
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["社区", "户数", "面积", "人数"],
        ["古塘社区", 2800, 412.5, 7],
        ["旦苑社区", 438, 300, 7],
        ["新城社区", 1000, None, 7],
    ]


def render(source, context, path="/monitor/?street=S1&page=2"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    with translation.override("en"):
        return engines["django"].from_string(source).render(context, request=request)


def test_the_tag_renders_the_option_the_table_and_an_export_link_keeping_the_query(db):
    html = render("{% load charts %}{% chart a %}{% chart b %}", {"a": trend(), "b": heat()})
    for chart in (trend(), heat()):
        data = re.search(rf'<script id="chart-{chart.name}-option" type="application/json">(.*?)</script>', html)
        with translation.override("en"):
            assert json.loads(data.group(1)) == json.loads(json.dumps(chart.option()))
        assert f'href="?street=S1&amp;page=2&amp;export={chart.name}"' in html
    assert '<figure class="chart chart-line" id="chart-forms" data-chart>' in html
    assert '<th scope="row">2026-01</th><td>12.50</td><td>3</td>' in html
    assert '<th scope="row">新城社区</th><td>1,000</td><td>–</td><td>7</td>' in html
    assert "<summary>Table</summary>" in html and ">Export to Excel</a>" in html
    # The scripts come once, deferred, from this server; no inline script runs.
    assert html.count('src="/static/vendor/echarts.min.js" defer') == 1
    assert html.count('src="/static/jianfu/charts.js" defer') == 1
    assert "<script>" not in html and not re.search(r"\son[a-z]+=", html)


def test_an_htmx_partial_leaves_the_scripts_to_the_page(db):
    request = RequestFactory().get("/", headers={"HX-Request": "true"})
    request.user = AnonymousUser()
    html = engines["django"].from_string("{% load charts %}{% chart a %}").render({"a": rank()}, request=request)
    assert "data-chart" in html and "echarts.min.js" not in html
    html = render("{% load charts %}{% chart_scripts %}{% chart a %}", {"a": rank()})
    assert html.count("echarts.min.js") == 1
