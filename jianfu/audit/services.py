"""The audit trail: one append function, one verifier. Entries are hash-chained: each entry's hash
covers its own fields and the previous entry's hash, so altering or deleting any row breaks the chain."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from jianfu.core import clock

from .models import AuditEntry, AuditHead


def _plain(value):
    """JSON-native copy (Decimals and dates as strings), so what is hashed is what is stored."""
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _digest(entry: AuditEntry) -> str:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = [
        entry.seq,
        entry.prev_hash,
        at,
        entry.actor_id,
        entry.actor_name,
        entry.role,
        entry.org_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.before,
        entry.after,
        entry.reason,
    ]
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    return _plain({name: getattr(obj, name) for name in fields})


def record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    org=None,
    role: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry. Call it inside the service's transaction: if the change rolls back, so does its entry."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=clock.wall_now(),
            actor=actor if actor is not None and actor.pk else None,
            actor_name=actor.get_username() if actor is not None and actor.pk else "",
            role=role,
            org=org,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            before=_plain(before),
            after=_plain(after),
            reason=reason,
            prev_hash=head.hash,
        )
        entry.hash = _digest(entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in order and recompute every hash."""
    prev_hash, expected_seq, checked = "", 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq, "does not follow the previous entry")
        if _digest(entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, "")
    if (head_seq, head_hash) != (checked, prev_hash):
        return VerifyResult(False, checked, checked + 1, f"chain ends at #{checked} but the head says #{head_seq}")
    return VerifyResult(True, checked)
