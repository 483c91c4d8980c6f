"""The portal's one change: a department publishes its commitments (四到社区) on the community pages."""

from django.db import transaction
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core import clock
from jianfu.core.crypto import is_valid_phone
from jianfu.core.errors import DomainError
from jianfu.core.workflow import require
from jianfu.orgs.models import DEPARTMENT_KINDS, Org, User

from .models import Commitment
from .permissions import can_manage_commitment

AUDIT_FIELDS = ["duties", "duty_phone", "complaint_phone"]


@transaction.atomic
def commitment_save(
    *, actor: User, department: Org, duties: str, duty_phone: str, complaint_phone: str, hours: str = "", streets=()
) -> Commitment:
    """四到社区: a department publishes its duties and phones on the community pages."""
    require(can_manage_commitment(actor, department), _("Only the department's clerk or the office may change this."))
    if department.kind not in DEPARTMENT_KINDS:
        raise DomainError(_("Commitments are made by departments."))
    if not duties.strip():
        raise DomainError(_("Describe the department's duties towards residents."))
    for phone in (duty_phone, complaint_phone):
        if not is_valid_phone(phone) and not phone.strip().isdigit():
            raise DomainError(_("“%(phone)s” is not a valid phone number.") % {"phone": phone})
    commitment = Commitment.objects.select_for_update().filter(department=department).first()
    before = None
    if commitment is None:
        commitment = Commitment(department=department)
    else:
        before = audit.snapshot(commitment, AUDIT_FIELDS)
    commitment.duties, commitment.hours = duties.strip(), hours.strip()
    commitment.duty_phone, commitment.complaint_phone = duty_phone.strip(), complaint_phone.strip()
    commitment.updated_at = clock.now()
    commitment.save()
    commitment.streets.set(streets)
    audit.record(
        action="commitment.save",
        actor=actor,
        obj=commitment,
        org=department,
        before=before,
        after=audit.snapshot(commitment, AUDIT_FIELDS),
    )
    return commitment
