from django.db.models import Q, QuerySet
from django.http import Http404

from jianfu.orgs.models import Org, OrgKind

from .models import CatalogEntry, CatalogVersion, ItemList


def public_district(code: str | None = None) -> Org:
    """The district whose catalog the public pages show (the first one unless asked)."""
    qs = Org.objects.filter(kind=OrgKind.DISTRICT).order_by("code")
    district = qs.filter(code=code).first() if code else qs.first()
    if district is None:
        raise Http404
    return district


def catalog_version(district: Org, year: int, number: int | None = None) -> CatalogVersion:
    qs = CatalogVersion.objects.filter(district=district, year=year)
    version = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if version is None:
        raise Http404
    return version


def latest_year(district: Org) -> int | None:
    version = CatalogVersion.objects.filter(district=district).order_by("-year", "-number").first()
    return version.year if version else None


def catalog_entries(
    version: CatalogVersion, *, department: str = "", kind: str = "", category: str = "", q: str = ""
) -> QuerySet[CatalogEntry]:
    entries = version.entries.all()
    if department:
        entries = entries.filter(department_code=department)
    if kind:
        entries = entries.filter(kind=kind)
    if category:
        entries = entries.filter(category=category)
    if q:
        entries = entries.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(legal_basis__icontains=q))
    return entries.order_by("department_code", "kind", "code")


def published_lists() -> list[tuple[ItemList, object]]:
    return [(item_list, item_list.current_version()) for item_list in ItemList.objects.all()]


def list_entries(item_list: ItemList):
    version = item_list.current_version()
    if version is None:
        return None, []
    return version, list(version.entries.select_related("item", "item__department").order_by("position"))


def plaque_counts(communities, *, before, today) -> list[dict]:
    """Plaques hanging in each community on `before` (e.g. before the clean-up) and today."""
    from .models import Plaque

    rows = {c.pk: {"community": c, "before": 0, "now": 0, "unapproved": 0} for c in communities}
    plaques = Plaque.objects.filter(community__in=rows).values("community_id", "hung_on", "removed_on", "item_id")
    for p in plaques:
        row = rows[p["community_id"]]
        if p["hung_on"] <= before and (p["removed_on"] is None or p["removed_on"] > before):
            row["before"] += 1
        if p["hung_on"] <= today and p["removed_on"] is None:
            row["now"] += 1
            row["unapproved"] += p["item_id"] is None
    return list(rows.values())
