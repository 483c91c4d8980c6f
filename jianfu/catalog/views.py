import datetime as dt
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.core import clock, pagecache
from jianfu.core.tabular import XLSX_MIME, attachment_response, read_table, xlsx_response
from jianfu.core.uploads import report_imported, run_import
from jianfu.core.views import refusals
from jianfu.orgs.forms import SpreadsheetUploadForm
from jianfu.orgs.selectors import communities_for_user

from . import exports, selectors, services, spreadsheets
from .models import CatalogVersion, Category, ItemKind, ItemList
from .permissions import is_office_of


@require_GET
def catalog_home(request):
    district = selectors.public_district(request.GET.get("d"))
    year = selectors.latest_year(district)
    if year is None:
        return render(request, "catalog/catalog.html", {"district": district, "version": None})
    return redirect("catalog:year", year=year)


def _filters(request) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in ("department", "kind", "category", "q")}


def _filtered(request, year: int):
    version = selectors.public_version(request.GET.get("d"), year, _int(request.GET.get("v")))
    filters = _filters(request)
    return version.district, version, filters, selectors.catalog_entries(version, **filters)


def _int(raw):
    return int(raw) if raw and raw.isdecimal() and len(raw) <= 9 else None


def _canonical_url(request, version: CatalogVersion) -> str:
    """The one address of this page for an anonymous visitor: the year, then ?d= and &v= when asked."""
    query = [(k, request.GET[k]) for k in ("d",) if request.GET.get(k)]
    query += [("v", str(version.number))] if request.GET.get("v") else []
    path = reverse("catalog:year", args=[version.year])
    return f"{path}?{urlencode(query)}" if query else path


@require_GET
def catalog_year(request, year: int):
    # Anonymous visitors asking at the page's one address share one page, rendered once per version and
    # language; any other address (filters, searches, spelling variants) is rendered for its visitor, so
    # the memory held stays bounded by the versions that exist.
    shared = pagecache.plain_visitor(request, ("d", "v"))
    version = selectors.public_version(request.GET.get("d"), year, _int(request.GET.get("v")), remember=shared)

    def context():
        district = version.district
        filters = _filters(request)
        return {
            "district": district,
            "version": version,
            "entries": selectors.catalog_entries(version, **filters),
            "filters": filters,
            # JSON, so that no two filters share a key (a search for "|x" is not kind "|" with "x").
            "entries_key": json.dumps([filters[k] for k in sorted(filters)], ensure_ascii=False),
            "query": request.GET.urlencode(),
            "departments": selectors.catalog_departments(version),
            "kinds": ItemKind.choices,
            "categories": [c for c in Category.choices if c[0] in ("duty", "assist", "certificate")],
            "can_publish": is_office_of(request.user, district) and request.user.is_authenticated,
            "publish_years": [clock.today().year, clock.today().year + 1],
            # Links and forms keep the district the visitor chose (?d=…).
            "d": request.GET.get("d", ""),
        }

    if shared and request.get_full_path() == _canonical_url(request, version):
        # A published version never changes.
        stamp = ["catalog", version.pk, version.published_at.timestamp()]
        return pagecache.whole_page(request, stamp, "catalog/catalog.html", context)
    if request.htmx:
        return render(request, "catalog/catalog.html#entries", context())
    return render(request, "catalog/catalog.html", context())


@require_GET
def catalog_export(request, year: int, fmt: str):
    district, version, filters, entries = _filtered(request, year)
    entries = list(entries)
    name = f"{district.name}{year}年度部门工作进社区指导目录"
    if fmt == "xlsx":
        return attachment_response(exports.to_xlsx(version, entries), f"{name}.xlsx", XLSX_MIME)
    if fmt == "docx":
        docx_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return attachment_response(exports.to_docx(version, entries), f"{name}.docx", docx_mime)
    return attachment_response(exports.to_pdf(version, entries, request), f"{name}.pdf", "application/pdf")


@require_POST
@login_required
def catalog_publish(request):
    district = selectors.public_district(request.POST.get("d"))
    year = _int(request.POST.get("year")) or clock.today().year
    with refusals(request) as outcome:
        version = services.catalog_publish(actor=request.user, district=district, year=year)
    if not outcome.ok:
        return redirect("catalog:home")
    messages.success(request, _("Catalog %(year)s version %(n)s published.") % {"year": year, "n": version.number})
    return redirect("catalog:year", year=year)


@require_GET
def catalog_diff(request):
    district = selectors.public_district(request.GET.get("d"))
    versions = CatalogVersion.objects.filter(district=district).order_by("-year", "-number")
    old = versions.filter(pk=_int(request.GET.get("old"))).first()
    new = versions.filter(pk=_int(request.GET.get("new"))).first()
    if old is None and new is None and versions.count() >= 2:
        new, old = versions[0], versions[1]
    diff = services.catalog_diff(old, new) if old and new else None
    return render(request, "catalog/diff.html", {"versions": versions, "old": old, "new": new, "diff": diff})


@require_GET
def list_index(request):
    return render(request, "catalog/lists.html", {"lists": selectors.published_lists()})


@require_GET
def list_detail(request, code: str):
    item_list = get_object_or_404(ItemList, code=code)
    version, entries = selectors.list_entries(item_list)
    district = selectors.public_district(request.GET.get("d"))
    can_import = request.user.is_authenticated and is_office_of(request.user, district)
    return render(
        request,
        "catalog/list_detail.html",
        {"item_list": item_list, "version": version, "entries": entries, "can_import": can_import},
    )


@require_GET
def list_export(request, code: str):
    item_list = get_object_or_404(ItemList, code=code)
    _, entries = selectors.list_entries(item_list)
    return xlsx_response(
        f"{item_list.name}.xlsx", spreadsheets.LIST_COLUMNS, spreadsheets.export_rows(entries), title=item_list.name
    )


@require_http_methods(["GET", "POST"])
@login_required
def list_import(request, code: str):
    item_list = get_object_or_404(ItemList, code=code)
    district = selectors.public_district(request.GET.get("d"))
    if not is_office_of(request.user, district):
        raise PermissionDenied
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result, errors = run_import(
            request,
            lambda: spreadsheets.import_list(
                actor=request.user, item_list=item_list, district=district, table=read_table(upload)
            ),
        )
        if result is not None:
            report_imported(request, result)
            return redirect("catalog:list", code=code)
    return render(
        request,
        "orgs/import.html",
        {"form": form, "errors": errors, "what": "list", "title": item_list.name, "columns": spreadsheets.LIST_COLUMNS},
    )


@require_GET
@login_required
def plaques(request):
    """Work bodies and plaques per community: before the clean-up and now (seed 001: only three remain)."""
    try:
        before = dt.date.fromisoformat(request.GET.get("before", ""))
    except ValueError:
        before = clock.years_before(clock.today(), 2)
    rows = selectors.plaque_counts(communities_for_user(request.user), before=before, today=clock.today())
    totals = {k: sum(r[k] for r in rows) for k in ("before", "now", "unapproved")}
    return render(request, "catalog/plaques.html", {"rows": rows, "before": before, "totals": totals})
