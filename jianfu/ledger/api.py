"""The shared ledger through the API: the same selectors and permission rules as the pages."""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from jianfu.core.errors import PermissionDenied
from jianfu.orgs.api_auth import SESSION_OR_TOKEN
from jianfu.orgs.models import Org, OrgKind

from . import periods, selectors, services
from .models import DistrictReportCap, Value
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


# ---------------------------------------------------------------- 只报一次: the district's report template cap


class CapIn(Schema):
    max_templates: int = Field(description="Report templates in force per department, at most: a whole number ≥ 1")
    reason: str = Field("", max_length=200)


class CapChangeOut(Schema):
    at: dt.datetime
    by: str
    max_templates: int
    reason: str


class CapOut(Schema):
    district: str
    name: str
    max_templates: int
    set_by_office: bool = Field(description="False: the default applies, the office has not set its own number")
    default: int
    usual_min: int
    usual_max: int
    source: str
    warning: str = Field("", description="Set when the number is outside the usual range; the number applies")
    history: list[CapChangeOut]


HISTORY_SHOWN = 100  # the newest changes; the page lists them all, paged


def _district_for(request, code: str) -> Org:
    _require_user(request)
    district = get_object_or_404(Org, code=code, kind=OrgKind.DISTRICT)
    if not can_read_org(request.user, district):
        raise Http404
    return district


def _cap_out(district: Org) -> dict:
    setting = DistrictReportCap.objects.filter(district=district).first()
    number = services.district_cap(district)
    low, high = services.USUAL_CAP
    changes = (
        DistrictReportCap.history.filter(district=district)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_SHOWN]
    )
    return {
        "district": district.code,
        "name": district.name,
        "max_templates": number,
        "set_by_office": setting is not None,
        "default": services.default_cap(),
        "usual_min": low,
        "usual_max": high,
        "source": _(
            "The access office's own setting for its district. No source document gives a number of report "
            "templates per department; they ask that ledgers and report forms be cut back."
        ),
        "warning": _("%(n)s is outside the usual %(low)s to %(high)s; it applies as set.")
        % {"n": number, "low": low, "high": high}
        if services.cap_unusual(number)
        else "",
        "history": [
            {
                "at": h.history_date,
                "by": str(h.history_user or ""),
                "max_templates": h.max_templates,
                "reason": h.reason,
            }
            for h in changes
        ],
    }


@router.get(
    "/cap/{district}/",
    response={200: CapOut, 403: ErrorOut, 404: ErrorOut},
    summary="A district's cap on report templates in force per department (只报一次)",
)
def get_cap(request, district: str):
    return _cap_out(_district_for(request, district))


@router.post(
    "/cap/{district}/",
    response={200: CapOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Set a district's report template cap (the district's access office)",
)
def set_cap(request, district: str, payload: CapIn):
    unit = _district_for(request, district)
    services.district_cap_set(
        actor=request.user, district=unit, max_templates=payload.max_templates, reason=payload.reason
    )
    return _cap_out(unit)
