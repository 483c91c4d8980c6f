"""How far the "这能派吗?" check can be trusted: run it on the labelled demands
(jianfu/access/tests/data/demands.json, written from the seeds for the demo district) and report the
share it decides right, with every demand it gets wrong.

    DJANGO_DEBUG=1 python manage.py check_figure            # on the loaded demo district
    DJANGO_DEBUG=1 python manage.py check_figure --verbose  # every demand, right or wrong
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianfu.access import overlap
from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind

DEMANDS = Path(__file__).resolve().parents[2] / "tests" / "data" / "demands.json"


def load_demands(path: Path = DEMANDS) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["demands"]


@dataclass
class Graded:
    demand: dict
    result: overlap.CheckResult
    right: bool
    why: str = ""


@dataclass
class Figure:
    graded: list[Graded] = field(default_factory=list)

    @property
    def right(self) -> int:
        return sum(g.right for g in self.graded)

    @property
    def share(self) -> float:
        return self.right / len(self.graded) if self.graded else 0.0

    def by_expectation(self) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for g in self.graded:
            right, total = counts.get(g.demand["expect"], (0, 0))
            counts[g.demand["expect"]] = (right + g.right, total + 1)
        return counts

    def line(self) -> str:
        parts = ", ".join(f"{k} {r}/{t}" for k, (r, t) in sorted(self.by_expectation().items()))
        return f"check figure: {self.right}/{len(self.graded)} = {self.share:.1%} right ({parts})"


def grade_one(demand: dict, district: Org, year: int) -> Graded:
    result = overlap.check_request(demand["text"], district=district)
    codes = [code.format(year=year) for code in demand.get("codes", [])]
    problems = []
    if result.status != demand["expect"]:
        problems.append(f"answered {result.status}")
    elif codes and (result.item is None or result.item.code not in codes):
        problems.append(f"named {result.item.code if result.item else 'no item'}, not {' or '.join(codes)}")
    return Graded(demand, result, not problems, "; ".join(problems))


def grade(district: Org, demands: list[dict] | None = None) -> Figure:
    year = clock.today().year
    return Figure([grade_one(d, district, year) for d in (demands or load_demands())])


class Command(BaseCommand):
    help = "Run the check on the labelled demands and report the share it decides right."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="code of the district (default: the first one)")
        parser.add_argument("--verbose", action="store_true", help="list every demand")

    def handle(self, *args, **options):
        districts = Org.objects.filter(kind=OrgKind.DISTRICT).order_by("code")
        district = districts.filter(code=options["district"]).first() if options["district"] else districts.first()
        if district is None:
            raise CommandError("No such district: load the demo first (manage.py load_demo).")
        figure = grade(district)
        for g in figure.graded:
            if options["verbose"] or not g.right:
                item = f"{g.result.item.code} {g.result.item.name}" if g.result.item else "-"
                mark = "ok " if g.right else "BAD"
                self.stdout.write(f"{mark} {g.demand['expect']:<12} {g.result.status:<12} {item} | {g.demand['text']}")
                if g.why:
                    self.stdout.write(f"    {g.why}")
        self.stdout.write(figure.line())
