"""Certificates through the API: the public check and verification (no login), and the figures the
burden monitor reads (session or token). Same selectors as the pages."""

import datetime as dt
from typing import Annotated

from ninja import Router, Schema, Status
from pydantic import Field

from jianfu.catalog.selectors import public_district
from jianfu.core import clock
from jianfu.core.errors import PermissionDenied
from jianfu.orgs.api_auth import SESSION_OR_TOKEN

from . import lists, selectors
from .permissions import can_read_figures

router = Router(tags=["certificates"])

# The years the pages accept too (views._year); others are refused with a 400, not looked up.
Year = Annotated[int, Field(ge=2000, le=2100)]


class ItemOut(Schema):
    code: str
    name: str


class CheckOut(Schema):
    query: str
    decision: str  # may_issue, must_not_issue, not_listed
    item: ItemOut | None
    responsible_body: str
    rule: str
    evidence: list[str]
    days_to_issue: int | None
    notify_and_commit: bool
    closed: str | None
    guide: dict
    suggestions: list[ItemOut]


class VerifyOut(Schema):
    serial: str
    status: str  # genuine, revoked, code_required, code_mismatch, not_found
    community: str | None
    issued_on: dt.date | None
    revoked_on: dt.date | None
    certificate: str | None
    holder: str | None  # masked name, only with the right code


class ErrorOut(Schema):
    code: str
    message: str


@router.get(
    "check", response={200: CheckOut, 404: ErrorOut}, summary="May a community issue this certificate? (public)"
)
def check(request, q: str, d: str | None = None):
    result = lists.check(q, public_district(d))
    item = result.item
    ctype = result.certificate_type
    may = result.decision == lists.MAY
    return {
        "query": result.query,
        "decision": result.decision,
        "item": item,
        "responsible_body": result.responsible_body,
        "rule": result.rule,
        "evidence": item.evidence if item and may else [],
        "days_to_issue": item.days_to_issue if item and may else None,
        "notify_and_commit": bool(may and ctype and ctype.notify_and_commit),
        "closed": result.closed,
        "guide": item.guide if item and may else {},
        "suggestions": result.suggestions,
    }


@router.get(
    "verify/{serial}/",
    response={200: VerifyOut, 404: VerifyOut},
    summary="Is this certificate genuine and still valid? (public)",
)
def verify(request, serial: str, code: str = ""):
    result = selectors.verify(serial, code)
    c = result.certificate if result.status != "code_mismatch" else None
    body = {
        "serial": result.serial,
        "status": result.status,
        "community": c.community.name if c else None,
        "issued_on": c.issued_on if c else None,
        "revoked_on": c.revoked_at.date() if c and c.revoked else None,
        "certificate": c.item.name if c and result.details else None,
        "holder": result.holder or None,
    }
    return Status(404 if result.status == "not_found" else 200, body)


class FigureRow(Schema):
    item_id: int
    community_id: int
    month: int
    issued: int
    refused: int
    redirected: int


class FiguresOut(Schema):
    scope: str
    year: int
    baseline_year: int
    months_compared: list[int]
    issued: int
    refused: int
    redirected: int
    issued_compared: int
    baseline_compared: int
    fall: float | None
    rows: list[FigureRow]


@router.get(
    "figures/",
    auth=SESSION_OR_TOKEN,
    response={200: FiguresOut, 403: ErrorOut, 404: ErrorOut},
    summary="Issued, refused and redirected per type, community and month, with the fall against a baseline year",
)
def figures(request, org: str | None = None, year: Year | None = None, baseline: Year | None = None):
    if not can_read_figures(request.user):
        raise PermissionDenied("只有准入办、街道和社区工作人员可以查看证明开具数据")
    year = year or clock.reporting_year()
    data = selectors.certificate_figures(selectors.area_for_user(request.user, org), year, baseline or year - 1)
    reduction = data["reduction"]
    return {
        "scope": data["scope"].name,
        "year": year,
        "baseline_year": data["baseline_year"],
        "months_compared": reduction.months,
        **data["totals"],
        "issued_compared": reduction.issued,
        "baseline_compared": reduction.baseline,
        "fall": reduction.fall,
        "rows": data["rows"],
    }
