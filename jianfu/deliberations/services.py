"""Every change to a deliberation record: one function each — check permission, lock, check state,
apply, write the audit entry — inside one transaction.

    deliberation_record(*, actor, community, kind, held_on, subject, agenda, participants, outcome, ...)
    deliberation_update(*, actor, deliberation, **fields)
    deliberation_publish(*, actor, deliberation)
    deliberation_withdraw(*, actor, deliberation, reason="")

A record is a draft until published; only published records are public. Withdrawing takes a record
off the public pages again (back to draft), with the reason in the audit log."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import pgettext

from jianfu.audit import services as audit
from jianfu.core import clock
from jianfu.core.errors import DomainError
from jianfu.core.workflow import apply, require
from jianfu.orgs.models import Org, User

from .machines import DELIBERATION, role_in
from .models import Deliberation
from .permissions import can_manage_deliberation, can_record_for

EDITABLE_FIELDS = [
    "kind",
    "community",
    "held_on",
    "subject",
    "agenda",
    "participants",
    "outcome",
    "follow_up",
    "follow_up_done",
]
TEXT_FIELDS = {"subject", "agenda", "outcome", "follow_up"}
AUDIT_FIELDS = [name if name != "community" else "community_id" for name in EDITABLE_FIELDS] + ["published_at"]


def allowed_actions(record: Deliberation) -> set[str]:
    return DELIBERATION.startable(record)


def _clean(record: Deliberation) -> None:
    """Rules of the record, with Chinese messages naming the field."""
    today = clock.today()
    problems: list[str] = []
    if record.held_on and record.held_on > today:
        problems.append(pgettext("portal", "A meeting is recorded after it was held: the date is in the future."))
    if record.follow_up_done and record.follow_up_done > today:
        problems.append(pgettext("portal", "The follow-up cannot be completed on a future date."))
    try:
        record.full_clean(exclude=["recorded_by"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field == "__all__":
                problems += messages
                continue
            label = Deliberation._meta.get_field(field).verbose_name
            problems += [f"{label}：{m}" for m in messages]
    if problems:
        raise DomainError("；".join(problems), code="invalid")


def _strip(fields: dict) -> dict:
    return {k: (v.strip() if k in TEXT_FIELDS and isinstance(v, str) else v) for k, v in fields.items()}


def _lock(record: Deliberation) -> Deliberation:
    return Deliberation.objects.select_for_update().select_related("community").get(pk=record.pk)


@transaction.atomic
def deliberation_record(
    *,
    actor: User,
    community: Org,
    kind: str,
    held_on,
    subject: str,
    agenda: str,
    participants: int,
    outcome: str,
    follow_up: str = "",
    follow_up_done=None,
) -> Deliberation:
    """Record a meeting held in a community, as a draft."""
    require(
        can_record_for(actor, community),
        pgettext("portal", "Only the community's workers, its street and the office record its deliberations."),
    )
    record = Deliberation(
        community=community,
        recorded_by=actor,
        **_strip(
            {
                "kind": kind,
                "held_on": held_on,
                "subject": subject,
                "agenda": agenda,
                "participants": participants,
                "outcome": outcome,
                "follow_up": follow_up,
                "follow_up_done": follow_up_done,
            }
        ),
    )
    _clean(record)
    record.save()
    audit.record(
        action="deliberation.record",
        actor=actor,
        obj=record,
        org=community,
        role=role_in(actor, community),
        after=audit.snapshot(record, AUDIT_FIELDS),
    )
    return record


@transaction.atomic
def deliberation_update(*, actor: User, deliberation: Deliberation, **fields) -> Deliberation:
    """Correct a record or add its follow-up; a published record stays published."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"unknown fields: {', '.join(sorted(unknown))}")
    record = _lock(deliberation)
    message = pgettext("portal", "You may not change the deliberation records of this community.")
    require(can_manage_deliberation(actor, record), message)
    if "community" in fields:
        require(can_record_for(actor, fields["community"]), message)
    before = audit.snapshot(record, AUDIT_FIELDS)
    for name, value in _strip(fields).items():
        setattr(record, name, value)
    _clean(record)
    after = audit.snapshot(record, AUDIT_FIELDS)
    if after == before:
        return record
    record.save()
    changed = [k for k in AUDIT_FIELDS if before[k] != after[k]]
    audit.record(
        action="deliberation.update",
        actor=actor,
        obj=record,
        org=record.community,
        role=role_in(actor, record.community),
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return record


def _transition(actor: User, deliberation: Deliberation, action: str, reason: str = "") -> Deliberation:
    record = DELIBERATION.lock(deliberation)
    return apply(
        DELIBERATION,
        record,
        action,
        actor=actor,
        note=reason,
        locked=True,
        before={"published_at": record.published_at},
        after=lambda moved: {"published_at": moved.published_at},
    )


@transaction.atomic
def deliberation_publish(*, actor: User, deliberation: Deliberation) -> Deliberation:
    """Show the record on the public portal."""
    return _transition(actor, deliberation, "publish")


@transaction.atomic
def deliberation_withdraw(*, actor: User, deliberation: Deliberation, reason: str = "") -> Deliberation:
    """Take the record off the public portal (back to draft)."""
    return _transition(actor, deliberation, "withdraw", reason.strip())
