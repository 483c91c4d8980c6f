"""Reads for the people who keep deliberation records: the communities they keep them for and
their records, filtered as the records page asks."""

from django.db.models import Q, QuerySet
from django.http import Http404

from jianfu.orgs.models import Org

from .models import Deliberation
from .permissions import communities_q, deliberations_q


def for_community(community: Org) -> QuerySet[Deliberation]:
    """Every record of one community, drafts included (what a certificate may rest on)."""
    return Deliberation.objects.filter(community=community).order_by("-held_on", "-pk")


def recorder_communities(user) -> QuerySet[Org]:
    """The communities the user keeps deliberation records for."""
    return Org.objects.filter(communities_q(user)).select_related("parent").order_by("parent__code", "code")


def deliberations_for_user(
    user, *, kind: str = "", state: str = "", community: str = "", q: str = ""
) -> QuerySet[Deliberation]:
    qs = Deliberation.objects.filter(deliberations_q(user))
    if kind:
        qs = qs.filter(kind=kind)
    if state == "published":
        qs = qs.filter(published_at__isnull=False)
    elif state == "draft":
        qs = qs.filter(published_at__isnull=True)
    if community:
        qs = qs.filter(community__code=community)
    if q:
        qs = qs.filter(Q(subject__icontains=q) | Q(agenda__icontains=q) | Q(outcome__icontains=q))
    return qs.select_related("community", "community__parent", "recorded_by").order_by("-held_on", "-pk")


def deliberation_for_user(user, pk: int) -> Deliberation:
    record = deliberations_for_user(user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record
