from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.catalog.models import WorkItem
from jianfu.core import clock
from jianfu.core.errors import DomainError
from jianfu.core.tabular import read_table, read_upload
from jianfu.core.uploads import report_imported, run_import
from jianfu.core.views import refusals
from jianfu.core.workflow import available
from jianfu.orgs.forms import SpreadsheetUploadForm
from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import roots
from jianfu.registry.models import Tag

from . import derived, exports, periods, selectors, services
from .forms import CapForm, DistrictCapForm, ElementForm, FieldsForm, SendForm, SurveyForm, TemplateForm
from .machines import ELEMENT, SUBMISSION
from .matching import similar_elements
from .models import DataElement, DistrictReportCap, ElementState, ReportTemplate, Submission, SurveyImport, VersionState
from .permissions import (
    can_build_template,
    can_define_element,
    can_enter_value,
    can_fill,
    can_fill_grid,
    can_read_org,
    can_read_survey,
    can_set_cap,
    can_use_ledger,
    is_office_of,
    submissions_q,
)

PAGE_SIZE = 25  # rows a list page shows; the total and the pages are always said


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _districts(user) -> list[Org]:
    ids = {root.district_id for root in roots(user)}
    return list(Org.objects.filter(pk__in=ids))


def _my_departments(user) -> list[Org]:
    return [r for r in roots(user, {Role.CLERK}) if r.kind in (OrgKind.DEPARTMENT, OrgKind.GROUP_ORG)]


def _current_period() -> str:
    return periods.containing(periods.MONTHLY, clock.today()).key


@require_GET
@login_required
def home(request):
    _require(can_use_ledger(request.user))
    submissions = selectors.submissions_for_user(request.user)[:200]
    departments = _my_departments(request.user)
    templates = selectors.templates_for_user(request.user).filter(department__in=departments) if departments else []
    offices = [d for d in _districts(request.user) if is_office_of(request.user, d.pk)]
    proposed = DataElement.objects.filter(state=ElementState.PROPOSED, district__in=offices)
    return render(
        request,
        "ledger/home.html",
        {
            "submissions": submissions,
            "templates": templates,
            "departments": departments,
            "proposed": proposed,
            "offices": offices,
            "communities": [r for r in roots(request.user, {Role.COMMUNITY}) if r.kind == OrgKind.COMMUNITY],
        },
    )


# ---------------------------------------------------------------- data elements


def _element_form(request, data=None):
    departments = _my_departments(request.user)
    items = WorkItem.objects.filter(department__in=departments).order_by("code") if departments else None
    return ElementForm(data, items=items, prefix="element")


@require_http_methods(["GET", "POST"])
@login_required
def elements(request):
    _require(can_use_ledger(request.user))
    qs = selectors.elements_for_user(request.user).prefetch_related("items")
    search = request.GET.get("q", "").strip()
    if search:
        qs = qs.filter(name__contains=search)
    departments = _my_departments(request.user)
    form = None
    similar = []
    if departments or any(is_office_of(request.user, d.pk) for d in _districts(request.user)):
        form = _element_form(request, request.POST or None)
    if request.method == "POST":
        _require(form is not None and bool(departments) and can_define_element(request.user, departments[0]))
        if form.is_valid():
            data = form.element_fields()
            similar = similar_elements(departments[0].district_id, f"{data['name']} {data['definition']}")
            if similar and not request.POST.get("confirm"):
                messages.warning(request, _("Similar data elements exist: reuse one of them, or confirm a new one."))
            else:
                with refusals(request) as outcome:
                    element = services.element_create(
                        actor=request.user, department=departments[0], items=form.cleaned_data["items"], **data
                    )
                if outcome.ok:
                    messages.success(request, _("Data element %(code)s defined.") % {"code": element.code})
                    return redirect("ledger:element", pk=element.pk)
    if request.GET.get("format") == "xlsx":
        return exports.elements_xlsx(qs)
    tag_names = dict(Tag.objects.values_list("code", "name"))
    rows = [(e, derived.describe(e.derivation, tag_names) if e.derived else "") for e in qs[:1000]]
    derived_share = sum(1 for e, _d in rows if e.derived)
    return render(
        request,
        "ledger/elements.html",
        {"rows": rows, "form": form, "similar": similar, "search": search, "derived_count": derived_share},
    )


@require_GET
@login_required
def element(request, pk: int):
    element = get_object_or_404(selectors.elements_for_user(request.user), pk=pk)
    district = Org.objects.get(pk=element.district_id)
    org = Org.objects.filter(code=request.GET.get("org", "")).first() or district
    _require(can_read_org(request.user, org))
    period = request.GET.get("period") or _current_period()
    try:
        periods.parse(period)
    except DomainError:
        period = _current_period()
    children = selectors.breakdown(element, org, period)
    if request.GET.get("format") == "xlsx":
        return exports.breakdown_xlsx(element, org, period, children)
    return render(
        request,
        "ledger/element.html",
        {
            "element": element,
            "org": org,
            "period": period,
            "total": selectors.figure(element, org, period),
            "children": children,
            "description": derived.describe(element.derivation) if element.derived else "",
            "can_activate": ELEMENT.may(request.user, element, "activate"),
        },
    )


@require_POST
@login_required
def element_activate(request, pk: int):
    element = get_object_or_404(selectors.elements_for_user(request.user), pk=pk)
    with refusals(request):
        services.element_activate(actor=request.user, element=element)
        messages.success(request, _("The data element is in use."))
    return redirect("ledger:element", pk=pk)


# ---------------------------------------------------------------- templates


@require_http_methods(["GET", "POST"])
@login_required
def templates(request):
    _require(can_use_ledger(request.user))
    departments = _my_departments(request.user)
    form = None
    if departments:
        department = departments[0]
        form = TemplateForm(
            request.POST or None,
            items=services.in_force_report_items(department),
            elements=selectors.active_elements(department.district_id),
            prefix="template",
        )
        if request.method == "POST" and form.is_valid():
            with refusals(request) as outcome:
                template = services.template_create(
                    actor=request.user,
                    department=department,
                    item=form.cleaned_data["item"],
                    name=form.cleaned_data["name"],
                    period_type=form.cleaned_data["period_type"],
                    elements=list(form.cleaned_data["elements"]),
                )
            if outcome.ok:
                messages.success(request, _("Report template created as a draft."))
                return redirect("ledger:template", pk=template.pk)
    elif request.method == "POST":
        raise PermissionDenied
    rows = selectors.templates_for_user(request.user).prefetch_related("versions")
    caps = [(d, services.templates_in_force(d), services.cap_rule(d)) for d in departments]
    return render(
        request, "ledger/templates.html", {"rows": rows, "form": form, "caps": caps, "departments": departments}
    )


def _template_for_user(user, pk: int) -> ReportTemplate:
    return get_object_or_404(selectors.templates_for_user(user), pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def template(request, pk: int):
    template = _template_for_user(request.user, pk)
    editor = can_build_template(request.user, template.department)
    versions = list(template.versions.prefetch_related("fields__element"))
    draft = next((v for v in versions if v.state == VersionState.DRAFT), None)
    published = next((v for v in versions if v.state == VersionState.PUBLISHED), None)
    fields_form = None
    if editor and draft:
        fields_form = FieldsForm(
            request.POST or None,
            elements=selectors.active_elements(template.department.district_id),
            initial={"elements": [f.element_id for f in draft.fields.all()]},
            prefix="fields",
        )
        if request.method == "POST" and fields_form.is_valid():
            with refusals(request):
                services.version_edit(
                    actor=request.user, version=draft, elements=list(fields_form.cleaned_data["elements"])
                )
                messages.success(request, _("Saved."))
            return redirect("ledger:template", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied
    requests = selectors.requests_for_user(request.user).filter(version__template=template)[:50]
    return render(
        request,
        "ledger/template.html",
        {
            "template": template,
            "versions": versions,
            "draft": draft,
            "published": published,
            "editor": editor,
            "fields_form": fields_form,
            "send_form": SendForm(prefix="send", initial={"period": _current_period()}) if editor else None,
            "requests": requests,
        },
    )


@require_POST
@login_required
def template_action(request, pk: int):
    template = _template_for_user(request.user, pk)
    action = request.POST.get("action")
    with refusals(request) as outcome:
        if action == "publish":
            draft = template.versions.filter(state=VersionState.DRAFT).first()
            if draft is None:
                raise DomainError(_("There is no draft to publish."))
            services.version_publish(actor=request.user, version=draft)
        elif action == "new_version":
            services.version_new(actor=request.user, template=template)
        elif action == "retire":
            services.template_retire(actor=request.user, template=template)
        elif action == "send":
            form = SendForm(request.POST, prefix="send")
            version = template.versions.filter(state=VersionState.PUBLISHED).order_by("-number").first()
            if not form.is_valid() or version is None:
                raise DomainError(_("Give the period and the working days, and publish the template first."))
            sent = services.request_send(
                actor=request.user,
                version=version,
                period=form.cleaned_data["period"],
                due_workdays=form.cleaned_data["due_workdays"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                _("Request %(number)s sent to %(n)s communities, due %(due)s.")
                % {"number": sent.number, "n": sent.submissions.count(), "due": sent.due_on.isoformat()},
            )
            return redirect("ledger:template", pk=pk)
        else:
            raise DomainError(_("Unknown action."))
    if outcome.ok:
        messages.success(request, _("Done."))
    return redirect("ledger:template", pk=pk)


@require_GET
@login_required
def template_export(request, pk: int):
    template = _template_for_user(request.user, pk)
    submissions = Submission.objects.filter(submissions_q(request.user), request__version__template=template)
    return exports.template_xlsx(template, submissions)


# ---------------------------------------------------------------- submissions


def _submission_for_user(user, pk: int) -> Submission:
    submission = selectors.submissions_for_user(user).filter(pk=pk).first()
    if submission is None:
        raise Http404
    return submission


@require_http_methods(["GET", "POST"])
@login_required
def submission(request, pk: int):
    submission = _submission_for_user(request.user, pk)
    user = request.user
    if request.method == "POST":
        rows = selectors.sheet(submission)
        entries = []
        for row in rows:
            for org, cell in row.cells:
                raw = request.POST.get(f"v-{row.element.pk}-{org.pk}", "").strip()
                if raw and not row.derived and raw != cell.text:
                    entries.append(services.Entry(row.element, org, raw))
        with refusals(request):
            if entries:
                services.submission_save(actor=user, submission=submission, entries=entries)
            if request.POST.get("action") == "submit":
                services.submission_submit(actor=user, submission=submission)
                messages.success(request, _("Submitted to the street."))
            elif entries:
                messages.success(request, _("Saved to the ledger."))
        return redirect("ledger:submission", pk=pk)
    submission = services.submission_open(actor=user, submission=submission)
    rows = selectors.sheet(submission)
    filled_now, total = selectors.auto_share(rows)
    community_fill = can_fill(user, submission)
    actions = available(SUBMISSION, user, submission)
    grid_fill = can_fill_grid(user, submission)
    editable_orgs = {
        org.pk
        for row in rows
        for org, _cell in row.cells
        if (community_fill or grid_fill) and can_enter_value(user, org)
    }
    return render(
        request,
        "ledger/submission.html",
        {
            "submission": submission,
            "rows": rows,
            "prefilled": submission.prefilled_count if submission.prefilled_count is not None else filled_now,
            "filled_now": filled_now,
            "total": total,
            "editable_orgs": editable_orgs,
            "can_submit": "submit" in actions,
            "can_decide": "street_accept" in actions or "accept" in actions,
            "can_unlock": "unlock" in actions,
            "steps": submission.steps.select_related("actor"),
            "period_label": periods.label(submission.request.period),
        },
    )


@require_POST
@login_required
def submission_action(request, pk: int):
    submission = _submission_for_user(request.user, pk)
    action = request.POST.get("action")
    comment = request.POST.get("comment", "")
    with refusals(request) as outcome:
        if action == "accept":
            services.submission_accept(actor=request.user, submission=submission)
        elif action == "return":
            services.submission_return(actor=request.user, submission=submission, comment=comment)
        elif action == "unlock":
            services.submission_unlock(actor=request.user, submission=submission, reason=comment)
        else:
            raise DomainError(_("Unknown action."))
    if outcome.ok:
        messages.success(request, _("Done."))
    return redirect("ledger:submission", pk=pk)


@require_GET
@login_required
def submission_export(request, pk: int):
    submission = _submission_for_user(request.user, pk)
    return exports.submission_xlsx(submission, selectors.sheet(submission))


# ---------------------------------------------------------------- imports, surveys, caps


@require_http_methods(["GET", "POST"])
@login_required
def import_values(request):
    communities = [r for r in roots(request.user, {Role.COMMUNITY}) if r.kind == OrgKind.COMMUNITY]
    _require(bool(communities))
    community = next((c for c in communities if c.code == request.GET.get("community")), communities[0])
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():

        def call():
            return services.values_import(
                actor=request.user, community=community, table=read_table(form.cleaned_data["file"])
            )

        result, errors = run_import(request, call)
        if result is not None:
            report_imported(request, result)
            return redirect("ledger:home")
    return render(
        request,
        "ledger/import.html",
        {"form": form, "errors": errors, "community": community, "communities": communities},
    )


@require_http_methods(["GET", "POST"])
@login_required
def surveys(request):
    departments = _my_departments(request.user)
    _require(bool(departments) or can_define_element(request.user))
    form = SurveyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _require(bool(departments))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with refusals(request) as outcome:
                record = services.survey_import(
                    actor=request.user, department=departments[0], data=read_upload(upload), file_name=upload.name
                )
            if outcome.ok:
                return redirect("ledger:survey", pk=record.pk)
    rows = SurveyImport.objects.filter(department__in=departments).select_related("department")[:100]
    return render(request, "ledger/surveys.html", {"form": form, "rows": rows})


@require_GET
@login_required
def survey(request, pk: int):
    record = SurveyImport.objects.filter(pk=pk).select_related("department").first()
    if record is None or not can_read_survey(request.user, record):
        raise Http404
    reused = [q for q in record.questions if q["reuse"]]
    return render(request, "ledger/survey.html", {"record": record, "reused": len(reused)})


def _posted_org(queryset, value: str | None) -> Org:
    """The org a form names by pk, among those the view offers; anything else is 404."""
    if not (value or "").isdigit():
        raise Http404
    return get_object_or_404(queryset, pk=int(value))


def _cap_saved(request, number: int, district: Org | None = None, department: Org | None = None) -> None:
    low, high = services.USUAL_CAP
    values = {"n": number, "district": district and district.name, "department": department and department.name}
    if district:
        saved = _("Saved: in %(district)s each department may have %(n)s report template(s) in force.") % values
    else:
        saved = _("Saved: %(department)s may have %(n)s report template(s) in force.") % values
    if services.cap_unusual(number):
        warning = _(
            "That is outside the usual %(low)s to %(high)s; it applies as set: check that it is what the office decided."
        ) % {"low": low, "high": high}
        messages.warning(request, f"{saved} {warning}")
    else:
        messages.success(request, saved)


@require_http_methods(["GET", "POST"])
@login_required
def caps(request):
    """只报一次: the office sets its district's cap on report templates in force per department (its own
    setting, 5 until it sets one) and, where it decides so, a department's own cap."""
    districts = [d for d in _districts(request.user) if is_office_of(request.user, d.pk)]
    _require(bool(districts))
    departments = Org.objects.filter(kind__in=[OrgKind.DEPARTMENT, OrgKind.GROUP_ORG], parent__in=districts).order_by(
        "path"
    )
    if request.method == "POST" and "district" in request.POST:
        district = _posted_org(Org.objects.filter(pk__in=[d.pk for d in districts]), request.POST.get("district"))
        _require(can_set_cap(request.user, district))
        form = DistrictCapForm(request.POST)
        if form.is_valid():
            number = form.cleaned_data["max_templates"]
            with refusals(request) as outcome:
                services.district_cap_set(
                    actor=request.user, district=district, max_templates=number, reason=form.cleaned_data["reason"]
                )
            if outcome.ok:
                _cap_saved(request, number, district=district)
        else:
            messages.error(request, _("Give a whole number of report templates, 1 or more."))
        return redirect("ledger:caps")
    if request.method == "POST":
        department = _posted_org(departments, request.POST.get("department"))
        _require(can_set_cap(request.user, department))
        form = CapForm(request.POST)
        if form.is_valid():
            number = form.cleaned_data["max_templates"]
            with refusals(request) as outcome:
                services.cap_set(actor=request.user, department=department, max_templates=number)
            if outcome.ok and number is None:
                messages.success(
                    request, _("Saved: %(department)s follows its district's cap.") % {"department": department.name}
                )
            elif outcome.ok:
                _cap_saved(request, number, department=department)
        else:
            messages.error(request, _("Give a whole number of report templates, 1 or more, or leave it empty."))
        return redirect("ledger:caps")
    numbers = {d.pk: services.district_cap(d) for d in districts}  # one district an office, in practice
    settings_rows = [(d, numbers[d.pk], services.cap_unusual(numbers[d.pk])) for d in districts]
    changes = (
        DistrictReportCap.history.filter(district__in=districts)
        .select_related("district", "history_user")
        .order_by("-history_date", "-history_id")
    )
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's rows read in one query whether there are any or not (Django skips the query of an
    # empty page, which would make the page's cost depend on its data: tests/test_query_counts.py).
    offset = (page.number - 1) * PAGE_SIZE
    history = list(changes[offset : offset + PAGE_SIZE])
    return render(
        request,
        "ledger/caps.html",
        {
            "districts": settings_rows,
            "default": services.default_cap(),
            "usual": services.USUAL_CAP,
            "seeds": services.CAP_SEED_QUOTES,
            "rows": selectors.caps_table(departments),
            "history": history,
            "page": page,
        },
    )
