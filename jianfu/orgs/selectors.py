from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Org, OrgKind
from .permissions import can_view_org, reach_q


def orgs_for_user(user, *, kinds: set[str] | None = None, search: str = "") -> QuerySet[Org]:
    qs = Org.objects.filter(reach_q(user))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs.select_related("parent").order_by("path")


def communities_for_user(user, *, search: str = "") -> QuerySet[Org]:
    return orgs_for_user(user, kinds={OrgKind.COMMUNITY}, search=search).annotate(grid_count=Count("children"))


def org_for_user(user, code: str) -> Org:
    """The organisation, or 404 when the user does not reach it (outsiders learn nothing)."""
    org = Org.objects.select_related("parent").filter(code=code).first()
    if org is None or not can_view_org(user, org):
        raise Http404
    return org


def ancestors(org: Org) -> list[Org]:
    ids = [int(p) for p in org.path.strip("/").split("/")[:-1] if p]
    by_id = Org.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]
