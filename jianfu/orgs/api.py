from decimal import Decimal

from ninja import Router, Schema

from . import selectors
from .api_auth import SESSION_OR_TOKEN

router = Router(auth=SESSION_OR_TOKEN, tags=["orgs"])


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    registered_households: int
    resident_households: int
    population: int
    office_space_m2: Decimal
    staff_count: int

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class ErrorOut(Schema):
    code: str
    message: str


@router.get("", response=list[OrgOut], summary="Organisations the caller reaches")
def list_orgs(request, kind: str | None = None, q: str = ""):
    return selectors.orgs_for_user(request.user, kinds={kind} if kind else None, search=q)


@router.get(
    "{code}/", response={200: OrgOut, 404: ErrorOut}, summary="One organisation (404 outside the caller's reach)"
)
def get_org(request, code: str):
    return selectors.org_for_user(request.user, code)
