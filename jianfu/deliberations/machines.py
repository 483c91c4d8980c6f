"""The deliberation record's workflow: a draft until published; withdrawing takes it off the public
pages again. Its state is whether it has a publication time."""

from django.utils.translation import pgettext_lazy

from jianfu.core.workflow import Action, Machine
from jianfu.orgs.permissions import memberships

from .models import Deliberation, DeliberationEvent
from .permissions import RECORDER_ROLES, can_manage_deliberation

DRAFT, PUBLISHED = "draft", "published"
STATE_LABELS = {DRAFT: pgettext_lazy("portal", "not yet public"), PUBLISHED: pgettext_lazy("portal", "already public")}


def state_of(record: Deliberation) -> str:
    return PUBLISHED if record.published_at else DRAFT


def _write(record: Deliberation, state: str, now) -> None:
    record.published_at = now if state == PUBLISHED else None


def role_in(actor, community) -> str:
    """The role the actor acts in for this community (the closest organisation first)."""
    held = [m for m in memberships(actor) if m.role in RECORDER_ROLES and community.path.startswith(m.org.path)]
    held.sort(key=lambda m: -m.org.depth)
    return held[0].role if held else ""


DELIBERATION = Machine(
    Deliberation,
    name="deliberation",
    actions={
        "publish": Action.of(DRAFT, PUBLISHED, can_manage_deliberation, pgettext_lazy("portal", "published")),
        "withdraw": Action.of(PUBLISHED, DRAFT, can_manage_deliberation, pgettext_lazy("portal", "withdrawn")),
    },
    history=DeliberationEvent,
    subject="deliberation",
    org=lambda record: record.community,
    role=lambda actor, record: role_in(actor, record.community),
    refusal=pgettext_lazy("portal", "You may not publish or withdraw the deliberation records of this community."),
    state_field=None,
    read_state=state_of,
    write_state=_write,
    select_related=("community",),
    label_of_state=lambda record: STATE_LABELS[state_of(record)],
)
