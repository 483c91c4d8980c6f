"""Who reads the monitor: the office for its whole district, a street for its communities, a
community for itself — the organisation tree, as everywhere. Written once, asked by views and the API."""

import rules

from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import reaches, roots

READER_ROLES = {Role.OFFICE, Role.STREET, Role.COMMUNITY}
MONITORED_KINDS = {OrgKind.DISTRICT, OrgKind.STREET, OrgKind.TOWN, OrgKind.COMMUNITY, OrgKind.GRID}


@rules.predicate
def can_view_monitor(user, org: Org | None = None) -> bool:
    """Without an org: whether the user reads the monitor anywhere (the nav link)."""
    if user.is_superuser:
        return True
    if org is None:
        return bool(roots(user, READER_ROLES))
    return org.kind in MONITORED_KINDS and reaches(user, org, READER_ROLES)


@rules.predicate
def can_refresh_monitor(user, district: Org | None) -> bool:
    return district is not None and (user.is_superuser or reaches(user, district, {Role.OFFICE}))


rules.add_perm("monitor.view", can_view_monitor)
rules.add_perm("monitor.refresh", can_refresh_monitor)
