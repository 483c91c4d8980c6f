from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.core.errors import DomainError
from jianfu.core.tabular import XLSX_MIME, ImportRejected, attachment_response, read_table
from jianfu.core.uploads import run_import
from jianfu.core.views import refusals
from jianfu.core.workflow import available
from jianfu.orgs.forms import SpreadsheetUploadForm
from jianfu.orgs.models import OrgKind, Role
from jianfu.orgs.permissions import roots
from jianfu.orgs.selectors import orgs_for_user

from . import exports, importing, selectors, services
from .machines import EXPORT
from .models import Person, Relation, Tag
from .permissions import can_edit_person, can_import, can_read_registry, can_reveal, people_q, visible_tag_ids

AREA_ROLES = {Role.OFFICE, Role.STREET, Role.COMMUNITY, Role.GRID}


def _require_reader(user) -> None:
    if not can_read_registry(user):
        raise PermissionDenied


@require_GET
@login_required
def overview(request):
    areas = orgs_for_user(
        request.user, kinds={OrgKind.DISTRICT, OrgKind.STREET, OrgKind.TOWN, OrgKind.COMMUNITY, OrgKind.GRID}
    )
    if not areas.exists():
        raise PermissionDenied
    org = areas.filter(code=request.GET.get("org", "")).first() or areas.first()
    tags = {t.code: t.name for t in Tag.objects.all()}
    figures = selectors.figures(org)
    figures["tags"] = [(tags.get(code, code), n) for code, n in sorted(figures["tags"].items())]
    return render(request, "registry/overview.html", {"org": org, "areas": areas[:500], "figures": figures})


def _person_for_user(user, pk: int) -> Person:
    person = (
        Person.objects.filter(people_q(user), pk=pk)
        .select_related("address", "community", "grid", "hukou_community")
        .first()
    )
    if person is None:
        raise Http404
    return person


@require_GET
@login_required
def people(request):
    _require_reader(request.user)
    tag = request.GET.get("tag", "")
    search = request.GET.get("q", "").strip()
    qs = selectors.people_for_user(request.user, tag=tag, search=search)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    tags = Tag.objects.filter(pk__in=visible_tag_ids(request.user))
    context = {"page": page, "tags": tags, "tag": tag, "search": search}
    if request.htmx:
        return render(request, "registry/people.html#people-table", context)
    return render(request, "registry/people.html", context)


@require_GET
@login_required
def person(request, pk: int):
    person = _person_for_user(request.user, pk)
    visible = visible_tag_ids(request.user)
    return render(
        request,
        "registry/person.html",
        {
            "person": person,
            "tags": person.tags.filter(tag_id__in=visible, until__isnull=True).select_related("tag"),
            "can_reveal": can_reveal(request.user, person),
            "can_edit": can_edit_person(request.user, person),
            "relations": Relation.choices,
            "history": person.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


@require_POST
@login_required
def reveal(request, pk: int, field: str):
    person = _person_for_user(request.user, pk)
    try:
        value = services.person_reveal(
            actor=request.user, person=person, field=field, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:  # said in place of the value, in the htmx fragment, with the refusal's status
        return render(
            request, "registry/person.html#revealed", {"error": exc.message, "field": field}, status=exc.status
        )
    return render(request, "registry/person.html#revealed", {"value": value, "field": field})


@require_POST
@login_required
def person_edit(request, pk: int):
    person = _person_for_user(request.user, pk)
    changes = {k: request.POST[k] for k in ("phone", "relation") if k in request.POST}
    with refusals(request) as outcome:
        services.person_update(actor=request.user, person=person, **changes)
    if outcome.ok:
        messages.success(request, _("Saved."))
    return redirect("registry:person", pk=pk)


@require_GET
@login_required
def my_grid(request):
    """Phone-first: the grid worker's addresses and who lives there."""
    grids = [o for o in roots(request.user, {Role.GRID})]
    if not grids:
        raise PermissionDenied
    grid = grids[0]
    residents = Person.objects.filter(grid=grid).select_related("address").order_by("address__key", "relation")
    by_address: dict = {}
    for p in residents:
        by_address.setdefault(p.address, []).append(p)
    return render(request, "registry/grid.html", {"grid": grid, "by_address": by_address})


STREAM_FROM_ROWS = 2000
MARKER = "<!--progress-->"


def _stream_progress(request, steps, context):
    """Long imports: the page arrives in pieces — the form, a progress bar per thousand rows, then
    the outcome — so the worker sees it moving. The import itself is still one transaction."""
    page = render_to_string("registry/import.html", context | {"streaming": True, "marker": MARKER}, request)
    head, tail = page.split(MARKER, 1)
    labels = {"check": _("Checking rows"), "write": _("Writing")}

    def chunks():
        yield head
        result, errors = None, []
        try:
            while True:
                phase, done, total = next(steps)
                yield f'<p>{labels[phase]} {done}/{total} <progress value="{done}" max="{total}"></progress></p>\n'
        except StopIteration as finished:
            result = finished.value
        except ImportRejected as exc:
            errors = exc.errors
        except DomainError as exc:  # the page is already on its way: the refusal is written into it
            yield f'<p class="message error">{escape(exc.message)}</p>'
        yield render_to_string("registry/import.html#outcome", {"result": result, "errors": errors}, request)
        yield tail

    return StreamingHttpResponse(chunks(), content_type="text/html; charset=utf-8")


IMPORTERS = {
    "people": (gettext_lazy("people"), importing.PEOPLE_COLUMNS),
    "houses": (gettext_lazy("houses"), importing.HOUSE_COLUMNS),
    "units": (gettext_lazy("units"), importing.UNIT_COLUMNS),
}


@require_http_methods(["GET", "POST"])
@login_required
def import_people(request):
    """People, houses or units (?what=…); people can be previewed first."""
    if not can_import(request.user):
        raise PermissionDenied
    what = request.GET.get("what", "people") if request.GET.get("what") in IMPORTERS else "people"
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    errors, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]

        def start():
            table = read_table(upload)
            if what != "people":
                importer = importing.import_houses if what == "houses" else importing.import_units
                return importer(actor=request.user, table=table)
            steps = importing.import_people_steps(
                actor=request.user, table=table, dry_run="preview" in request.POST, filename=upload.name
            )
            if len(table.rows) >= STREAM_FROM_ROWS:
                context = {"form": form, "what": what, "importers": IMPORTERS, "columns": IMPORTERS[what][1]}
                return _stream_progress(request, steps, context)
            return importing.run_steps(steps)

        result, errors = run_import(request, start)
        if isinstance(result, StreamingHttpResponse):
            return result
    return render(
        request,
        "registry/import.html",
        {
            "form": form,
            "errors": errors,
            "result": result,
            "columns": IMPORTERS[what][1],
            "what": what,
            "importers": IMPORTERS,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def export_list(request):
    _require_reader(request.user)
    areas = orgs_for_user(
        request.user, kinds={OrgKind.DISTRICT, OrgKind.STREET, OrgKind.TOWN, OrgKind.COMMUNITY, OrgKind.GRID}
    )
    if request.method == "POST":
        org = areas.filter(code=request.POST.get("org", "")).first()
        tag = Tag.objects.filter(code=request.POST.get("tag", "")).first()
        with refusals(request) as outcome:
            if org is None:
                raise DomainError(_("Choose an area."))
            exports.export_request(actor=request.user, org=org, tag=tag, reason=request.POST.get("reason", ""))
        if outcome.ok:
            messages.success(request, _("Requested. The office decides; you will find the download here."))
        return redirect("registry:exports")
    requests = list(selectors.exports_for_user(request.user)[:200])
    for export in requests:
        export.decisions = available(EXPORT, request.user, export)
    return render(
        request,
        "registry/exports.html",
        {
            "requests": requests,
            "areas": areas[:500],
            "tags": Tag.objects.filter(pk__in=visible_tag_ids(request.user)),
        },
    )


@require_POST
@login_required
def export_decide(request, number: str):
    export = selectors.exports_for_user(request.user).filter(number=number).first()
    if export is None:
        raise Http404
    with refusals(request):
        exports.export_decide(
            actor=request.user,
            request=export,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
    return redirect("registry:exports")


@require_GET
@login_required
def export_download(request, number: str):
    export = selectors.exports_for_user(request.user).filter(number=number, requester=request.user).first()
    if export is None:
        raise Http404
    with refusals(request) as outcome:
        content = exports.export_download(actor=request.user, request=export)
    if not outcome.ok:
        return redirect("registry:exports")
    return attachment_response(content, f"{export.number}.xlsx", XLSX_MIME)
