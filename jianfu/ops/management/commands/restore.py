from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jianfu.ops import backup


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup written by `manage.py backup`, after checking the file "
        "against its manifest; then checks row counts and the audit chain. Stop the site first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, path, interactive, **options):
        if interactive:
            answer = input(_("This replaces every record in the database with the backup. Type yes to go on: "))
            if answer.strip().lower() not in {"yes", "是"}:
                raise CommandError(_("Restore cancelled."))
        try:
            result = backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _(
                "Restored %(path)s (taken %(created)s): %(tables)s tables match the manifest; "
                "audit chain intact, %(checked)s entries; the audit head was #%(replaced)s before the restore."
            )
            % {
                "path": path,
                "created": result.manifest.created_at,
                "tables": len(result.manifest.tables),
                "checked": result.audit_checked,
                "replaced": result.replaced_audit_seq,
            }
        )
