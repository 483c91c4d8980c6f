from django.core.management.base import BaseCommand, CommandError

from jianfu.orgs.models import User
from jianfu.orgs.services import token_issue


class Command(BaseCommand):
    help = "Issue an API token for USERNAME; the token is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username}")
        key = token_issue(actor=None, user=user, name=name)
        self.stdout.write(f"token for {username} (shown once, keep it secret):")
        self.stdout.write(key)
