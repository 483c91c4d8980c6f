"""The public portal (no login) and the deliberation records kept by communities, streets and the
office. Thin: parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.catalog.selectors import public_district
from jianfu.core import clock
from jianfu.core.charts import export_response
from jianfu.core.tabular import xlsx_response
from jianfu.core.views import refusals
from jianfu.deliberations import selectors as records_selectors
from jianfu.deliberations import services
from jianfu.deliberations.forms import DeliberationForm, WithdrawForm
from jianfu.deliberations.models import DeliberationKind
from jianfu.deliberations.permissions import can_manage_deliberation, is_recorder
from jianfu.monitor.public import public_figures
from jianfu.orgs.models import Org

from . import selectors
from . import services as portal_services
from .forms import CommitmentForm
from .models import Commitment
from .permissions import can_manage_commitment, can_manage_commitments

PUBLIC_PAGE_SIZE = 20
RECORDS_PAGE_SIZE = 50


# ------------------------------------------------------------------------------------ public pages


@require_GET
def home(request):
    district = public_district()
    figures = public_figures(district)
    if figures and (response := export_response(request, [figures["chart"]])):
        return response
    return render(
        request,
        "portal/home.html",
        {
            "district": district,
            "figures": figures,
            "regions": selectors.regions(district),
            "recent": selectors.recent_deliberations(district),
        },
    )


@require_GET
def community(request, code: str):
    community = selectors.public_community(code)
    today = clock.today()
    groups = selectors.in_force_items(community, today)
    figures = public_figures(community)
    if figures and (response := export_response(request, [figures["chart"]])):
        return response
    return render(
        request,
        "portal/community.html",
        {
            "community": community,
            "today": today,
            "grids": selectors.grids_of(community),
            "population": selectors.population(community, today),
            "item_groups": groups,
            "item_count": sum(len(g.items) for g in groups),
            "commitments": selectors.commitments_for(community),
            "results": selectors.released_results(community),
            "deliberations": selectors.community_deliberations(community),
            "figures": figures,
        },
    )


def _public_filters(request) -> dict:
    g = request.GET
    year = g.get("year", "")
    return {
        "kind": g.get("kind", "") if g.get("kind", "") in DeliberationKind.values else "",
        "street": g.get("street", "").strip(),
        "community": g.get("community", "").strip(),
        "year": int(year) if year.isdigit() else None,
    }


@require_GET
def deliberations(request):
    district = public_district()
    filters = _public_filters(request)
    page = Paginator(selectors.public_deliberations(district, **filters), PUBLIC_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filters": filters, "query": query.urlencode()}
    if request.htmx:
        return render(request, "portal/deliberations.html#records", context)
    context |= {
        "district": district,
        "kinds": DeliberationKind.choices,
        "regions": selectors.regions(district),
        "years": selectors.deliberation_years(district),
    }
    return render(request, "portal/deliberations.html", context)


@require_GET
def deliberation(request, pk: int):
    return render(request, "portal/deliberation.html", {"record": selectors.public_deliberation(pk)})


# ---------------------------------------------------------------------- keeping the records (login)


def _require_recorder(user) -> None:
    if not is_recorder(user):
        raise PermissionDenied


def _record_filters(request) -> dict:
    g = request.GET
    return {
        "kind": g.get("kind", ""),
        "state": g.get("state", ""),
        "community": g.get("community", "").strip(),
        "q": g.get("q", "").strip(),
    }


@require_http_methods(["GET", "POST"])
@login_required
def records(request):
    user = request.user
    _require_recorder(user)
    communities = records_selectors.recorder_communities(user)
    form = DeliberationForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            record = services.deliberation_record(actor=user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, pgettext("portal", "Recorded as a draft: “%(subject)s”.") % {"subject": record})
            return redirect("portal:record", pk=record.pk)
    filters = _record_filters(request)
    page = Paginator(records_selectors.deliberations_for_user(user, **filters), RECORDS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filters": filters, "query": query.urlencode()}
    if request.htmx and request.method == "GET":
        return render(request, "portal/records.html#record-table", context)
    context |= {
        "form": form,
        "open_form": request.method == "POST",
        "kinds": DeliberationKind.choices,
        "communities": communities,
    }
    return render(request, "portal/records.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def record(request, pk: int):
    user = request.user
    _require_recorder(user)
    record = records_selectors.deliberation_for_user(user, pk)
    may_manage = can_manage_deliberation(user, record)
    communities = records_selectors.recorder_communities(user)
    form = DeliberationForm(request.POST or None, instance=record, communities=communities)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            with refusals(request) as outcome:
                services.deliberation_update(actor=user, deliberation=record, **form.cleaned_data)
            if outcome.ok:
                messages.success(request, pgettext("portal", "Saved."))
                return redirect("portal:record", pk=pk)
    return render(
        request,
        "portal/record.html",
        {
            "record": record,
            "form": form,
            "may_manage": may_manage,
            "actions": services.allowed_actions(record) if may_manage else set(),
            "withdraw_form": WithdrawForm(),
        },
    )


@require_POST
@login_required
def record_action(request, pk: int, action: str):
    user = request.user
    _require_recorder(user)
    record = records_selectors.deliberation_for_user(user, pk)
    with refusals(request):
        if action == "publish":
            services.deliberation_publish(actor=user, deliberation=record)
            messages.success(request, pgettext("portal", "Published: residents see it on the portal."))
        elif action == "withdraw":
            form = WithdrawForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.deliberation_withdraw(actor=user, deliberation=record, reason=reason)
            messages.success(request, pgettext("portal", "Withdrawn from the portal."))
        else:
            messages.error(request, pgettext("portal", "Unknown action."))
    return redirect("portal:record", pk=pk)


EXPORT_HEADERS = [
    "会议日期",
    "类型",
    "街道/镇",
    "社区",
    "议题",
    "议程",
    "参加人数",
    "结果",
    "后续落实",
    "落实完成日期",
    "状态",
    "公开时间",
    "记录人",
]


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@require_GET
@login_required
def records_export(request):
    user = request.user
    _require_recorder(user)
    records = records_selectors.deliberations_for_user(user, **_record_filters(request))[:50_000]
    published_label, draft_label = pgettext("portal", "Published"), pgettext("portal", "Draft")
    rows = (
        [
            r.held_on.isoformat(),
            r.get_kind_display(),
            r.community.parent.name if r.community.parent_id else "",
            r.community.name,
            r.subject,
            r.agenda,
            r.participants,
            r.outcome,
            r.follow_up,
            r.follow_up_done.isoformat() if r.follow_up_done else "",
            published_label if r.published_at else draft_label,
            _local(r.published_at),
            str(r.recorded_by) if r.recorded_by_id else "",
        ]
        for r in records
    )
    return xlsx_response("居民议事记录.xlsx", EXPORT_HEADERS, rows, title="议事记录")


# ------------------------------------------------------------------------ 四到社区: the commitments (login)


@require_http_methods(["GET", "POST"])
@login_required
def commitments(request):
    if not can_manage_commitments(request.user):
        raise PermissionDenied
    departments = selectors.commitment_departments(request.user)
    if not departments:
        raise PermissionDenied
    code = request.GET.get("department") or departments[0].code
    department = next((d for d in departments if d.code == code), None)
    if department is None or not can_manage_commitment(request.user, department):
        raise Http404
    current = Commitment.objects.filter(department=department).first()
    initial = {}
    if current is not None:
        initial = {
            "duties": current.duties,
            "duty_phone": current.duty_phone,
            "complaint_phone": current.complaint_phone,
            "hours": current.hours,
            "streets": list(current.streets.all()),
        }
    district = Org.objects.get(pk=department.district_id)
    form = CommitmentForm(request.POST or None, initial=initial, district=district)
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            portal_services.commitment_save(actor=request.user, department=department, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, pgettext("portal", "Published on the community pages."))
            return redirect(f"{request.path}?department={department.code}")
    return render(
        request,
        "portal/commitments.html",
        {
            "form": form,
            "department": department,
            "departments": departments,
            "sample_community": selectors.sample_community(district),
        },
    )
