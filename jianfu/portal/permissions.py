"""Who keeps a department's public commitments (四到社区): its clerk, or the office of its district."""

import rules

from jianfu.orgs.models import Role
from jianfu.orgs.permissions import reaches, roots


def _office_of(user, org) -> bool:
    return user.is_superuser or any(r.pk == org.district_id for r in roots(user, {Role.OFFICE}))


@rules.predicate
def can_manage_commitment(user, department) -> bool:
    return department is not None and (reaches(user, department, {Role.CLERK}) or _office_of(user, department))


@rules.predicate
def can_manage_commitments(user) -> bool:
    return user.is_superuser or bool(roots(user, {Role.CLERK, Role.OFFICE}))


rules.add_perm("portal.manage_commitments", can_manage_commitments)
