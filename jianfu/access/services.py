"""Every change in the access workflow: one function per action. Each locks the application, has the
machine (jianfu.access.machines) check the actor and the state, checks its own business rules, and
moves it through jianfu.core.workflow.apply, which writes the history row and the audit entry."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.catalog import gate
from jianfu.catalog import services as catalog
from jianfu.catalog.models import WORK_FIELD_NAMES, Category, WorkItem
from jianfu.core import clock, dirty, workdays
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.core.numbering import next_number
from jianfu.core.uploads import check_file_type
from jianfu.core.workflow import apply, check, require
from jianfu.orgs.models import Org, OrgKind, Role, User

from . import burden, checks, overlap, reviews
from .machines import APPLICATION, VIOLATION
from .models import (
    ANSWERS,
    FINAL_STATES,
    WITH_DEPARTMENT,
    Application,
    Attachment,
    Consultation,
    Decision,
    Meeting,
    Opinion,
    ReviewAssignment,
    ReviewDuty,
    State,
    ViolationReport,
)
from .permissions import (
    STREET_KINDS,
    applicant_role,
    can_apply_for,
    can_assign_reviews,
    can_convene,
    can_edit_application,
    can_give_opinion,
    can_report_for,
    can_report_violation,
    is_applicant_org,
    review_unit,
)

S = State
# action: (states it may start from, state it leads to) — the machine's table, read by the tests.
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    name: (set(action.sources), action.target) for name, action in APPLICATION.actions.items()
}
EDITABLE = [*WORK_FIELD_NAMES, "reason", "start_date"]


def allowed_actions(application: Application) -> set[str]:
    return APPLICATION.startable(application)


def _district(application: Application) -> Org:
    return application.department.parent


APPLICABLE_CATEGORIES = {Category.DUTY, Category.ASSIST, Category.CERTIFICATE}


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(f"unknown fields: {', '.join(sorted(unknown))}")
    if "category" in fields and fields["category"] not in APPLICABLE_CATEGORIES:
        raise DomainError(_("Apply for a lawful duty, an assistance item or a certificate."))


def _street_scope(department: Org, scope_streets) -> list[Org] | None:
    """A street's work reaches its own communities only: its scope is the street. None: no change
    asked for (an update that leaves the scope as it is)."""
    if department.kind not in STREET_KINDS:
        return None if scope_streets is None else list(scope_streets)
    if scope_streets is not None and any(s.pk != department.pk for s in scope_streets):
        raise DomainError(
            _("A street applies only for the communities of its own street."),
            code="street_scope",
        )
    return [department]


def _full_clean(application: Application, **kwargs) -> None:
    try:
        application.full_clean(**kwargs)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid") from exc


@transaction.atomic
def application_create(*, actor: User, department: Org, scope_streets: list[Org] = (), **fields) -> Application:
    """A department's clerk applies for the department, a street worker for the street (the street's
    own communities)."""
    require(
        can_apply_for(actor, department),
        _("Only the department's clerk or the street's worker may apply for it."),
    )
    _check_fields(fields)
    scope_streets = _street_scope(department, scope_streets)
    application = Application(
        department=department, created_by=actor, number=next_number("SQ", clock.today().year), **fields
    )
    _full_clean(application, exclude=["number"])
    application.save()
    application.scope_streets.set(scope_streets)
    audit.record(
        action="application.create",
        actor=actor,
        obj=application,
        org=department,
        role=applicant_role(department),
        after=audit.snapshot(application, EDITABLE) | {"scope_streets": [s.code for s in scope_streets]},
    )
    return application


@transaction.atomic
def application_update(*, actor: User, application: Application, scope_streets=None, **fields) -> Application:
    application = APPLICATION.lock(application)
    require(
        can_edit_application(actor, application),
        _("Only the applicant (the department's clerk or the street's worker) may edit it, while it is with them."),
    )
    _check_fields(fields)
    scope_streets = _street_scope(application.department, scope_streets)
    before = audit.snapshot(application, EDITABLE)
    for name, value in fields.items():
        setattr(application, name, value)
    _full_clean(application)
    application.save()
    if scope_streets is not None:
        application.scope_streets.set(scope_streets)
    audit.record(
        action="application.update",
        actor=actor,
        obj=application,
        org=application.department,
        role=applicant_role(application.department),
        before=before,
        after=audit.snapshot(application, EDITABLE),
    )
    return application


def refusal_reasons(application: Application, today: dt.date) -> list[str]:
    """Why the application may not be submitted at all (empty when it may)."""
    forbidden = checks.forbidden_work(application)
    if forbidden:
        return [_("Refused: %(rule)s") % {"rule": forbidden.rule}]
    negative = overlap.negative_list_match(application)
    if negative is not None:
        item, _score = negative
        return [
            _("Refused: “%(name)s” is on the negative list (%(basis)s); it is the responsibility of %(body)s.")
            % {
                "name": item.name,
                "basis": item.legal_basis or "负面清单",
                "body": item.responsible_body or item.department.name,
            }
        ]
    return checks.submission_problems(application, today)


@transaction.atomic
def application_submit(*, actor: User, application: Application) -> Application:
    application = APPLICATION.lock(application)
    check(APPLICATION, application, "submit", actor)
    today = clock.today()
    reasons = refusal_reasons(application, today)
    if reasons:
        raise DomainError("；".join(reasons), code="refused_at_submission")
    # The machine stamps the submission and its decision date.
    return apply(
        APPLICATION,
        application,
        "submit",
        actor=actor,
        role=applicant_role(application.department),
        change=lambda a: _assess(a, today),
        locked=True,
    )


def _assess(application: Application, today) -> None:
    """What the reviewers and the meeting see: similar items, the burden preview, warnings."""
    application.overlaps = overlap.similar_items(application)
    application.burden_preview = burden.preview(application, _district(application), today)
    application.warnings = []
    if application.category == Category.ASSIST and application.funding_yuan <= 0:
        application.warnings.append(_("An assistance item without funding cannot be approved (费随事转)."))
    if application.burden_preview["over_cap"]:
        application.warnings.append(
            _("%(n)s communities would go over the cap of %(cap)s hours a month.")
            % {"n": len(application.burden_preview["over_cap"]), "cap": application.burden_preview["cap"]}
        )


@transaction.atomic
def application_return(*, actor: User, application: Application, reason: str) -> Application:
    application = APPLICATION.lock(application)
    check(APPLICATION, application, "return", actor)
    if not reason.strip():
        raise DomainError(_("Say why the application is returned."))
    # The office when it is the office, else the reviewer (the machine's acting role).
    return apply(APPLICATION, application, "return", actor=actor, note=reason, locked=True)


@transaction.atomic
def application_pass_review(*, actor: User, application: Application, comment: str = "") -> Application:
    """A member unit's review, in the unit's name (an entry of the history): the one that completes
    the review the office assigned moves the application on; a unit never reviews its own
    department's application (permissions.review_unit)."""
    application = APPLICATION.lock(application)
    unit = review_unit(actor, application)
    action = "pass_review" if unit is not None and reviews.completes(unit, application) else "review"
    check(APPLICATION, application, action, actor)
    return apply(
        APPLICATION,
        application,
        action,
        actor=actor,
        role=Role.REVIEWER,
        org=unit,
        note=comment,
        history={"org": unit},
        after={"unit": unit.code},
        locked=True,
    )


@transaction.atomic
def review_assign(*, actor: User, district: Org, unit: Org, duty: str) -> ReviewAssignment:
    """The office says which member unit reviews which part of its district's applications."""
    require(can_assign_reviews(actor, district), _("Only the office assigns the review duties."))
    if not unit.is_member_unit or unit.parent_id != district.pk:
        raise DomainError(_("Choose a member unit of this district."), code="not_member_unit")
    if duty not in ReviewDuty.values:
        raise DomainError(_("Choose what the unit reviews."), code="invalid")
    assignment, created = ReviewAssignment.objects.get_or_create(district=district, unit=unit, duty=duty)
    if created:
        audit.record(
            action="review_duty.assign",
            actor=actor,
            obj=assignment,
            org=district,
            role=Role.OFFICE,
            after={"unit": unit.code, "duty": duty},
        )
    return assignment


@transaction.atomic
def review_unassign(*, actor: User, assignment: ReviewAssignment) -> None:
    require(can_assign_reviews(actor, assignment.district), _("Only the office assigns the review duties."))
    audit.record(
        action="review_duty.remove",
        actor=actor,
        obj=assignment,
        org=assignment.district,
        role=Role.OFFICE,
        before={"unit": assignment.unit.code, "duty": assignment.duty},
    )
    assignment.delete()


@transaction.atomic
def consultation_open(
    *, actor: User, application: Application, orgs: list[Org], workdays_to_answer: int | None = None
) -> list[Consultation]:
    application = APPLICATION.lock(application)
    check(APPLICATION, application, "open_consultation", actor)
    if not orgs:
        raise DomainError(_("Choose at least one street or community to consult."))
    # Only the streets and communities the application would reach are asked.
    streets, communities = consultable(application)
    allowed = {o.pk for o in streets} | {o.pk for o in communities}
    outside = [o.name for o in orgs if o.pk not in allowed]
    if outside:
        raise DomainError(
            _("Outside the application's scope: %(names)s.") % {"names": "、".join(outside)}, code="outside_scope"
        )
    orgs = sorted({o.pk: o for o in orgs}.values(), key=lambda o: o.path)
    days = workdays_to_answer or settings.JIANFU["CONSULTATION_WORKDAYS"]
    due = workdays.add_workdays(clock.today(), days)
    application.consultation_due = due
    # A new round after a return replaces the earlier one (its opinions stay in the audit trail).
    application.consultations.all().delete()
    consultations = [Consultation.objects.create(application=application, org=o, due=due) for o in orgs]
    apply(
        APPLICATION,
        application,
        "open_consultation",
        actor=actor,
        note=_("%(n)s consulted, answers due %(due)s") % {"n": len(orgs), "due": due.isoformat()},
        locked=True,
    )
    return consultations


def consultable(application: Application) -> tuple[list[Org], list[Org]]:
    """The streets and the communities the application would reach (its approved place): the streets
    of its scope (every street and town of the district when none is named) and their communities of
    the community types it names."""
    district = _district(application)
    streets = list(application.scope_streets.order_by("path"))
    if not streets:
        streets = list(Org.objects.filter(parent=district, kind__in=STREET_KINDS).order_by("path"))
    types = application.scope_community_types
    communities = [
        c
        for c in Org.objects.filter(parent__in=streets, kind=OrgKind.COMMUNITY).order_by("path")
        if not gate.outside_scope(set(), types, c)
    ]
    return streets, communities


@transaction.atomic
def opinion_give(*, actor: User, consultation: Consultation, opinion: str, comment: str = "") -> Consultation:
    """The consulted street or community answers for itself, and may amend its answer until the
    close; each answer is an entry of the application's history (who, for whom, what, when)."""
    application = APPLICATION.lock(consultation.application)
    consultation = Consultation.objects.select_for_update().select_related("org").get(pk=consultation.pk)
    consultation.application = application
    require(can_give_opinion(actor, consultation), _("Only the consulted street or community gives this opinion."))
    check(APPLICATION, application, "give_opinion", actor)
    if opinion not in ANSWERS:
        raise DomainError(_("Choose agree, disagree or agree with suggestions."))
    if opinion == Opinion.SUGGEST and not comment.strip():
        raise DomainError(_("Write the suggestion."))
    before = {"opinion": consultation.opinion, "comment": consultation.comment}
    consultation.opinion, consultation.comment = opinion, comment
    consultation.answered_by, consultation.answered_at = actor, clock.now()
    consultation.save()
    role = Role.STREET if consultation.org.kind in STREET_KINDS else Role.COMMUNITY
    apply(
        APPLICATION,
        application,
        "give_opinion",
        actor=actor,
        role=role,
        org=consultation.org,
        note=comment,
        history={"org": consultation.org, "opinion": opinion},
        before={"consulted": consultation.org.code} | before,
        after={"consulted": consultation.org.code, "opinion": opinion, "comment": comment},
        locked=True,
    )
    return consultation


def quorum_reached(application: Application, consultations: list[Consultation] | None = None) -> bool:
    consultations = list(application.consultations.all()) if consultations is None else consultations
    answered = sum(1 for c in consultations if c.opinion)
    return bool(consultations) and answered >= settings.JIANFU["CONSULTATION_QUORUM"] * len(consultations)


@transaction.atomic
def consultation_close(*, actor: User | None, application: Application) -> Application:
    """Close once the answers are due, or early when a quorum answered. Silence is recorded as no opinion."""
    application = APPLICATION.lock(application)
    # No actor: the timer closes a consultation whose answers are due (the system's own move).
    system = actor is None
    check(APPLICATION, application, "close_consultation", actor, permission=not system)
    today = clock.today()
    due_passed = application.consultation_due is not None and today > application.consultation_due
    if not due_passed and not quorum_reached(application):
        raise DomainError(
            _("Too few answers yet: the consultation may close early once %(pct)s%% have answered, or after %(due)s.")
            % {"pct": int(settings.JIANFU["CONSULTATION_QUORUM"] * 100), "due": application.consultation_due}
        )
    silent = application.consultations.filter(opinion="")
    # Silence past its own due date is no answer in time; silence cut short by a quorum is not overdue.
    late = silent.filter(due__lt=today).update(opinion=Opinion.NONE)
    early = silent.filter(due__gte=today).update(opinion=Opinion.CLOSED_EARLY)
    total = application.consultations.count()
    note = ""
    if early:
        note = _("Closed early: %(answered)s of %(total)s answered; %(early)s had until their due date.") % {
            "answered": total - early - late,
            "total": total,
            "early": early,
        }
    return apply(
        APPLICATION,
        application,
        "close_consultation",
        actor=actor,
        note=note,
        after={"no_answer": late, "closed_early": early},
        locked=True,
        permission=not system,
    )


@transaction.atomic
def meeting_create(*, actor: User, district: Org, title: str, held_on: dt.date, minutes: str = "") -> Meeting:
    require(can_convene(actor, district), _("Only the office convenes the joint meeting."))
    meeting = Meeting.objects.create(district=district, title=title, held_on=held_on, minutes=minutes, created_by=actor)
    audit.record(
        action="meeting.create",
        actor=actor,
        obj=meeting,
        org=district,
        role=Role.OFFICE,
        after={"title": title, "held_on": held_on},
    )
    return meeting


@transaction.atomic
def application_decide(
    *, actor: User, application: Application, meeting: Meeting, decision: str, reason: str, changes: str = ""
) -> Application:
    application = APPLICATION.lock(application)
    check(APPLICATION, application, decision, actor)
    if meeting.district_id != _district(application).pk:
        raise DomainError(_("The meeting belongs to another district."))
    if not reason.strip():
        raise DomainError(_("Record the reasons for the decision."))
    if decision == Decision.APPROVE_WITH_CHANGES and not changes.strip():
        raise DomainError(_("Say which changes the department must make."))
    if decision == Decision.APPROVE:
        ensure_approvable(application)

    def record(a: Application) -> None:
        a.meeting, a.decision = meeting, decision
        a.decision_reason, a.required_changes = reason, changes

    application = apply(APPLICATION, application, decision, actor=actor, note=reason, change=record, locked=True)
    if decision == Decision.APPROVE:
        _enter_catalog(application, actor)
    return application


def ensure_approvable(application: Application) -> None:
    basis = checks.higher_basis(application)
    if basis:
        raise DomainError(basis.rule, code=basis.code)
    if application.category == Category.ASSIST and application.funding_yuan <= 0:
        raise DomainError(
            _("An assistance item cannot be approved without funding: money follows the work (权随责走、费随事转)."),
            code="assist_without_funding",
        )
    if application.category == Category.DUTY and not application.legal_basis.strip():
        raise DomainError(
            _("A lawful-duty item cannot be approved without its legal basis."), code="duty_without_basis"
        )


def _enter_catalog(application: Application, actor: User | None) -> WorkItem:
    item = catalog.item_from_application(application=application, actor=actor)
    application.work_item = item
    application.save(update_fields=["work_item"])
    return item


@transaction.atomic
def application_adjust(*, actor: User, application: Application, note: str, **fields) -> Application:
    """The department makes the required changes and hands it back."""
    application = APPLICATION.lock(application)
    check(APPLICATION, application, "adjust", actor)
    if fields:
        application_update(actor=actor, application=application, **fields)
        application.refresh_from_db()
    refused = checks.forbidden_work(application)
    negative = overlap.negative_list_match(application)
    if refused or negative:
        raise DomainError("；".join(refusal_reasons(application, clock.today())), code="refused_at_submission")
    basis = checks.higher_basis(application)
    if basis:
        raise DomainError(basis.rule, code=basis.code)
    today = clock.today()
    return apply(
        APPLICATION,
        application,
        "adjust",
        actor=actor,
        role=applicant_role(application.department),
        note=note,
        change=lambda a: _assess(a, today),
        locked=True,
    )


@transaction.atomic
def application_confirm_adjustment(
    *, actor: User, application: Application, accept: bool, reason: str = ""
) -> Application:
    application = APPLICATION.lock(application)
    action = "confirm_adjustment" if accept else "refuse_adjustment"
    check(APPLICATION, application, action, actor)
    if accept:
        ensure_approvable(application)
    elif not reason.strip():
        raise DomainError(_("Say what is still missing."))
    application = apply(APPLICATION, application, action, actor=actor, note=reason, locked=True)
    if accept:
        _enter_catalog(application, actor)
    return application


@transaction.atomic
def application_fast_track(*, actor: User, application: Application, reason: str) -> Application:
    """The office approves a temporary item (临时性项目) at once; it expires on its date."""
    application = APPLICATION.lock(application)
    check(APPLICATION, application, "fast_track", actor)
    if not application.temporary or application.valid_until is None:
        raise DomainError(_("Only a temporary item with an expiry date can be fast-tracked."))
    ensure_approvable(application)
    application = apply(APPLICATION, application, "fast_track", actor=actor, note=reason, locked=True)
    _enter_catalog(application, actor)
    return application


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    application = APPLICATION.lock(application)
    role = applicant_role(application.department)
    return apply(APPLICATION, application, "withdraw", actor=actor, role=role, note=reason, locked=True)


def escalate_overdue(*, today: dt.date | None = None) -> list[Application]:
    """Flag open applications past their decision date, once each, for the office (timer job)."""
    today = today or clock.today()
    escalated = []
    candidates = Application.objects.filter(decision_due__lt=today, escalated_on__isnull=True).exclude(
        state__in=FINAL_STATES | WITH_DEPARTMENT
    )
    for application in candidates:
        with transaction.atomic():
            application = APPLICATION.lock(application)
            if not application.is_overdue(today) or application.escalated_on:
                continue
            application.escalated_on = today
            application.save(update_fields=["escalated_on"])
            audit.record(
                action="application.escalate",
                obj=application,
                org=application.department,
                after={"decision_due": application.decision_due, "escalated_on": today},
            )
            escalated.append(application)
    return escalated


def close_due_consultations(*, today: dt.date | None = None) -> list[Application]:
    today = today or clock.today()
    closed = []
    for application in Application.objects.filter(state=S.CONSULTATION, consultation_due__lt=today):
        closed.append(consultation_close(actor=None, application=application))
    return closed


@transaction.atomic
def violation_report(
    *, actor: User, community: Org, department: Org, what: str, arrived_on: dt.date, evidence=None
) -> ViolationReport:
    require(can_report_violation(actor), _("Only community and grid workers report violations."))
    if not can_report_for(actor, community):
        raise PermissionDenied(_("You may report only for your own community."))
    # Whoever sends work into communities may be reported: a department or mass organisation, or a
    # street or town, of the community's own district.
    if not is_applicant_org(department) or department.district_id != community.district_id:
        raise DomainError(
            _("Name the department or the street of this district that sent the work."), code="unknown_sender"
        )
    if not what.strip():
        raise DomainError(_("Describe the work that arrived."))
    match = overlap.request_match(what, district=community.parent.parent)
    report = ViolationReport(
        number=next_number("WG", clock.today().year),
        reporter=actor,
        community=community,
        department=department,
        what=what,
        arrived_on=arrived_on,
        matched_item=match[0] if match else None,
    )
    if evidence is not None:
        # The same rules as the department's attachments: evidence had no limit on size or kind.
        if not (evidence.name or "").lower().endswith(ATTACHMENT_SUFFIXES):
            raise DomainError(_("Attach PDF, Word, Excel, CSV, text or image files."))
        if evidence.size > ATTACHMENT_MAX_BYTES:
            raise DomainError(_("An attachment may be at most 10 MB."))
        check_file_type(evidence)
        report.evidence = evidence
    report.save()
    audit.record(
        action="violation.report",
        actor=actor,
        obj=report,
        org=community,
        after={"department": department.code, "what": what, "arrived_on": arrived_on},
    )
    dirty.mark_on(community.district_id, arrived_on)  # the monitor counts what arrived
    return report


@transaction.atomic
def violation_decide(*, actor: User, report: ViolationReport, confirm: bool, note: str) -> ViolationReport:
    report = VIOLATION.lock(report)
    action = "confirm" if confirm else "dismiss"
    check(VIOLATION, report, action, actor)
    if not note.strip():
        raise DomainError(_("Record the reason."))

    def record(r: ViolationReport) -> None:
        r.office_note = note

    # The machine stamps the day it was decided.
    report = apply(VIOLATION, report, action, actor=actor, note=note, change=record, locked=True)
    dirty.mark_on(report.community.district_id, report.arrived_on)  # a confirmed violation is a leak
    return report


ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".csv", ".jpg", ".jpeg", ".png", ".txt")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def attachment_add(*, actor: User, application: Application, upload) -> Attachment:
    """Materials and forms the department attaches (the survey form, the ledger template …)."""
    application = APPLICATION.lock(application)
    require(
        can_edit_application(actor, application),
        _("Only the applicant may attach files, while the application is with them."),
    )
    name = upload.name or ""
    if not name.lower().endswith(ATTACHMENT_SUFFIXES):
        raise DomainError(_("Attach PDF, Word, Excel, CSV, text or image files."))
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise DomainError(_("An attachment may be at most 10 MB."))
    check_file_type(upload)
    attachment = Attachment.objects.create(application=application, file=upload, name=name, uploaded_by=actor)
    audit.record(
        action="application.attach",
        actor=actor,
        obj=application,
        org=application.department,
        role=applicant_role(application.department),
        after={"attachment": name, "size": upload.size},
    )
    return attachment
