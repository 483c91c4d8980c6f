from django.db.models import Q, QuerySet
from django.http import Http404

from jianfu.orgs.models import Role
from jianfu.orgs.permissions import roots

from .models import Application, Consultation, State, ViolationReport, ViolationState
from .permissions import applications_q, can_decide_violation, office_districts


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
    q = Q(pk__in=[])
    for root in roots(user, {Role.STREET, Role.COMMUNITY}):
        q |= Q(org__path__startswith=root.path)
    return (
        Consultation.objects.filter(q, application__state=State.CONSULTATION, opinion="")
        .select_related("application", "application__department", "org")
        .order_by("due")
    )


def violations_for_user(user) -> QuerySet[ViolationReport]:
    """Office: its district's reports. Reporter: their own. Department clerk: confirmed reports
    against their department — the view for them never includes reporter or community."""
    q = Q(reporter=user)
    for district_id in office_districts(user):
        q |= Q(community__path__startswith=f"/{district_id}/")
    for root in roots(user, {Role.CLERK}):
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
