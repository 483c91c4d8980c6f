from django.core.management.base import BaseCommand

from jianfu.monitor import services
from jianfu.orgs.models import Org, OrgKind


class Command(BaseCommand):
    help = "Recompute the burden monitor's figures: the months changes have marked (default) or whole years."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="district code (default: every district)")
        parser.add_argument("--year", type=int, action="append", help="recompute this whole year (repeatable)")
        parser.add_argument("--all", action="store_true", help="recompute from the baseline year to this one")

    def handle(self, *args, **options):
        districts = Org.objects.filter(kind=OrgKind.DISTRICT).order_by("code")
        if options["district"]:
            districts = districts.filter(code=options["district"])
        for district in districts:
            if options["all"] or options["year"]:
                rows = services.refresh(district, options["year"])
                self.stdout.write(f"{district.code}: {rows} community months recomputed")
            else:
                months = services.refresh_dirty(district)
                self.stdout.write(f"{district.code}: {months} changed months recomputed")
