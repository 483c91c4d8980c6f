import datetime as dt

from django.core.cache import caches
from django.db.models import Q, QuerySet
from django.http import Http404

from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind

from .models import CatalogEntry, CatalogVersion, ItemList, ListVersion, WorkItem


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


def catalog_years(district_id: int) -> list[int]:
    """The years with a published catalog, newest first: the page's year switcher."""
    years = CatalogVersion.objects.filter(district_id=district_id).values_list("year", flat=True)
    return sorted(set(years), reverse=True)


def year_in_force(district: Org, today: dt.date) -> int | None:
    """The year whose catalog is in force today: today's year when it has a published catalog, else
    the latest year before (a next year's catalog published in December replaces nothing until
    January 1st); only a district with nothing but future catalogs shows the earliest of them."""
    years = catalog_years(district.pk)
    if not years:
        return None
    past = [y for y in years if y <= today.year]
    return max(past) if past else min(years)


def takes_effect_on(year: int, today: dt.date) -> dt.date | None:
    """When a catalog of a coming year takes effect (None: it is in force or past)."""
    return dt.date(year, 1, 1) if year > today.year else None


def cancelled_items(district_id: int, year: int) -> list[WorkItem]:
    """The district's items of this year the office cancelled or revoked, with the date and reason:
    what the communities are told on the catalog and list pages."""
    return list(
        WorkItem.objects.filter(year=year, department__path__startswith=f"/{district_id}/", cancelled_on__isnull=False)
        .select_related("department")
        .order_by("cancelled_on", "code")
    )


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


def published_lists(district: Org) -> list[tuple[ItemList, ListVersion | None]]:
    """Each list with the district's version in force today."""
    current = {}
    for version in ListVersion.in_force(district):
        current.setdefault(version.item_list_id, version)
    return [(item_list, current.get(item_list.pk)) for item_list in ItemList.objects.all()]


def list_entries(item_list: ItemList, district: Org):
    """The district's version of the list in force today, and its entries."""
    version = item_list.current_version(district)
    if version is None:
        return None, []
    return version, list(version.entries.select_related("item", "item__department").order_by("position"))


def pending_versions(item_list: ItemList, district: Org) -> list[ListVersion]:
    """The district's published versions still to take effect (the list in force stays until then)."""
    return list(
        item_list.versions.filter(
            district=district, published_at__isnull=False, effective_on__gt=clock.today()
        ).order_by("effective_on", "number")
    )


def list_draft(item_list: ItemList, district: Org) -> tuple[ListVersion | None, list, set[int]]:
    """The district's draft of the list, its entries, and which of them are new since the last
    published version (the approvals the joint meeting confirms)."""
    draft = item_list.draft(district)
    if draft is None:
        return None, [], set()
    base = item_list.latest_published(district)
    published = set(base.entries.values_list("item_id", flat=True)) if base else set()
    entries = list(draft.entries.select_related("item", "item__department").order_by("position"))
    return draft, entries, {e.item_id for e in entries if e.item_id not in published}
