import datetime as dt

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from jianfu.core.workdays import StoredDeadline
from jianfu.orgs.models import Org, Role
from jianfu.orgs.permissions import roots

from .models import FINAL_STATES, Application, Consultation, State, Transition, ViolationReport, ViolationState
from .permissions import answering_orgs, applications_q, can_decide_violation, is_applicant_org, office_districts


def applicant_org(user) -> Org | None:
    """The department or street a user applies for (the pages and the API alike): the first
    department where they are a clerk, else the first street or town where they are a street worker."""
    for roles in ({Role.CLERK}, {Role.STREET}):
        for org in roots(user, roles):
            if is_applicant_org(org):
                return org
    return None


def applications_for_user(user, *, state: str = "") -> QuerySet[Application]:
    qs = Application.objects.filter(applications_q(user)).distinct().select_related("department")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("decision_due", "-created_at")


def application_for_user(user, number: str) -> Application:
    application = applications_for_user(user).filter(number=number).first()
    if application is None:
        raise Http404
    return application


def consultations_waiting(user) -> QuerySet[Consultation]:
    """The open consultations awaiting the answer of the street or community the user answers for
    (itself only: a street does not answer for its communities)."""
    return (
        Consultation.objects.filter(
            org__in=[org.pk for org in answering_orgs(user)], application__state=State.CONSULTATION, opinion=""
        )
        .select_related("application", "application__department", "org")
        .order_by("due")
    )


def violations_for_user(user) -> QuerySet[ViolationReport]:
    """Office: its district's reports. Reporter: their own. Department clerk or street worker:
    confirmed reports against their department or street — the view for them never includes
    reporter or community."""
    q = Q(reporter=user)
    for district_id in office_districts(user):
        q |= Q(community__path__startswith=f"/{district_id}/")
    for root in roots(user, {Role.CLERK, Role.STREET}):
        q |= Q(department=root, state=ViolationState.CONFIRMED)
    if user.is_superuser:
        q = Q()
    return (
        ViolationReport.objects.filter(q).select_related("department", "community", "reporter").order_by("-created_at")
    )


def violation_for_user(user, number: str) -> ViolationReport:
    report = violations_for_user(user).filter(number=number).first()
    if report is None:
        raise Http404
    return report


def may_see_reporter(user, report: ViolationReport) -> bool:
    return report.reporter_id == user.pk or can_decide_violation(user, report)


def open_deadlines(first: dt.date, last: dt.date) -> list[StoredDeadline]:
    """Due dates of undecided applications computed with working days whose span touches [first, last]
    (jianfu.ops.services.schedule_enter recomputes them): the decision, counted from submission, and
    the open consultation round, counted from the day it was opened (its transition)."""
    found = [
        StoredDeadline(a, "decision_due", a.submitted_on)
        for a in Application.objects.exclude(state__in=FINAL_STATES).filter(
            submitted_on__isnull=False, submitted_on__lte=last, decision_due__gte=first
        )
    ]
    consulting = Application.objects.filter(
        state=State.CONSULTATION, consultation_due__gte=first, consultation_due__isnull=False
    ).annotate(
        opened_at=Subquery(
            Transition.objects.filter(application=OuterRef("pk"), action="open_consultation")
            .order_by("-at", "-id")
            .values("at")[:1]
        )
    )
    opened = {a.pk: (a, timezone.localdate(a.opened_at)) for a in consulting if a.opened_at is not None}
    for a, start in opened.values():
        if start <= last:
            found.append(StoredDeadline(a, "consultation_due", start))
    for c in Consultation.objects.filter(application__in=list(opened), opinion=""):
        start = opened[c.application_id][1]
        if start <= last and c.due >= first:
            found.append(StoredDeadline(c, "due", start))
    return found
