"""Changes to the catalog: items entering from approved applications, list versions, the annual
catalog's publication (plaques: plaques.py). Each checks permission and writes the audit entry."""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core import clock, dirty, workflow
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.core.numbering import next_number
from jianfu.orgs.models import CommunityType, Org, User

from . import selectors
from .models import (
    ENTERING,
    WORK_FIELD_NAMES,
    CatalogEntry,
    CatalogVersion,
    Category,
    ItemList,
    ListEntry,
    ListVersion,
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
    """An approved application enters the catalog as an item for its start year, from its start date,
    and its district's draft list: in force once the office publishes the list."""
    year = application.start_date.year if not application.temporary else clock.today().year
    item = WorkItem(
        code=next_number("ZR", year),
        department=application.department,
        year=year,
        # An item approved mid-year counts from its planned start, not from January.
        starts_on=application.start_date if application.start_date.year == year else None,
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


def _district_of(item: WorkItem) -> Org:
    return Org.objects.get(pk=item.department.district_id)


def _append_to_list(list_code: str, item: WorkItem) -> None:
    """Into the draft of the item's district's list: in force once the office publishes it."""
    item_list = ItemList.objects.select_for_update().filter(code=list_code).first()
    if item_list is None:
        return
    district = _district_of(item)
    draft = item_list.draft(district) or _new_draft(item_list, district)
    _append(draft, [item])


def _append(version: ListVersion, items: list[WorkItem]) -> None:
    last = version.entries.aggregate(m=Max("position"))["m"] or 0
    present = set(version.entries.values_list("item_id", flat=True))
    new = [item for item in items if item.pk not in present]
    ListEntry.objects.bulk_create(
        ListEntry(version=version, item=item, position=last + i) for i, item in enumerate(new, 1)
    )


def _next_number(item_list: ItemList, district: Org) -> int:
    return (item_list.versions.filter(district=district).aggregate(m=Max("number"))["m"] or 0) + 1


def _new_draft(item_list: ItemList, district: Org) -> ListVersion:
    """A draft starting from the district's newest published version (in force or still to take effect)."""
    base = item_list.latest_published(district)
    draft = ListVersion.objects.create(item_list=item_list, district=district, number=_next_number(item_list, district))
    if base:
        ListEntry.objects.bulk_create(
            ListEntry(version=draft, item_id=e.item_id, position=e.position) for e in base.entries.all()
        )
    return draft


def list_publish(
    *,
    actor: User | None,
    version: ListVersion,
    meeting_date: dt.date | None,
    meeting_decision: str,
    meeting_minutes: str = "",
    meeting_file=None,
    effective_on: dt.date | None,
) -> ListVersion:
    """The office publishes a district's draft list, citing the joint meeting (联席会议) that decided
    it (date, decision and number, minutes as text or a file); in force from its effective date."""
    from .machines import LIST_VERSION

    workflow.check(LIST_VERSION, version, "publish", actor)  # who may, before what they typed
    if meeting_date is None or not meeting_decision.strip():
        raise DomainError(_("Cite the joint meeting that decided this list: its date and its decision (number)."))
    if not meeting_minutes.strip() and not meeting_file:
        raise DomainError(_("Attach the minutes of the joint meeting (text or file)."))
    if effective_on is None:
        raise DomainError(_("Say from which day the list takes effect."))
    if meeting_date > clock.today():
        raise DomainError(_("The joint meeting cannot be in the future."))
    if effective_on < meeting_date:
        raise DomainError(_("A list cannot take effect before the joint meeting that decided it."))

    def change(v: ListVersion) -> None:
        v.published_by = actor if actor is not None and actor.pk else None
        v.meeting_date, v.meeting_decision, v.meeting_minutes = meeting_date, meeting_decision.strip(), meeting_minutes
        v.effective_on = effective_on
        if meeting_file:
            v.meeting_file = meeting_file

    version = workflow.apply(
        LIST_VERSION,
        version,
        "publish",
        actor=actor,
        change=change,
        after=lambda v: {
            "list": v.item_list.code,
            "version": v.number,
            "items": v.entries.count(),
            "effective_on": v.effective_on,
            "meeting": {"date": v.meeting_date, "decision": v.meeting_decision},
        },
    )
    selectors.forget_public_versions()
    return version


@transaction.atomic
def list_replace(*, actor: User | None, item_list: ItemList, district: Org, items: list[WorkItem]) -> ListVersion:
    """A new published version of this district's list holding exactly these items (import, demo),
    in force from now (no effective date: it supersedes any version still waiting to take effect). Other districts' versions are not touched; approvals waiting in this district's
    draft wait on in a new draft built on the new version."""
    from .machines import LIST_VERSION

    _require_office(actor, district)
    ItemList.objects.select_for_update().get(pk=item_list.pk)
    draft = item_list.draft(district)
    pending: list[WorkItem] = []
    if draft is not None:
        base = item_list.latest_published(district)
        published = set(base.entries.values_list("item_id", flat=True)) if base else set()
        pending = [
            e.item for e in draft.entries.select_related("item").order_by("position") if e.item_id not in published
        ]
        draft.delete()
    version = ListVersion.objects.create(
        item_list=item_list,
        district=district,
        number=_next_number(item_list, district),
        published_at=clock.now(),
        published_by=actor if actor is not None and actor.pk else None,
    )
    ListEntry.objects.bulk_create(ListEntry(version=version, item=item, position=i) for i, item in enumerate(items, 1))
    workflow.opened(
        LIST_VERSION,
        version,
        "import",
        actor=actor,
        org=district,
        audit_action="list.publish",
        after={"list": item_list.code, "version": version.number, "items": [i.code for i in items]},
    )
    listed = {i.pk for i in items}
    if pending := [item for item in pending if item.pk not in listed]:
        _append(_new_draft(item_list, district), pending)
    selectors.forget_public_versions()
    return version


def item_cancel(
    *, actor: User | None, item: WorkItem, effective_on: dt.date | None, reason: str, responsible_body: str = ""
) -> WorkItem:
    """The office cancels or revokes an item during the year: it stands until the day before
    `effective_on` and nowhere from then on (gate.standing); who does the work from then on is
    recorded. The audit entry and the catalog and list pages tell the communities in scope."""
    from .machines import ITEM

    workflow.check(ITEM, item, "cancel", actor)  # who may, before what they typed
    if not reason.strip():
        raise DomainError(_("Give the reason for the cancellation."))
    if effective_on is None:
        raise DomainError(_("Say from which day the cancellation takes effect."))
    if effective_on < clock.today():
        raise DomainError(_("A cancellation cannot take effect in the past."))

    def change(i: WorkItem) -> None:
        i.cancelled_on, i.cancellation_reason = effective_on, reason.strip()
        if responsible_body.strip():
            i.responsible_body = responsible_body.strip()[:100]

    item = workflow.apply(
        ITEM,
        item,
        "cancel",
        actor=actor,
        note=reason.strip(),
        change=change,
        after=lambda i: {"cancelled_on": i.cancelled_on, "responsible_body": i.responsible_body},
    )
    dirty.mark_since(item.department.district_id, effective_on)
    selectors.forget_public_versions()
    return item


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
