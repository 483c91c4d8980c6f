from django.core.cache import caches
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


# Public pages look their version up in memory for this long: a new version reaches the process that
# published it at once (forget_public_versions) and other worker processes within these seconds.
PUBLIC_VERSION_SECONDS = 10


def public_version(code: str | None, year: int, number: int | None = None, *, remember: bool = False) -> CatalogVersion:
    """What a public catalog page shows: the version (the year's latest unless `number`) of the
    district `code` (else the first district, as public_district). One statement, written out
    (the ORM took longer to build it than the database to answer), and remembered for a few seconds:
    it is all the public catalog page asks of the database. Only anonymous pages (`remember`) take
    the remembered answer: an office that has just published sees its new version on any worker."""
    key = f"catalog-version:{code or ''}:{year}:{number or 0}"
    memory = caches["fragments"]
    version = memory.get(key) if remember else None
    if version is None:
        params = [OrgKind.DISTRICT, code or "", code or "", year, number or 0, number or 0]
        version = next(iter(CatalogVersion.objects.raw(_PUBLIC_VERSION_SQL, params)), None)
        if version is None:
            raise Http404
        memory.set(key, version, PUBLIC_VERSION_SECONDS)
    return version


def forget_public_versions() -> None:
    """This process's memory of public versions and pages, after a publication."""
    caches["fragments"].clear()


_PUBLIC_VERSION_SQL = f"""
SELECT v.* FROM {CatalogVersion._meta.db_table} v
WHERE v.district_id = (SELECT d.id FROM {Org._meta.db_table} d WHERE d.kind = %s AND (%s = '' OR d.code = %s)
                       ORDER BY d.code LIMIT 1)
  AND v.year = %s AND (%s = 0 OR v.number = %s)
ORDER BY v.number DESC LIMIT 1
"""


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


def catalog_departments(version: CatalogVersion) -> list[tuple[str, str]]:
    """The departments with items in this version, as published: the page's filter is as frozen as its table."""
    return list(version.entries.order_by("department_code").values_list("department_code", "department").distinct())


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
