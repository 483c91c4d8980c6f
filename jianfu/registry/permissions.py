"""Who reads what in the registry. Workers reach the people of their area; a department reads only
the people carrying a tag its approved item in force covers; full ID numbers and phones are revealed
one at a time, with a reason, and audited."""

import rules
from django.db.models import Q

from jianfu.catalog.models import WorkItem
from jianfu.core import clock
from jianfu.orgs.models import Role
from jianfu.orgs.permissions import reaches, roots

AREA_ROLES = {Role.OFFICE, Role.STREET, Role.COMMUNITY, Role.GRID}
REVEAL_ROLES = {Role.OFFICE, Role.COMMUNITY, Role.GRID}


def visible_tag_ids(user) -> list[int]:
    from .models import Tag

    if user.is_superuser or roots(user, AREA_ROLES):
        return list(Tag.objects.values_list("pk", flat=True))
    departments = roots(user, {Role.CLERK})
    if not departments:
        return []
    in_force = WorkItem.objects.filter(WorkItem.in_force_q(clock.today())).values("pk")
    return list(Tag.objects.filter(department__in=departments, item__in=in_force).values_list("pk", flat=True))


def people_q(user) -> Q:
    if user.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for root in roots(user, AREA_ROLES):
        q |= Q(org_path__startswith=root.path)
    tags = visible_tag_ids(user) if roots(user, {Role.CLERK}) else []
    if tags:
        q |= Q(tags__tag_id__in=tags, tags__until__isnull=True)
    return q


@rules.predicate
def can_read_registry(user) -> bool:
    return user.is_superuser or bool(roots(user, AREA_ROLES)) or bool(visible_tag_ids(user))


@rules.predicate
def can_reveal(user, person) -> bool:
    """Full ID number / phone: the office and the person's own community or grid workers."""
    if person is None:
        return False
    if user.is_superuser:
        return True
    return any(person.org_path.startswith(r.path) for r in roots(user, REVEAL_ROLES)) or (
        person.hukou_community is not None and reaches(user, person.hukou_community, REVEAL_ROLES)
    )


EDIT_ROLES = {Role.OFFICE, Role.COMMUNITY, Role.GRID}


def can_edit_area(user, org_path: str) -> bool:
    """Whether the user keeps the registry of the grid, community or district at org_path."""
    return user.is_superuser or any(org_path.startswith(r.path) for r in roots(user, EDIT_ROLES))


@rules.predicate
def can_edit_person(user, person) -> bool:
    return can_edit_area(user, person.org_path)


@rules.predicate
def can_import(user) -> bool:
    return user.is_superuser or bool(roots(user, EDIT_ROLES))


@rules.predicate
def can_decide_export(user, request) -> bool:
    """The office of the district the export covers."""
    return user.is_superuser or any(
        request.org.is_within(r) or r.is_within(request.org) for r in roots(user, {Role.OFFICE})
    )


rules.add_perm("registry.read", can_read_registry)
rules.add_perm("registry.reveal", can_reveal)
rules.add_perm("registry.edit_person", can_edit_person)
rules.add_perm("registry.import", can_import)
rules.add_perm("registry.decide_export", can_decide_export)
