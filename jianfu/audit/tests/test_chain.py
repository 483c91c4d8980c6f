import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jianfu.audit import services as audit
from jianfu.audit.models import AuditEntry


@pytest.fixture
def entries(db, django_user_model):
    actor = django_user_model.objects.create_user(username="auditor", password="x-Long-pass-1")
    return [
        audit.record(
            action="test.change", actor=actor, before={"n": i}, after={"n": i + 1, "note": "变更"}, reason="原因"
        )
        for i in range(5)
    ]


def test_entries_chain_to_each_other(entries):
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert audit.verify().ok


def test_a_raw_sql_update_breaks_the_chain_at_that_entry(entries):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET reason = %s WHERE seq = 3", ["篡改"])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 3


def test_deleting_an_entry_in_the_middle_is_noticed(entries):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = 2")
    result = audit.verify()
    assert not result.ok and result.broken_seq == 2


def test_deleting_the_newest_entry_is_noticed(entries):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = 5")
    assert not audit.verify().ok


def test_audit_verify_command_passes_then_fails_naming_the_entry(entries, capsys):
    call_command("audit_verify")
    assert "5 entries" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET after = %s WHERE seq = 4", ['{"n": 99}'])
    with pytest.raises(CommandError, match="#4"):
        call_command("audit_verify")


def test_a_rolled_back_change_leaves_no_entry(db):
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            audit.record(action="test.rolled_back")
            raise RuntimeError
    assert not AuditEntry.objects.exists()
    assert audit.verify().ok
