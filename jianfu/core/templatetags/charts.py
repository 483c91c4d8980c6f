"""`{% load charts %}{% chart c %}`: a chart (jianfu.core.charts.Chart), its table and its .xlsx link.

The first chart of a response also emits the deferred <script> tags for the vendored ECharts and
charts.js. An htmx partial does not (htmx would run them again); a page whose charts only ever arrive
through htmx puts `{% chart_scripts %}` in its full-page template once.
"""

from django import template
from django.http import QueryDict
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()
LOADED = "_jianfu_chart_scripts"


def _scripts_due(request) -> bool:
    """True the first time a full (non-htmx) response asks; marks the request."""
    if request is None:
        return True
    if getattr(request, LOADED, False) or request.headers.get("HX-Request") == "true":
        return False
    setattr(request, LOADED, True)
    return True


def _scripts() -> str:
    return format_html(
        '<script src="{}" defer></script><script src="{}" defer></script>',
        static("vendor/echarts.min.js"),
        static("jianfu/charts.js"),
    )


@register.simple_tag(takes_context=True)
def chart_scripts(context):
    request = context.get("request")
    if request is not None and getattr(request, LOADED, False):
        return ""
    if request is not None:
        setattr(request, LOADED, True)
    return _scripts()


@register.inclusion_tag("core/_chart.html", takes_context=True)
def chart(context, chart):
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query["export"] = chart.name
    header, rows = chart.table()
    return {
        "chart": chart,
        "option": chart.option(),
        "option_id": f"chart-{chart.name}-option",
        "header": header,
        "rows": rows,
        "export_url": f"?{query.urlencode()}",
        "scripts": _scripts() if _scripts_due(request) else "",
    }
