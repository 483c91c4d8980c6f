"""Cases through the API for the logged-in role (token or session): the same selectors and services
as the pages. Open311 (open311.py) is the open standard beside it."""

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from jianfu.core.errors import DomainError
from jianfu.orgs.api_auth import SESSION_OR_TOKEN
from jianfu.orgs.models import Org

from . import selectors, services
from .models import Case, Channel, Matter, RequestType

router = Router(auth=SESSION_OR_TOKEN, tags=["cases"])


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None
    assignee: str | None
    reason: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.code if obj.assignee_id else None

    @staticmethod
    def resolve_reason(obj) -> str:
        return obj.note  # the history's note, "reason" in the API as before


class CaseOut(Schema):
    number: str
    kind: str
    subject: str
    matter: str | None
    service_item: str | None
    request_type: str
    org_unit: str
    address: str
    lat: Decimal | None
    long: Decimal | None
    description: str
    state: str
    whistle: bool
    assignee: str | None
    disputed: bool
    reported_at: dt.datetime
    dispatched_at: dt.datetime | None
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    stage_due: dt.datetime | None
    respond_due: dt.datetime | None
    resolve_due: dt.datetime | None
    responded_on_time: bool | None
    resolved_on_time: bool | None
    reopen_count: int
    satisfaction: str
    actions: list[str]

    @staticmethod
    def resolve_actions(obj, context) -> list[str]:
        """What the caller may do with the case now (POST {number}/{action}/): the buttons the case's
        page shows, from the same workflow.available (merge, a page-only action, left out)."""
        return api_actions(context["request"].user, obj)

    @staticmethod
    def resolve_matter(obj) -> str | None:
        return obj.matter.code if obj.matter_id else None

    @staticmethod
    def resolve_service_item(obj) -> str | None:
        return obj.service_item.code if obj.service_item_id else None

    @staticmethod
    def resolve_org_unit(obj) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.code if obj.assignee_id else None


class CaseDetailOut(CaseOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor", "assignee"))


class ReportIn(Schema):
    org_unit: str
    matter: str
    description: str
    request_type: str = RequestType.HELP
    address: str = ""
    lat: Decimal | None = None
    long: Decimal | None = None


class ActionIn(Schema):
    reason: str = ""
    assignee: str | None = None
    solved: bool = True
    reopen: bool = True
    satisfaction: str = ""


class ErrorOut(Schema):
    code: str
    message: str


@router.get("", response=list[CaseOut], summary="Cases the caller may read")
def list_cases(request, kind: str = "", state: str = "", overdue: bool = False, q: str = ""):
    return selectors.cases_for_user(request.user, kind=kind, state=state, overdue=overdue, q=q)[:500]


@router.get("{number}/", response={200: CaseDetailOut, 404: ErrorOut}, summary="One case with its history")
def get_case(request, number: str):
    return selectors.case_for_user(request.user, number)


@router.post("", response={201: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="Report a matter")
def report_case(request, payload: ReportIn):
    org_unit = get_object_or_404(Org, code=payload.org_unit)
    matter = get_object_or_404(Matter, code=payload.matter)
    case = services.case_report(
        actor=request.user,
        org_unit=org_unit,
        matter=matter,
        description=payload.description,
        request_type=payload.request_type,
        address=payload.address,
        lat=payload.lat,
        long=payload.long,
        channel=Channel.API,
    )
    return Status(201, case)


def _assignee(payload: ActionIn) -> Org:
    if not payload.assignee:
        raise DomainError(_("Name the assignee."))
    return get_object_or_404(Org, code=payload.assignee)


ACTIONS = {
    "accept": lambda u, c, p: services.accept(actor=u, case=c, reason=p.reason),
    "dispatch": lambda u, c, p: services.case_take_and_dispatch(
        actor=u, case=c, assignee=_assignee(p), reason=p.reason
    ),
    "respond": lambda u, c, p: services.case_respond(actor=u, case=c, note=p.reason),
    "resolve": lambda u, c, p: services.case_resolve(actor=u, case=c, note=p.reason),
    "return": lambda u, c, p: services.case_return(actor=u, case=c, reason=p.reason),
    "dispute": lambda u, c, p: services.case_dispute(actor=u, case=c, reason=p.reason),
    "reassign": lambda u, c, p: services.case_reassign(actor=u, case=c, assignee=_assignee(p), reason=p.reason),
    "confirm": lambda u, c, p: services.case_confirm(
        actor=u, case=c, solved=p.solved, reopen=p.reopen, satisfaction=p.satisfaction, note=p.reason
    ),
    "reopen": lambda u, c, p: services.case_reopen(actor=u, case=c, reason=p.reason),
    "close": lambda u, c, p: services.case_close(actor=u, case=c, reason=p.reason),
}


def api_actions(user, case: Case) -> list[str]:
    return [name for name in selectors.case_actions(user, case) if name in ACTIONS]


@router.post(
    "{number}/{action}/",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Act on a case: accept, dispatch, respond, resolve, return, dispute, reassign, confirm, reopen, close",
)
def act(request, number: str, action: str, payload: ActionIn):
    case: Case = selectors.case_for_user(request.user, number)
    run = ACTIONS.get(action)
    if run is None:
        raise DomainError(_("Unknown action."), code="unknown_action")
    run(request.user, case, payload)
    return selectors.case_for_user(request.user, number)
