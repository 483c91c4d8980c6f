"""Who maintains the catalog and lists: the access office of the district, and the system itself."""

import rules

from jianfu.orgs.models import Org, Role
from jianfu.orgs.permissions import roots


@rules.predicate
def is_office_of(user, district: Org) -> bool:
    if user is None:
        return True  # the system itself (demo loader, timers)
    return user.is_superuser or any(district.is_within(r) for r in roots(user, {Role.OFFICE}))


rules.add_perm("catalog.maintain", is_office_of)
