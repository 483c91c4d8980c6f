"""Who may do what in the access workflow, written once and used by services, views, templates and API."""

import rules
from django.db.models import Q

from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind, Role
from jianfu.orgs.permissions import reaches, roots

from . import reviews
from .models import WITH_DEPARTMENT, Application, Consultation, State, ViolationReport

WORKER_ROLES = {Role.STREET, Role.COMMUNITY, Role.GRID}
STREET_KINDS = {OrgKind.STREET, OrgKind.TOWN}
# Who applies for access (and may be reported for work sent without it): departments and mass
# organisations through their clerks, streets and towns through their street workers.
APPLICANT_ROLES = {Role.CLERK, Role.STREET}


def applicant_role(org: Org) -> str:
    """The role in which one applies for this organisation: a street's worker, a department's clerk."""
    return Role.STREET if org.kind in STREET_KINDS else Role.CLERK


def is_applicant_org(org: Org | None) -> bool:
    return org is not None and (org.kind in DEPARTMENT_KINDS or org.kind in STREET_KINDS)


def applies_for(user, org: Org) -> bool:
    """The user holds the applicant's role in this department or street."""
    return is_applicant_org(org) and reaches(user, org, {applicant_role(org)})


def office_districts(user) -> set[int]:
    return {r.pk for r in roots(user, {Role.OFFICE})}


@rules.predicate
def is_applicant(user) -> bool:
    """A department's clerk or a street's worker: whoever may apply for access."""
    return any(is_applicant_org(org) for org in roots(user, APPLICANT_ROLES))


@rules.predicate
def is_worker(user) -> bool:
    return bool(roots(user, WORKER_ROLES))


@rules.predicate
def can_manage_access(user, application: Application | None = None) -> bool:
    """The office of the district the department belongs to."""
    if user.is_superuser:
        return True
    if application is None:
        return bool(office_districts(user))
    return application.department.district_id in office_districts(user)


@rules.predicate
def can_apply_for(user, department) -> bool:
    """A department's clerk for the department, a street worker for the street."""
    return department is not None and applies_for(user, department)


@rules.predicate
def can_edit_application(user, application: Application) -> bool:
    return application.state in WITH_DEPARTMENT and applies_for(user, application.department)


def reviewing_units(user, application: Application) -> list[Org]:
    """The member units of the application's district the user reviews for — never the applicant
    itself: a unit does not pass its own department's application."""
    district = application.department.district_id
    return [
        unit
        for unit in roots(user, {Role.REVIEWER})
        if unit.is_member_unit and unit.district_id == district and unit.pk != application.department_id
    ]


def review_unit(user, application: Application) -> Org | None:
    """The unit in whose name the user reviews this application now: the first of theirs that owes
    it a review (the office's assignment of parts, jianfu.access.reviews), None if none does."""
    if application.state != State.SUBMITTED:
        return None
    units = reviewing_units(user, application)
    if not units:
        return None
    owed = reviews.owed_by(units, application)
    return owed[0] if owed else None


@rules.predicate
def can_review(user, application: Application) -> bool:
    """A reviewer of a member unit of the same district that owes the application its review (its
    part, or the whole), never of the applying department itself."""
    return review_unit(user, application) is not None


@rules.predicate
def can_pass_review(user, application: Application) -> bool:
    """The review that completes the preliminary review: every assigned unit has reviewed after it."""
    unit = review_unit(user, application)
    return unit is not None and reviews.completes(unit, application)


@rules.predicate
def can_review_part(user, application: Application) -> bool:
    """A unit's review while other units' reviews are still awaited."""
    unit = review_unit(user, application)
    return unit is not None and not reviews.completes(unit, application)


def is_district_reviewer(user, application: Application) -> bool:
    """A reviewer of a member unit of the application's district (whatever its state)."""
    district = application.department.district_id
    return any(unit.is_member_unit and unit.district_id == district for unit in roots(user, {Role.REVIEWER}))


# A reviewer returns an application while it awaits review; the office at any step before the decision.
can_return = can_review | can_manage_access


def answering_orgs(user) -> list[Org]:
    """The streets and communities a user answers consultations for: the organisation where they
    hold the street's or the community's role, itself only — a street worker does not answer for
    the street's communities, nor a grid worker for the community."""
    return [
        org
        for org in roots(user, {Role.STREET, Role.COMMUNITY})
        if (org.kind in STREET_KINDS) or org.kind == OrgKind.COMMUNITY
    ]


@rules.predicate
def can_give_opinion(user, consultation: Consultation) -> bool:
    """The consulted street or community itself answers (and may amend) until the consultation closes."""
    return consultation.application.state == State.CONSULTATION and any(
        org.pk == consultation.org_id for org in answering_orgs(user)
    )


@rules.predicate
def is_consulted(user, application: Application) -> bool:
    """The user answers for one of the organisations consulted on the application, now."""
    if application.state != State.CONSULTATION:
        return False
    orgs = [org.pk for org in answering_orgs(user)]
    return bool(orgs) and application.consultations.filter(org_id__in=orgs).exists()


def applications_q(user) -> Q:
    """Applications a user may read: their department's or street's own, their district's (office,
    reviewers), and those their street or community was consulted on."""
    if user.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for root in roots(user, {Role.OFFICE}):
        q |= Q(department__path__startswith=root.path)
    for root in roots(user, {Role.CLERK}):
        q |= Q(department__path__startswith=root.path)
    reviewer_districts = {root.parent_id for root in roots(user, {Role.REVIEWER}) if root.is_member_unit}
    if reviewer_districts:
        q |= Q(department__parent_id__in=reviewer_districts) & ~Q(state=State.DRAFT)
    for root in roots(user, {Role.STREET}):
        q |= Q(department=root)
    for root in roots(user, {Role.STREET, Role.COMMUNITY}):
        q |= Q(consultations__org__path__startswith=root.path)
    return q


@rules.predicate
def can_view_application(user, application: Application) -> bool:
    return Application.objects.filter(applications_q(user), pk=application.pk).exists()


@rules.predicate
def can_withdraw(user, application: Application) -> bool:
    return applies_for(user, application.department)


@rules.predicate
def can_assign_reviews(user, district) -> bool:
    """The district's office says which member unit reviews what."""
    return user.is_superuser or district.pk in office_districts(user)


@rules.predicate
def can_convene(user, district) -> bool:
    return user.is_superuser or district.pk in office_districts(user)


@rules.predicate
def is_reporter(user, report: ViolationReport) -> bool:
    return report.reporter_id == user.pk


@rules.predicate
def can_report_violation(user) -> bool:
    """Community and grid workers report work that reached their community."""
    return bool(roots(user, {Role.COMMUNITY, Role.GRID}))


def reporting_community(user):
    """The community a worker reports for: their own, or their grid's."""
    for org in roots(user, {Role.COMMUNITY, Role.GRID}):
        return org if org.kind == "community" else org.parent
    return None


@rules.predicate
def can_report_for(user, community) -> bool:
    return community is not None and reporting_community(user) == community


@rules.predicate
def can_decide_violation(user, report: ViolationReport) -> bool:
    return user.is_superuser or report.community.district_id in office_districts(user)


rules.add_perm("access.manage", can_manage_access)
rules.add_perm("access.apply", is_applicant)
rules.add_perm("access.edit_application", can_edit_application)
rules.add_perm("access.review", can_review)
rules.add_perm("access.give_opinion", can_give_opinion)
rules.add_perm("access.view_application", can_view_application)
rules.add_perm("access.report_violation", can_report_violation)
rules.add_perm("access.check_request", is_worker)
rules.add_perm("access.decide_violation", can_decide_violation)
