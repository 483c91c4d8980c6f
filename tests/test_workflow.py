"""The workflow kernel holds for every stateful model (issue #18): each has a machine; each move
writes exactly one history row and one audit entry; a refused move changes nothing.

Walked on the demo: for every machine and action, a demo object is put in a state the action may
start from (queryset.update, inside a savepoint rolled back afterwards) and moved by the kernel."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils.module_loading import autodiscover_modules

from jianfu.audit.models import AuditEntry
from jianfu.core import clock, workflow
from jianfu.core.errors import InvalidTransition, PermissionDenied

autodiscover_modules("machines")

# Models whose `state` records another object's state (a stage flagged, a photo's stage), not their own.
RECORDS_OF_ANOTHER = {"cases.Escalation", "cases.CasePhoto"}
# Models whose state lives in other fields.
DERIVED = {"deliberations.Deliberation"}


def stateful_models() -> set[str]:
    found = set(DERIVED)
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "state" in names and model._meta.label not in RECORDS_OF_ANOTHER:
            if not issubclass(model, tuple(m.history for m in workflow.MACHINES.values() if m.history)):
                found.add(model._meta.label)
    return found


def test_every_model_with_a_state_has_a_machine():
    missing = stateful_models() - set(workflow.MACHINES)
    assert not missing, f"no machine declared for {sorted(missing)}"
    assert len(workflow.MACHINES) >= 11


def _counts(machine: workflow.Machine, obj) -> tuple[int, int]:
    history = machine.history.objects.filter(**{machine.subject: obj}).count() if machine.history else 0
    return history, AuditEntry.objects.count()


def _in_state(machine: workflow.Machine, state: str):
    """A demo object put in `state` (None when the model's constraints forbid it for every try)."""
    rows = machine.model.objects.order_by("pk")
    if machine.read_state is None:
        ready = rows.filter(**{machine.state_field: state}).first()
        if ready is not None:
            return ready
    for obj in rows[:20]:
        try:
            with transaction.atomic():
                if machine.write_state is not None:
                    machine.write_state(obj, state, clock.now())
                    obj.save()
                else:
                    rows.filter(pk=obj.pk).update(**{machine.state_field: state})
            return machine.model.objects.get(pk=obj.pk)
        except IntegrityError:
            continue
    return None


def _states(machine: workflow.Machine) -> list[str]:
    states = set()
    for action in machine.actions.values():
        states |= action.sources
        if action.target:
            states.add(action.target)
    return sorted(states)


@pytest.mark.django_db
def test_each_move_writes_one_history_row_and_one_audit_entry_and_a_refused_one_changes_nothing(demo_module):
    walked, unwalkable = 0, []
    for label, machine in sorted(workflow.MACHINES.items()):
        assert machine.model.objects.exists(), f"the demo has no {label}"
        for name, action in machine.actions.items():
            sid = transaction.savepoint()
            try:
                source = sorted(action.sources)[0]
                obj = _in_state(machine, source)
                if obj is None:
                    unwalkable.append(f"{label}.{name} from {source}")
                    continue
                history, entries = _counts(machine, obj)
                moved = workflow.apply(machine, obj, name, actor=None, note="walk", permission=False)
                assert machine.state_of(moved) == (action.target or source), (label, name)
                assert _counts(machine, moved) == (history + (1 if machine.history else 0), entries + 1), (label, name)
                entry = AuditEntry.objects.order_by("-seq").first()
                assert entry.action == f"{machine.name}.{name}"
                assert entry.before["state"] == source and entry.after["state"] == (action.target or source)
                walked += 1
            finally:
                transaction.savepoint_rollback(sid)

            # Refused by state: from a state the action may not start from, nothing changes.
            others = [s for s in _states(machine) if s not in action.sources]
            if others:
                sid = transaction.savepoint()
                try:
                    obj = _in_state(machine, others[0])
                    if obj is not None:
                        before = _counts(machine, obj)
                        with pytest.raises(InvalidTransition):
                            workflow.apply(machine, obj, name, actor=None, permission=False)
                        fresh = machine.model.objects.get(pk=obj.pk)
                        assert machine.state_of(fresh) == others[0], (label, name)
                        assert _counts(machine, fresh) == before, (label, name)
                finally:
                    transaction.savepoint_rollback(sid)

            # Refused by permission: someone signed out may take no action; nothing changes.
            sid = transaction.savepoint()
            try:
                obj = _in_state(machine, source)
                if obj is not None:
                    before = _counts(machine, obj)
                    with pytest.raises(PermissionDenied):
                        workflow.apply(machine, obj, name, actor=AnonymousUser())
                    assert machine.state_of(machine.model.objects.get(pk=obj.pk)) == source, (label, name)
                    assert _counts(machine, obj) == before, (label, name)
                    assert name not in workflow.available(machine, AnonymousUser(), obj)
            finally:
                transaction.savepoint_rollback(sid)
    assert not unwalkable, f"actions that no demo object could start: {unwalkable}"
    assert walked >= 40
