"""Public, read-only: the published catalog and the lists."""

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema, Status

from . import selectors
from .models import ItemList

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


class CatalogOut(Schema):
    district: str
    year: int
    version: int
    published_at: dt.datetime
    count: int
    items: list[CatalogItemOut]


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


class ErrorOut(Schema):
    code: str
    message: str


@router.get("catalog/{year}/", response={200: CatalogOut, 404: ErrorOut}, summary="The published catalog of a year")
def catalog(request, year: int, version: int | None = None, d: str | None = None):
    district = selectors.public_district(d)
    v = selectors.catalog_version(district, year, version)
    entries = list(selectors.catalog_entries(v))
    return {
        "district": district.name,
        "year": v.year,
        "version": v.number,
        "published_at": v.published_at,
        "count": len(entries),
        "items": entries,
    }


def _summary(item_list: ItemList) -> dict:
    version = item_list.current_version()
    return {
        "code": item_list.code,
        "name": item_list.name,
        "category": item_list.category,
        "version": version.number if version else None,
        "count": version.entries.count() if version else 0,
    }


@router.get("lists/", response=list[ListSummaryOut], summary="The lists and their current versions")
def lists(request):
    return [_summary(item_list) for item_list in ItemList.objects.all()]


@router.get("lists/{code}/", response={200: ListOut, 404: ErrorOut}, summary="One list's current version")
def list_detail(request, code: str):
    item_list = ItemList.objects.filter(code=code).first()
    if item_list is None:
        return Status(404, {"code": "not_found", "message": "未找到该清单"})
    _, entries = selectors.list_entries(item_list)
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
    return _summary(item_list) | {"items": items}
