"""Open311 GeoReport v2 (the open standard behind FixMyStreet and many city 311 systems), so that
existing clients can list our services, file requests and follow them.

Services are the public whistle and grid matters (key-person matters and the like are never
published); requests are the cases of those matters. Field names, list shapes and the error format
([{"code": …, "description": …}]) follow the specification; JSON and XML are both served.
Reading is open to anyone; creating a request needs an api_key (an API token of a user who may
report in that place). No reporter's name, phone or e-mail is ever published, and phone or ID
numbers typed into a description are masked."""

import datetime as dt
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from jianfu.core import clock
from jianfu.core.crypto import mask_id_number, mask_phone
from jianfu.core.errors import DomainError
from jianfu.orgs.models import ApiToken, Org, OrgKind, Role
from jianfu.orgs.permissions import roots

from . import services
from .models import DONE_STATES, Case, CaseKind, Channel, Matter, RequestType

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)
# XML element names of list items (JSON has plain arrays).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


# -------------------------------------------------------------------------------------- output


def _xml_value(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, v in value.items():
            _xml_value(element, key, v)
    elif isinstance(value, list):
        for v in value:
            _xml_value(element, ITEM_NAMES.get(name, "item"), v)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _render(fmt: str, data, *, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ET.Element(root)
        items = data if isinstance(data, list) else None
        if items is None:
            for key, value in data.items():
                _xml_value(element, key, value)
        else:
            for value in items:
                _xml_value(element, ITEM_NAMES[root], value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8", xml_declaration=False)
        return HttpResponse(body, status=status, content_type=CONTENT_TYPES["xml"])
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, exc: Open311Error) -> HttpResponse:
    return _render(fmt, [{"code": exc.code, "description": exc.description}], root="errors", status=exc.code)


def _w3c(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _public_text(text: str) -> str:
    text = _PHONE.sub(lambda m: mask_phone(m.group()), text)
    return _ID.sub(lambda m: mask_id_number(m.group()), text)


# --------------------------------------------------------------------------------------- input


def _district(request) -> Org:
    code = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    districts = Org.objects.filter(kind=OrgKind.DISTRICT)
    if code:
        district = districts.filter(code=code).first()
        if district is None:
            raise Open311Error(404, _("jurisdiction_id not found"))
        return district
    if districts.count() != 1:
        raise Open311Error(400, _("jurisdiction_id was not provided"))
    return districts.get()


def _matters(district: Org):
    return Matter.objects.filter(active=True, public=True, group__district=district).select_related("group")


def _parse_time(value: str, name: str) -> dt.datetime:
    moment = parse_datetime(value.strip().replace(" ", "+")) if value else None
    if moment is None:
        raise Open311Error(400, _("%(name)s is not a w3c date-time, e.g. 2026-01-01T00:00:00Z") % {"name": name})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


# ------------------------------------------------------------------------------ representations


def _service(matter: Matter) -> dict:
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": matter.description,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join([matter.group.name, matter.group.get_kind_display()]),
        "group": matter.group.name,
    }


def _notice(case: Case) -> str:
    if case.respond_due and case.state == "dispatched":
        return _("%(assignee)s must respond by %(due)s.") % {
            "assignee": case.assignee.name,
            "due": timezone.localtime(case.respond_due).strftime("%Y-%m-%d %H:%M"),
        }
    if case.resolve_due and case.state in {"responded", "reopened"}:
        return _("To be resolved by %(due)s.") % {"due": timezone.localdate(case.resolve_due).isoformat()}
    return ""


def _request(case: Case) -> dict:
    notes = case.get_state_display()
    if case.merged_into_id:
        notes = _("Duplicate of %(number)s") % {"number": case.merged_into.number}
    return {
        "service_request_id": case.number,
        "status": "closed" if case.state in DONE_STATES else "open",
        "status_notes": notes,
        "service_name": case.matter.name,
        "service_code": case.matter.code,
        "description": _public_text(case.description),
        "agency_responsible": case.assignee.name if case.assignee_id else "",
        "service_notice": _notice(case),
        "requested_datetime": _w3c(case.reported_at),
        "updated_datetime": _w3c(case.updated_at),
        "expected_datetime": _w3c(case.resolve_due or case.respond_due),
        "address": case.address,
        "address_id": str(case.address_ref_id or ""),
        "zipcode": "",
        "lat": float(case.lat) if case.lat is not None else None,
        "long": float(case.long) if case.long is not None else None,
        "media_url": case.media_url,
    }


def _public_cases(district: Org):
    return (
        Case.objects.filter(kind=CaseKind.EVENT, matter__public=True, org_path__startswith=district.path)
        .select_related("matter", "assignee", "merged_into")
        .order_by("-reported_at", "-id")
    )


# ----------------------------------------------------------------------------------------- views


def _guard(view):
    def wrapped(request, fmt: str, *args, **kwargs):
        try:
            return view(request, fmt, *args, **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_guard
def discovery(request, fmt: str):
    district = _district(request)
    changeset = _w3c(clock.now())
    return _render(
        fmt,
        {
            "changeset": changeset,
            "contact": _("%(district)s community work access office") % {"district": district.name},
            "key_service": _("Ask the access office for an API token (manage.py issue_token)."),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit(
                        "/", 1
                    )[0],
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
        root="discovery",
    )


@require_GET
@_guard
def service_list(request, fmt: str):
    return _render(fmt, [_service(m) for m in _matters(_district(request))], root="services")


@require_GET
@_guard
def service_definition(request, fmt: str, code: str):
    matter = _matters(_district(request)).filter(code=code).first()
    if matter is None:
        raise Open311Error(404, _("service_code not found"))
    attribute = {
        "variable": True,
        "code": "request_type",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": _("Type of request"),
        "order": 1,
        "description": _("Enquiry, request for help, complaint, report of wrongdoing or suggestion."),
        "values": [{"key": key, "name": str(label)} for key, label in RequestType.choices],
    }
    return _render(fmt, {"service_code": matter.code, "attributes": [attribute]}, root="service_definition")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guard
def requests_view(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    district = _district(request)
    cases = _public_cases(district)
    g = request.GET
    ids = _split(g.get("service_request_id", ""))
    if ids:  # overrides every other argument
        return _render(fmt, [_request(c) for c in cases.filter(number__in=ids)[:MAX_RESULTS]], root="service_requests")
    codes = _split(g.get("service_code", ""))
    if codes:
        cases = cases.filter(matter__code__in=codes)
    statuses = set(_split(g.get("status", "")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open or closed"))
    if statuses == {"open"}:
        cases = cases.exclude(state__in=DONE_STATES)
    elif statuses == {"closed"}:
        cases = cases.filter(state__in=DONE_STATES)
    start = _parse_time(g["start_date"], "start_date") if g.get("start_date") else None
    end = _parse_time(g["end_date"], "end_date") if g.get("end_date") else None
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start or end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days"))
    cases = cases.filter(reported_at__gte=start, reported_at__lte=end)
    return _render(fmt, [_request(c) for c in cases[:MAX_RESULTS]], root="service_requests")


def _reporting_unit(user) -> Org | None:
    for role in (Role.GRID, Role.COMMUNITY, Role.RESIDENT):
        for org in roots(user, {role}):
            return org
    return None


def _decimal(value: str, name: str):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(value).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise Open311Error(400, _("%(name)s is not a number") % {"name": name}) from None


def _create(request, fmt: str) -> HttpResponse:
    p = request.POST
    user = ApiToken.user_for(p.get("api_key", "")) if p.get("api_key") else None
    if user is None:
        raise Open311Error(403, _("api_key was not provided or is not valid"))
    district = _district(request)
    code = p.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided"))
    matter = _matters(district).filter(code=code).first()
    if matter is None:
        raise Open311Error(404, _("service_code not found"))
    lat, long = p.get("lat", "").strip(), p.get("long", "").strip()
    address, address_id = p.get("address_string", "").strip(), p.get("address_id", "").strip()
    if not ((lat and long) or address or address_id):
        raise Open311Error(400, _("lat and long, address_string or address_id must be provided"))
    address_ref = None
    if address_id:
        from jianfu.registry.models import Address

        address_ref = (
            Address.objects.filter(pk=address_id, org_path__startswith=district.path).select_related("grid").first()
            if address_id.isdigit()
            else None
        )
        if address_ref is None:
            raise Open311Error(404, _("address_id not found"))
    org_unit = address_ref.grid if address_ref else _reporting_unit(user)
    if org_unit is None:
        raise Open311Error(400, _("address_id was not provided and the api_key's user has no community"))
    request_type = p.get("attribute[request_type]", RequestType.HELP)
    if request_type not in RequestType.values:
        raise Open311Error(400, _("attribute[request_type] is not one of the listed values"))
    media_url = p.get("media_url", "").strip()
    if media_url and not media_url.startswith(("http://", "https://")):
        raise Open311Error(400, _("media_url must be an http(s) URL"))
    try:
        case = services.case_report(
            actor=user,
            org_unit=org_unit,
            matter=matter,
            description=p.get("description", "").strip() or matter.name,
            address=address,
            address_ref=address_ref,
            lat=_decimal(lat, "lat") if lat else None,
            long=_decimal(long, "long") if long else None,
            request_type=request_type,
            channel=Channel.OPEN311,
            media_url=media_url[:200],
        )
    except DomainError as exc:
        raise Open311Error(exc.status if exc.status in {400, 403} else 400, exc.message) from exc
    notice = _("%(unit)s will accept it within one working day.") % {"unit": org_unit.name}
    return _render(
        fmt,
        [{"service_request_id": case.number, "service_notice": notice, "account_id": ""}],
        root="service_requests",
    )


@require_GET
@_guard
def request_detail(request, fmt: str, request_id: str):
    case = _public_cases(_district(request)).filter(number=request_id).first()
    if case is None:
        raise Open311Error(404, _("service_request_id not found"))
    return _render(fmt, [_request(case)], root="service_requests")
