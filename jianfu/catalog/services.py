"""Changes to the catalog: items entering from approved applications, list versions, the annual
catalog's publication, plaques. Each checks permission and writes the audit entry."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core import clock, dirty
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.core.numbering import next_number
from jianfu.orgs.models import CommunityType, Org, OrgKind, Role, User
from jianfu.orgs.permissions import reaches

from . import selectors
from .models import (
    ENTERING,
    WORK_FIELD_NAMES,
    CatalogEntry,
    CatalogVersion,
    Category,
    ItemKind,
    ItemList,
    ListEntry,
    ListVersion,
    Plaque,
    WorkItem,
)
from .permissions import is_office_of

ITEM_FIELDS = [
    "code",
    "name",
    "kind",
    "category",
    "department_id",
    "legal_basis",
    "funding_yuan",
    "funding_channel",
    "frequency",
    "occurrences_per_year",
    "hours_per_occurrence",
    "year",
    "temporary",
    "valid_until",
    "responsible_body",
    "basis_level",
    "basis_document",
]


def _require_office(user: User | None, district: Org) -> None:
    if not is_office_of(user, district):
        raise PermissionDenied(_("Only the access office maintains the catalog and lists."))


@transaction.atomic
def item_from_application(*, application, actor: User | None) -> WorkItem:
    """An approved application enters the catalog as an item in force for its start year."""
    year = application.start_date.year if not application.temporary else clock.today().year
    item = WorkItem(
        code=next_number("ZR", year),
        department=application.department,
        year=year,
        **{f: getattr(application, f) for f in WORK_FIELD_NAMES},
    )
    item.full_clean()
    item.save()
    item.scope_streets.set(application.scope_streets.all())
    mark_item_dirty(item)
    list_code = {Category.DUTY: "duty", Category.ASSIST: "assist", Category.CERTIFICATE: "certificate"}.get(
        item.category
    )
    if list_code:
        _append_to_list(list_code, item)
    audit.record(
        action="item.enter",
        actor=actor,
        obj=item,
        org=application.department,
        after=audit.snapshot(item, ITEM_FIELDS) | {"application": application.number},
    )
    return item


def mark_item_dirty(item: WorkItem) -> None:
    """The monitor counts an item in every month of its year (kind, frequency, hours, scope)."""
    dirty.mark(item.department.district_id, item.year)


def mark_plaque_dirty(plaque: Plaque) -> None:
    """A plaque counts from the month it was hung (or removed, if entered earlier) to this one."""
    start = plaque.hung_on
    if plaque.removed_on and plaque.removed_on < start:
        start = plaque.removed_on
    dirty.mark_since(plaque.community.district_id, start)


def _append_to_list(list_code: str, item: WorkItem) -> None:
    item_list = ItemList.objects.select_for_update().filter(code=list_code).first()
    if item_list is None:
        return
    draft = item_list.versions.filter(published_at__isnull=True).first() or _new_draft(item_list)
    last = draft.entries.order_by("-position").first()
    ListEntry.objects.get_or_create(version=draft, item=item, defaults={"position": (last.position + 1) if last else 1})


def _new_draft(item_list: ItemList) -> ListVersion:
    current = item_list.current_version()
    draft = ListVersion.objects.create(item_list=item_list, number=(current.number + 1) if current else 1)
    if current:
        ListEntry.objects.bulk_create(
            ListEntry(version=draft, item_id=e.item_id, position=e.position) for e in current.entries.all()
        )
    return draft


@transaction.atomic
def list_publish(*, actor: User | None, item_list: ItemList, district: Org) -> ListVersion:
    _require_office(actor, district)
    draft = item_list.versions.select_for_update().filter(published_at__isnull=True).first()
    if draft is None:
        raise DomainError(_("There are no unpublished changes to this list."))
    draft.published_at, draft.published_by = clock.now(), actor
    draft.save()
    audit.record(
        action="list.publish",
        actor=actor,
        obj=draft,
        org=district,
        after={"list": item_list.code, "version": draft.number, "items": draft.entries.count()},
    )
    return draft


@transaction.atomic
def list_replace(*, actor: User | None, item_list: ItemList, district: Org, items: list[WorkItem]) -> ListVersion:
    """A new published version holding exactly these items (import, demo)."""
    _require_office(actor, district)
    ItemList.objects.select_for_update().get(pk=item_list.pk)
    item_list.versions.filter(published_at__isnull=True).delete()
    current = item_list.current_version()
    version = ListVersion.objects.create(
        item_list=item_list, number=(current.number + 1) if current else 1, published_at=clock.now(), published_by=actor
    )
    ListEntry.objects.bulk_create(ListEntry(version=version, item=item, position=i) for i, item in enumerate(items, 1))
    audit.record(
        action="list.publish",
        actor=actor,
        obj=version,
        org=district,
        after={"list": item_list.code, "version": version.number, "items": [i.code for i in items]},
    )
    return version


def entries_for(items, *, version: CatalogVersion) -> list[CatalogEntry]:
    return [
        CatalogEntry(
            version=version,
            item=item,
            code=item.code,
            name=item.name,
            kind=item.kind,
            category=item.category,
            department_code=item.department.code,
            department=item.department.name,
            legal_basis=item.legal_basis,
            funding_yuan=item.funding_yuan,
            funding_channel=item.funding_channel,
            frequency=item.frequency,
            hours_per_month=item.hours_per_month(),
            temporary=item.temporary,
            valid_until=item.valid_until,
            scope=scope_text(item),
            basis_level=item.basis_level,
            basis_document=item.basis_document,
        )
        for item in items
    ]


def scope_text(item: WorkItem) -> str:
    parts = [s.name for s in item.scope_streets.all()]
    parts += [str(CommunityType(t).label) for t in item.scope_community_types if t in CommunityType.values]
    return "、".join(parts) if parts else _("all communities")


@transaction.atomic
def catalog_publish(*, actor: User | None, district: Org, year: int) -> CatalogVersion:
    """Freeze year's catalog: a copy of every item in force, which later changes never touch."""
    _require_office(actor, district)
    items = (
        WorkItem.objects.filter(category__in=ENTERING, year=year, department__path__startswith=district.path)
        .filter(WorkItem.with_higher_basis_q())
        .exclude(valid_until__lt=clock.today())
        .select_related("department")
        .prefetch_related("scope_streets")
        .order_by("department__code", "kind", "code")
    )
    Org.objects.select_for_update().get(pk=district.pk)  # one publication at a time per district
    last = CatalogVersion.objects.filter(district=district, year=year).order_by("-number").first()
    version = CatalogVersion.objects.create(
        district=district,
        year=year,
        number=(last.number + 1) if last else 1,
        published_at=clock.now(),
        published_by=actor,
    )
    CatalogEntry.objects.bulk_create(entries_for(items, version=version))
    audit.record(
        action="catalog.publish",
        actor=actor,
        obj=version,
        org=district,
        after={"year": year, "version": version.number, "items": version.entries.count()},
    )
    selectors.forget_public_versions()
    return version


def catalog_diff(old: CatalogVersion, new: CatalogVersion) -> dict:
    before = {e.code: e for e in old.entries.all()}
    after = {e.code: e for e in new.entries.all()}
    changed = []
    for code in sorted(before.keys() & after.keys()):
        fields = [
            {"field": f, "before": getattr(before[code], f), "after": getattr(after[code], f)}
            for f in CatalogEntry.COMPARED
            if getattr(before[code], f) != getattr(after[code], f)
        ]
        if fields:
            changed.append({"entry": after[code], "fields": fields})
    return {
        "added": [after[c] for c in sorted(after.keys() - before.keys())],
        "removed": [before[c] for c in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


ALLOWED_PLAQUES = ["社区党组织", "社区居民委员会", "社区工作站"]


@transaction.atomic
def plaque_register(
    *, actor: User | None, community: Org, name: str, department: Org, hung_on: dt.date, item: WorkItem | None = None
) -> Plaque:
    """Record a work body or plaque in a community. A new one needs an approved body item in force;
    plaques found in place before the clean-up may be recorded without one, so they can be removed."""
    if community.kind != OrgKind.COMMUNITY:
        raise DomainError(_("Plaques hang in communities."))
    if actor is not None and not (
        reaches(actor, community, {Role.OFFICE, Role.STREET, Role.COMMUNITY}) or actor.is_superuser
    ):
        raise PermissionDenied(_("You may not register plaques in this community."))
    if item is not None and (item.kind != ItemKind.BODY or not item.is_in_force(clock.today())):
        raise DomainError(_("“%(item)s” is not an approved work body in force.") % {"item": item})
    if item is None and hung_on >= clock.today() - dt.timedelta(days=1) and actor is not None:
        raise DomainError(_("A new work body or plaque needs an approved item (非准不入)."))
    plaque = Plaque.objects.create(community=community, name=name, department=department, item=item, hung_on=hung_on)
    mark_plaque_dirty(plaque)
    audit.record(
        action="plaque.register",
        actor=actor,
        obj=plaque,
        org=community,
        after={"name": name, "department": department.code, "item": item.code if item else None, "hung_on": hung_on},
    )
    return plaque


@transaction.atomic
def plaque_remove(*, actor: User | None, plaque: Plaque, removed_on: dt.date, reason: str) -> Plaque:
    plaque = Plaque.objects.select_for_update().select_related("community").get(pk=plaque.pk)
    if actor is not None and not (
        reaches(actor, plaque.community, {Role.OFFICE, Role.STREET, Role.COMMUNITY}) or actor.is_superuser
    ):
        raise PermissionDenied(_("You may not change plaques in this community."))
    if plaque.removed_on:
        raise DomainError(_("This plaque was already removed."))
    plaque.removed_on, plaque.removal_reason = removed_on, reason
    plaque.save()
    mark_plaque_dirty(plaque)
    audit.record(
        action="plaque.remove",
        actor=actor,
        obj=plaque,
        org=plaque.community,
        after={"removed_on": removed_on},
        reason=reason,
    )
    return plaque
