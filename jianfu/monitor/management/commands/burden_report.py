from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from jianfu.core import clock
from jianfu.monitor import report
from jianfu.orgs.models import Org, OrgKind


class Command(BaseCommand):
    help = "Write a district's annual burden report as .docx and PDF: burden-report-<code>-<year>.docx/.pdf."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="district code (default: the first district)")
        parser.add_argument(
            "--year", type=int, help="report year (default: this year, or last year while this one has no whole month)"
        )
        parser.add_argument("--out", default=".", help="folder to write to (default: the current one)")

    def handle(self, *args, **options):
        districts = Org.objects.filter(kind=OrgKind.DISTRICT).order_by("path")
        if options["district"]:
            districts = districts.filter(code=options["district"])
        with translation.override(settings.LANGUAGE_CODE):
            self._write(districts.first(), options)

    def _write(self, district, options):
        if district is None:
            raise CommandError(_("No district with code %(code)s.") % {"code": options["district"] or "—"})
        year = options["year"] or clock.reporting_year()
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        built = report.build(district, year)
        files = {ext: out / report.filename(district, year, ext) for ext in ("docx", "pdf")}
        files["docx"].write_bytes(report.docx_bytes(built))
        files["pdf"].write_bytes(report.pdf_bytes(built))
        for path in files.values():
            self.stdout.write(str(path))
