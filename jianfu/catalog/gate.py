"""非准不入, asked in one place: is a work item in force here, for this kind, on this date?

Everything that sends work to a community (the check page, the ledger, case dispatch, certificates,
work orders, the monitor) asks these functions, so an item approved for one street, one type of
community or one year covers nothing else."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from jianfu.core import clock
from jianfu.orgs.models import Org

from .models import ENTERING, Category, WorkItem


def _kinds(kinds: str | Iterable[str] | None) -> set[str] | None:
    if kinds is None:
        return None
    return {kinds} if isinstance(kinds, str) else set(kinds)


def _scope_streets(item: WorkItem) -> set[int]:
    # Prefetched by in_force_here; otherwise one query.
    return {s.pk for s in item.scope_streets.all()}


def refusal(item: WorkItem | None, community: Org, *, kind: str | Iterable[str] | None = None, on=None) -> str:
    """Why this item does not let work of this kind into this community on this date ("" if it does)."""
    on = on or clock.today()
    if item is None:
        return _("No item in force covers it: apply for access first.")
    wanted = _kinds(kind)
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
    if (
        community.district_id
        and item.department_id
        and not item.department.path.startswith(f"/{community.district_id}/")
    ):
        return _("“%(item)s” is not in this district's catalog.") % {"item": item.name}
    streets = _scope_streets(item)
    if streets and community.parent_id not in streets:
        return _("“%(item)s” is approved only for other streets or towns, not for %(community)s.") % {
            "item": item.name,
            "community": community.name,
        }
    if item.scope_community_types and community.community_type not in item.scope_community_types:
        return _("“%(item)s” is approved only for other types of community, not for %(community)s.") % {
            "item": item.name,
            "community": community.name,
        }
    return ""


def covers(item: WorkItem | None, community: Org, *, kind: str | Iterable[str] | None = None, on=None) -> bool:
    """Whether the item is in force for this community (scope included) on this date."""
    return not refusal(item, community, kind=kind, on=on)


def in_force_here(
    community: Org, *, kind: str | Iterable[str] | None = None, on: dt.date | None = None, department: Org | None = None
) -> list[WorkItem]:
    """Every item in force for this community on this date, of these kinds (and of this department)."""
    on = on or clock.today()
    q = WorkItem.in_force_q(on) & Q(department__path__startswith=f"/{community.district_id}/")
    wanted = _kinds(kind)
    if wanted is not None:
        q &= Q(kind__in=wanted)
    if department is not None:
        q &= Q(department=department)
    items = (
        WorkItem.objects.filter(q)
        .select_related("department")
        .prefetch_related(Prefetch("scope_streets", queryset=Org.objects.only("pk")))
        .order_by("code")
    )
    return [item for item in items if not refusal(item, community, kind=kind, on=on)]
