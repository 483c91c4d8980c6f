from django.core.management.base import BaseCommand

from jianfu.access import services as access
from jianfu.cases import services as cases
from jianfu.monitor import services as monitor
from jianfu.orgs.models import Org, OrgKind


class Command(BaseCommand):
    help = "Deadline sweep, run by cron/systemd (e.g. hourly): close consultations whose answers are due, flag overdue applications, bring the burden monitor up to date."

    def handle(self, *args, **options):
        closed = access.close_due_consultations()
        escalated = access.escalate_overdue()
        stages = cases.escalate_overdue()
        self.stdout.write(f"consultations closed: {len(closed)}; applications escalated: {len(escalated)}")
        self.stdout.write(f"case stages escalated: {len(stages)}")
        months = sum(monitor.refresh_dirty(d) for d in Org.objects.filter(kind=OrgKind.DISTRICT))
        self.stdout.write(f"burden monitor: {months} changed months recomputed")
