from django.core.management.base import BaseCommand, CommandError

from jianfu.audit.services import verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero and names the first broken entry."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(f"audit chain broken at entry #{result.broken_seq}: {result.problem}")
        self.stdout.write(f"audit chain intact: {result.checked} entries")
