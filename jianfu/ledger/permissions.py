"""Who may do what with the shared ledger, written once for services, views, templates and the API."""

import rules
from django.db.models import Q

from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import reaches, roots

from .models import DataElement, Submission, SubmissionState, TemplateVersion

DISTRICT_ROLES = {Role.OFFICE, Role.CLERK, Role.REVIEWER}


def user_districts(user, roles: set[str] | None = None) -> set[int]:
    return {root.district_id for root in roots(user, roles)}


def is_office_of(user, district_id: int) -> bool:
    return user.is_superuser or any(r.pk == district_id for r in roots(user, {Role.OFFICE}))


@rules.predicate
def can_use_ledger(user) -> bool:
    return user.is_superuser or bool(roots(user, DISTRICT_ROLES | {Role.STREET, Role.COMMUNITY, Role.GRID}))


@rules.predicate
def can_define_element(user, department: Org | None = None) -> bool:
    """A department clerk for its own department; the office for any department of its district."""
    if department is None:
        return user.is_superuser or bool(roots(user, {Role.CLERK, Role.OFFICE}))
    return reaches(user, department, {Role.CLERK}) or is_office_of(user, department.district_id)


@rules.predicate
def can_activate_element(user, element: DataElement) -> bool:
    return is_office_of(user, element.district_id)


@rules.predicate
def can_enter_value(user, org: Org) -> bool:
    """Community workers for their community and its grids; grid workers for their own grid."""
    if org.kind not in (OrgKind.COMMUNITY, OrgKind.GRID):
        return False
    if reaches(user, org, {Role.COMMUNITY}):
        return True
    return org.kind == OrgKind.GRID and reaches(user, org, {Role.GRID})


@rules.predicate
def can_build_template(user, department: Org | None = None) -> bool:
    if department is None:
        return bool(roots(user, {Role.CLERK}))
    return reaches(user, department, {Role.CLERK})


@rules.predicate
def can_edit_version(user, version: TemplateVersion) -> bool:
    """A clerk of the template's department edits and publishes its versions."""
    return reaches(user, version.template.department, {Role.CLERK})


# Who moves a submission. The states each move starts from are the machine's (machines.py); these
# say only who.


@rules.predicate
def may_fill(user, submission: Submission) -> bool:
    """The community's workers fill and submit its report."""
    return reaches(user, submission.community, {Role.COMMUNITY})


@rules.predicate
def may_fill_grid(user, submission: Submission) -> bool:
    """Grid workers of the community add their grid's values (grid → community)."""
    return any(g.path.startswith(submission.community.path) for g in roots(user, {Role.GRID}))


@rules.predicate
def may_street_decide(user, submission: Submission) -> bool:
    return reaches(user, submission.community, {Role.STREET})


@rules.predicate
def may_department_decide(user, submission: Submission) -> bool:
    return reaches(user, submission.request.version.template.department, {Role.CLERK})


@rules.predicate
def may_return(user, submission: Submission) -> bool:
    """Whoever decides at the stage the report is at: the street while it awaits the street, the
    department once the street accepted it (the machine says which stages may be returned)."""
    if submission.state == SubmissionState.SUBMITTED:
        return may_street_decide(user, submission)
    return may_department_decide(user, submission)


@rules.predicate
def may_unlock(user, submission: Submission) -> bool:
    return is_office_of(user, submission.community.district_id)


# The same rules with the state: whether the user may do it to this submission now.


def _submissions():
    from .machines import SUBMISSION

    return SUBMISSION


def editable(submission: Submission) -> bool:
    """Open for values: the states a submission may be submitted from."""
    return "submit" in _submissions().startable(submission)


@rules.predicate
def can_fill(user, submission: Submission) -> bool:
    return _submissions().may(user, submission, "submit")


@rules.predicate
def can_fill_grid(user, submission: Submission) -> bool:
    return editable(submission) and may_fill_grid(user, submission)


@rules.predicate
def can_street_decide(user, submission: Submission) -> bool:
    return _submissions().may(user, submission, "street_accept")


@rules.predicate
def can_department_decide(user, submission: Submission) -> bool:
    return _submissions().may(user, submission, "accept")


@rules.predicate
def can_unlock(user, submission: Submission) -> bool:
    return _submissions().may(user, submission, "unlock")


@rules.predicate
def can_set_cap(user, department: Org) -> bool:
    return is_office_of(user, department.district_id)


def submissions_q(user) -> Q:
    """Submissions a user may read: their community's or street's, their department's requests,
    and the office's district."""
    if user.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for root in roots(user, {Role.STREET, Role.COMMUNITY, Role.GRID}):
        q |= Q(community__path__startswith=root.path)
        if root.kind == OrgKind.GRID:
            q |= Q(community_id=root.parent_id)
    for root in roots(user, {Role.CLERK}):
        q |= Q(request__version__template__department__path__startswith=root.path)
    for root in roots(user, {Role.OFFICE}):
        q |= Q(community__path__startswith=root.path)
    return q


def values_q(user, field: str = "org_path") -> Q:
    """Ledger values are figures about places, not people: region workers read their own area,
    departments and the office read their district."""
    if user.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for root in roots(user, {Role.STREET, Role.COMMUNITY, Role.GRID}):
        q |= Q(**{f"{field}__startswith": root.path})
    for district in user_districts(user, DISTRICT_ROLES):
        q |= Q(**{f"{field}__startswith": f"/{district}/"})
    return q


def can_read_org(user, org: Org) -> bool:
    if user.is_superuser or reaches(user, org, {Role.STREET, Role.COMMUNITY, Role.GRID}):
        return True
    return org.district_id in user_districts(user, DISTRICT_ROLES)


@rules.predicate
def can_read_survey(user, survey) -> bool:
    """The department that uploaded it, and the office of its district."""
    return reaches(user, survey.department, {Role.CLERK}) or is_office_of(user, survey.department.district_id)


rules.add_perm("ledger.use", can_use_ledger)
rules.add_perm("ledger.define_element", can_define_element)
rules.add_perm("ledger.activate_element", can_activate_element)
rules.add_perm("ledger.enter_value", can_enter_value)
rules.add_perm("ledger.build_template", can_build_template)
rules.add_perm("ledger.fill", can_fill)
rules.add_perm("ledger.fill_grid", can_fill_grid)
rules.add_perm("ledger.street_decide", can_street_decide)
rules.add_perm("ledger.department_decide", can_department_decide)
rules.add_perm("ledger.unlock", can_unlock)
rules.add_perm("ledger.set_cap", can_set_cap)
