"""Who maintains the catalog and lists: the access office of the district, and the system itself."""

import rules

from jianfu.orgs.models import Org, Role
from jianfu.orgs.permissions import reaches, roots


@rules.predicate
def is_office_of(user, district: Org) -> bool:
    if user is None:
        return True  # the system itself (demo loader, timers)
    return user.is_superuser or any(district.is_within(r) for r in roots(user, {Role.OFFICE}))


@rules.predicate
def can_publish_list(user, version) -> bool:
    """The office of the list version's district publishes it."""
    return is_office_of(user, version.district)


@rules.predicate
def can_cancel_item(user, item) -> bool:
    """The office of the item's district cancels or revokes it."""
    if user is None:
        return True
    return user.is_superuser or any(item.department.is_within(r) for r in roots(user, {Role.OFFICE}))


rules.add_perm("catalog.maintain", is_office_of)


# Plaques and wall material (issue 20, point 5): the office over the district, the street over its
# communities and the community's own workers register and take them down.
PLAQUE_ROLES = {Role.OFFICE, Role.STREET, Role.COMMUNITY}


@rules.predicate
def can_keep_plaques(user, community: Org) -> bool:
    """Who registers and takes down a community's plaques and wall material: a role of PLAQUE_ROLES
    held in the community or above it in the tree."""
    if user is None:
        return True  # the system itself (demo loader)
    return user.is_superuser or reaches(user, community, PLAQUE_ROLES)


@rules.predicate
def can_remove_plaque(user, plaque) -> bool:
    return can_keep_plaques(user, plaque.community)


rules.add_perm("catalog.keep_plaques", can_keep_plaques)
