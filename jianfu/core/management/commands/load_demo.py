from django.core.management.base import BaseCommand

from jianfu.orgs import demo as orgs_demo
from jianfu.orgs.spreadsheets import ROLE_NAMES


class Command(BaseCommand):
    help = "Load the demo district (慈溪, seed 002) and one demo account per role. Safe to run again."

    def handle(self, *args, **options):
        counts = orgs_demo.load()
        self.stdout.write("demo district loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        self.stdout.write("")
        self.stdout.write(f"demo accounts (password for all: {orgs_demo.DEMO_PASSWORD}):")
        for username, name, role, org in orgs_demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {ROLE_NAMES[role]:<8} {org}  {name}")
