"""Reads for the public portal.

Every public read is a fixed number of queries, however many items, commitments, results or
records a community has: pages are read by residents on phones, often at once."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from jianfu.catalog import gate
from jianfu.catalog.models import ItemKind, WorkItem
from jianfu.deliberations.models import Deliberation
from jianfu.evaluation.models import Result
from jianfu.evaluation.selectors import public_campaigns
from jianfu.ledger.derived import people_living
from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind, Role
from jianfu.orgs.permissions import roots

from .models import Commitment

REGION_PARENT_KINDS = [OrgKind.STREET, OrgKind.TOWN]


# ------------------------------------------------------------------------------------ public reads


def published() -> QuerySet[Deliberation]:
    return Deliberation.objects.filter(published_at__isnull=False)


def public_deliberations(
    district: Org, *, kind: str = "", street: str = "", community: str = "", year: int | None = None
) -> QuerySet[Deliberation]:
    """Published records of a district, filtered by kind, street/town code or community code."""
    qs = published().filter(community__path__startswith=district.path)
    if kind:
        qs = qs.filter(kind=kind)
    if community:
        qs = qs.filter(community__code=community)
    elif street:
        qs = qs.filter(community__parent__code=street)
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.select_related("community", "community__parent").order_by("-held_on", "-pk")


def public_deliberation(pk: int) -> Deliberation:
    record = published().filter(pk=pk).select_related("community", "community__parent").first()
    if record is None:
        raise Http404
    return record


@dataclass
class Region:
    """A street or town with its communities, for the front page and the filters."""

    org: Org
    communities: list[Org] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(c.resident_households for c in self.communities)


def regions(district: Org) -> list[Region]:
    """The district's streets and towns with their communities: one query."""
    communities = (
        Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path)
        .select_related("parent")
        .order_by("parent__code", "code")
    )
    grouped: dict[int, Region] = {}
    for community in communities:
        region = grouped.setdefault(community.parent_id, Region(org=community.parent))
        region.communities.append(community)
    return list(grouped.values())


def recent_deliberations(district: Org, limit: int = 8) -> list[Deliberation]:
    return list(public_deliberations(district)[:limit])


def deliberation_years(district: Org) -> list[int]:
    years = published().filter(community__path__startswith=district.path).dates("held_on", "year", order="DESC")
    return [d.year for d in years]


# ------------------------------------------------------------------------------ the community page


@dataclass
class ItemGroup:
    kind: str
    label: str
    items: list[WorkItem]


def in_force_items(community: Org, today: dt.date) -> list[ItemGroup]:
    """Catalog items in force today whose scope covers the community (catalog/gate.py), grouped by
    kind: two queries."""
    by_kind: dict[str, list[WorkItem]] = defaultdict(list)
    for item in gate.in_force_here(community, on=today):
        by_kind[item.kind].append(item)
    return [ItemGroup(kind, label, by_kind[kind]) for kind, label in ItemKind.choices if by_kind.get(kind)]


def released_results(community: Org) -> list[Result]:
    """The community's own results in evaluations whose results the office released: one query.
    Ratings of individual workers are not public (public_campaigns leaves them out)."""
    return list(
        Result.objects.filter(
            target__org=community, target__worker__isnull=True, target__campaign__in=public_campaigns()
        )
        .select_related("target", "target__campaign")
        .order_by("-target__campaign__period_end", "-target__campaign__pk")
    )


def population(community: Org, day: dt.date) -> int:
    """People living in the community: the registry's count, the ledger's 实有人口 (one derivation);
    the organisation tree's figure only where no registry is kept (no one in it lives here)."""
    return people_living(community, day) or community.population


def grids_of(community: Org) -> list[Org]:
    return list(Org.objects.filter(parent=community, kind=OrgKind.GRID).order_by("code"))


def community_deliberations(community: Org, limit: int = 20) -> list[Deliberation]:
    return list(published().filter(community=community).order_by("-held_on", "-pk")[:limit])


def public_community(code: str) -> Org:
    community = Org.objects.filter(code=code, kind=OrgKind.COMMUNITY).select_related("parent").first()
    if community is None:
        raise Http404
    return community


# ------------------------------------------------------------------------------------ 四到社区


def commitments_for(community: Org) -> list[Commitment]:
    """四到社区: the commitments of every department whose scope covers this community."""
    rows = Commitment.objects.filter(department__path__startswith=f"/{community.district_id}/").select_related(
        "department"
    )
    rows = rows.prefetch_related("streets")
    return [c for c in rows if not c.streets.all() or community.parent_id in {s.pk for s in c.streets.all()}]


def commitment_departments(user) -> list[Org]:
    """The departments whose public commitments the user keeps: a clerk's own, an office's district's."""
    departments = list(roots(user, {Role.CLERK}))
    for district in roots(user, {Role.OFFICE}):
        departments += list(
            Org.objects.filter(kind__in=DEPARTMENT_KINDS, path__startswith=f"/{district.district_id}/").order_by("code")
        )
    if user.is_superuser and not departments:
        departments = list(Org.objects.filter(kind__in=DEPARTMENT_KINDS).order_by("code"))
    return departments


def sample_community(district: Org) -> Org | None:
    """A community of the district, to see the commitments as residents do."""
    return Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).order_by("code").first()
