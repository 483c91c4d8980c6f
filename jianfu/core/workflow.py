"""The workflow kernel: every change of state in jianfu goes through `apply`.

A Machine is declared once per stateful model: its actions, each with the states it may start from,
the state it leads to (None: it stays, a note in the history) and the permission predicate (one
`rules` predicate or plain function of user and object). `apply` then, in one transaction, locks the
row, checks the predicate and the state, runs the action's own changes, saves, writes one history
row and one audit entry, and queues side effects for after the commit. Views, templates and the API
ask `available` which actions a user may take: the same predicates `apply` checks.

    MACHINE = Machine(Application, name="application", history=Transition, subject="application", ...)
    apply(MACHINE, application, "submit", actor=clerk, note="…")
    available(MACHINE, user, application)  # -> ["submit", "withdraw"]
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext, gettext_lazy

from jianfu.audit import services as audit

from . import clock
from .errors import InvalidTransition, PermissionDenied

Predicate = Callable[[Any, Any], bool]

# Every machine, by model label: the shared tests walk them all.
MACHINES: dict[str, "Machine"] = {}


def require(allowed: object, message: str) -> None:
    """The one refusal: a rule said no."""
    if not allowed:
        raise PermissionDenied(message)


@dataclass(frozen=True)
class Action:
    sources: frozenset[str]
    target: str | None  # None: the object keeps its state (an entry in its history only)
    allowed: Predicate
    label: str  # past participle for the refusal sentence ("submitted", "提交")
    refusal: str = ""  # said when the predicate refuses; the machine's default otherwise
    # Fields the action sets besides the state (stamps, decisions), given the object and the moment.
    effect: Callable[[Any, Any], None] | None = None

    @classmethod
    def of(cls, sources: Iterable[str] | str, target: str | None, allowed: Predicate, label, **kw) -> "Action":
        sources = {sources} if isinstance(sources, str) else set(sources)
        return cls(frozenset(sources), target, allowed, label, **kw)


@dataclass
class Machine:
    model: type[models.Model]
    name: str  # the audit action's prefix: "application" -> "application.submit"
    actions: dict[str, Action]
    history: type[models.Model] | None  # a core.models.History subclass
    subject: str = ""  # the history's foreign key to the model
    org: Callable[[Any], Any] = lambda obj: None  # the organisation an entry belongs to
    role: Callable[[Any, Any], str] = lambda actor, obj: ""  # the role the actor acts in
    refusal: str = gettext_lazy("You may not do this.")
    state_field: str | None = "state"
    # For a state kept in other fields (published_at set = "published"): read it, and write it.
    read_state: Callable[[Any], str] | None = None
    write_state: Callable[[Any, str, Any], None] | None = None
    select_related: tuple[str, ...] = ()
    label_of_state: Callable[[Any], str] | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        MACHINES[self.model._meta.label] = self

    def state_of(self, obj) -> str:
        if self.read_state is not None:
            return self.read_state(obj)
        return getattr(obj, self.state_field)

    def lock(self, obj):
        rows = self.model.objects.select_for_update(of=("self",)).select_related(*self.select_related)
        return rows.get(pk=obj.pk)

    def startable(self, obj) -> set[str]:
        """The actions the object's state allows, whoever asks."""
        state = self.state_of(obj)
        return {name for name, action in self.actions.items() if state in action.sources}

    def may(self, user, obj, name: str) -> bool:
        action = self.actions[name]
        return self.state_of(obj) in action.sources and bool(action.allowed(user, obj))


def available(machine: Machine, user, obj) -> list[str]:
    """The actions this user may take on this object now, in the machine's order."""
    state = machine.state_of(obj)
    return [name for name, a in machine.actions.items() if state in a.sources and a.allowed(user, obj)]


def _state_label(machine: Machine, obj) -> str:
    if machine.label_of_state is not None:
        return str(machine.label_of_state(obj))
    return str(getattr(obj, f"get_{machine.state_field}_display")())


def check(machine: Machine, obj, name: str, actor, *, permission: bool = True) -> Action:
    """Refuse (nothing changed) unless the action may start from the object's state and, unless
    told otherwise, the actor may take it."""
    action = machine.actions[name]
    if permission:
        require(action.allowed(actor, obj), action.refusal or machine.refusal)
    if machine.state_of(obj) not in action.sources:
        raise InvalidTransition(
            gettext("This %(object)s is “%(state)s”: it cannot be %(action)s now.")
            % {
                "object": machine.model._meta.verbose_name,
                "state": _state_label(machine, obj),
                "action": action.label,
            }
        )
    return action


def opened(
    machine: Machine,
    obj,
    name: str,
    *,
    actor=None,
    org=None,
    role: str | None = None,
    at=None,
    audit_action: str = "",
    history: dict | None = None,
    after: dict | None = None,
) -> None:
    """The first entry of a new object's history (from no state to the one it was created in) and
    its audit entry, in the caller's transaction: creation is not a move, but it is recorded alike."""
    the_role = machine.role(actor, obj) if role is None else role
    state = machine.state_of(obj)
    if machine.history is not None:
        machine.history.objects.create(
            **{machine.subject: obj},
            action=name,
            from_state="",
            to_state=state,
            actor=actor if actor is not None and actor.pk else None,
            role=the_role,
            at=at or clock.now(),
            **(history or {}),
        )
    audit.record(
        action=audit_action or f"{machine.name}.{name}",
        actor=actor,
        obj=obj,
        org=machine.org(obj) if org is None else org,
        role=the_role,
        after={"state": state} | (after or {}),
    )


def apply(
    machine: Machine,
    obj,
    name: str,
    *,
    actor=None,
    note: str = "",
    role: str | None = None,
    org=None,
    change: Callable[[Any], None] | None = None,
    history: dict | None = None,
    before: dict | None = None,
    after: Callable[[Any], dict] | dict | None = None,
    on_commit: Iterable[Callable[[], None]] = (),
    locked: bool = False,
    permission: bool = True,
):
    """Move `obj` by action `name`; returns the saved (locked) object.

    role / org: the role acted in and the organisation acted for, when the caller knows better
    than the machine's defaults (a dispatcher acting for a street, say).
    change: the caller's own edits, made after the state is set and before the save.
    history / before / after: extra fields of the history row and of the audit entry.
    locked: the caller already holds the row lock (and may have edited the object).
    permission: False only for the system's own moves (timers) and moves the caller checked with
    a rule the predicate cannot see (said where it is passed)."""
    with transaction.atomic():
        if not locked:
            obj = machine.lock(obj)
        action = check(machine, obj, name, actor, permission=permission)
        now = clock.now()
        source = machine.state_of(obj)
        target = source if action.target is None else action.target
        if target != source:
            if machine.write_state is not None:
                machine.write_state(obj, target, now)
            else:
                setattr(obj, machine.state_field, target)
        if action.effect is not None:
            action.effect(obj, now)
        if change is not None:
            change(obj)
        obj.save()
        the_role = machine.role(actor, obj) if role is None else role
        person = actor if actor is not None and actor.pk else None
        if machine.history is not None:
            machine.history.objects.create(
                **{machine.subject: obj},
                action=name,
                from_state=source,
                to_state=target,
                actor=person,
                role=the_role,
                at=now,
                note=note,
                **(history or {}),
            )
        extra_after = after(obj) if callable(after) else (after or {})
        audit.record(
            action=f"{machine.name}.{name}",
            actor=actor,
            obj=obj,
            org=machine.org(obj) if org is None else org,
            role=the_role,
            before={"state": source} | (before or {}),
            after={"state": target} | extra_after,
            reason=note,
        )
        for effect in on_commit:
            transaction.on_commit(effect)
    return obj
