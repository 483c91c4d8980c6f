from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from jianfu.ops import backup


class Command(BaseCommand):
    help = (
        "Back up the whole database: pg_dump (custom format) on PostgreSQL, a consistent file copy on SQLite; "
        "writes a manifest (row counts, audit head) beside the file. Media files are not included."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="where to write (default var/backups/jianfu-<time>.dump|.sqlite3)")

    def handle(self, *args, path=None, **options):
        target = Path(path) if path else backup.default_path(connection.vendor)
        try:
            manifest = backup.backup(target)
        except backup.BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("Backup written: %(path)s (%(size)s bytes, %(tables)s tables, %(rows)s rows, audit head #%(seq)s).")
            % {
                "path": target,
                "size": manifest.size,
                "tables": len(manifest.tables),
                "rows": sum(manifest.tables.values()),
                "seq": manifest.audit_seq,
            }
        )
