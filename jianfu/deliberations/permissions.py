"""Who may keep a community's deliberation records, written once and asked by services, views and
templates: the community's own workers, the workers of its street or town, and the office of its
district — each for the communities under the organisation where they hold the role."""

import rules
from django.db.models import Q

from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import reach_q, reaches, roots

RECORDER_ROLES = {Role.COMMUNITY, Role.STREET, Role.OFFICE}


@rules.predicate
def is_recorder(user) -> bool:
    """Holds a role that keeps deliberation records somewhere (shows the nav link and the list)."""
    return bool(getattr(user, "is_superuser", False) or roots(user, RECORDER_ROLES))


@rules.predicate
def can_record_for(user, community: Org | None) -> bool:
    if community is None or community.kind != OrgKind.COMMUNITY:
        return False
    return bool(getattr(user, "is_superuser", False) or reaches(user, community, RECORDER_ROLES))


@rules.predicate
def can_manage_deliberation(user, record) -> bool:
    """Change, publish or withdraw a record: whoever may record for its community."""
    return record is not None and can_record_for(user, record.community)


def communities_q(user) -> Q:
    """The communities the user keeps records for — one filter, however many roles."""
    return reach_q(user, RECORDER_ROLES) & Q(kind=OrgKind.COMMUNITY)


def deliberations_q(user) -> Q:
    return reach_q(user, RECORDER_ROLES, field="community__path")


rules.add_perm("deliberations.keep", is_recorder)
rules.add_perm("deliberations.record", can_record_for)
rules.add_perm("deliberations.manage", can_manage_deliberation)
