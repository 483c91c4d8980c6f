"""Burden preview: what a new item adds to each community's monthly worker-hours, against the cap."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import prefetch_related_objects

from jianfu.catalog import gate
from jianfu.catalog.models import WorkFields
from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind


def communities_in_scope(work: WorkFields, district: Org) -> list[Org]:
    """The communities the work's proposed scope reaches (an application is in force nowhere yet:
    only its place is asked of the gate). Its streets are read once, not per community."""
    if work.pk:
        prefetch_related_objects([work], "scope_streets")
    communities = Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).order_by("path")
    return [c for c in communities if not gate.scope_refusal(work, c)]


def current_hours(district: Org, today=None) -> dict[int, Decimal]:
    """Worker-hours per month each community already carries from items in force for it: three
    queries (the gate's batched reader), however many items and communities."""
    communities = Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path)
    hours: dict[int, Decimal] = defaultdict(Decimal)
    per_month: dict[int, Decimal] = {}
    for community_pk, items in gate.in_force_by_community(communities, on=today or clock.today()).items():
        for item in items:
            if item.pk not in per_month:
                per_month[item.pk] = item.hours_per_month()
            hours[community_pk] += per_month[item.pk]
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
