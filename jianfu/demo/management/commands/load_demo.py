import os

from django.core.management.base import BaseCommand

from jianfu.demo import access as access_demo
from jianfu.demo import cases as cases_demo
from jianfu.demo import catalog as catalog_demo
from jianfu.demo import certificates as certificates_demo
from jianfu.demo import evaluation as evaluation_demo
from jianfu.demo import ledger as ledger_demo
from jianfu.demo import monitor as monitor_demo
from jianfu.demo import orders as orders_demo
from jianfu.demo import orgs as orgs_demo
from jianfu.demo import portal as portal_demo
from jianfu.demo import registry as registry_demo
from jianfu.orgs.models import Org
from jianfu.orgs.spreadsheets import ROLE_NAMES


class Command(BaseCommand):
    help = "Load the demo district (慈溪, seed 002) and one demo account per role. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--registry",
            choices=["full", "sample", "none"],
            help="base registry scale: full (≈202 000 people), sample (古塘 and 旦苑 only) or none; "
            "default from JIANFU_DEMO_REGISTRY, else full",
        )

    def handle(self, *args, **options):
        counts = orgs_demo.load()
        self.stdout.write("demo district loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        district = Org.objects.get(code=orgs_demo.DISTRICT[0])
        catalog = catalog_demo.load(district)
        self.stdout.write(
            f"catalog: {catalog['items']} work items, {catalog['catalog']} in this year's published catalog"
        )
        self.stdout.write(f"access: {access_demo.load(district)} applications")
        scale = options["registry"] or os.environ.get("JIANFU_DEMO_REGISTRY", "full")
        self.stdout.write(f"registry ({scale}): generating people, houses and units …")
        self.stdout.write(f"registry: {registry_demo.load(district, scale)} people added")
        self.stdout.write(f"cases: {cases_demo.load(district)}")
        ledger = ledger_demo.load(district)
        self.stdout.write(
            f"ledger: {ledger['elements']} data elements, {ledger['values']} values, {ledger['templates']} reports"
        )
        self.stdout.write(f"certificates: {certificates_demo.load(district)}")
        self.stdout.write(f"evaluation: {evaluation_demo.load(district)}")
        self.stdout.write(f"portal: {portal_demo.load(district)}")
        self.stdout.write(f"orders: {orders_demo.load(district)}")
        self.stdout.write(f"monitor: {monitor_demo.load(district)}")
        self.stdout.write("")
        self.stdout.write(f"demo accounts (password for all: {orgs_demo.DEMO_PASSWORD}):")
        for username, name, role, org in orgs_demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {ROLE_NAMES[role]:<8} {org}  {name}")
