from django.db.models import Q

from jianfu.orgs.models import Membership, Role
from jianfu.orgs.permissions import roots

from .models import AuditEntry


def entries_for_user(user):
    """An office reads its own district's trail: the entries about its organisations, and those about
    none (imports, tokens) made by the people of its district — never another district's."""
    entries = AuditEntry.objects.select_related("org")
    if user.is_superuser:
        return entries
    q = Q(pk__in=[])
    for district in roots(user, {Role.OFFICE}):
        people = Membership.objects.filter(org__path__startswith=district.path).values("user_id")
        q |= Q(org__path__startswith=district.path) | Q(org__isnull=True, actor_id__in=people)
    return entries.filter(q)
