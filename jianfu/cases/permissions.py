"""Who may do what with a case, written once and asked by services, views, templates and the API.

Dispatchers are the community and street workers over the place of the case (社区吹哨、街乡吹哨);
the assignee is a department (its clerks answer) or a community or grid (its workers answer); the
office of the district sees everything in it and may reassign; the reporter follows and confirms."""

import rules
from django.db.models import Q

from jianfu.orgs.models import DEPARTMENT_KINDS, Role
from jianfu.orgs.permissions import reaches, roots

from .models import Case, CaseEvent, CaseKind, HandledAt, State

DISPATCHER_ROLES = {Role.COMMUNITY, Role.STREET}
REPORTER_ROLES = {Role.GRID, Role.COMMUNITY, Role.STREET, Role.RESIDENT}
WORKER_ROLES = {Role.GRID, Role.COMMUNITY, Role.STREET}


def _office_of(user, org) -> bool:
    return user.is_superuser or any(r.pk == org.district_id for r in roots(user, {Role.OFFICE}))


@rules.predicate
def can_report_in(user, org_unit) -> bool:
    """Grid, community and street workers where they work; residents in their own community."""
    return org_unit is not None and org_unit.is_region and reaches(user, org_unit, REPORTER_ROLES)


@rules.predicate
def is_reporting_worker(user) -> bool:
    return bool(roots(user, WORKER_ROLES))


@rules.predicate
def is_grid_worker(user) -> bool:
    return bool(roots(user, {Role.GRID}))


@rules.predicate
def can_blow_whistle(user) -> bool:
    return bool(roots(user, DISPATCHER_ROLES))


@rules.predicate
def can_dispatch(user, case: Case) -> bool:
    """Accept, dispatch (blow the whistle), reassign, merge and close: the community or street over
    the place, or the district's office."""
    return reaches(user, case.org_unit, DISPATCHER_ROLES) or _office_of(user, case.org_unit)


def assignee_roles(assignee) -> set[str]:
    return {Role.CLERK} if assignee.kind in DEPARTMENT_KINDS else {Role.COMMUNITY, Role.GRID, Role.STREET}


@rules.predicate
def can_handle(user, case: Case) -> bool:
    """Respond (报到), resolve, dispute or return: the assignee's people. A service done at the
    window is handled by the window's community."""
    if case.assignee_id is None:
        return case.kind == CaseKind.SERVICE and reaches(user, case.org_unit, DISPATCHER_ROLES)
    return reaches(user, case.assignee, assignee_roles(case.assignee))


@rules.predicate
def has_assignee(user, case: Case) -> bool:
    return case.assignee_id is not None


# Return (退单) and dispute (异议): the assignee's people, while the case is with an assignee.
can_give_back = can_handle & has_assignee


def resolvable(case: Case) -> bool:
    """A case is resolved once its assignee has taken it on; a service done at the window straight
    after it is accepted there (一次办结)."""
    if case.state != State.ACCEPTED:
        return True
    return case.kind == CaseKind.SERVICE and case.service_item.handled_at == HandledAt.WINDOW


@rules.predicate
def can_resolve(user, case: Case) -> bool:
    return resolvable(case) and can_handle(user, case)


@rules.predicate
def nobody(user, case: Case) -> bool:
    """Moves only the system makes (the timer escalating an overdue stage): no person may."""
    return False


def _is_reporter(user, case: Case) -> bool:
    return user.is_authenticated and case.reporter_id == user.pk


@rules.predicate
def can_confirm(user, case: Case) -> bool:
    """The reporter, or the community on the reporter's behalf after the revisit (回访)."""
    return _is_reporter(user, case) or reaches(user, case.org_unit, DISPATCHER_ROLES)


def cases_q(user) -> Q:
    """Cases a user may read: their own reports, the place they work over, their department's
    whistles (also those since returned or reassigned), and the office's district."""
    if user.is_superuser:
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])  # an anonymous visitor reads no case (filtering on reporter would fail)
    q = Q(reporter=user)
    for root in roots(user, WORKER_ROLES | {Role.OFFICE}):
        q |= Q(org_path__startswith=root.path)
    for root in roots(user, {Role.CLERK}):
        handled = CaseEvent.objects.filter(assignee__path__startswith=root.path).values("case_id")
        q |= Q(assignee__path__startswith=root.path) | Q(pk__in=handled)
    return q


@rules.predicate
def can_view_case(user, case: Case) -> bool:
    return Case.objects.filter(cases_q(user), pk=case.pk).exists()


@rules.predicate
def can_see_applicant(user, case: Case) -> bool:
    """The applicant's name and phone, unmasked: the window that handles it and the applicant."""
    return _is_reporter(user, case) or reaches(user, case.org_unit, DISPATCHER_ROLES)


rules.add_perm("cases.report", is_reporting_worker)
rules.add_perm("cases.grid", is_grid_worker)
rules.add_perm("cases.blow_whistle", can_blow_whistle)
rules.add_perm("cases.dispatch", can_dispatch)
rules.add_perm("cases.handle", can_handle)
rules.add_perm("cases.confirm", can_confirm)
rules.add_perm("cases.view_case", can_view_case)
