"""Applications through the API: the same selectors and services as the pages, token or session auth."""

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema, Status

from jianfu.core import workflow
from jianfu.core.errors import PermissionDenied
from jianfu.orgs.api_auth import SESSION_OR_TOKEN

from . import selectors, services
from .machines import APPLICATION

router = Router(auth=SESSION_OR_TOKEN, tags=["access"])

# The actions this API takes (the page has more: review, consultation, decision…).
API_ACTIONS = ("submit", "withdraw")


def actions_for(user, application) -> list[str]:
    """What the caller may do now through the API: the page's buttons, asked of the same machine."""
    return [name for name in workflow.available(APPLICATION, user, application) if name in API_ACTIONS]


class ApplicationOut(Schema):
    number: str
    name: str
    kind: str
    category: str
    department: str  # the applicant: a department or a street
    state: str
    description: str
    legal_basis: str
    basis_level: str  # campaigns and inspections: central, provincial or municipal
    basis_document: str
    funding_yuan: int
    frequency: str
    hours_per_occurrence: Decimal
    hours_per_month: Decimal
    start_date: dt.date
    temporary: bool
    valid_until: dt.date | None
    submitted_on: dt.date | None
    decision_due: dt.date | None
    decision: str
    overlaps: list[dict]
    warnings: list[str]
    actions: list[str]  # what the caller may do now through the API (submit, withdraw)

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_hours_per_month(obj) -> Decimal:
        return obj.hours_per_month()

    @staticmethod
    def resolve_actions(obj, context) -> list[str]:
        return actions_for(context["request"].user, obj)


class ApplicationIn(Schema):
    name: str
    kind: str
    category: str
    description: str = ""
    reason: str = ""
    legal_basis: str = ""
    basis_level: str = ""  # campaigns and inspections only: central, provincial or municipal
    basis_document: str = ""  # the higher document's title and number
    funding_yuan: int = 0
    funding_channel: str = ""
    frequency: str = "yearly"
    occurrences_per_year: Decimal = Decimal(0)
    hours_per_occurrence: Decimal
    start_date: dt.date
    temporary: bool = False
    valid_until: dt.date | None = None


class ActionIn(Schema):
    reason: str = ""


class ErrorOut(Schema):
    code: str
    message: str


@router.get("", response=list[ApplicationOut], summary="Applications the caller may read")
def list_applications(request, state: str = ""):
    return selectors.applications_for_user(request.user, state=state)


@router.get("{number}/", response={200: ApplicationOut, 404: ErrorOut}, summary="One application")
def get_application(request, number: str):
    return selectors.application_for_user(request.user, number)


@router.post(
    "", response={201: ApplicationOut, 400: ErrorOut, 403: ErrorOut}, summary="Draft an application (clerk or street)"
)
def create_application(request, payload: ApplicationIn):
    department = selectors.applicant_org(request.user)
    if department is None:
        raise PermissionDenied("只有部门经办人或街道工作人员可以提交准入申请")
    application = services.application_create(actor=request.user, department=department, **payload.dict())
    return Status(201, application)


@router.post(
    "{number}/submit/",
    response={200: ApplicationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Submit a draft",
)
def submit_application(request, number: str):
    application = selectors.application_for_user(request.user, number)
    return services.application_submit(actor=request.user, application=application)


@router.post(
    "{number}/withdraw/",
    response={200: ApplicationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Withdraw an application",
)
def withdraw_application(request, number: str, payload: ActionIn):
    application = selectors.application_for_user(request.user, number)
    return services.application_withdraw(actor=request.user, application=application, reason=payload.reason)
