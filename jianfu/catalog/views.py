import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.core import clock, pagecache, workflow
from jianfu.core.tabular import XLSX_MIME, attachment_response, read_table, xlsx_response
from jianfu.core.uploads import report_imported, run_import
from jianfu.core.views import refusals
from jianfu.orgs.forms import SpreadsheetUploadForm
from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import roots

from . import exports, selectors, services, spreadsheets
from .forms import ItemCancelForm, ListPublishForm
from .machines import ITEM, LIST_VERSION
from .models import CatalogVersion, Category, ItemKind, ItemList, ListVersion, WorkItem
from .permissions import can_cancel_item, is_office_of


@require_GET
def catalog_home(request):
    """The catalog in force today (a next year's catalog published in December waits for January)."""
    district = selectors.public_district(request.GET.get("d"))
    year = selectors.year_in_force(district, clock.today())
    if year is None:
        return render(request, "catalog/catalog.html", {"district": district, "version": None})
    url = reverse("catalog:year", args=[year])
    return redirect(f"{url}?{urlencode({'d': request.GET['d']})}" if request.GET.get("d") else url)


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
    # Told to the communities on the page itself (there is no notification yet): it is not frozen
    # with the version, so it is part of the page's key.
    cancelled = selectors.cancelled_items(version.district_id, version.year)
    today = clock.today()

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
            "publish_years": [today.year, today.year + 1],
            # Links and forms keep the district the visitor chose (?d=…).
            "d": request.GET.get("d", ""),
            "years": selectors.catalog_years(version.district_id),
            "takes_effect": selectors.takes_effect_on(version.year, today),
            "cancelled": cancelled,
            "today": today,
        }

    if shared and request.get_full_path() == _canonical_url(request, version):
        # A published version never changes; a cancellation during the year, or the new year, does.
        changes = [(i.pk, i.updated_at.timestamp()) for i in cancelled]
        stamp = ["catalog", version.pk, version.published_at.timestamp(), today.year, changes]
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


def _list_district(request) -> Org:
    """The district whose lists the page shows: ?d=…, else the office's own, else the first."""
    code = request.GET.get("d") or request.POST.get("d")
    if not code and request.user.is_authenticated:
        own = [org for org in roots(request.user, {Role.OFFICE}) if org.kind == OrgKind.DISTRICT]
        if own:
            return own[0]
    return selectors.public_district(code)


@require_GET
def list_index(request):
    district = _list_district(request)
    return render(
        request,
        "catalog/lists.html",
        {
            "district": district,
            "lists": selectors.published_lists(district),
            "cancelled": selectors.cancelled_items(district.pk, clock.today().year),
        },
    )


@require_GET
def list_detail(request, code: str):
    item_list = get_object_or_404(ItemList, code=code)
    district = _list_district(request)
    version, entries = selectors.list_entries(item_list, district)
    is_office = request.user.is_authenticated and is_office_of(request.user, district)
    draft = item_list.draft(district) if is_office else None
    return render(
        request,
        "catalog/list_detail.html",
        {
            "item_list": item_list,
            "district": district,
            "version": version,
            "entries": entries,
            "can_import": is_office,
            "draft": draft,
            "can_publish": draft is not None and "publish" in workflow.available(LIST_VERSION, request.user, draft),
            "can_cancel": is_office,
            "pending": selectors.pending_versions(item_list, district),
            "today": clock.today(),
        },
    )


@require_GET
def list_export(request, code: str):
    item_list = get_object_or_404(ItemList, code=code)
    _, entries = selectors.list_entries(item_list, _list_district(request))
    return xlsx_response(
        f"{item_list.name}.xlsx", spreadsheets.LIST_COLUMNS, spreadsheets.export_rows(entries), title=item_list.name
    )


@require_http_methods(["GET", "POST"])
@login_required
def list_import(request, code: str):
    item_list = get_object_or_404(ItemList, code=code)
    district = _list_district(request)
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


@require_http_methods(["GET", "POST"])
@login_required
def list_publish(request, code: str):
    """The office publishes the district's draft list (the approvals since the last version), citing
    the joint meeting that decided it."""
    item_list = get_object_or_404(ItemList, code=code)
    district = _list_district(request)
    if not is_office_of(request.user, district):
        raise PermissionDenied
    draft, entries, new = selectors.list_draft(item_list, district)
    form = ListPublishForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and draft is not None and form.is_valid():
        with refusals(request) as outcome:
            version = services.list_publish(actor=request.user, version=draft, **form.cleaned_data)
        if outcome.ok:
            messages.success(
                request,
                _("%(list)s version %(n)s published, in force from %(date)s.")
                % {"list": item_list.name, "n": version.number, "date": version.effective_on.isoformat()},
            )
            return redirect("catalog:list", code=code)
    return render(
        request,
        "catalog/list_publish.html",
        {"item_list": item_list, "district": district, "draft": draft, "entries": entries, "new": new, "form": form},
    )


@require_GET
@login_required
def list_minutes(request, pk: int):
    """The minutes file of the joint meeting a published list version cites (the district's office)."""
    version = get_object_or_404(ListVersion.objects.select_related("district"), pk=pk, published_at__isnull=False)
    if not is_office_of(request.user, version.district):
        raise PermissionDenied
    if not version.meeting_file:
        raise Http404
    return FileResponse(version.meeting_file.open("rb"), as_attachment=True)


@require_http_methods(["GET", "POST"])
@login_required
def item_cancel(request, code: str):
    """The office cancels or revokes an item during the year (reason, effective date, who takes the work)."""
    item = get_object_or_404(WorkItem.objects.select_related("department"), code=code)
    if not can_cancel_item(request.user, item):
        raise PermissionDenied
    form = ItemCancelForm(request.POST or None, initial={"responsible_body": item.responsible_body})
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            item = services.item_cancel(actor=request.user, item=item, **form.cleaned_data)
        if outcome.ok:
            messages.success(
                request,
                _("“%(item)s” is cancelled with effect from %(date)s.")
                % {"item": item.name, "date": item.cancelled_on.isoformat()},
            )
            return redirect("catalog:lists")
    return render(
        request,
        "catalog/item_cancel.html",
        {"item": item, "form": form, "can_cancel": "cancel" in workflow.available(ITEM, request.user, item)},
    )
