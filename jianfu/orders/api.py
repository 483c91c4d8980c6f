"""Work orders through the API: the same services and selectors as the pages, the same refusals."""

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema, Status
from pydantic import Field

from jianfu.catalog.models import WorkItem
from jianfu.core import workflow
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.orgs.api_auth import SESSION_OR_TOKEN
from jianfu.orgs.models import Org, OrgKind

from . import selectors, services
from .machines import DELIVERY
from .models import Decision

router = Router(auth=SESSION_OR_TOKEN, tags=["orders"])


class DeliveryOut(Schema):
    community: str
    community_name: str
    state: str
    refusal: str
    answered_on: dt.date | None
    actions: list[str]  # what the caller may do now: the page's buttons, from the same machine

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj) -> str:
        return obj.community.name

    @staticmethod
    def resolve_actions(obj, context) -> list[str]:
        return workflow.available(DELIVERY, context["request"].user, obj)


class OrderOut(Schema):
    number: str
    source: str
    source_name: str
    kind: str
    item: str | None
    item_name: str
    title: str
    instructions: str
    hours: Decimal
    workdays: int
    sent_on: dt.date
    due: dt.date
    decision: str
    refusal: str
    deliveries: list[DeliveryOut]  # the caller's: every community for the sender, its own for a community

    @staticmethod
    def resolve_source(obj) -> str:
        return obj.source.code

    @staticmethod
    def resolve_source_name(obj) -> str:
        return obj.source.name

    @staticmethod
    def resolve_item(obj) -> str | None:
        return obj.item.code if obj.item else None

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name if obj.item else ""

    @staticmethod
    def resolve_deliveries(obj, context) -> list:
        return selectors.deliveries_for_user(context["request"].user, obj)


class OrderIn(Schema):
    kind: str
    item: str | None = None  # the catalog item's code; none: the order is refused, and recorded
    title: str = Field(min_length=1, max_length=200)
    instructions: str = Field(default="", max_length=5000)
    hours: Decimal = Field(ge=0, lt=100000, decimal_places=2)  # at most the item's hours per occurrence
    workdays: int = Field(ge=1, le=250)  # working days to do it
    communities: list[str] = []  # community codes
    all_in_scope: bool = False  # also every community of the sender the item covers
    source: str = ""  # the department or street sent for, when the caller may send for several


class RefuseIn(Schema):
    reason: str = Field(max_length=1000)


class ErrorOut(Schema):
    code: str
    message: str


@router.get("", response=list[OrderOut], summary="Orders the caller sent, follows or received, newest first")
def list_orders(request, offset: int = 0, limit: int = 100):
    offset, limit = max(offset, 0), min(max(limit, 1), 500)
    return selectors.orders_for_user(request.user)[offset : offset + limit]


@router.get("{number}/", response={200: OrderOut, 404: ErrorOut}, summary="One order")
def get_order(request, number: str):
    return selectors.order_for_user(request.user, number)


@router.post(
    "",
    response={201: OrderOut, 400: ErrorOut, 403: ErrorOut},
    summary="Send an order (a department's clerk or a street's worker)",
)
def send_order(request, payload: OrderIn):
    source = selectors.sender_for(request.user, payload.source)
    if source is None:
        raise PermissionDenied("只有部门经办人或街道工作人员可以向社区派发工作")
    item = WorkItem.objects.filter(code=payload.item).first() if payload.item else None
    codes = list(dict.fromkeys(payload.communities))
    communities = list(Org.objects.filter(code__in=codes, kind=OrgKind.COMMUNITY))
    if len(communities) != len(codes):
        unknown = sorted(set(codes) - {c.code for c in communities})
        raise DomainError("不是社区的编码：" + "、".join(unknown), code="invalid")
    order = services.order_send(
        actor=request.user,
        source=source,
        kind=payload.kind,
        item=item,
        title=payload.title,
        instructions=payload.instructions,
        hours=payload.hours,
        workdays_to_do=payload.workdays,
        communities=communities,
        all_in_scope=payload.all_in_scope,
    )
    if order.decision == Decision.REFUSED:
        # Recorded, and reaching no one: the same refusal the page shows.
        message = "；".join(services.refusals(order)) or order.refusal
        return Status(400, {"code": "order_refused", "message": f"{message}（已记录为 {order.number}）"})
    return Status(201, order)


@router.post(
    "{number}/{community}/done/",
    response={200: DeliveryOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Mark an order done (the community it reached)",
)
def mark_done(request, number: str, community: str):
    order = selectors.order_for_user(request.user, number)
    delivery = selectors.delivery_for_user(request.user, order, community)
    return services.delivery_done(actor=request.user, delivery=delivery)


@router.post(
    "{number}/{community}/refuse/",
    response={200: DeliveryOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Refuse an order that goes beyond its item (the community it reached)",
)
def refuse(request, number: str, community: str, payload: RefuseIn):
    order = selectors.order_for_user(request.user, number)
    delivery = selectors.delivery_for_user(request.user, order, community)
    return services.delivery_refuse(actor=request.user, delivery=delivery, reason=payload.reason)
