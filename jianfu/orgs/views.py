from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jianfu.core.tabular import read_table, xlsx_response
from jianfu.core.uploads import report_imported, run_import

from . import selectors, spreadsheets
from .forms import SpreadsheetUploadForm
from .models import Membership, User
from .permissions import is_office


@require_GET
@login_required
def org_list(request):
    search = request.GET.get("q", "").strip()
    communities = selectors.communities_for_user(request.user, search=search)
    context = {"communities": communities, "search": search}
    if request.htmx:
        return render(request, "orgs/org_list.html#community-table", context)
    return render(request, "orgs/org_list.html", context)


@require_GET
@login_required
def org_detail(request, code: str):
    org = selectors.org_for_user(request.user, code)
    return render(
        request,
        "orgs/org_detail.html",
        {"org": org, "ancestors": selectors.ancestors(org), "children": org.children.order_by("code")},
    )


def _office_only(request) -> None:
    if not is_office(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def import_spreadsheet(request, what: str):
    _office_only(request)
    importer = {"orgs": spreadsheets.import_orgs, "users": spreadsheets.import_users}[what]
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result, errors = run_import(request, lambda: importer(actor=request.user, table=read_table(upload)))
        if result is not None:
            report_imported(request, result)
            return redirect(f"orgs:import_{what}")
    columns = spreadsheets.ORG_COLUMNS if what == "orgs" else spreadsheets.USER_COLUMNS
    return render(request, "orgs/import.html", {"form": form, "errors": errors, "what": what, "columns": columns})


@require_GET
@login_required
def export_orgs(request):
    orgs = selectors.orgs_for_user(request.user)
    return xlsx_response(
        "组织架构.xlsx", spreadsheets.ORG_COLUMNS, spreadsheets.export_org_rows(orgs), title="组织架构"
    )


@require_GET
@login_required
def export_users(request):
    _office_only(request)
    visible = selectors.orgs_for_user(request.user)
    users = (
        User.objects.filter(memberships__org__in=visible)
        .distinct()
        .order_by("username")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("org")))
    )
    return xlsx_response("用户.xlsx", spreadsheets.USER_COLUMNS, spreadsheets.export_user_rows(users), title="用户")
