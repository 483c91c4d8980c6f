"""Backup and restore of the whole database, each with a manifest the restore checks.

PostgreSQL: `pg_dump` in custom format from an exported snapshot; the row counts and the audit head
in the manifest are read in that same snapshot, so they describe exactly what the dump holds, even
while the site keeps writing. Restore is `pg_restore --clean --if-exists --single-transaction`:
all or nothing.
SQLite: the online backup API copies a consistent file while the site keeps running; restore copies
the file back the same way.

Both runs are audited. The backup's own audit entry is written first, so the dump contains it and
the manifest's audit head names it; the restore's entry follows the restored head and records the
head it replaced, so the trail shows that later entries were rolled back by a restore.
"""

import getpass
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.audit.models import AuditHead
from jianfu.core import clock
from jianfu.core.errors import DomainError

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = 1
# Django's own keys in DATABASES[...]["OPTIONS"]; everything else there is a libpq parameter.
DJANGO_PG_OPTIONS = {"pool", "server_side_binding", "isolation_level", "assume_role", "cursor_factory", "context"}


class BackupError(DomainError):
    code = "backup_error"


@dataclass
class Manifest:
    created_at: str
    vendor: str
    file: str
    sha256: str
    size: int
    audit_seq: int
    audit_hash: str
    tables: dict[str, int] = field(default_factory=dict)
    format: int = MANIFEST_FORMAT


@dataclass
class RestoreResult:
    manifest: Manifest
    replaced_audit_seq: int
    replaced_audit_hash: str
    audit_checked: int


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def read_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(manifest_path(path).read_text())
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise BackupError(
            _("The manifest %(name)s is missing or unreadable: %(error)s")
            % {"name": manifest_path(path).name, "error": exc}
        ) from exc


def default_path(vendor: str) -> Path:
    stamp = timezone.localtime(clock.wall_now()).strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if vendor == "postgresql" else "sqlite3"
    return Path(settings.VAR_DIR) / "backups" / f"jianfu-{stamp}.{suffix}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return str(os.getuid())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _connection():
    conn = connection
    if conn.vendor not in ("postgresql", "sqlite"):
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": conn.vendor})
    if conn.in_atomic_block:
        # pg_dump and pg_restore are other sessions: they see only committed data.
        raise BackupError(_("Backup and restore run outside any transaction."))
    return conn


def _table_names(cursor, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND pg_table_is_visible(c.oid) "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        )
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
    return [row[0] for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_rows(cursor, vendor: str) -> dict[str, int]:
    """Rows per table, read through `cursor` (a snapshot, a backup file or the live database)."""
    counts = {}
    for name in _table_names(cursor, vendor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(name)}")
        counts[name] = cursor.fetchone()[0]
    return counts


def _audit_head(cursor) -> tuple[int, str]:
    cursor.execute(f"SELECT seq, hash FROM {_quote(AuditHead._meta.db_table)} WHERE id = 1")
    row = cursor.fetchone()
    return (int(row[0]), row[1]) if row else (0, "")


# ---------------------------------------------------------------- PostgreSQL


def _libpq(settings_dict: dict) -> tuple[dict, dict]:
    """(libpq parameters without the password, environment for the client programs)."""
    params = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "host": settings_dict.get("HOST") or None,
        "port": str(settings_dict["PORT"]) if settings_dict.get("PORT") else None,
    }
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key not in DJANGO_PG_OPTIONS and isinstance(value, str | int):
            params[key] = str(value)
    params = {k: v for k, v in params.items() if v is not None}
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]  # not on the command line, where `ps` shows it
    return params, env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _("%(program)s was not found; install the PostgreSQL client (Debian: postgresql-client).")
            % {"program": name}
        )
    return found


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(command[0]).name, "error": (done.stderr or done.stdout).strip()[-2000:]}
        )


def _pg_backup(conn, path: Path) -> tuple[dict[str, int], tuple[int, str]]:
    import psycopg
    from psycopg.conninfo import make_conninfo

    params, env = _libpq(conn.settings_dict)
    pg_dump = _program("pg_dump")
    with psycopg.connect(make_conninfo(**params), password=conn.settings_dict.get("PASSWORD") or None) as raw:
        with raw.cursor() as cursor:
            # One snapshot for the counts, the audit head and the dump; it lives while this transaction does.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = count_rows(cursor, "postgresql")
            head = _audit_head(cursor)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={path}",
                    f"--dbname={make_conninfo(**params)}",
                ],
                env,
            )
        raw.rollback()
    return tables, head


def _pg_restore(conn, path: Path) -> None:
    from psycopg.conninfo import make_conninfo

    params, env = _libpq(conn.settings_dict)
    pg_restore = _program("pg_restore")
    # Our own idle session holds no locks, but a pooled one might sit in a transaction: drop it.
    conn.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={make_conninfo(**params)}",
            str(path),
        ],
        env,
    )


# ---------------------------------------------------------------- SQLite


def _sqlite_backup(conn, path: Path) -> tuple[dict[str, int], tuple[int, str]]:
    conn.ensure_connection()
    target = sqlite3.connect(path)
    try:
        conn.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        cursor = target.cursor()
        tables = count_rows(cursor, "sqlite")
        head = _audit_head(cursor)
    finally:
        target.close()
    return tables, head


def _sqlite_restore(conn, path: Path) -> None:
    conn.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(conn.connection)
    finally:
        source.close()


# ---------------------------------------------------------------- the two operations


def _record_failure(action: str, operator: dict, exc: Exception) -> None:
    try:
        audit.record(action=action, after=operator, reason=str(getattr(exc, "message", exc))[:1000])
    except DatabaseError:
        pass  # an empty or unreachable database: the original error is what the operator needs


def backup(path: Path | str | None = None) -> Manifest:
    """Write a backup to `path` (default var/backups/jianfu-<time>.dump|.sqlite3) and its manifest beside it."""
    conn = _connection()
    path = Path(path) if path else default_path(conn.vendor)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # The dump holds password hashes and every record: readable by its owner only; never overwrite.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError as exc:
        raise BackupError(_("%(path)s already exists; choose another file.") % {"path": path}) from exc
    operator = {"file": path.name, "os_user": _os_user()}
    audit.record(action="backup.create", after=operator)
    try:
        if conn.vendor == "postgresql":
            tables, (seq, head_hash) = _pg_backup(conn, path)
        else:
            tables, (seq, head_hash) = _sqlite_backup(conn, path)
    except Exception as exc:
        path.unlink(missing_ok=True)
        _record_failure("backup.fail", operator, exc)
        raise
    manifest = Manifest(
        created_at=timezone.localtime(clock.wall_now()).isoformat(timespec="seconds"),
        vendor=conn.vendor,
        file=path.name,
        sha256=_sha256(path),
        size=path.stat().st_size,
        audit_seq=seq,
        audit_hash=head_hash,
        tables=tables,
    )
    manifest_path(path).write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1, sort_keys=True))
    return manifest


def compare(manifest: Manifest) -> tuple[list[str], audit.VerifyResult]:
    """What in the live database differs from the manifest (empty when it matches), and the chain check."""
    problems = []
    with connection.cursor() as cursor:
        live = count_rows(cursor, connection.vendor)
        seq, head_hash = _audit_head(cursor)
    for table, expected in sorted(manifest.tables.items()):
        if live.get(table) != expected:
            problems.append(
                _("%(table)s has %(found)s rows, the backup %(expected)s")
                % {"table": table, "found": live.get(table, "—"), "expected": expected}
            )
    if (seq, head_hash) != (manifest.audit_seq, manifest.audit_hash):
        problems.append(
            _("the audit trail ends at #%(found)s, the backup at #%(expected)s")
            % {"found": seq, "expected": manifest.audit_seq}
        )
    result = audit.verify()
    if not result.ok:
        problems.append(
            _("the audit chain is broken at #%(seq)s: %(problem)s")
            % {"seq": result.broken_seq, "problem": result.problem}
        )
    return problems, result


def restore(path: Path | str) -> RestoreResult:
    """Replace the whole database with the backup at `path` after checking it against its manifest;
    then check the restored database against the manifest and audit the restore."""
    path = Path(path)
    conn = _connection()
    manifest = read_manifest(path)
    if manifest.vendor != conn.vendor:
        raise BackupError(
            _("This is a %(backup)s backup; the database is %(database)s. Nothing was restored.")
            % {"backup": manifest.vendor, "database": conn.vendor}
        )
    if not path.is_file() or _sha256(path) != manifest.sha256:
        raise BackupError(
            _("%(name)s does not match its manifest (changed or incomplete). Nothing was restored.")
            % {"name": path.name}
        )
    try:
        replaced = AuditHead.objects.filter(id=1).values_list("seq", "hash").first() or (0, "")
    except DatabaseError:  # restoring into an empty database
        replaced = (0, "")
    operator = {
        "file": path.name,
        "backup_created_at": manifest.created_at,
        "restored_audit_seq": manifest.audit_seq,
        "replaced_audit_seq": replaced[0],
        "replaced_audit_hash": replaced[1],
        "os_user": _os_user(),
    }
    try:
        if conn.vendor == "postgresql":
            _pg_restore(conn, path)
        else:
            _sqlite_restore(conn, path)
    except Exception as exc:
        # Both restores are all or nothing: the database is as it was; say so in its own trail.
        _record_failure("backup.restore_fail", operator, exc)
        raise
    ContentType.objects.clear_cache()  # the restored rows may number content types differently
    problems, chain = compare(manifest)
    # The entry follows the restored head, so the trail shows which later entries the restore replaced.
    audit.record(action="backup.restore", after=operator | {"problems": problems})
    if problems:
        raise BackupError(
            _("The restored database does not match the backup's manifest: %(problems)s")
            % {"problems": "；".join(problems)}
        )
    return RestoreResult(manifest, replaced[0], replaced[1], chain.checked)
