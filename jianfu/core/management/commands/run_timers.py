from django.core.management.base import BaseCommand

from jianfu.access import services as access
from jianfu.cases import services as cases


class Command(BaseCommand):
    help = "Deadline sweep, run by cron/systemd (e.g. hourly): close consultations whose answers are due, flag overdue applications."

    def handle(self, *args, **options):
        closed = access.close_due_consultations()
        escalated = access.escalate_overdue()
        stages = cases.escalate_overdue()
        self.stdout.write(f"consultations closed: {len(closed)}; applications escalated: {len(escalated)}")
        self.stdout.write(f"case stages escalated: {len(stages)}")
