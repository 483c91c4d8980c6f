"""The export request's workflow: requested, then approved or rejected by the office of the district
it covers; a decision is final.

The actions are named after the decision ("approved", "rejected"), so that the kernel's audit
actions stay the "export.approved" and "export.rejected" the audit log has always recorded."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.core.workflow import Action, Machine

from .models import ExportEvent, ExportRequest, ExportState
from .permissions import can_decide_export


def _decided(export: ExportRequest, now) -> None:
    export.decided_at = now


EXPORT = Machine(
    ExportRequest,
    name="export",
    actions={
        "approved": Action.of(
            ExportState.REQUESTED,
            ExportState.APPROVED,
            can_decide_export,
            pgettext_lazy("registry export", "approved"),
            effect=_decided,
        ),
        "rejected": Action.of(
            ExportState.REQUESTED,
            ExportState.REJECTED,
            can_decide_export,
            pgettext_lazy("registry export", "rejected"),
            effect=_decided,
        ),
    },
    history=ExportEvent,
    subject="export",
    org=lambda export: export.org,
    refusal=_("Only the office approves exports of personal data."),
    select_related=("org",),
)
