"""The shared ledger through the API: the same selectors and permission rules as the pages."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from jianfu.core.errors import PermissionDenied
from jianfu.orgs.api_auth import SESSION_OR_TOKEN
from jianfu.orgs.models import Org

from . import periods, selectors
from .models import Value
from .permissions import can_read_org, can_use_ledger

router = Router(auth=SESSION_OR_TOKEN, tags=["ledger"])


class ElementOut(Schema):
    code: str
    name: str
    definition: str
    unit: str
    value_type: str
    options: list[str]
    level: str
    period_type: str
    aggregation: str
    derived: bool
    derivation: dict
    department: str
    state: str
    items: list[str]

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_items(obj) -> list[str]:
        return [i.code for i in obj.items.all()]


class FigureOut(Schema):
    element: str
    org: str
    period: str
    value: str | None
    source: str


class RequestOut(Schema):
    number: str
    template: str
    version: int
    department: str
    period: str
    sent_on: dt.date
    due_on: dt.date
    communities: int
    accepted: int

    @staticmethod
    def resolve_template(obj) -> str:
        return obj.version.template.name

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.version.number

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.version.template.department.name


class ErrorOut(Schema):
    code: str
    message: str


def _require_user(request) -> None:
    if not can_use_ledger(request.user):
        raise PermissionDenied("无权使用共享台账")


@router.get("/elements/", response={200: list[ElementOut], 403: ErrorOut})
def list_elements(request, q: str = ""):
    _require_user(request)
    qs = selectors.elements_for_user(request.user).prefetch_related("items")
    return qs.filter(name__contains=q) if q else qs


@router.get("/values/", response={200: list[FigureOut], 403: ErrorOut, 404: ErrorOut})
def list_values(request, org: str, period: str):
    """Every element's figure for one org unit and period: typed values, roll-ups and derived counts."""
    _require_user(request)
    unit = get_object_or_404(Org, code=org)
    if not can_read_org(request.user, unit):
        raise PermissionDenied("无权查看该组织的数据")
    key = periods.parse(period).key
    out = []
    for element in selectors.elements_for_user(request.user).filter(district_id=unit.district_id, state="active"):
        number = selectors.figure(element, unit, key)
        if number is None and not element.numeric:
            own = Value.objects.filter(element=element, org=unit, period__lte=key).order_by("-period").first()
            text = own.text if own else None
        else:
            text = None if number is None else format(number.normalize(), "f")
        if text is None:
            continue
        source = "derived" if element.derived else ("value" if unit.kind == element.level else "aggregate")
        out.append({"element": element.code, "org": unit.code, "period": key, "value": text, "source": source})
    return out


@router.get("/requests/", response={200: list[RequestOut], 403: ErrorOut})
def list_requests(request):
    _require_user(request)
    return selectors.requests_for_user(request.user)[:500]
