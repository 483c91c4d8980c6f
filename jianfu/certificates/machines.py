"""A certificate request's workflow: asked (requested), then answered by the community (issued,
refused) or withdrawn by whoever asked; a certificate the community must not issue is answered at
once by sending the resident to the body that issues it (redirected). The responsible person's
sign-off of a public-interest certificate is an entry in the history only."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.core.workflow import Action, Machine

from .models import CertificateRequest, RequestEvent, RequestState
from .permissions import can_handle, can_sign_off, can_withdraw

S = RequestState


def _answered(request: CertificateRequest, now) -> None:
    """Every answer is dated (the figures count it in the month of the answer)."""
    request.decided_on = timezone.localdate(now)


def _redirected(request: CertificateRequest, now) -> None:
    """A redirect keeps what the resident was told, even if the list changes later."""
    _answered(request, now)
    request.responsible_body = request.item.issuing_body
    request.rule = request.item.legal_basis


REQUEST = Machine(
    CertificateRequest,
    name="certificate_request",
    actions={
        "issue": Action.of(
            S.REQUESTED,
            S.ISSUED,
            can_handle,
            pgettext_lazy("certificates", "issued"),
            refusal=_("Only the community's workers issue its certificates."),
            effect=_answered,
        ),
        "refuse": Action.of(
            S.REQUESTED,
            S.REFUSED,
            can_handle,
            pgettext_lazy("certificates", "refused"),
            refusal=_("Only the community's workers refuse its certificate requests."),
            effect=_answered,
        ),
        "withdraw": Action.of(
            S.REQUESTED,
            S.WITHDRAWN,
            can_withdraw,
            pgettext_lazy("certificates", "withdrawn"),
            refusal=_("You may not withdraw this request."),
        ),
        "redirect": Action.of(
            S.REQUESTED,
            S.REDIRECTED,
            can_handle,
            pgettext_lazy("certificates", "redirected"),
            refusal=_("Only the community's workers handle its certificate requests."),
            effect=_redirected,
        ),
        "sign_off": Action.of(
            S.REQUESTED,
            None,
            can_sign_off,
            pgettext_lazy("certificates", "signed off"),
            refusal=_("Only the committee's responsible person signs off."),
        ),
    },
    history=RequestEvent,
    subject="request",
    org=lambda request: request.community,
    select_related=("community", "item"),
)
