"""Who may do what, written once. A role is held in one organisation and reaches it and everything
under it in the tree. Views, templates ({% has_perm %}), services and the API all ask these."""

import rules
from django.db.models import Q

from .models import Membership, Org, Role


def memberships(user) -> list[Membership]:
    """The user's memberships, loaded once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_jianfu_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("org"))
        user._jianfu_memberships = cached
    return cached


def roots(user, roles: set[str] | None = None) -> list[Org]:
    """Organisations where the user holds one of `roles` (any role when None)."""
    return [m.org for m in memberships(user) if roles is None or m.role in roles]


def reaches(user, org: Org, roles: set[str] | None = None) -> bool:
    return any(org.path.startswith(root.path) for root in roots(user, roles))


def reach_q(user, roles: set[str] | None = None, field: str = "path") -> Q:
    """A filter selecting every organisation the user reaches — one query, however many roots."""
    if getattr(user, "is_superuser", False):
        return Q()
    paths = [root.path for root in roots(user, roles)]
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


@rules.predicate
def is_office(user) -> bool:
    return user.is_superuser or bool(roots(user, {Role.OFFICE}))


@rules.predicate
def can_view_org(user, org: Org | None) -> bool:
    if org is None:
        return False
    return user.is_superuser or reaches(user, org)


@rules.predicate
def can_manage_org(user, org: Org | None) -> bool:
    """Only the office changes the tree, within the district it governs."""
    if org is None:
        return is_office(user)
    return user.is_superuser or reaches(user, org, {Role.OFFICE})


rules.add_perm("orgs.view_org", can_view_org)
rules.add_perm("orgs.manage_org", can_manage_org)
rules.add_perm("orgs.import_orgs", is_office)
rules.add_perm("audit.view_log", is_office)
