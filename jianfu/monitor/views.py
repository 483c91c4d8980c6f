"""Dashboards: the office's district (drill down street → community → grid), a street's, a
community's; standards; workload balance; the annual report. All read materialised rows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jianfu.certificates.selectors import comparable_months
from jianfu.core import clock
from jianfu.core.charts import Chart, Series, export_response
from jianfu.core.tabular import attachment_response, xlsx_response
from jianfu.orgs.models import Org, OrgKind
from jianfu.orgs.permissions import roots

from . import selectors, selfgov, services, standards, workload
from .indicators import BY_KEY, HEADLINE, HEAT
from .permissions import READER_ROLES, can_refresh_monitor, can_view_monitor
from .selectors import month_labels

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _org(request, code: str) -> Org:
    org = get_object_or_404(Org.objects.select_related("parent"), code=code)
    if not can_view_monitor(request.user, org):
        raise HttpForbidden
    return org


def _district(org: Org) -> Org:
    return org if org.kind == OrgKind.DISTRICT else Org.objects.get(pk=org.district_id)


def _year(request, district: Org) -> int:
    years = selectors.years_with_figures(district)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = clock.reporting_year()
    return year if year in years else (years[-1] if years else clock.reporting_year())


def _label(indicator) -> str:
    return f"{indicator.label}（{indicator.unit}）"


@require_GET
@login_required
def home(request):
    """The user's own top: the district for the office, the street or community for their workers."""
    tops = sorted(roots(request.user, READER_ROLES), key=lambda o: o.depth)
    if request.user.is_superuser and not tops:
        tops = list(Org.objects.filter(kind=OrgKind.DISTRICT).order_by("code")[:1])
    if not tops:
        raise HttpForbidden
    return redirect("monitor:dashboard", code=tops[0].code)


def _charts(org: Org, year: int, base: int, summary, rows) -> list[Chart]:
    months = month_labels()
    trend = selectors.trend(org, [base, year], ["burden_index", "worker_hours"])
    charts = [
        Chart(
            "index-trend",
            _("Burden index by month"),
            "line",
            months,
            [Series(f"{y}", trend["burden_index"][y]) for y in (base, year)],
            unit=str(BY_KEY["burden_index"].unit),
            label=_("Month"),
        ),
        Chart(
            "hours-trend",
            _("Estimated worker-hours by month"),
            "line",
            months,
            [Series(f"{y}", trend["worker_hours"][y]) for y in (base, year)],
            unit=str(BY_KEY["worker_hours"].unit),
            label=_("Month"),
        ),
        Chart(
            "change",
            _("Change against the baseline year"),
            "bar",
            [str(BY_KEY[k].label) for k in HEADLINE if k != "burden_index"],
            [Series(_("Change (%)"), [summary.row(k).change_percent for k in HEADLINE if k != "burden_index"])],
            unit="%",
            label=_("Indicator"),
        ),
    ]
    if rows:
        charts.append(
            Chart(
                "ranking",
                _("Burden index ranking"),
                "rank",
                [o.name for o, _v in rows],
                [Series(str(year), [v["burden_index"] for _o, v in rows])],
                unit=str(BY_KEY["burden_index"].unit),
                label=_("Organisation"),
            )
        )
    return charts


@require_GET
@login_required
def dashboard(request, code: str):
    org = _org(request, code)
    if org.kind == OrgKind.GRID:
        return redirect("monitor:dashboard", code=org.parent.code)
    district = _district(org)
    services.refresh_dirty(district)
    year = _year(request, district)
    # Self-governance is read live from the deliberation records (one query): the key carries its figures.
    panel = selfgov.for_org(org, year, services.baseline_year(district), comparable_months(year))
    # The body shows only the district's computed figures: rendered once per computation, year,
    # day (the months compared) and language, and served from memory until the figures change.
    key = f"monitor:{org.pk}:{year}:{clock.today():%Y%m%d}:{get_language()}:{selectors.stamp(district)}:{panel.stamp}"
    fragments = caches["fragments"]
    body = None if "export" in request.GET else fragments.get(key)
    if body is None:
        context = _dashboard_context(org, district, year)
        context["selfgov"] = panel
        context["selfgov_children"] = [(child, panel.child(child.pk)) for child, _v in context["children"]]
        response = export_response(request, context["charts"])
        if response is not None:
            return response
        body = render_to_string("monitor/_dashboard_body.html", context, request=request)
        fragments.set(key, body)
    return render(
        request,
        "monitor/dashboard.html",
        {
            "org": org,
            "district": district,
            "year": year,
            "body": mark_safe(body),  # noqa: S308 — our own template's output
            "can_refresh": can_refresh_monitor(request.user, district),
        },
    )


def _dashboard_context(org: Org, district: Org, year: int) -> dict:
    summary = selectors.summary(org, year)
    months = summary.months or list(range(1, 13))
    children = selectors.children(org, year, months)
    charts = _charts(org, year, summary.baseline_year, summary, children)
    heat_rows = selectors.communities(org, year, months) if org.kind != OrgKind.COMMUNITY else []
    if heat_rows:
        charts.append(
            Chart(
                "heat",
                _("Communities × indicators"),
                "heat",
                [_label(BY_KEY[k]) for k in HEAT],
                [Series(o.name, [v[k] for k in HEAT]) for o, v in heat_rows],
                label=_("Community"),
            )
        )
    context = {
        "org": org,
        "district": district,
        "year": year,
        "years": selectors.years_with_figures(district),
        "summary": summary,
        "headline": [summary.row(k) for k in HEADLINE],
        "all_rows": summary.rows,
        "children": children,
        "charts": charts,
        "satisfaction": selectors.resident_satisfaction(org, year),
        "grids": Org.objects.filter(parent=org, kind=OrgKind.GRID).order_by("code")
        if org.kind == OrgKind.COMMUNITY
        else [],
    }
    if org.kind == OrgKind.DISTRICT:
        context["departments"], context["department_total"] = selectors.department_service(district, year, months)
    context |= _arrivals_context(org, district, year, summary, months, children, charts)
    return context


def _arrivals_context(org: Org, district: Org, year: int, summary, months: list[int], children, charts) -> dict:
    """What reached the communities and the leak rate (issue 21): four queries whatever the size."""
    base = summary.baseline_year
    by_month = selectors.leak_by_month(org, [base, year])
    charts.append(
        Chart(
            "leak-trend",
            _("Leak rate by month (unapproved ÷ all arrivals)"),
            "line",
            month_labels(),
            [Series(f"{y}", [m.rate for m in by_month[y]]) for y in (base, year)],
            unit="%",
            label=_("Month"),
        )
    )
    leaks = selectors.leak_children(org, year, months)
    context = {
        "leak": selectors.leak_over(by_month[year], months),
        "leak_base": selectors.leak_over(by_month[base], months),
        "leak_months": [(n, by_month[base][n - 1], by_month[year][n - 1]) for n in range(1, 13)],
        "leak_children": [(child, leaks.get(child.pk, selectors.Leak())) for child, _v in children],
        "item_hours": summary.row("item_hours"),
    }
    if org.kind == OrgKind.DISTRICT:
        departments, streets = selectors.senders(district, year, months)
        context["senders"] = departments + streets  # every sender's leak, below the five that leak most
        context["leaking_departments"], context["leaking_streets"] = (
            selectors.worst(departments),
            selectors.worst(streets),
        )
    return context


# Each export: where it is, both household figures (space, staffing and size judge on the larger, grids
# on resident households), then what it has against the standard.
STANDARD_HEADERS = {
    "space": lambda: [_("Space (m²)"), _("Required (m²)"), _("Short (m²)")],
    "staffing": lambda: [_("Staff"), _("Required"), _("Short")],
    "community_size": lambda: [_("Households judged on"), _("Band limit"), _("Off by")],
    "grid_size": lambda: [_("Households judged on"), _("Band limit"), _("Off by")],
}


@require_GET
@login_required
def standards_page(request, code: str):
    org = _org(request, code)
    results = standards.check(org)
    wanted = request.GET.get("export")
    for standard in results:
        if standard.key == wanted:
            where = [_("Grid"), _("Community")] if standard.key == "grid_size" else [_("Community"), _("Street")]
            headers = [
                *where,
                _("Registered households"),
                _("Resident households"),
                *STANDARD_HEADERS[standard.key](),
                _("To do"),
            ]
            rows = [
                [b.org.name, b.org.parent.name, b.org.registered_households, b.org.resident_households]
                + [b.figure, b.required, b.gap, b.fix]
                for b in standard.breaches
            ]
            return xlsx_response(f"{standard.title}.xlsx", headers, rows, title=standard.key)
    return render(request, "monitor/standards.html", {"org": org, "standards": results})


@require_GET
@login_required
def workload_page(request, code: str):
    org = _org(request, code)
    district = _district(org)
    services.refresh_dirty(district)
    year = _year(request, district)
    summary_months = comparable_months(year) or list(range(1, 13))
    result = workload.balance(org, year, summary_months)
    chart = Chart(
        "per-worker",
        _("Worker-hours per month per worker"),
        "rank",
        [r.community.name for r in result.rows],
        [Series(str(year), [r.hours_per_worker for r in result.rows])],
        unit=str(BY_KEY["worker_hours"].unit),
        label=_("Community"),
    )
    response = export_response(request, [chart])
    if response is not None:
        return response
    return render(
        request,
        "monitor/workload.html",
        {"org": org, "year": year, "balance": result, "chart": chart, "months": summary_months},
    )


@require_POST
@login_required
def refresh(request, code: str):
    org = _org(request, code)
    # A refusal (PermissionDenied, 403) is shown by core.middleware.DomainErrorMiddleware.
    count = services.refresh_now(actor=request.user, district=_district(org))
    messages.success(request, _("Figures recomputed: %(n)s community months.") % {"n": count})
    return redirect("monitor:dashboard", code=org.code)


@require_GET
@login_required
def report(request, code: str, year: int, ext: str):
    from . import report as annual

    org = _org(request, code)
    if org.kind != OrgKind.DISTRICT or ext not in ("docx", "pdf"):
        raise Http404
    services.refresh_dirty(org)
    document = annual.build(org, year)
    if ext == "docx":
        body, mime = annual.docx_bytes(document), DOCX_MIME
    else:
        body, mime = annual.pdf_bytes(document), "application/pdf"
    return attachment_response(body, annual.filename(org, year, ext), mime)
