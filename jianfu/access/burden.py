"""Burden preview: what a new item adds to each community's monthly worker-hours, against the cap."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings

from jianfu.catalog.models import WorkFields, WorkItem
from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind


def _scope_streets(work) -> set[int]:
    return {o.pk for o in work.scope_streets.all()} if work.pk else set()


def communities_in_scope(work: WorkFields, district: Org) -> list[Org]:
    streets = _scope_streets(work)
    communities = Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).order_by("path")
    return [c for c in communities if work.applies_to(c, streets)]


def current_hours(district: Org, today=None) -> dict[int, Decimal]:
    """Worker-hours per month each community already carries from items in force."""
    today = today or clock.today()
    items = WorkItem.objects.filter(WorkItem.in_force_q(today), department__path__startswith=district.path)
    items = items.prefetch_related("scope_streets")
    communities = list(Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path))
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for item in items:
        per_month = item.hours_per_month()
        streets = {s.pk for s in item.scope_streets.all()}
        for community in communities:
            if item.applies_to(community, streets):
                hours[community.pk] += per_month
    return hours


def preview(work: WorkFields, district: Org, today=None) -> dict:
    cap = Decimal(settings.JIANFU["COMMUNITY_MONTHLY_HOURS_CAP"])
    added = work.hours_per_month()
    existing = current_hours(district, today)
    rows = []
    for community in communities_in_scope(work, district):
        before = existing.get(community.pk, Decimal(0))
        after = before + added
        rows.append(
            {
                "code": community.code,
                "name": community.name,
                "before": str(before),
                "after": str(after),
                "over_cap": after > cap,
            }
        )
    return {
        "hours_per_month": str(added),
        "communities": len(rows),
        "total_hours_per_month": str(added * len(rows)),
        "cap": str(cap),
        "over_cap": [r for r in rows if r["over_cap"]],
        "rows": rows,
    }
