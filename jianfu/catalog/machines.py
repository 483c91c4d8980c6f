"""The catalog's two workflows.

* A list version is a draft (approvals collect in it) until the office publishes it, citing the joint
  meeting that decided it; its state is whether it has a publication time.
* An item in the catalog stays in force until the office cancels or revokes it during the year; its
  state is whether it has a cancellation date (it stops standing on that date, not before)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.core.workflow import Action, Machine
from jianfu.orgs.permissions import memberships

from .models import ItemEvent, ListVersion, ListVersionEvent, Plaque, WorkItem
from .permissions import PLAQUE_ROLES, can_cancel_item, can_publish_list, can_remove_plaque

DRAFT, PUBLISHED = "draft", "published"
VERSION_STATES = {DRAFT: pgettext_lazy("list version", "draft"), PUBLISHED: pgettext_lazy("list version", "published")}


def version_state(version: ListVersion) -> str:
    return PUBLISHED if version.published_at else DRAFT


def _write_version_state(version: ListVersion, state: str, now) -> None:
    version.published_at = now if state == PUBLISHED else None


def _takes_effect(version: ListVersion, now) -> None:
    """Unless the office said when, a published version takes effect the day it is published."""
    if version.effective_on is None:
        version.effective_on = timezone.localdate(now)


LIST_VERSION = Machine(
    ListVersion,
    name="list_version",
    actions={
        "publish": Action.of(
            DRAFT,
            PUBLISHED,
            can_publish_list,
            pgettext_lazy("list version action", "published"),
            refusal=_("Only the access office of the district publishes its lists."),
            effect=_takes_effect,
        ),
    },
    history=ListVersionEvent,
    subject="version",
    org=lambda version: version.district,
    state_field=None,
    read_state=version_state,
    write_state=_write_version_state,
    select_related=("district", "item_list"),
    label_of_state=lambda version: VERSION_STATES[version_state(version)],
)


IN_FORCE, CANCELLED = "in_force", "cancelled"
ITEM_STATES = {IN_FORCE: pgettext_lazy("item", "in the catalog"), CANCELLED: pgettext_lazy("item", "cancelled")}


def item_state(item: WorkItem) -> str:
    return CANCELLED if item.cancelled_on else IN_FORCE


def _write_item_state(item: WorkItem, state: str, now) -> None:
    if state == IN_FORCE:
        item.cancelled_on = None
    elif item.cancelled_on is None:
        item.cancelled_on = timezone.localdate(now)


ITEM = Machine(
    WorkItem,
    name="item",
    actions={
        "cancel": Action.of(
            IN_FORCE,
            CANCELLED,
            can_cancel_item,
            pgettext_lazy("item action", "cancelled"),
            refusal=_("Only the access office of the district cancels or revokes its items."),
        ),
    },
    history=ItemEvent,
    subject="item",
    org=lambda item: item.department,
    state_field=None,
    read_state=item_state,
    write_state=_write_item_state,
    select_related=("department",),
    label_of_state=lambda item: ITEM_STATES[item_state(item)],
)


# A plaque or wall-posted material is up until it is taken down (with a reason); its state is
# whether it has a removal date. Registering one is its opening (workflow.opened), not a move. Its
# history is its audit trail (the audit log's per-object index): there is no separate history table.
UP, REMOVED = "up", "removed"
PLAQUE_STATES = {UP: pgettext_lazy("plaque", "up"), REMOVED: pgettext_lazy("plaque", "taken down")}


def plaque_state(plaque: Plaque) -> str:
    return REMOVED if plaque.removed_on else UP


def _write_plaque_state(plaque: Plaque, state: str, now) -> None:
    if state == UP:
        plaque.removed_on, plaque.removal_reason = None, ""
    elif plaque.removed_on is None:
        plaque.removed_on = timezone.localdate(now)


def plaque_role(actor, community) -> str:
    """The role the actor keeps the community's plaques in (the closest organisation first)."""
    held = [m for m in memberships(actor) if m.role in PLAQUE_ROLES and community.path.startswith(m.org.path)]
    held.sort(key=lambda m: -m.org.depth)
    return held[0].role if held else ""


PLAQUE = Machine(
    Plaque,
    name="plaque",
    actions={
        "remove": Action.of(
            UP,
            REMOVED,
            can_remove_plaque,
            pgettext_lazy("plaque action", "taken down"),
            refusal=_("Only the office, the street and the community's own workers take down its plaques."),
        ),
    },
    history=None,
    org=lambda plaque: plaque.community,
    role=lambda actor, plaque: plaque_role(actor, plaque.community),
    state_field=None,
    read_state=plaque_state,
    write_state=_write_plaque_state,
    select_related=("community",),
    label_of_state=lambda plaque: PLAQUE_STATES[plaque_state(plaque)],
)
