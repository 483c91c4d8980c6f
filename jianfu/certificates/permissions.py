"""Who may do what with certificates, written once and used by services, views, templates and the API.

The community's own workers issue, refuse and keep the seal log (the seal is theirs); the street and
the office read; a resident requests for themself and follows their own requests; the office
configures the certificate types of its district."""

import rules
from django.db.models import Q

from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import reaches, roots

from .models import ResidentLink

ISSUER_ROLES = {Role.COMMUNITY}
READER_ROLES = {Role.OFFICE, Role.STREET, Role.COMMUNITY}


def resident_community(user) -> Org | None:
    for org in roots(user, {Role.RESIDENT}):
        return org
    return None


def issuer_communities(user) -> list[Org]:
    return [o for o in roots(user, ISSUER_ROLES) if o.kind == OrgKind.COMMUNITY]


@rules.predicate
def is_resident(user) -> bool:
    return resident_community(user) is not None


@rules.predicate
def is_issuer(user) -> bool:
    return bool(issuer_communities(user))


@rules.predicate
def can_issue_in(user, community: Org | None) -> bool:
    return community is not None and reaches(user, community, ISSUER_ROLES)


@rules.predicate
def can_request_in(user, community: Org | None) -> bool:
    """A resident for themself in their community, or a worker at the community's counter."""
    if community is None:
        return False
    return resident_community(user) == community or can_issue_in(user, community)


@rules.predicate
def can_handle(user, request) -> bool:
    return can_issue_in(user, request.community)


@rules.predicate
def can_withdraw(user, request) -> bool:
    """Whoever asked (signed in), or the community's workers."""
    asked = user.is_authenticated and request.requested_by_id == user.pk
    return asked or can_issue_in(user, request.community)


@rules.predicate
def can_sign_off(user, request) -> bool:
    """The committee's responsible person: a community worker of that community (not a grid worker)."""
    return can_issue_in(user, request.community)


@rules.predicate
def can_read_area(user, org: Org | None) -> bool:
    return org is not None and (user.is_superuser or reaches(user, org, READER_ROLES))


@rules.predicate
def can_read_figures(user) -> bool:
    return user.is_superuser or bool(roots(user, READER_ROLES))


def requests_q(user) -> Q:
    """Requests a user may read: their own (made by them or for them); those of the communities they
    reach as worker, street or office."""
    if user.is_superuser:
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(requested_by=user)
    # A resident follows every request made for them, online or at the counter.
    link = ResidentLink.objects.filter(user=user).values_list("person_id", flat=True).first()
    if link is not None:
        q |= Q(person_id=link)
    for root in roots(user, READER_ROLES):
        q |= Q(community__path__startswith=root.path)
    return q


@rules.predicate
def can_revoke(user, certificate) -> bool:
    """The issuing community, and the office of its district."""
    return can_issue_in(user, certificate.community) or reaches(user, certificate.community, {Role.OFFICE})


@rules.predicate
def can_configure_types(user, district: Org | None = None) -> bool:
    if user.is_superuser:
        return True
    offices = roots(user, {Role.OFFICE})
    if district is None:
        return bool(offices)
    return any(district.is_within(o) for o in offices)


@rules.predicate
def can_record_dishonesty(user, person) -> bool:
    """The office, or the community where the person lives or is registered."""
    if user.is_superuser:
        return True
    roles = {Role.OFFICE, Role.COMMUNITY}
    return any(person.org_path.startswith(r.path) for r in roots(user, roles)) or (
        person.hukou_community is not None and reaches(user, person.hukou_community, roles)
    )


rules.add_perm("certificates.request", is_resident | is_issuer)
rules.add_perm("certificates.issue", is_issuer)
rules.add_perm("certificates.read_figures", can_read_figures)
rules.add_perm("certificates.configure", can_configure_types)
rules.add_perm("certificates.use", is_resident | can_read_figures)
