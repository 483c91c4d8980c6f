"""Restore drill: back up, damage the data, restore, and prove that every table holds what the backup
held and that the audit chain is intact and continues from the backed-up head. pg_dump and pg_restore
are other sessions, so the data must be committed: transactional tests."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jianfu.audit.models import AuditEntry, AuditHead
from jianfu.audit.services import verify
from jianfu.ops import backup
from jianfu.orgs import services as orgs
from jianfu.orgs.models import ApiToken, Membership, Org, OrgKind

pytestmark = pytest.mark.django_db(transaction=True)


def row_counts(tables) -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


def test_a_restore_brings_back_every_row_and_the_audit_chain(tree, office, community_worker, tmp_path):
    orgs.token_issue(actor=office, user=office, name="报表系统")
    orgs.org_update(actor=office, org=tree["community11"], name="古塘社区")
    path = tmp_path / "jianfu.backup"

    call_command("backup", str(path), stdout=io.StringIO())

    manifest = backup.read_manifest(path)
    assert set(manifest.tables) == set(connection.introspection.table_names())
    assert manifest.tables == row_counts(manifest.tables)
    head = AuditHead.objects.get()
    assert (manifest.audit_seq, manifest.audit_hash) == (head.seq, head.hash)
    assert AuditEntry.objects.get(seq=head.seq).action == "backup.create"  # the dump holds its own entry

    # Damage: new rows, a changed row, deleted rows, and more audit entries on top of the backed-up head.
    orgs.org_create(actor=office, code="S1C9", name="新建社区", kind=OrgKind.COMMUNITY, parent=tree["street1"])
    orgs.org_update(actor=office, org=tree["community11"], name="改名社区")
    Membership.objects.filter(user=community_worker).delete()
    ApiToken.objects.all().delete()
    damaged = AuditHead.objects.get()
    assert damaged.seq > manifest.audit_seq

    call_command("restore", str(path), "--noinput", stdout=io.StringIO())

    restored = row_counts(manifest.tables)
    entries = AuditEntry._meta.db_table
    assert restored[entries] == manifest.tables[entries] + 1  # the restore's own entry
    assert {t: n for t, n in restored.items() if t != entries} == {
        t: n for t, n in manifest.tables.items() if t != entries
    }
    assert Org.objects.get(code="S1C1").name == "古塘社区"
    assert not Org.objects.filter(code="S1C9").exists()
    assert Membership.objects.filter(user=community_worker).exists() and ApiToken.objects.count() == 1
    result = verify()
    assert result.ok, result.problem
    assert AuditEntry.objects.get(seq=manifest.audit_seq).hash == manifest.audit_hash
    last = AuditEntry.objects.get(seq=manifest.audit_seq + 1)
    assert last.action == "backup.restore" and last.prev_hash == manifest.audit_hash
    assert last.after["replaced_audit_seq"] == damaged.seq
    assert AuditHead.objects.get().seq == manifest.audit_seq + 1


def test_a_damaged_backup_is_refused_and_nothing_changes(tree, office, tmp_path):
    path = tmp_path / "jianfu.backup"
    backup.backup(path)
    orgs.org_create(actor=office, code="S1C9", name="新建社区", kind=OrgKind.COMMUNITY, parent=tree["street1"])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    head = AuditHead.objects.get()

    with pytest.raises(CommandError, match="与其清单不符"):
        call_command("restore", str(path), "--noinput", stdout=io.StringIO())

    assert Org.objects.filter(code="S1C9").exists()
    assert AuditHead.objects.get().seq == head.seq
    with pytest.raises(backup.BackupError):
        backup.backup(path)  # never overwrites an existing file
