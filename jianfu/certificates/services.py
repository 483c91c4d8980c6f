"""Every change to certificates: one function per action. A request moves through its machine
(machines.REQUEST, by jianfu.core.workflow.apply: permission, state, history row, audit entry); the
other records check their rule, change and write the audit entry here."""

from __future__ import annotations

import secrets
import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.catalog.models import ItemKind, WorkItem
from jianfu.core import clock, dirty, workdays
from jianfu.core.crypto import mask_id_number
from jianfu.core.errors import DomainError, InvalidTransition, PermissionDenied
from jianfu.core.numbering import next_number
from jianfu.core.workflow import apply, check, opened, require
from jianfu.deliberations.models import Deliberation
from jianfu.orgs.models import Org, OrgKind, User
from jianfu.registry.models import Person

from . import lists
from .machines import REQUEST
from .models import (
    Certificate,
    CertificateRequest,
    CertificateType,
    Channel,
    Dishonesty,
    RequestState,
    ResidentLink,
    SealUse,
)
from .permissions import (
    can_configure_types,
    can_handle,
    can_issue_in,
    can_record_dishonesty,
    can_request_in,
    can_revoke,
    resident_community,
)

S = RequestState

# Verification codes avoid look-alike characters (0/O, 1/I/L) so they can be typed from paper.
CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1IL")
CODE_LENGTH = 8

TYPE_FIELDS = [
    "aliases",
    "facts_vouched",
    "statement",
    "within_duties",
    "retained",
    "notify_and_commit",
    "commitment_text",
    "public_interest",
]


def district_of(org: Org) -> Org:
    return Org.objects.get(pk=org.district_id)


def allowed_actions(request: CertificateRequest) -> set[str]:
    return REQUEST.startable(request)


def _mark_dirty(request: CertificateRequest) -> None:
    """The monitor counts a certificate issued in the month it was decided, and one asked for (an
    arrival) in the month it was asked."""
    dirty.mark_on(request.community.district_id, request.decided_on)
    dirty.mark_on(request.community.district_id, request.requested_on)


def _answer(actor: User, reason: str = "", **fields):
    """The caller's part of an answer (the action dates it): who gave it, the reason, what was checked."""

    def change(request: CertificateRequest) -> None:
        request.decided_by = actor
        if reason:
            request.reason = reason
        for name, value in fields.items():
            setattr(request, name, value)

    return change


def _in_community_registry(person: Person, community: Org) -> bool:
    return person.org_path.startswith(community.path) or person.hukou_community_id == community.pk


# --------------------------------------------------------------------------------------- requests


@transaction.atomic
def request_create(
    *, actor: User, community: Org, item: WorkItem, person: Person | None = None, purpose: str = ""
) -> CertificateRequest:
    """A resident asks online, or a worker records an ask at the counter. A must-not certificate is
    answered at once: redirected to the body that issues it. One on neither list is refused outright."""
    if community.kind != OrgKind.COMMUNITY:
        raise DomainError(_("Certificates are requested from a community."))
    require(can_request_in(actor, community), _("You may not request certificates from this community."))
    as_resident = resident_community(actor) == community and not can_issue_in(actor, community)
    if as_resident:
        link = ResidentLink.objects.filter(user=actor).select_related("person").first()
        if person is not None and (link is None or link.person_id != person.pk):
            raise PermissionDenied(_("A resident requests certificates for themself only."))
        person = link.person if link else None
    elif person is not None and not _in_community_registry(person, community):
        raise DomainError(_("%(name)s is not in this community's registry.") % {"name": person.name})
    district = district_of(community)
    category = lists.category_of(item, district)
    today = clock.today()
    request = CertificateRequest(
        number=next_number("ZQ", today.year),
        community=community,
        item=item,
        person=person,
        requested_by=actor,
        channel=Channel.ONLINE if as_resident else Channel.COUNTER,
        purpose=purpose.strip()[:200],
        requested_on=today,
    )
    if category != lists.MUST_NOT:
        reason = lists.closed_reason(item, district, community=community)
        if reason:
            raise DomainError(reason, code="not_issuable")
        request.due_on = workdays.add_workdays(today, item.days_to_issue)
    request.save()

    def described(made: CertificateRequest) -> dict:
        return {
            "number": made.number,
            "item": item.code,
            "state": made.state,
            "channel": made.channel,
            "person": person.pk if person else None,
            "responsible_body": made.responsible_body,
        }

    if category == lists.MUST_NOT:
        # Answered at once, to whoever may ask (can_request_in above): the resident is sent to the
        # body that issues it. The answer is the list's, not a worker's: no handling rule to check.
        request = apply(
            REQUEST, request, "redirect", actor=actor, change=_answer(actor), after=described, permission=False
        )
    else:
        opened(REQUEST, request, "request", actor=actor, org=community, after=described(request))
    _mark_dirty(request)
    return request


@transaction.atomic
def request_identify(*, actor: User, request: CertificateRequest, person: Person) -> CertificateRequest:
    """The worker at the counter picks the applicant from the community's registry (having seen the
    ID card); a resident's account is linked to that person, so they never type it again."""
    require(can_handle(actor, request), _("Only the community's workers handle its certificate requests."))
    request = REQUEST.lock(request)
    if request.state != S.REQUESTED:  # an edit of an open request, not a move: no history row
        raise InvalidTransition(_("Only an open request can change its applicant."))
    if not _in_community_registry(person, request.community):
        raise DomainError(_("%(name)s is not in this community's registry.") % {"name": person.name})
    before = request.person_id
    request.person = person
    request.save(update_fields=["person"])
    _mark_dirty(request)
    requester = request.requested_by
    linked = False
    if (
        request.channel == Channel.ONLINE
        and requester is not None
        and not ResidentLink.objects.filter(user=requester).exists()
    ):
        ResidentLink.objects.create(user=requester, person=person, confirmed_by=actor, confirmed_at=clock.now())
        linked = True
    audit.record(
        action="certificate_request.identify",
        actor=actor,
        obj=request,
        org=request.community,
        before={"person": before},
        after={"person": person.pk, "account_linked": linked},
    )
    return request


@transaction.atomic
def request_sign_off(*, actor: User, request: CertificateRequest, deliberation: Deliberation) -> CertificateRequest:
    """A certificate touching public interest: the responsible person links the residents'
    deliberation record it rests on and signs off."""
    request = REQUEST.lock(request)
    check(REQUEST, request, "sign_off", actor)
    ctype = lists.type_of(request.item)
    if ctype is None or not ctype.public_interest:
        raise DomainError(_("This certificate does not touch public interest; it needs no sign-off."))
    if deliberation.community_id != request.community_id:
        raise DomainError(_("Link a deliberation record of this community."))

    def signed(request: CertificateRequest) -> None:
        request.deliberation, request.signed_off_by, request.signed_off_at = deliberation, actor, clock.now()

    apply(
        REQUEST,
        request,
        "sign_off",
        actor=actor,
        note=str(deliberation),
        change=signed,
        after={"deliberation": deliberation.pk},
        locked=True,
    )
    _mark_dirty(request)
    return request


def commitment_exclusion(person: Person) -> str | None:
    """Why this person may not sign a commitment instead of bringing the evidence (None: they may)."""
    today = clock.today()
    active = person.dishonesty_records.filter(listed_on__lte=today).exclude(until__lt=today).first()
    if active is not None:
        return _("%(name)s has a serious dishonesty record (%(source)s): bring the evidence instead.") % {
            "name": person.name,
            "source": active.source,
        }
    if Certificate.objects.filter(person=person, false_commitment=True).exists():
        return _("%(name)s once made a false commitment: bring the evidence instead.") % {"name": person.name}
    return None


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def default_statement(request: CertificateRequest) -> str:
    """The certificate's wording with what the registry holds filled in (nothing retyped)."""
    ctype = lists.type_of(request.item)
    template = (ctype.statement if ctype else "") or _("{name} (ID number {id_number}) lives at {address}.")
    person = request.person
    values = _Blank(
        community=request.community.name,
        name=person.name if person else "",
        id_number=mask_id_number(person.id_number) if person and person.id_number else "",
        address=person.address.label if person and person.address_id else "",
    )
    try:
        return template.format_map(values)
    except (ValueError, IndexError):
        return template


def serial_prefix(community: Org) -> str:
    """Serials run per community and year: the community's code keeps them readable, its key keeps
    them unique (the counter's key holds at most 32 characters)."""
    prefix = f"ZM{community.code}-"
    return prefix if len(prefix) <= 27 else f"ZM{community.pk}-"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def certificate_issue(
    *,
    actor: User,
    request: CertificateRequest,
    evidence_checked: list[str] | tuple = (),
    statement: str = "",
    by_commitment: bool = False,
) -> Certificate:
    """Issue a listed certificate: the evidence checked (or, for notify-and-commit types, the
    resident's written commitment), the deliberation and sign-off where public interest is touched.
    The serial is the next of the community's series for the year; the seal use is logged."""
    request = REQUEST.lock(request)
    check(REQUEST, request, "issue", actor)
    item, community = request.item, request.community
    reason = lists.closed_reason(item, district_of(community), community=community)
    if reason:
        raise DomainError(reason, code="not_issuable")
    person = request.person
    if person is None:
        raise DomainError(_("Pick the applicant from the registry first."))
    ctype = lists.type_of(item)
    commitment = ""
    checked = [e for e in item.evidence if e in set(evidence_checked)]
    if by_commitment:
        if not ctype.notify_and_commit:
            raise DomainError(_("“%(name)s” is not a notify-and-commit certificate.") % {"name": item.name})
        exclusion = commitment_exclusion(person)
        if exclusion:
            raise DomainError(exclusion, code="commitment_excluded")
        commitment = ctype.commitment_text or _("I commit that what I have stated is true.")
    else:
        missing = [e for e in item.evidence if e not in checked]
        if missing:
            raise DomainError(_("Evidence not checked: %(missing)s.") % {"missing": "、".join(missing)})
    if ctype.public_interest and (request.deliberation_id is None or request.signed_off_by_id is None):
        raise DomainError(
            _("This certificate touches public interest: link the deliberation record and sign off first.")
        )
    now, today = clock.now(), clock.today()
    certificate = Certificate.objects.create(
        request=request,
        serial=next_number(serial_prefix(community), today.year),
        code=new_code(),
        community=community,
        item=item,
        person=person,
        statement=(statement or "").strip() or default_statement(request),
        purpose=request.purpose,
        issued_on=today,
        issued_at=now,
        issued_by=actor,
        by_commitment=by_commitment,
        commitment_text=commitment,
    )
    SealUse.objects.create(
        community=community,
        used_on=today,
        used_at=now,
        used_by=actor,
        document=f"{item.name}（{certificate.serial}）",
        certificate=certificate,
    )
    note = _("on a written commitment") if by_commitment else ""
    apply(
        REQUEST,
        request,
        "issue",
        actor=actor,
        note=note,
        change=_answer(actor, note, evidence_checked=checked),
        after={"evidence_checked": checked},
        locked=True,
    )
    _mark_dirty(request)
    audit.record(
        action="certificate.issue",
        actor=actor,
        obj=certificate,
        org=community,
        after={"serial": certificate.serial, "item": item.code, "request": request.number, "commitment": by_commitment},
    )
    return certificate


@transaction.atomic
def certificate_refuse(*, actor: User, request: CertificateRequest, reason: str) -> CertificateRequest:
    request = REQUEST.lock(request)
    check(REQUEST, request, "refuse", actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for refusing."))
    apply(REQUEST, request, "refuse", actor=actor, note=reason, change=_answer(actor, reason), locked=True)
    _mark_dirty(request)
    return request


@transaction.atomic
def request_withdraw(*, actor: User, request: CertificateRequest, reason: str = "") -> CertificateRequest:
    reason = (reason or "").strip()

    def withdrawn(request: CertificateRequest) -> None:
        if reason:
            request.reason = reason

    request = apply(REQUEST, request, "withdraw", actor=actor, note=reason, change=withdrawn)
    _mark_dirty(request)
    return request


@transaction.atomic
def certificate_revoke(
    *, actor: User, certificate: Certificate, reason: str, false_commitment: bool = False
) -> Certificate:
    """Revoke an issued certificate with the reason; its seal use is marked revoked too. A false
    commitment found later revokes the certificate and bars the person from committing again."""
    require(can_revoke(actor, certificate), _("Only the issuing community or the office revokes a certificate."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for revoking."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked:
        raise InvalidTransition(_("This certificate is already revoked."))
    if false_commitment and not certificate.by_commitment:
        raise DomainError(_("This certificate was not issued on a commitment."))
    certificate.revoked_at, certificate.revoked_by = clock.now(), actor
    certificate.revoke_reason, certificate.false_commitment = reason, false_commitment
    certificate.save()
    SealUse.objects.filter(certificate=certificate).update(
        revoked_at=certificate.revoked_at, revoked_by=actor, revoke_reason=reason
    )
    audit.record(
        action="certificate.false_commitment" if false_commitment else "certificate.revoke",
        actor=actor,
        obj=certificate,
        org=certificate.community,
        after={"serial": certificate.serial, "false_commitment": false_commitment},
        reason=reason,
    )
    return certificate


# ----------------------------------------------------------------------------------------- seal log


@transaction.atomic
def seal_use_record(*, actor: User, community: Org, document: str) -> SealUse:
    """A use of the seal on anything other than a certificate issued here (a letter, an agreement)."""
    require(can_issue_in(actor, community), _("Only the community's workers keep its seal log."))
    document = (document or "").strip()
    if not document:
        raise DomainError(_("Say what the seal was put on."))
    use = SealUse.objects.create(
        community=community, used_on=clock.today(), used_at=clock.now(), used_by=actor, document=document[:200]
    )
    audit.record(action="seal.use", actor=actor, obj=use, org=community, after={"document": use.document})
    return use


@transaction.atomic
def seal_use_revoke(*, actor: User, seal_use: SealUse, reason: str) -> SealUse:
    require(can_issue_in(actor, seal_use.community), _("Only the community's workers keep its seal log."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for revoking."))
    seal_use = SealUse.objects.select_for_update().get(pk=seal_use.pk)
    if seal_use.certificate_id:
        raise DomainError(_("This seal use is a certificate's: revoke the certificate."))
    if seal_use.revoked_at:
        raise InvalidTransition(_("This seal use is already revoked."))
    seal_use.revoked_at, seal_use.revoked_by, seal_use.revoke_reason = clock.now(), actor, reason
    seal_use.save()
    audit.record(action="seal.revoke", actor=actor, obj=seal_use, org=seal_use.community, reason=reason)
    return seal_use


# ------------------------------------------------------------------------------------ the office's


@transaction.atomic
def type_configure(*, actor: User, item: WorkItem, **fields) -> CertificateType:
    """The office's settings for a listed certificate: wording, facts vouched, flags."""
    unknown = set(fields) - set(TYPE_FIELDS)
    if unknown:
        raise DomainError(f"unknown fields: {', '.join(sorted(unknown))}")
    district = district_of(item.department)
    require(can_configure_types(actor, district), _("Only the access office configures certificate types."))
    if item.kind != ItemKind.CERTIFICATE or lists.category_of(item, district) is None:
        raise DomainError(_("Only certificates on the lists can be configured."))
    WorkItem.objects.select_for_update().get(pk=item.pk)
    ctype, created = CertificateType.objects.get_or_create(item=item)
    before = {} if created else audit.snapshot(ctype, TYPE_FIELDS)
    if "aliases" in fields:
        fields["aliases"] = [a.strip() for a in fields["aliases"] if a and a.strip()]
    for name, value in fields.items():
        setattr(ctype, name, value)
    try:
        ctype.full_clean()
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid") from exc
    ctype.save()
    audit.record(
        action="certificate_type.configure",
        actor=actor,
        obj=ctype,
        org=district,
        before=before,
        after=audit.snapshot(ctype, TYPE_FIELDS) | {"item": item.code},
    )
    return ctype


@transaction.atomic
def dishonesty_record(*, actor: User, person: Person, source: str, listed_on, until=None, note: str = "") -> Dishonesty:
    require(can_record_dishonesty(actor, person), _("You may not record dishonesty for this person."))
    if until is not None and until < listed_on:
        raise DomainError(_("The record cannot end before it starts."))
    record = Dishonesty.objects.create(
        person=person,
        source=source.strip()[:100],
        listed_on=listed_on,
        until=until,
        note=note.strip()[:200],
        recorded_by=actor,
    )
    audit.record(
        action="dishonesty.record",
        actor=actor,
        obj=record,
        org=person.community,
        after={"person": person.pk, "source": record.source, "listed_on": listed_on, "until": until},
    )
    return record
