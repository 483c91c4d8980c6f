"""Issue 21 point 8: every chart keeps its axis labels and names, and figures of 1,000 or more read with
thousands separators on pages, charts and prints, in zh-hans as in English."""

import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import engines
from django.urls import reverse
from django.utils import translation

from jianfu.core.charts import Chart, Series
from jianfu.core.numbers import grouped

MONTHS = [f"{m}月" for m in range(1, 13)]
INDICATORS = ["准入事项数", "台账报表数", "工作群和系统数", "挂牌数量", "出具证明数", "估算工时"]


def test_grouped_puts_a_comma_every_three_digits_and_keeps_the_decimals():
    assert grouped(202000) == "202,000" and grouped(73000) == "73,000" and grouped(2260) == "2,260"
    assert grouped(438) == "438" and grouped(0) == "0" and grouped(-12345) == "-12,345"
    assert grouped(1234567) == "1,234,567"
    # Decimals exactly as the figure has them; a fixed number of places when asked (half up).
    assert grouped(Decimal("2814.20")) == "2,814.20" and grouped(Decimal("31.1")) == "31.1"
    assert grouped(2814.2) == "2,814.2" and grouped(Decimal("1E+3")) == "1,000"
    assert grouped(Decimal("1234.55"), 1) == "1,234.6" and grouped(2260, 1) == "2,260.0"
    assert grouped(Decimal("-0.04"), 1) == "0.0"
    # What a template hands on: numeric text is grouped, anything else comes back as it was.
    assert grouped("7638") == "7,638" and grouped("59.70") == "59.70"
    for other in (None, "–", "旦苑社区", True, "2026-03", float("nan")):
        result = grouped(other)
        assert result is other or (result != result and other != other)


def test_the_filter_groups_in_both_languages_where_django_intcomma_does_not_in_chinese():
    page = engines["django"].from_string(
        "{% load numbers %}{{ a|grouped }} {{ b|grouped }} {{ c|grouped:1 }} {{ d|default_if_none:'–'|grouped }}"
    )
    context = {"a": 202000, "b": Decimal("2814.20"), "c": Decimal("59.66"), "d": None}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert page.render(context) == "202,000 2,814.20 59.7 –"
    # Why a filter of our own: Django's zh-hans locale has no thousands separator.
    with translation.override("zh-hans"):
        assert intcomma(202000) == "202000"


def line(categories=MONTHS, unit="项", label="月份"):
    return Chart(
        name="trend",
        title="每月事项",
        kind="line",
        categories=categories,
        series=[Series("2025", [1200 + i for i in range(len(categories))])],
        unit=unit,
        label=label,
    )


def test_a_trend_draws_every_month_flat_and_names_both_axes():
    option = line().option()
    x, y = option["xAxis"], option["yAxis"]
    assert x["axisLabel"]["interval"] == 0 and x["axisLabel"]["hideOverlap"] is False
    assert x["axisLabel"]["rotate"] == 0  # twelve short months fit side by side
    assert (x["name"], x["nameLocation"]) == ("月份", "middle") and y["name"] == "项"
    assert x["data"] == MONTHS


def test_long_or_many_category_labels_are_turned_never_dropped_and_the_axis_name_clears_them():
    bar = Chart(
        name="change",
        title="与基准年相比",
        kind="bar",
        categories=INDICATORS,
        series=[Series("变化（%）", [Decimal("-12.5"), -30, 5, 0, Decimal("-40.0"), -8])],
        unit="%",
        label="指标",
    )
    x = bar.option()["xAxis"]
    assert x["axisLabel"]["interval"] == 0 and x["axisLabel"]["rotate"] == 30
    # 工作群和系统数: 7 characters of 12px turned 30° ≈ 42px, plus 20 of margin.
    assert x["nameGap"] == 20 + round(14 * 6 * 0.5)
    assert x["name"] == "指标" and bar.option()["yAxis"]["name"] == "%"
    many = line(categories=[f"第{i}社区" for i in range(1, 31)]).option()["xAxis"]["axisLabel"]
    assert many == {"interval": 0, "rotate": 45, "hideOverlap": False}


def test_a_rank_shows_every_name_names_its_axes_and_labels_big_bars_with_separators():
    names = [f"第{i}社区" for i in range(1, 41)]
    rank = Chart(
        name="rank",
        title="估算工时排名",
        kind="rank",
        categories=names,
        series=[Series("2026", [Decimal("2814.2") if i == 5 else i * 10 for i in range(40)])],
        unit="小时",
        label="社区",
    )
    option = rank.option()
    assert option["yAxis"]["axisLabel"] == {"interval": 0, "hideOverlap": False}
    assert len(option["yAxis"]["data"]) == 40 and option["yAxis"]["name"] == "社区"
    assert option["xAxis"]["name"] == "小时"
    data = option["series"][0]["data"]
    # The largest first, with its own grouped label; a bar under 1,000 keeps ECharts' own label.
    assert data[0] == {"value": 2814.2, "label": {"formatter": "2,814.2"}}
    assert data[1] == 390 and option["series"][0]["label"]["show"] is True
    assert json.loads(json.dumps(option)) == option


def test_heat_cells_read_with_separators_and_every_row_and_column_is_labelled():
    heat = Chart(
        name="heat",
        title="社区 × 指标",
        kind="heat",
        categories=["实住户数（户）", "办公面积（m²）"],
        series=[Series("旦苑社区", [2260, Decimal("1175.50")]), Series("古塘社区", [438, Decimal("300.00")])],
        label="社区",
    )
    option = heat.option()
    assert option["xAxis"]["axisLabel"]["interval"] == 0 and option["yAxis"]["axisLabel"]["interval"] == 0
    texts = {tuple(d["value"][:2]): d["value"][3] for d in option["series"][0]["data"]}
    assert texts == {(0, 0): "2,260", (1, 0): "1,175.50", (0, 1): "438", (1, 1): "300.00"}


def test_the_chart_table_shows_grouped_figures_and_the_option_keeps_raw_numbers(rf, db):
    request = rf.get("/")
    request.user = AnonymousUser()
    html = engines["django"].from_string("{% load charts %}{% chart c %}").render({"c": line()}, request=request)
    assert '<th scope="row">1月</th><td>1,200</td>' in html
    option = json.loads(re.search(r'<script id="chart-trend-option" type="application/json">(.*?)</script>', html)[1])
    assert option["series"][0]["data"][0] == 1200  # the browser gets numbers; ECharts groups its own ticks


@pytest.mark.django_db
def test_the_public_community_page_prints_households_and_population_with_separators(client):
    from jianfu.orgs import services
    from jianfu.orgs.models import OrgKind

    district = services.org_create(actor=None, code="D", name="测试区", kind=OrgKind.DISTRICT)
    street = services.org_create(actor=None, code="S1", name="第一街道", kind=OrgKind.STREET, parent=district)
    community = services.org_create(
        actor=None,
        code="S1DY",
        name="旦苑社区",
        kind=OrgKind.COMMUNITY,
        parent=street,
        registered_households=438,
        resident_households=2260,
        population=7638,
    )
    services.org_create(
        actor=None,
        code="S1DYG1",
        name="旦苑第一网格",
        kind=OrgKind.GRID,
        parent=community,
        registered_households=438,
        resident_households=1130,
    )
    for language in ("zh-hans", "en"):
        body = client.get(reverse("portal:community", args=[community.code]), HTTP_ACCEPT_LANGUAGE=language)
        text = body.content.decode()
        assert body.status_code == 200
        assert "<td>2,260</td>" in text and "<td>438</td>" in text and "<td>1,130</td>" in text
        assert "2260" not in text and "1130" not in text


def test_the_annual_report_prints_figures_and_bar_labels_with_separators():
    from jianfu.monitor import report

    assert report.fmt(Decimal("2814.2")) == "2,814.2" and report.fmt(2260) == "2,260" and report.fmt(None) == "–"
    assert report.fmt_change(Decimal("-1250")) == "-1,250%" and report.fmt(Decimal("59.70")) == "59.70"
    bars = report.Chart(
        "hours", "估算工时", "bars", ["旦苑社区", "古塘社区"], [("2026", [Decimal("2814.2"), 438])], "小时"
    )
    figure = report._figure(bars)
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.texts] == ["2,814.2", "438"]
    ticks = [ax.xaxis.get_major_formatter()(x) for x in (0, 1000, 2500)]
    assert ticks == ["0", "1,000", "2,500"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["旦苑社区", "古塘社区"] and ax.get_xlabel() == "小时"
