"""Plaques and wall material through the API: the same services, reads and refusals as the pages."""

import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from jianfu.core import workflow
from jianfu.orgs.api_auth import SESSION_OR_TOKEN

from . import plaques
from .machines import PLAQUE, plaque_state
from .models import WorkItem

router = Router(auth=SESSION_OR_TOKEN, tags=["plaques"])

Kind = Literal["plaque", "wall", "rule"]


class PlaqueOut(Schema):
    id: int
    community: str
    community_name: str
    kind: str
    name: str
    department: str
    item: str | None  # the approved work-body item's code; none for a standing plaque (or one found in place)
    item_name: str
    standing: bool  # one of the three plaques every community carries
    hung_on: dt.date
    removed_on: dt.date | None
    removal_reason: str
    state: str  # "up" or "removed"
    actions: list[str]  # what the caller may do now: the page's buttons, from the same machine

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj) -> str:
        return obj.community.name

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.code

    @staticmethod
    def resolve_item(obj) -> str | None:
        return obj.item.code if obj.item else None

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name if obj.item else ""

    @staticmethod
    def resolve_standing(obj) -> bool:
        return plaques.is_standing(obj.kind, obj.name)

    @staticmethod
    def resolve_state(obj) -> str:
        return plaque_state(obj)

    @staticmethod
    def resolve_actions(obj, context) -> list[str]:
        return workflow.available(PLAQUE, context["request"].user, obj)


class PlaquePage(Schema):
    count: int  # how many match, over all pages
    offset: int
    limit: int
    items: list[PlaqueOut]


class PlaqueIn(Schema):
    community: str  # the community's code
    kind: Kind = "plaque"
    name: str = Field(min_length=1, max_length=100)
    item: str | None = None  # the approved work-body item's code; none only for the three standing plaques
    hung_on: dt.date | None = None  # today when not given


class RemoveIn(Schema):
    reason: str = Field(min_length=1, max_length=200)
    removed_on: dt.date | None = None  # today when not given


class ErrorOut(Schema):
    code: str
    message: str


@router.get(
    "",
    response={200: PlaquePage, 404: ErrorOut},
    summary="Plaques and wall material of the communities the caller reaches (or of one), paged",
)
def list_plaques(
    request,
    community: str | None = None,
    kind: Kind | None = None,
    state: Literal["up", "removed", "all"] = "up",
    offset: int = 0,
    limit: int = 50,
):
    offset, limit = min(max(offset, 0), 10**9), min(max(limit, 1), 500)
    where = plaques.community_for_user(request.user, community) if community else None
    rows = plaques.plaques_for_user(request.user, community=where, kind=kind or "", state=state)
    return {"count": rows.count(), "offset": offset, "limit": limit, "items": list(rows[offset : offset + limit])}


@router.post(
    "",
    response={201: PlaqueOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Register a plaque or wall material that went up (the office, the street, the community)",
)
def register_plaque(request, payload: PlaqueIn):
    community = plaques.community_for_user(request.user, payload.community)
    item = None
    if payload.item:
        item = WorkItem.objects.select_related("department").filter(code=payload.item).first()
        if item is None:
            return Status(400, {"code": "not_approved", "message": f"没有编码为 {payload.item} 的事项"})
    plaque = plaques.plaque_register(
        actor=request.user,
        community=community,
        kind=payload.kind,
        name=payload.name,
        item=item,
        hung_on=payload.hung_on,
    )
    return Status(201, plaques.plaque_for_user(request.user, plaque.pk))


@router.get("{pk}/", response={200: PlaqueOut, 404: ErrorOut}, summary="One plaque or wall material")
def get_plaque(request, pk: int):
    return plaques.plaque_for_user(request.user, pk)


@router.post(
    "{pk}/remove/",
    response={200: PlaqueOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Take a plaque or wall material down, with the reason",
)
def remove_plaque(request, pk: int, payload: RemoveIn):
    plaque = plaques.plaque_for_user(request.user, pk)
    plaques.plaque_remove(actor=request.user, plaque=plaque, reason=payload.reason, removed_on=payload.removed_on)
    return plaques.plaque_for_user(request.user, pk)
