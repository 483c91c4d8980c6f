"""The published catalog and the lists, public and read-only; the office publishes a district's draft
list and cancels items (signed in)."""

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema, Status
from pydantic import Field

from jianfu.core import clock
from jianfu.core.errors import PermissionDenied
from jianfu.orgs.api_auth import SESSION_OR_TOKEN

from . import selectors, services
from .models import ItemList, WorkItem
from .permissions import is_office_of

router = Router(tags=["catalog"])


class CatalogItemOut(Schema):
    code: str
    name: str
    kind: str
    category: str
    department: str
    legal_basis: str
    funding_yuan: int
    hours_per_month: Decimal
    temporary: bool
    valid_until: dt.date | None
    frequency: str
    scope: str
    basis_level: str
    basis_document: str


class CancelledOut(Schema):
    code: str
    name: str
    department: str
    cancelled_on: dt.date
    reason: str
    responsible_body: str

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_reason(obj) -> str:
        return obj.cancellation_reason


class CatalogOut(Schema):
    district: str
    year: int
    version: int
    published_at: dt.datetime
    takes_effect_on: dt.date | None  # a coming year's catalog: nothing changes until then
    count: int
    items: list[CatalogItemOut]
    cancelled: list[CancelledOut]  # items of the year the office cancelled since, with date and reason


class ListSummaryOut(Schema):
    code: str
    name: str
    category: str
    version: int | None
    count: int


class ListItemOut(Schema):
    position: int
    code: str
    name: str
    kind: str
    department: str
    legal_basis: str
    funding_yuan: int
    responsible_body: str
    evidence: list[str]


class ListOut(ListSummaryOut):
    items: list[ListItemOut]


class PublishedOut(Schema):
    code: str
    district: str
    version: int
    effective_on: dt.date
    meeting_date: dt.date
    meeting_decision: str
    count: int


class PublishIn(Schema):
    meeting_date: dt.date  # the joint meeting (联席会议) that decided the version
    meeting_decision: str = Field(min_length=1, max_length=200)  # its decision and number
    meeting_minutes: str = Field(min_length=1, max_length=20000)  # the minutes (a file: through the page)
    effective_on: dt.date
    d: str = ""  # the district's code (else the first district)


class CancelIn(Schema):
    effective_on: dt.date
    reason: str = Field(min_length=1, max_length=2000)
    responsible_body: str = Field(default="", max_length=100)  # who does the work from then on


class ItemCancelledOut(Schema):
    code: str
    name: str
    cancelled_on: dt.date
    reason: str
    responsible_body: str

    @staticmethod
    def resolve_reason(obj) -> str:
        return obj.cancellation_reason


class ErrorOut(Schema):
    code: str
    message: str


def _catalog(district, year: int, version: int | None) -> dict:
    v = selectors.catalog_version(district, year, version)
    entries = list(selectors.catalog_entries(v))
    return {
        "district": district.name,
        "year": v.year,
        "version": v.number,
        "published_at": v.published_at,
        "takes_effect_on": selectors.takes_effect_on(v.year, clock.today()),
        "count": len(entries),
        "items": entries,
        "cancelled": selectors.cancelled_items(district.pk, v.year),
    }


@router.get("catalog/", response={200: CatalogOut, 404: ErrorOut}, summary="The catalog in force today")
def catalog_in_force(request, d: str | None = None):
    district = selectors.public_district(d)
    year = selectors.year_in_force(district, clock.today())
    if year is None:
        return Status(404, {"code": "not_found", "message": "尚未发布目录"})
    return _catalog(district, year, None)


@router.get("catalog/{year}/", response={200: CatalogOut, 404: ErrorOut}, summary="The published catalog of a year")
def catalog(request, year: int, version: int | None = None, d: str | None = None):
    return _catalog(selectors.public_district(d), year, version)


def _summary(item_list: ItemList, district) -> dict:
    version = item_list.current_version(district)
    return {
        "code": item_list.code,
        "name": item_list.name,
        "category": item_list.category,
        "version": version.number if version else None,
        "count": version.entries.count() if version else 0,
    }


@router.get(
    "lists/",
    response={200: list[ListSummaryOut], 404: ErrorOut},
    summary="The lists and a district's versions in force",
)
def lists(request, d: str | None = None):
    district = selectors.public_district(d)
    return [_summary(item_list, district) for item_list in ItemList.objects.all()]


@router.get("lists/{code}/", response={200: ListOut, 404: ErrorOut}, summary="One list's version in force")
def list_detail(request, code: str, d: str | None = None):
    item_list = ItemList.objects.filter(code=code).first()
    if item_list is None:
        return Status(404, {"code": "not_found", "message": "未找到该清单"})
    district = selectors.public_district(d)
    _, entries = selectors.list_entries(item_list, district)
    items = [
        {
            "position": e.position,
            "code": e.item.code,
            "name": e.item.name,
            "kind": e.item.kind,
            "department": e.item.department.name,
            "legal_basis": e.item.legal_basis,
            "funding_yuan": e.item.funding_yuan,
            "responsible_body": e.item.responsible_body,
            "evidence": e.item.evidence,
        }
        for e in entries
    ]
    return _summary(item_list, district) | {"items": items}


@router.post(
    "lists/{code}/publish/",
    auth=SESSION_OR_TOKEN,
    response={200: PublishedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Publish the district's draft list, citing the joint meeting (the office)",
)
def list_publish(request, code: str, payload: PublishIn):
    item_list = ItemList.objects.filter(code=code).first()
    district = selectors.public_district(payload.d or None)
    if item_list is None:
        return Status(404, {"code": "not_found", "message": "未找到该清单"})
    if not is_office_of(request.user, district):
        raise PermissionDenied("只有本区准入办可以发布清单")
    draft = item_list.draft(district)
    if draft is None:
        return Status(409, {"code": "no_draft", "message": "该清单没有待发布的修改"})
    version = services.list_publish(
        actor=request.user,
        version=draft,
        meeting_date=payload.meeting_date,
        meeting_decision=payload.meeting_decision,
        meeting_minutes=payload.meeting_minutes,
        effective_on=payload.effective_on,
    )
    return {
        "code": item_list.code,
        "district": district.code,
        "version": version.number,
        "effective_on": version.effective_on,
        "meeting_date": version.meeting_date,
        "meeting_decision": version.meeting_decision,
        "count": version.entries.count(),
    }


@router.post(
    "items/{code}/cancel/",
    auth=SESSION_OR_TOKEN,
    response={200: ItemCancelledOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Cancel or revoke an item during the year (the office)",
)
def item_cancel(request, code: str, payload: CancelIn):
    item = WorkItem.objects.select_related("department").filter(code=code).first()
    if item is None:
        return Status(404, {"code": "not_found", "message": "未找到该事项"})
    return services.item_cancel(
        actor=request.user,
        item=item,
        effective_on=payload.effective_on,
        reason=payload.reason,
        responsible_body=payload.responsible_body,
    )
