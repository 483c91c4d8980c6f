"""非准不入, asked in one place: is a work item in force here, for this kind, on this date?

Everything that sends work to a community (the check page, the ledger, case dispatch, certificates,
work orders, the monitor) asks these functions, so an item approved for one street, one type of
community or one year covers nothing else.

Two halves make the answer, each written once here:

* the item's *standing* — of the kind asked, on a list that enters communities, in this year's
  catalog, started (an item approved mid-year stands from its start date), not expired, not
  cancelled by the office as of this date (`standing`, for a choice made before any community is
  at hand: which item a report is built on);
* the item's *place* — its department's district, its approved streets and community types
  (`scope_refusal`, also for what has a scope but no year: an application's burden preview, a
  certificate list that stays current until the office replaces it).

`refusal` / `covers` ask both for one community; `refusals` for many with one read of the scope;
`in_force_here` / `in_force_by_community` list what covers one community or each of many, in a
fixed number of queries."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from jianfu.core import clock
from jianfu.orgs.models import Org

from .models import ENTERING, Category, WorkFields, WorkItem

DISTRICT, STREETS, TYPES = "district", "streets", "types"


def _kinds(kinds: str | Iterable[str] | None) -> set[str] | None:
    if kinds is None:
        return None
    return {kinds} if isinstance(kinds, str) else set(kinds)


def _streets_prefetch() -> Prefetch:
    return Prefetch("scope_streets", queryset=Org.objects.only("pk"))


def _scope_streets(work: WorkFields) -> set[int]:
    # Prefetched by the batched readers below; otherwise one query (none for unsaved work).
    return {s.pk for s in work.scope_streets.all()} if work.pk else set()


def _standing(item: WorkItem, wanted: set[str] | None, on: dt.date) -> str:
    if wanted is not None and item.kind not in wanted:
        return _("“%(item)s” is approved as %(kind)s, not for this kind of work.") % {
            "item": item.name,
            "kind": item.get_kind_display(),
        }
    if item.category == Category.NEGATIVE:
        return _("“%(item)s” is on the negative list: it must not enter a community.") % {"item": item.name}
    if item.category not in ENTERING:
        return _("“%(item)s” was cancelled.") % {"item": item.name}
    if item.year != on.year:
        return _("“%(item)s” is in the catalog of %(year)s, not of %(now)s.") % {
            "item": item.name,
            "year": item.year,
            "now": on.year,
        }
    if item.valid_until is not None and item.valid_until < on:
        return _("“%(item)s” was valid until %(date)s.") % {"item": item.name, "date": item.valid_until.isoformat()}
    if item.starts_on is not None and item.starts_on > on:
        return _("“%(item)s” is in force only from %(date)s.") % {"item": item.name, "date": item.starts_on.isoformat()}
    if item.is_cancelled(on):
        return _("“%(item)s” was cancelled with effect from %(date)s: %(reason)s") % {
            "item": item.name,
            "date": item.cancelled_on.isoformat(),
            "reason": item.cancellation_reason,
        }
    # An item entered before the rule (or around the workflow) lets no campaign in without its basis.
    return item.higher_basis_refusal()


def outside_scope(streets, types, community: Org) -> str:
    """The approved streets and community types alone: which leaves the community out (STREETS,
    TYPES), or "" — for callers that group many items by scope (the monitor)."""
    if streets and community.parent_id not in streets:
        return STREETS
    if types and community.community_type not in types:
        return TYPES
    return ""


def _outside(work: WorkFields, community: Org, streets: set[int]) -> str:
    """Which part of the approved place leaves the community out (DISTRICT, STREETS, TYPES), or ""."""
    department = work.department if getattr(work, "department_id", None) else None
    if (
        community.district_id
        and department is not None
        and not department.path.startswith(f"/{community.district_id}/")
    ):
        return DISTRICT
    return outside_scope(streets, work.scope_community_types, community)


def _place_reason(work: WorkFields, community: Org, outside: str) -> str:
    if outside == DISTRICT:
        return _("“%(item)s” is not in this district's catalog.") % {"item": work.name}
    if outside == STREETS:
        return _("“%(item)s” is approved only for other streets or towns, not for %(community)s.") % {
            "item": work.name,
            "community": community.name,
        }
    if outside == TYPES:
        return _("“%(item)s” is approved only for other types of community, not for %(community)s.") % {
            "item": work.name,
            "community": community.name,
        }
    return ""


def with_scope(items: list[WorkItem]) -> list[WorkItem]:
    """The items with their approved streets read in one query, for asking `scope_refusal` of each."""
    prefetch_related_objects(items, _streets_prefetch())
    return items


def standing(item: WorkItem | None, *, kind: str | Iterable[str] | None = None, on: dt.date | None = None) -> str:
    """Why the item lets no work of this kind into any community on this date ("" if it stands):
    for a choice made before a community is at hand. Sending still asks `refusal` per community."""
    if item is None:
        return _("No item in force covers it: apply for access first.")
    return _standing(item, _kinds(kind), on or clock.today())


def scope_refusal(work: WorkFields, community: Org) -> str:
    """Why the approved place (district, streets, community types) leaves this community out ("" if not)."""
    return _place_reason(work, community, _outside(work, community, _scope_streets(work)))


def refusal(item: WorkItem | None, community: Org, *, kind: str | Iterable[str] | None = None, on=None) -> str:
    """Why this item does not let work of this kind into this community on this date ("" if it does)."""
    return standing(item, kind=kind, on=on) or scope_refusal(item, community)


def covers(item: WorkItem | None, community: Org, *, kind: str | Iterable[str] | None = None, on=None) -> bool:
    """Whether the item is in force for this community (scope included) on this date."""
    return not refusal(item, community, kind=kind, on=on)


def refusals(
    item: WorkItem | None, communities: Iterable[Org], *, kind: str | Iterable[str] | None = None, on=None
) -> dict[Org, str]:
    """`refusal` for each of many communities, the item's scope read once: {community: reason} for
    those it does not cover (empty when it covers them all)."""
    communities = list(communities)
    reason = standing(item, kind=kind, on=on)
    if reason:
        return dict.fromkeys(communities, reason)
    prefetch_related_objects([item], _streets_prefetch())
    return {c: r for c in communities if (r := scope_refusal(item, c))}


def in_force_anywhere(
    *, kind: str | Iterable[str] | None = None, on: dt.date | None = None, department: Org | None = None
) -> QuerySet[WorkItem]:
    """Items that stand on this date (`standing`), of these kinds (and this department), whatever
    their scope: the choices for work not yet sent (a report template's item)."""
    q = WorkItem.in_force_q(on or clock.today())
    wanted = _kinds(kind)
    if wanted is not None:
        q &= Q(kind__in=wanted)
    if department is not None:
        q &= Q(department=department)
    return WorkItem.objects.filter(q)


def _candidates(district_id: int, kind, on: dt.date, department: Org | None) -> QuerySet[WorkItem]:
    return (
        in_force_anywhere(kind=kind, on=on, department=department)
        .filter(department__path__startswith=f"/{district_id}/")
        .select_related("department")
        .prefetch_related(_streets_prefetch())
        .order_by("code")
    )


def in_force_here(
    community: Org, *, kind: str | Iterable[str] | None = None, on: dt.date | None = None, department: Org | None = None
) -> list[WorkItem]:
    """Every item in force for this community on this date, of these kinds (and of this department)."""
    on = on or clock.today()
    items = _candidates(community.district_id, kind, on, department)
    return [item for item in items if not refusal(item, community, kind=kind, on=on)]


def in_force_by_community(
    communities: Iterable[Org], *, kind: str | Iterable[str] | None = None, on: dt.date | None = None
) -> dict[int, list[WorkItem]]:
    """`in_force_here` for many communities at once: {community pk: items}, two queries per district
    however many communities and items (a loop of `in_force_here` would read them per community)."""
    on = on or clock.today()
    wanted = _kinds(kind)
    by_district: dict[int, list[Org]] = {}
    for community in communities:
        by_district.setdefault(community.district_id, []).append(community)
    found: dict[int, list[WorkItem]] = {}
    for district_id, members in by_district.items():
        items = [item for item in _candidates(district_id, kind, on, None) if not _standing(item, wanted, on)]
        streets = {item.pk: _scope_streets(item) for item in items}
        for community in members:
            found[community.pk] = [item for item in items if not _outside(item, community, streets[item.pk])]
    return found
