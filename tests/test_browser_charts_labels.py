"""Issue 21 point 8 in headless Chromium: ECharts draws every category label (none hidden for overlap),
the axis names, and big figures with thousands separators, on the desktop and on a phone."""

from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from playwright.sync_api import expect

from jianfu.core.charts import Chart, Series
from jianfu.urls import urlpatterns as project_urlpatterns

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.test_browser_charts_labels"),
]
COMMUNITIES = [f"第{i}社区" for i in range(1, 41)]
INDICATORS = ["准入事项数", "台账报表数", "工作群和系统数", "挂牌数量", "出具证明数", "估算工时"]
MONTHS = [f"{m}月" for m in range(1, 13)]

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}{% load charts %}
    {% block content %}<h1>图表</h1>{% chart trend %}{% chart change %}{% chart rank %}{% endblock %}"""
)


def chart_page(request):
    trend = Chart(
        "trend", "每月估算工时", "line", MONTHS, [Series("2026", [2260 + 100 * m for m in range(12)])], "小时", "月份"
    )
    change = Chart(
        "change", "与基准年相比", "bar", INDICATORS, [Series("变化", [-12, -30, 5, 0, -40, -8])], "%", "指标"
    )
    values = [Decimal("2814.2") if i == 7 else 10 * i for i in range(len(COMMUNITIES))]
    rank = Chart("rank", "估算工时排名", "rank", COMMUNITIES, [Series("2026", values)], "小时", "社区")
    return HttpResponse(PAGE.render({"trend": trend, "change": change, "rank": rank}, request))


urlpatterns = [path("charts-labels-test/", chart_page), *project_urlpatterns]


def texts(page, name) -> list[str]:
    figure = page.locator(f"#chart-{name}")
    expect(figure).to_have_attribute("data-chart-ready", "")
    return [t.strip() for t in figure.locator("[data-chart-canvas] svg text").all_text_contents()]


def check(page, url):
    page.goto(url)
    trend, change, rank = texts(page, "trend"), texts(page, "change"), texts(page, "rank")
    assert all(m in trend for m in MONTHS), trend
    assert "月份" in trend and "小时" in trend
    assert any(t.startswith("3,") or t.startswith("2,") for t in trend), trend  # value ticks grouped
    assert all(i in change for i in INDICATORS) and "指标" in change and "%" in change
    assert all(c in rank for c in COMMUNITIES), [c for c in COMMUNITIES if c not in rank]
    assert "社区" in rank and "2,814.2" in rank
    # The tooltip groups too.
    page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector("#chart-trend [data-chart-canvas]"));
            chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0});
        }"""
    )
    expect(page.locator("#chart-trend [data-chart-canvas] > div", has_text="2,260")).to_be_visible()


def test_every_label_axis_name_and_grouped_figure_is_drawn(page, phone_page, live_server):
    url = f"{live_server.url}/charts-labels-test/"
    check(page, url)
    check(phone_page, url)
    # The twelve months lie flat on the desktop; on the phone they are turned so none overlaps.
    assert rotation(page) == 0 and rotation(phone_page) > 0


def rotation(page) -> int:
    return page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector("#chart-trend [data-chart-canvas]"))
            .getOption().xAxis[0].axisLabel.rotate"""
    )
