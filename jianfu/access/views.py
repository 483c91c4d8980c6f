from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.core import clock, workflow
from jianfu.core.errors import DomainError
from jianfu.core.tabular import attachment_response
from jianfu.core.views import refusals
from jianfu.orgs.models import Org, Role
from jianfu.orgs.permissions import roots

from . import arrivals, documents, receipts, reviews, selectors, services
from .check_views import DemandCheckForm, checking_place, pdf_response
from .forms import (
    ApplicationForm,
    ConsultationForm,
    DecisionForm,
    MeetingForm,
    OpinionForm,
    ReasonForm,
    ReviewAssignmentForm,
    ViolationDecisionForm,
    ViolationForm,
)
from .machines import APPLICATION, VIOLATION
from .models import Consultation, Meeting, ReviewAssignment, State
from .permissions import (
    STREET_KINDS,
    can_assign_reviews,
    can_edit_application,
    can_give_opinion,
    can_manage_access,
    can_report_violation,
    is_applicant,
    is_reporter,
    is_worker,
    reporting_community,
)


def _district_of(org: Org) -> Org:
    return Org.objects.get(pk=org.district_id)


def _as_street(org: Org) -> Org | None:
    """The applying street (its form has no choice of streets), None for a department."""
    return org if org.kind in STREET_KINDS else None


@require_GET
@login_required
def dashboard(request):
    state = request.GET.get("state", "")
    applications = selectors.applications_for_user(request.user, state=state)
    today = clock.today()
    return render(
        request,
        "access/dashboard.html",
        {
            "applications": applications,
            "state": state,
            "states": State.choices,
            "today": today,
            "waiting": selectors.consultations_waiting(request.user),
            "can_apply": is_applicant(request.user),
            "is_office": can_manage_access(request.user),
            "overdue": [a for a in applications if a.is_overdue(today)],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def application_new(request):
    department = selectors.applicant_org(request.user)
    if department is None:
        raise PermissionDenied
    form = ApplicationForm(request.POST or None, district=department.parent, street=_as_street(department))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        streets = list(data.pop("scope_streets", []))
        with refusals(request) as outcome:
            application = services.application_create(
                actor=request.user, department=department, scope_streets=streets, **data
            )
        if outcome.ok:
            messages.success(
                request, _("Draft %(number)s saved. Check it, then submit it.") % {"number": application.number}
            )
            return redirect("access:detail", number=application.number)
    return render(request, "access/application_form.html", {"form": form, "department": department})


@require_http_methods(["GET", "POST"])
@login_required
def application_edit(request, number: str):
    application = selectors.application_for_user(request.user, number)
    if not can_edit_application(request.user, application):
        raise PermissionDenied
    form = ApplicationForm(
        request.POST or None,
        instance=application,
        district=application.department.parent,
        street=_as_street(application.department),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE}
        streets = list(form.cleaned_data.get("scope_streets", []))
        application.refresh_from_db()
        with refusals(request) as outcome:
            if application.state == State.CHANGES_REQUESTED:
                services.application_adjust(
                    actor=request.user,
                    application=application,
                    note=request.POST.get("note", ""),
                    scope_streets=streets,
                    **data,
                )
                messages.success(request, _("Adjusted and handed back to the office."))
            else:
                services.application_update(actor=request.user, application=application, scope_streets=streets, **data)
                messages.success(request, _("Saved."))
        if outcome.ok:
            return redirect("access:detail", number=number)
    return render(
        request,
        "access/application_form.html",
        {"form": form, "application": application, "department": application.department},
    )


def _consultation_form(application, data=None) -> ConsultationForm:
    streets, communities = services.consultable(application)
    return ConsultationForm(data, streets=streets, communities=communities, prefix="consult")


@require_GET
@login_required
def application_detail(request, number: str):
    application = selectors.application_for_user(request.user, number)
    user = request.user
    district = application.department.parent
    consultations = list(application.consultations.select_related("org", "answered_by"))
    transitions = list(application.transitions.select_related("actor", "org").order_by("at", "pk"))
    # The consulted organisations the user answers for: its answer so far, and the form to give or
    # amend it (filled with the answer given).
    answering = [c for c in consultations if can_give_opinion(user, c)]
    mine = [
        (
            c,
            OpinionForm(
                initial={"opinion": c.opinion, "comment": c.comment} if c.opinion else None,
                # One form (the usual case) keeps the plain ids; several need their own.
                auto_id="id_%s" if len(answering) == 1 else f"id_c{c.pk}_%s",
            ),
        )
        for c in answering
    ]
    actions = workflow.available(APPLICATION, user, application)
    context = {
        "application": application,
        "transitions": transitions,
        "consultations": consultations,
        "my_consultations": mine,
        "reason_forms": {
            name: ReasonForm(prefix=name) for name in ("review", "confirm", "fast_track", "return", "withdraw")
        },
        "can_edit": can_edit_application(user, application),
        "actions": actions,
        "consultation_form": _consultation_form(application) if "open_consultation" in actions else None,
        "decision_form": DecisionForm(district=district, prefix="decision"),
        "overdue": application.is_overdue(clock.today()),
        "quorum": services.quorum_reached(application, consultations),
        "reviews": reviews.status(application, transitions),
        "decided": documents.decided(application, transitions),
    }
    return render(request, "access/application_detail.html", context)


def _run(request, number: str, call):
    application = selectors.application_for_user(request.user, number)
    with refusals(request) as outcome:
        call(application)
    if outcome.ok:
        messages.success(request, _("Done."))
    return redirect("access:detail", number=number)


@require_POST
@login_required
def application_action(request, number: str, action: str):
    user, post = request.user, request.POST
    # Each reason box on the page has its own prefix ("review-reason", "return-reason", …).
    reason = next((v for k, v in post.items() if k == "reason" or k.endswith("-reason")), "")

    def call(application):
        if action == "submit":
            services.application_submit(actor=user, application=application)
        elif action == "withdraw":
            services.application_withdraw(actor=user, application=application, reason=reason)
        elif action == "return":
            services.application_return(actor=user, application=application, reason=reason)
        elif action in ("pass_review", "review"):  # the service records the unit's review, or completes it
            services.application_pass_review(actor=user, application=application, comment=reason)
        elif action == "open_consultation":
            form = _consultation_form(application, post)
            if not form.is_valid():
                raise DomainError(_("Choose whom to consult and the working days to answer."))
            services.consultation_open(
                actor=user,
                application=application,
                orgs=form.chosen(),
                workdays_to_answer=form.cleaned_data["workdays"],
            )
        elif action == "close_consultation":
            services.consultation_close(actor=user, application=application)
        elif action == "decide":
            form = DecisionForm(post, district=application.department.parent, prefix="decision")
            if not form.is_valid():
                raise DomainError(_("Choose the meeting and the decision, and give the reasons."))
            d = form.cleaned_data
            services.application_decide(
                actor=user,
                application=application,
                meeting=d["meeting"],
                decision=d["decision"],
                reason=d["reason"],
                changes=d["changes"],
            )
        elif action == "confirm_adjustment":
            services.application_confirm_adjustment(
                actor=user, application=application, accept=post.get("accept") == "1", reason=reason
            )
        elif action == "fast_track":
            services.application_fast_track(actor=user, application=application, reason=reason)
        else:
            raise DomainError(_("Unknown action."))

    return _run(request, number, call)


@require_POST
@login_required
def attach(request, number: str):
    selectors.application_for_user(request.user, number)  # 404 before anything else
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect("access:detail", number=number)
    return _run(request, number, lambda a: services.attachment_add(actor=request.user, application=a, upload=upload))


@require_GET
@login_required
def attachment(request, number: str, attachment_id: int):
    application = selectors.application_for_user(request.user, number)
    item = get_object_or_404(application.attachments, pk=attachment_id)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@require_POST
@login_required
def opinion(request, number: str, consultation_id: int):
    selectors.application_for_user(request.user, number)
    consultation = get_object_or_404(Consultation, pk=consultation_id, application__number=number)
    form = OpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an opinion."))
        return redirect("access:detail", number=number)
    return _run(
        request,
        number,
        lambda application: services.opinion_give(
            actor=request.user,
            consultation=consultation,
            opinion=form.cleaned_data["opinion"],
            comment=form.cleaned_data["comment"],
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
def meetings(request):
    districts = roots(request.user, {Role.OFFICE})
    if not districts:
        raise PermissionDenied
    district = districts[0]
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            services.meeting_create(actor=request.user, district=district, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Meeting created."))
            return redirect("access:meetings")
    items = Meeting.objects.filter(district=district).prefetch_related("applications")
    return render(request, "access/meetings.html", {"form": form, "meetings": items})


@require_GET
@login_required
def decision_document(request, number: str):
    """The decision (准入决定书) on A4, as Word (?format=docx) or PDF, for whoever may read the application."""
    application = selectors.application_for_user(request.user, number)
    if not documents.decided(application):
        raise Http404
    if request.GET.get("format") == "docx":
        return attachment_response(
            documents.to_docx(application), documents.filename(application, "docx"), documents.DOCX_MIME
        )
    return attachment_response(
        documents.to_pdf(application, base_url=request.build_absolute_uri("/")),
        documents.filename(application, "pdf"),
        "application/pdf",
    )


@require_http_methods(["GET", "POST"])
@login_required
def review_duties(request):
    """The office says which member unit reviews what (the funding, bodies and plaques, the whole)."""
    districts = [d for d in roots(request.user, {Role.OFFICE}) if can_assign_reviews(request.user, d)]
    if not districts:
        raise PermissionDenied
    district = districts[0]
    form = ReviewAssignmentForm(request.POST or None, district=district)
    if request.method == "POST":
        remove = request.POST.get("remove")
        with refusals(request) as outcome:
            if remove:
                assignment = get_object_or_404(ReviewAssignment, pk=remove, district=district)
                services.review_unassign(actor=request.user, assignment=assignment)
            elif form.is_valid():
                services.review_assign(actor=request.user, district=district, **form.cleaned_data)
            else:
                raise DomainError(_("Choose the member unit and what it reviews."))
        if outcome.ok:
            messages.success(request, _("Review duties saved."))
            return redirect("access:review_duties")
    assignments = ReviewAssignment.objects.filter(district=district).select_related("unit")
    page = Paginator(assignments, 50).get_page(request.GET.get("page"))
    return render(request, "access/review_duties.html", {"form": form, "page": page, "district": district})


@require_http_methods(["GET", "POST"])
@login_required
def check(request):
    """ "这能派吗?": a worker pastes a demand and sees whether approved work in force here covers it;
    each check is kept (where, sender, kind, item, decision — not the message)."""
    if not is_worker(request.user):
        raise PermissionDenied
    community, street = checking_place(request.user)
    area = community or street or roots(request.user, {Role.COMMUNITY, Role.GRID, Role.STREET})[0]
    district = _district_of(area)
    form = DemandCheckForm(request.POST or None, street=street)
    result = kept = None
    if request.method == "POST" and form.is_valid():
        community = community or form.cleaned_data.get("community")
        result, kept = arrivals.check(form.cleaned_data["message"], district=district, community=community, org=area)
    violation_form = ViolationForm(
        district=district,
        initial={
            "what": request.POST.get("message", ""),
            "arrived_on": clock.today(),
            "department": result.sender.pk if result and result.sender else None,
            "checked": kept.pk if kept else None,
        },
    )
    context = {
        "form": form,
        "result": result,
        "violation_form": violation_form,
        "can_report": can_report_violation(request.user),
    }
    if request.htmx:
        return render(request, "access/check.html#result", context)
    return render(request, "access/check.html", context)


@require_POST
@login_required
def refuse(request):
    """One click: a refusal receipt to send back, and a violation report to the office; the refusal
    is kept with the gate's answer (where, sender, kind, item, decision)."""
    community = reporting_community(request.user)
    if community is None:
        raise PermissionDenied
    form = ViolationForm(request.POST, request.FILES, district=_district_of(community))
    if not form.is_valid():
        messages.error(request, _("Choose the department and describe what arrived."))
        return redirect("access:check")
    with refusals(request) as outcome:
        report = arrivals.refuse(actor=request.user, community=community, **form.cleaned_data)
    if not outcome.ok:
        return redirect("access:check")
    return redirect("access:receipt", number=report.number)


@require_GET
@login_required
def receipt(request, number: str):
    """The reporter's receipt: on screen, as an A4 PDF (?format=pdf), with the link and QR code the
    sender follows."""
    report = selectors.violation_for_user(request.user, number)
    if not is_reporter(request.user, report):
        raise PermissionDenied
    if request.GET.get("format") == "pdf":
        return pdf_response(report, request, public=False)
    return render(request, "access/receipt.html", receipts.context(report, request, public=False))


@require_GET
@login_required
def violations(request):
    reports = selectors.violations_for_user(request.user)
    return render(
        request,
        "access/violations.html",
        {"reports": [(r, selectors.may_see_reporter(request.user, r)) for r in reports]},
    )


@require_http_methods(["GET", "POST"])
@login_required
def violation_detail(request, number: str):
    report = selectors.violation_for_user(request.user, number)
    form = ViolationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            services.violation_decide(actor=request.user, report=report, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Decision recorded."))
            return redirect("access:violation", number=number)
    return render(
        request,
        "access/violation_detail.html",
        {
            "report": report,
            "identity": selectors.may_see_reporter(request.user, report),
            "form": form if workflow.available(VIOLATION, request.user, report) else None,
        },
    )
