from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.catalog.models import ItemKind, WorkItem
from jianfu.catalog.selectors import public_district
from jianfu.core import clock
from jianfu.core.crypto import PURPOSE_ID_NUMBER, blind_index, is_valid_id_number
from jianfu.core.errors import DomainError
from jianfu.core.tabular import XLSX_MIME, attachment_response, read_table, xlsx_bytes
from jianfu.core.uploads import report_imported, run_import
from jianfu.core.views import refusals
from jianfu.core.workflow import available
from jianfu.orgs.forms import SpreadsheetUploadForm
from jianfu.orgs.models import Org, Role
from jianfu.orgs.permissions import roots
from jianfu.registry.models import Person
from jianfu.registry.selectors import people_for_user

from . import baseline, documents, lists, selectors, services
from .forms import (
    CheckForm,
    DishonestyForm,
    IssueForm,
    ReasonForm,
    RequestForm,
    SealUseForm,
    SignOffForm,
    TypeForm,
    VerifyForm,
)
from .machines import REQUEST
from .models import RequestState, ResidentLink
from .permissions import (
    can_configure_types,
    can_read_figures,
    can_record_dishonesty,
    can_revoke,
    issuer_communities,
    resident_community,
)

# ------------------------------------------------------------------------------- public, no login


PAGE_SIZE = 50  # rows a list page shows; the total and the pages are always said


@require_GET
def check(request):
    """Self-service check: anyone types what they were asked for and sees who issues it."""
    district = public_district(request.GET.get("d"))
    form = CheckForm(request.GET if "q" in request.GET else None)
    result = lists.check(form.cleaned_data["q"], district) if form.is_valid() else None
    context = {"form": form, "result": result, "district": district, "d": request.GET.get("d", "")}
    if request.htmx:
        return render(request, "certificates/check.html#result", context)
    return render(request, "certificates/check.html", context)


@require_GET
def guide(request, code: str):
    """The published guide of a listed certificate: basis, purpose, process, sample, evidence, time."""
    item = get_object_or_404(WorkItem.objects.select_related("department"), code=code, kind=ItemKind.CERTIFICATE)
    district = services.district_of(item.department)
    decision = lists.listed(district).category_of(item)
    if decision is None:
        raise Http404
    context = {
        "item": item,
        "decision": decision,
        "ctype": lists.type_of(item),
        "closed": lists.closed_reason(item, district) if decision == lists.MAY else None,
    }
    return render(request, "certificates/guide.html", context)


@require_GET
def verify_form(request):
    form = VerifyForm(request.GET if "serial" in request.GET else None)
    if form.is_valid():
        url = reverse("certificates:verify", args=[form.cleaned_data["serial"].strip().upper()])
        code = form.cleaned_data["code"].strip().upper()
        return redirect(f"{url}?code={code}" if code else url)
    return render(request, "certificates/verify.html", {"form": form, "result": None})


@require_GET
def verify(request, serial: str):
    result = selectors.verify(serial, request.GET.get("code", ""))
    form = VerifyForm(initial={"serial": result.serial, "code": request.GET.get("code", "")})
    status = 404 if result.status == "not_found" else 200
    return render(request, "certificates/verify.html", {"form": form, "result": result}, status=status)


# -------------------------------------------------------------------------------------- requests


@require_GET
@login_required
def home(request):
    user = request.user
    if resident_community(user) is None and not can_read_figures(user):
        raise PermissionDenied
    state = request.GET.get("state", "")
    page = Paginator(selectors.requests_for_user(user, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    return render(
        request,
        "certificates/home.html",
        {
            "requests": page,
            "page": page,
            "query": urlencode({"state": state}) if state else "",
            "state": state,
            "states": RequestState.choices,
            "today": today,
            "can_request": bool(resident_community(user) or issuer_communities(user)),
            "is_issuer": bool(issuer_communities(user)),
            "can_figures": can_read_figures(user),
            "can_configure": can_configure_types(user),
        },
    )


CANDIDATES_PER_PAGE = 20


def _candidates(user, community, who: str, page=1):
    """People of the community's registry the worker may pick: by full ID number (exact) or by name,
    a page at a time with the total (a common name matches many)."""
    who = (who or "").strip()
    if not who:
        return []
    people = people_for_user(user, org=community)
    if is_valid_id_number(who):
        people = people.filter(id_index=blind_index(who, purpose=PURPOSE_ID_NUMBER))
    else:
        people = people.filter(name__contains=who)
    return Paginator(people.order_by("name", "pk"), CANDIDATES_PER_PAGE).get_page(page)


@require_http_methods(["GET", "POST"])
@login_required
def request_new(request):
    user = request.user
    issuing = issuer_communities(user)
    community = issuing[0] if issuing else resident_community(user)
    if community is None:
        raise PermissionDenied
    district = services.district_of(community)
    found = lists.listed(district)
    may = [i for i in found.may if lists.closed_reason(i, district, found, community=community) is None]
    # Searching the registry posts the name or ID number, so an ID number never lands in a URL or a log.
    searching = request.method == "POST" and "who" in request.POST
    who = request.POST.get("who", "") if searching else ""
    form = RequestForm(
        request.POST if request.method == "POST" and not searching else None,
        may=may,
        must_not=found.must_not if issuing else (),
    )
    link = None if issuing else ResidentLink.objects.filter(user=user).select_related("person").first()
    if request.method == "POST" and not searching and form.is_valid():
        person = None
        if issuing and request.POST.get("person"):
            person = Person.objects.filter(pk=request.POST["person"]).first()
        with refusals(request) as outcome:
            made = services.request_create(
                actor=user,
                community=community,
                item=form.cleaned_data["item"],
                person=person,
                purpose=form.cleaned_data["purpose"],
            )
        if outcome.ok:
            if made.state == RequestState.REDIRECTED:
                messages.info(
                    request,
                    _("Must not issue: %(body)s issues “%(name)s” (%(rule)s). Recorded as redirected.")
                    % {"body": made.responsible_body, "name": made.item.name, "rule": made.rule},
                )
            else:
                messages.success(request, _("Request %(number)s recorded.") % {"number": made.number})
            return redirect("certificates:request", number=made.number)
    context = {
        "form": form,
        "community": community,
        "issuing": bool(issuing),
        "link": link,
        "who": "" if is_valid_id_number(who) else who,
        "candidates": _candidates(user, community, who, request.POST.get("page")) if issuing else [],
        "may": may,
    }
    if request.htmx and searching:
        return render(request, "certificates/request_form.html#candidates", context)
    return render(request, "certificates/request_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def request_detail(request, number: str):
    """The request and what can be done with it. A POST only searches the registry for the
    applicant (so that an ID number never lands in a URL); every change posts to request_action."""
    user = request.user
    req = selectors.request_for_user(user, number)
    ctype = lists.type_of(req.item)
    actions = available(REQUEST, user, req)
    handling = "issue" in actions  # the community's worker, on an open request
    certificate = getattr(req, "certificate", None) if req.state == RequestState.ISSUED else None
    who = request.POST.get("who", "") if request.method == "POST" else ""
    context = {
        "req": req,
        "ctype": ctype,
        "events": req.events.select_related("actor"),
        "certificate": certificate,
        "handling": handling,
        "overdue": req.is_overdue(clock.today()),
        "can_withdraw": "withdraw" in actions,
        "can_revoke": certificate is not None and not certificate.revoked and can_revoke(user, certificate),
        "can_sign_off": "sign_off" in actions and ctype is not None and ctype.public_interest,
        "who": "" if is_valid_id_number(who) else who,
        "candidates": _candidates(user, req.community, who, request.POST.get("page")) if handling else [],
    }
    if handling:
        commitment = bool(ctype and ctype.notify_and_commit)
        context |= {
            "issue_form": IssueForm(
                item=req.item,
                commitment=commitment,
                initial={"statement": services.default_statement(req)},
                prefix="issue",
            ),
            "refuse_form": ReasonForm(prefix="refuse"),
            "sign_off_form": SignOffForm(community=req.community, prefix="signoff"),
            "exclusion": services.commitment_exclusion(req.person) if commitment and req.person else None,
            "closed": lists.closed_reason(req.item, services.district_of(req.community), community=req.community),
        }
    if request.htmx and request.method == "POST":
        return render(request, "certificates/request_detail.html#candidates", context)
    return render(request, "certificates/request_detail.html", context)


@require_POST
@login_required
def request_action(request, number: str, action: str):
    user, post = request.user, request.POST
    req = selectors.request_for_user(user, number)
    with refusals(request):
        if action == "issue":
            form = IssueForm(post, item=req.item, commitment=True, prefix="issue")
            if not form.is_valid():
                raise DomainError(_("Check the evidence and the wording."))
            certificate = services.certificate_issue(
                actor=user,
                request=req,
                evidence_checked=form.cleaned_data["evidence"],
                statement=form.cleaned_data["statement"],
                by_commitment=form.cleaned_data.get("by_commitment", False),
            )
            messages.success(request, _("Issued: serial %(serial)s.") % {"serial": certificate.serial})
        elif action == "refuse":
            services.certificate_refuse(actor=user, request=req, reason=post.get("refuse-reason", ""))
            messages.success(request, _("Refused."))
        elif action == "withdraw":
            services.request_withdraw(actor=user, request=req, reason=post.get("reason", ""))
            messages.success(request, _("Withdrawn."))
        elif action == "identify":
            person = get_object_or_404(Person, pk=post.get("person") or 0)
            services.request_identify(actor=user, request=req, person=person)
            messages.success(request, _("Applicant recorded."))
        elif action == "sign_off":
            form = SignOffForm(post, community=req.community, prefix="signoff")
            if not form.is_valid():
                raise DomainError(_("Choose the deliberation record."))
            services.request_sign_off(actor=user, request=req, deliberation=form.cleaned_data["deliberation"])
            messages.success(request, _("Signed off."))
        else:
            raise DomainError(_("Unknown action."))
    return redirect("certificates:request", number=number)


@require_GET
@login_required
def certificate_pdf(request, serial: str):
    certificate = selectors.certificate_for_user(request.user, serial)
    return attachment_response(documents.to_pdf(certificate, request), f"{certificate.serial}.pdf", "application/pdf")


@require_POST
@login_required
def certificate_revoke(request, serial: str):
    certificate = selectors.certificate_for_user(request.user, serial)
    with refusals(request) as outcome:
        services.certificate_revoke(
            actor=request.user,
            certificate=certificate,
            reason=request.POST.get("reason", ""),
            false_commitment=request.POST.get("false_commitment") == "1",
        )
    if outcome.ok:
        messages.success(request, _("Revoked."))
    return redirect("certificates:request", number=certificate.request.number)


# -------------------------------------------------------------------------------------- seal log


def _year(raw, default: int) -> int:
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= 2100 else default


@require_http_methods(["GET", "POST"])
@login_required
def seals(request):
    user = request.user
    if not can_read_figures(user):
        raise PermissionDenied
    issuing = issuer_communities(user)
    form = SealUseForm(request.POST or None) if issuing else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            with refusals(request) as outcome:
                services.seal_use_record(actor=user, community=issuing[0], document=form.cleaned_data["document"])
            if outcome.ok:
                messages.success(request, _("Seal use recorded."))
                return redirect("certificates:seals")
    year = _year(request.GET.get("year"), clock.today().year)
    page = Paginator(selectors.seal_uses_for_user(user, year=year), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/seals.html",
        {
            "uses": page,
            "page": page,
            "query": urlencode({"year": year}),
            "count": page.paginator.count,
            "year": year,
            "form": form,
            "revoke_form": ReasonForm(),
            "can_revoke": {c.pk for c in issuing},
        },
    )


SEAL_COLUMNS = ["日期", "社区", "用印事由", "证明编号", "经办人", "状态", "撤销原因"]


@require_GET
@login_required
def seals_export(request):
    if not can_read_figures(request.user):
        raise PermissionDenied
    year = _year(request.GET.get("year"), clock.today().year)
    rows = (
        [
            u.used_on.isoformat(),
            u.community.name,
            u.document,
            u.certificate.serial if u.certificate_id else "",
            str(u.used_by or ""),
            "已撤销" if u.revoked_at else "有效",
            u.revoke_reason,
        ]
        for u in selectors.seal_uses_for_user(request.user, year=year)
    )
    return attachment_response(
        xlsx_bytes(SEAL_COLUMNS, rows, title=f"{year}用印登记"), f"用印登记{year}.xlsx", XLSX_MIME
    )


@require_POST
@login_required
def seal_revoke(request, pk: int):
    use = get_object_or_404(selectors.seal_uses_for_user(request.user), pk=pk)
    with refusals(request) as outcome:
        services.seal_use_revoke(actor=request.user, seal_use=use, reason=request.POST.get("reason", ""))
    if outcome.ok:
        messages.success(request, _("Revoked."))
    return redirect("certificates:seals")


# --------------------------------------------------------------------------------------- figures


def _figures_context(request):
    user = request.user
    if not can_read_figures(user):
        raise PermissionDenied
    scope = selectors.area_for_user(user, request.GET.get("org"))
    year = _year(request.GET.get("year"), clock.reporting_year())  # last year while this one has no whole month
    baseline_year = _year(request.GET.get("baseline"), year - 1)
    return selectors.certificate_figures(scope, year, baseline_year)


@require_GET
@login_required
def figures(request):
    data = _figures_context(request)
    data["areas"] = selectors.areas_for_user(request.user)
    data["communities"] = selectors.communities_for_user(request.user)
    data["month_range"] = range(1, 13)
    return render(request, "certificates/figures.html", data)


FIGURE_COLUMNS = ["证明事项编码", "证明事项", "社区编码", "社区", "月份", "开具", "不予开具", "告知转办"]


@require_GET
@login_required
def figures_export(request):
    data = _figures_context(request)
    rows = data["rows"]
    items = WorkItem.objects.in_bulk({r["item_id"] for r in rows})
    orgs = Org.objects.in_bulk({r["community_id"] for r in rows})
    out = (
        [
            items[r["item_id"]].code,
            items[r["item_id"]].name,
            orgs[r["community_id"]].code,
            orgs[r["community_id"]].name,
            r["month"],
            r["issued"],
            r["refused"],
            r["redirected"],
        ]
        for r in rows
    )
    name = f"{data['scope'].name}{data['year']}年证明开具情况"
    return attachment_response(xlsx_bytes(FIGURE_COLUMNS, out, title=str(data["year"])), f"{name}.xlsx", XLSX_MIME)


@require_http_methods(["GET", "POST"])
@login_required
def baseline_import(request):
    district = public_district(request.GET.get("d"))
    if not can_configure_types(request.user, district):
        raise PermissionDenied
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        result, errors = run_import(
            request,
            lambda: baseline.import_baseline(
                actor=request.user, district=district, table=read_table(form.cleaned_data["file"])
            ),
        )
        if result is not None:
            report_imported(request, result)
            return redirect("certificates:figures")
    return render(
        request,
        "orgs/import.html",
        {
            "form": form,
            "errors": errors,
            "what": "baseline",
            "title": _("baseline figures"),
            "columns": baseline.COLUMNS,
        },
    )


# ---------------------------------------------------------------------------- the office's settings


@require_GET
@login_required
def types(request):
    district = public_district(request.GET.get("d"))
    if not can_configure_types(request.user, district):
        raise PermissionDenied
    found = lists.listed(district)
    may = [(i, lists.type_of(i), lists.closed_reason(i, district, found)) for i in found.may]
    return render(request, "certificates/types.html", {"may": may, "must_not": found.must_not, "district": district})


@require_http_methods(["GET", "POST"])
@login_required
def type_edit(request, code: str):
    item = get_object_or_404(WorkItem.objects.select_related("department"), code=code, kind=ItemKind.CERTIFICATE)
    district = services.district_of(item.department)
    if not can_configure_types(request.user, district):
        raise PermissionDenied
    form = TypeForm(request.POST or None, instance=lists.type_of(item))
    if lists.category_of(item, district) == lists.MUST_NOT:
        # A must-not certificate is never issued: only the names people use for it matter.
        form.fields = {"aliases": form.fields["aliases"]}
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.TYPE_FIELDS if name in form.fields}
        with refusals(request) as outcome:
            services.type_configure(actor=request.user, item=item, **fields)
        if outcome.ok:
            messages.success(request, _("Saved."))
            return redirect("certificates:types")
    return render(request, "certificates/type_form.html", {"form": form, "item": item})


@require_http_methods(["GET", "POST"])
@login_required
def dishonesty(request):
    user = request.user
    records = selectors.dishonesty_for_user(user)
    if not (user.is_superuser or roots(user, {Role.OFFICE, Role.COMMUNITY})):
        raise PermissionDenied
    form = DishonestyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = (
            people_for_user(user).filter(id_index=blind_index(data.pop("id_number"), purpose=PURPOSE_ID_NUMBER)).first()
        )
        if person is None or not can_record_dishonesty(user, person):
            messages.error(request, _("Nobody with this ID number lives within your reach."))
        else:
            with refusals(request) as outcome:
                services.dishonesty_record(actor=user, person=person, **data)
            if outcome.ok:
                messages.success(request, _("Recorded."))
                return redirect("certificates:dishonesty")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certificates/dishonesty.html", {"records": page, "page": page, "form": form})
