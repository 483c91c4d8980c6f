import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.catalog.selectors import public_district
from jianfu.core import clock
from jianfu.core.errors import DomainError
from jianfu.core.tabular import xlsx_response
from jianfu.core.views import refusals
from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind, Role
from jianfu.orgs.permissions import is_office, roots

from . import deadlines, selectors, services
from .forms import (
    ApplyForm,
    ConfirmForm,
    DispatchForm,
    MergeForm,
    NoteForm,
    QueryForm,
    ReasonForm,
    ReportForm,
    ResolveForm,
    WhistleForm,
)
from .machines import ACTION_LABELS
from .models import Case, CaseKind, Matter, ServiceGroup, State
from .permissions import (
    can_blow_whistle,
    can_see_applicant,
)


def _photo(request, field: str = "photo"):
    upload = request.FILES.get(field)
    return [upload] if upload else []


# ---------------------------------------------------------------------------------------- desk


@require_GET
@login_required
def dashboard(request):
    g = request.GET
    filters = {
        "kind": g.get("kind", ""),
        "state": g.get("state", ""),
        "overdue": g.get("overdue") == "1",
        "q": g.get("q", "").strip(),
    }
    cases = selectors.cases_for_user(request.user, **filters)
    page = Paginator(cases, 50).get_page(g.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "kinds": CaseKind.choices,
        "states": State.choices,
        "now": clock.now(),
        "query": g.urlencode(),
    }
    if request.htmx:
        return render(request, "cases/dashboard.html#case-table", context)
    labels = {
        "accept": _("To accept or dispatch"),
        "handle": _("To respond or resolve"),
        "revisit": _("To revisit and confirm"),
        "disputed": _("Disputed by the assignee"),
        "mine": _("Reported by me, open"),
    }
    context |= {
        "desk": [(key, labels[key], qs.count()) for key, qs in selectors.waiting_for(request.user).items()],
        "escalations": selectors.open_escalations(request.user) if is_office(request.user) else [],
        "can_report": bool(selectors.reporting_units(request.user)),
        "can_whistle": can_blow_whistle(request.user),
    }
    return render(request, "cases/dashboard.html", context)


EXPORT_HEADERS = [
    "编号",
    "类别",
    "事项",
    "诉求类型",
    "地点",
    "地址",
    "状态",
    "承办单位",
    "上报时间",
    "派遣时间",
    "报到时间",
    "办结时间",
    "当前阶段期限",
    "按时报到",
    "按时办结",
    "重办次数",
    "满意度",
]


def _local(moment) -> str:
    return deadlines.local_text(moment)


def _yes_no(value) -> str:
    return "" if value is None else ("是" if value else "否")


@require_GET
@login_required
def export(request):
    g = request.GET
    cases = selectors.cases_for_user(
        request.user,
        kind=g.get("kind", ""),
        state=g.get("state", ""),
        overdue=g.get("overdue") == "1",
        q=g.get("q", ""),
    )[:50_000]
    rows = (
        [
            c.number,
            c.get_kind_display(),
            c.subject,
            c.get_request_type_display(),
            c.org_unit.name,
            c.address,
            c.get_state_display(),
            c.assignee.name if c.assignee_id else "",
            _local(c.reported_at),
            _local(c.dispatched_at),
            _local(c.responded_at),
            _local(c.resolved_at),
            _local(c.stage_due),
            _yes_no(c.responded_on_time),
            _yes_no(c.resolved_on_time),
            c.reopen_count,
            c.get_satisfaction_display(),
        ]
        for c in cases
    )
    return xlsx_response("案件.xlsx", EXPORT_HEADERS, rows, title="案件")


# ------------------------------------------------------------------------------------ reporting


@require_http_methods(["GET", "POST"])
@login_required
def report(request):
    """Report a matter: phone-first, photo and coordinates optional."""
    units = selectors.reporting_units(request.user)
    if not units:
        raise PermissionDenied
    matters = selectors.matters_for(units[0])
    form = ReportForm(request.POST or None, request.FILES or None, org_units=units, matters=matters)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = next((u for u in units if u.pk == d["org_unit"]), None)
        with refusals(request) as outcome:
            case = services.case_report(
                actor=request.user,
                org_unit=unit,
                matter=get_object_or_404(Matter, pk=d["matter"]),
                description=d["description"],
                address=d["address"],
                address_ref=_standard_address(unit, d["address"]),
                lat=d["lat"],
                long=d["long"],
                request_type=d["request_type"],
                photos=_photo(request),
            )
        if outcome.ok:
            messages.success(request, _("Reported as %(number)s.") % {"number": case.number})
            return redirect("cases:detail", number=case.number)
    return render(
        request, "cases/report.html", {"form": form, "addresses": _addresses(units[0]), "title": _("Report a matter")}
    )


def _addresses(unit: Org) -> list[str]:
    from jianfu.registry.models import Address

    field = "grid" if unit.kind == OrgKind.GRID else "community"
    # Every address of the unit (a grid's few hundred, a community's few thousand): a suggestion list
    # cut short would leave the rest to be typed by hand.
    return list(Address.objects.filter(**{field: unit}).values_list("label", flat=True).order_by("key"))


def _standard_address(unit: Org | None, text: str):
    """The registry's standard address when the text is one (nothing typed twice)."""
    from jianfu.registry.models import Address

    if unit is None or not text:
        return None
    return Address.objects.filter(org_path__startswith=unit.path, label=text.strip()).first()


@require_GET
@login_required
def grid_home(request):
    """The grid worker's phone page: my grid, report a matter, my open cases. No clock-in, no
    online-time or activity figures, no ranking."""
    grids = [g for g in roots(request.user, {Role.GRID})]
    if not grids:
        raise PermissionDenied
    where = [g.path for g in grids]
    cases = [
        c
        for c in selectors.cases_for_user(request.user, state="open")[:200]
        if c.reporter_id == request.user.pk or any(c.org_path.startswith(p) for p in where)
    ]
    return render(request, "cases/grid.html", {"grids": grids, "cases": cases, "now": clock.now()})


@require_http_methods(["GET", "POST"])
@login_required
def whistle_new(request):
    """社区吹哨 / 街乡吹哨: raise a matter and whistle a department to it at once — only a matter of
    the whistle categories, to its responsible department, which the matter chosen preselects
    (?matter=…; the page swaps the department in as the matter changes)."""
    if not can_blow_whistle(request.user):
        raise PermissionDenied
    units = selectors.whistle_units(request.user)
    if not units:
        raise PermissionDenied
    matters = list(selectors.whistle_matters(units[0]))
    form = WhistleForm(
        request.POST or None,
        request.FILES or None,
        org_units=units,
        matters=matters,
        departments_of_matter=services.whistle_departments,
        initial={"matter": request.GET.get("matter")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with refusals(request) as outcome:
            case = services.whistle_blow(
                actor=request.user,
                assignee=get_object_or_404(Org, pk=d["assignee"], kind__in=DEPARTMENT_KINDS),
                reason=d["reason"],
                org_unit=next((u for u in units if u.pk == d["org_unit"]), None),
                matter=next(m for m in matters if m.pk == d["matter"]),
                description=d["description"],
                address=d["address"],
                lat=d["lat"],
                long=d["long"],
                request_type=d["request_type"],
                photos=_photo(request),
            )
        if outcome.ok:
            messages.success(request, _("Whistle blown: %(number)s.") % {"number": case.number})
            return redirect("cases:detail", number=case.number)
    context = {"form": form, "addresses": _addresses(units[0]), "title": _("Blow a whistle")}
    if request.htmx:
        return render(request, "cases/whistle.html#assignee", context)
    return render(request, "cases/whistle.html", context)


# ---------------------------------------------------------------------------------------- a case


def _detail_context(request, case: Case) -> dict:
    user = request.user
    # What this user may do now: the rules the services check, the same list as the API's `actions`
    # (which leaves out "merge", a page-only action).
    actions = set(selectors.case_actions(user, case))
    events = list(case.events.select_related("actor", "org", "assignee"))
    for e in events:
        whistle = e.action in {"dispatch", "reassign"} and e.assignee is not None and not e.assignee.is_region
        e.label = ACTION_LABELS["whistle" if whistle and e.action == "dispatch" else e.action]
    context = {
        "case": case,
        "events": events,
        "photos": case.photos.all(),
        "actions": actions,
        "overdue": case.is_overdue(clock.now()),
        "show_applicant": can_see_applicant(user, case),
        "escalations": case.escalations.all(),
        "merged": case.merged.all(),
    }
    if {"accept", "dispatch", "reassign"} & actions:
        targets = selectors.dispatch_targets(case)
        suggested = case.matter.department if case.matter_id else case.service_item.department
        context["dispatch_form"] = DispatchForm(prefix="dispatch", targets=targets, initial_assignee=suggested)
        context["reassign_form"] = DispatchForm(prefix="reassign", targets=targets)
    if "merge" in actions:
        targets = selectors.merge_targets(case)
        context["duplicates"] = selectors.possible_duplicates(case)
        context["merge_form"] = MergeForm(prefix="merge", targets=targets) if targets else None
    context["forms"] = {name: ReasonForm(prefix=name) for name in ("return", "dispute", "reopen")} | {
        name: NoteForm(prefix=name) for name in ("accept", "respond", "close")
    }
    context["resolve_form"] = ResolveForm(prefix="resolve")
    confirm_form = ConfirmForm(prefix="confirm")
    if "reopen" not in actions:  # "not fixed: reopen" is the reopen action, offered only when it may be taken
        solved = confirm_form.fields["solved"]
        solved.choices = [(value, label) for value, label in solved.choices if value != "reopen"]
    context["confirm_form"] = confirm_form
    return context


@require_GET
@login_required
def case_detail(request, number: str):
    case = selectors.case_for_user(request.user, number)
    context = _detail_context(request, case)
    if request.htmx:
        return render(request, "cases/detail.html#timeline", context)
    return render(request, "cases/detail.html", context)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _form_reason(post, action: str) -> str:
    return post.get(f"{action}-reason", post.get("reason", "")).strip()


def _target(post, prefix: str) -> Org:
    """The organisation chosen; whether it may be given the case is the service's rule (check_dispatch),
    as for the API."""
    target = Org.objects.filter(pk=_int(post.get(f"{prefix}-assignee"))).first()
    if target is None:
        raise DomainError(_("Choose whom to give the case to."))
    return target


def _take(request, case: Case, action: str) -> None:
    """One action from the detail page, through the same service as the API's (api.ACTIONS)."""
    user, post = request.user, request.POST
    reason = _form_reason(post, action)
    if action == "accept":
        services.accept(actor=user, case=case, reason=reason)
    elif action == "dispatch":
        # As the API: a reported case is accepted and dispatched in one go.
        services.case_take_and_dispatch(actor=user, case=case, assignee=_target(post, "dispatch"), reason=reason)
    elif action == "respond":
        services.case_respond(actor=user, case=case, note=reason)
    elif action == "resolve":
        services.case_resolve(actor=user, case=case, note=reason, photos=_photo(request, "resolve-photo"))
    elif action == "return":
        services.case_return(actor=user, case=case, reason=reason)
    elif action == "dispute":
        services.case_dispute(actor=user, case=case, reason=reason)
    elif action == "reassign":
        services.case_reassign(actor=user, case=case, assignee=_target(post, "reassign"), reason=reason)
    elif action == "confirm":
        form = ConfirmForm(post, prefix="confirm")
        if not form.is_valid():
            raise DomainError(_("Say whether it is fixed."))
        d = form.cleaned_data
        services.case_confirm(
            actor=user,
            case=case,
            solved=d["solved"] == "fixed",
            reopen=d["solved"] == "reopen",
            satisfaction=d["satisfaction"],
            note=d["reason"],
        )
    elif action == "reopen":
        services.case_reopen(actor=user, case=case, reason=reason)
    elif action == "close":
        services.case_close(actor=user, case=case, reason=reason)
    elif action == "merge":
        into = selectors.cases_for_user(user).filter(pk=_int(post.get("merge-into"))).first()
        if into is None:
            raise DomainError(_("Choose the case to merge into."))
        services.case_merge(actor=user, case=case, into=into, reason=reason)
    else:
        raise Http404


@require_POST
@login_required
def case_action(request, number: str, action: str):
    case = selectors.case_for_user(request.user, number)
    with refusals(request) as outcome:
        _take(request, case, action)
    if outcome.ok:
        messages.success(request, _("Done."))
    return redirect("cases:detail", number=number)


@require_GET
@login_required
def photo(request, number: str, photo_id: int):
    case = selectors.case_for_user(request.user, number)
    item = get_object_or_404(case.photos, pk=photo_id)
    content_type = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
    return FileResponse(item.image.open("rb"), content_type=content_type)


# ------------------------------------------------------------------------------------ three rates


def _year_month(request) -> tuple[int, int | None]:
    today = clock.today()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET["month"]) if request.GET.get("month") else None
    except ValueError:
        raise Http404 from None
    if month is not None and not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    return year, month


RATE_HEADERS = ["部门", "派遣", "按时报到", "响应率", "确认解决", "解决率", "评价", "满意", "满意率", "重办", "积分"]


def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


@require_GET
def rates(request):
    """The three rates and points per department (public, no personal data)."""
    district = public_district(request.GET.get("d"))
    year, month = _year_month(request)
    rows = selectors.department_rates(district, year, month)
    if request.GET.get("format") == "xlsx":
        data = (
            [
                r.department.name,
                r.dispatched,
                r.responded_on_time,
                _pct(r.response_rate),
                r.solved,
                _pct(r.resolution_rate),
                r.rated,
                r.satisfied,
                _pct(r.satisfaction_rate),
                r.reopened,
                r.points,
            ]
            for r in rows
        )
        title = f"{year}年{month}月" if month else f"{year}年"
        return xlsx_response(f"吹哨报到三率{title}.xlsx", RATE_HEADERS, data, title=title)
    today = clock.today()
    return render(
        request,
        "cases/rates.html",
        {
            "district": district,
            "rows": rows,
            "year": year,
            "month": month,
            "years": range(today.year, today.year - 3, -1),
            "months": range(1, 13),
        },
    )


# ------------------------------------------------------------------------------ one-window service


@require_GET
def service_list(request):
    """流程可询: every service item, its materials, time limit and steps, for anyone."""
    district = public_district(request.GET.get("d"))
    group, q = request.GET.get("group", ""), request.GET.get("q", "").strip()
    items = selectors.service_items(district=district, group=group, q=q)
    context = {"items": items, "groups": ServiceGroup.choices, "group": group, "q": q, "district": district}
    if request.htmx:
        return render(request, "cases/services.html#items", context)
    return render(request, "cases/services.html", context)


def _apply_community(user) -> Org | None:
    for org in roots(user, {Role.COMMUNITY, Role.RESIDENT}):
        if org.kind == OrgKind.COMMUNITY:
            return org
    return None


@require_GET
def service_detail(request, code: str):
    item = get_object_or_404(selectors.service_items(), code=code)
    return render(
        request,
        "cases/service.html",
        {"item": item, "can_apply": _apply_community(request.user) is not None},
    )


@require_http_methods(["GET", "POST"])
@login_required
def service_apply(request, code: str):
    item = get_object_or_404(selectors.service_items(), code=code)
    community = _apply_community(request.user)
    if community is None:
        raise PermissionDenied
    at_window = bool(roots(request.user, {Role.COMMUNITY}))
    initial = {} if at_window else {"applicant_name": request.user.display_name}
    form = ApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            case = services.service_apply(actor=request.user, community=community, item=item, **form.cleaned_data)
        if outcome.ok:
            messages.success(
                request,
                _("Application %(number)s opened. Query code: %(code)s — give it to the applicant.")
                % {"number": case.number, "code": case.query_code},
            )
            return redirect("cases:detail", number=case.number)
    return render(request, "cases/apply.html", {"item": item, "form": form, "community": community})


@require_http_methods(["GET", "POST"])
def query(request):
    """进度可查: a resident follows an application with its query code, without logging in. The
    code opens that one application and nothing else; names and phones are masked."""
    form = QueryForm(request.POST or None)
    case, looked = None, False
    if request.method == "POST" and form.is_valid():
        looked = True
        case = selectors.case_by_query_code(form.cleaned_data["code"])
    context = {
        "form": form,
        "case": case,
        "looked": looked,
        "events": selectors.public_timeline(case) if case else [],
        "overdue": case.is_overdue(clock.now()) if case else False,
        "now": clock.now(),
    }
    return render(request, "cases/query.html", context)


# ------------------------------------------------------------------------------ 四到社区 commitments
