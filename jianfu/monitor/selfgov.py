"""Residents' self-governance: what a community does for itself, counted apart from its burden.

Seed 004 (武汉) encourages residents' hearings (社区听证会), forums (民情恳谈会, 社区论坛) and dialogues
with departments (社区对话); seed 001 moves the committee's work to 议事协商 once burdens are cut. So:

- a catalog meeting item that is such a meeting (`is_self_governance`, by its name) stays an item the
  community carries, but adds neither meetings nor delegated worker-hours to the burden figures
  (monitor.compute.item_figures), hence nothing to the burden index;
- the self-governance indicator counts the deliberation records (jianfu.deliberations) by kind:
  meetings held, residents taking part (participants) and follow-ups done (follow_up_done set),
  by the month the meeting was held. Only published records count: a draft is still being written.

Read live from the records in one query (no materialised rows): the dashboard keys its cached body
on these figures (monitor.views.dashboard)."""

import hashlib
from collections import defaultdict
from dataclasses import astuple, dataclass

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from jianfu.catalog.models import ItemKind
from jianfu.deliberations.models import Deliberation, DeliberationKind
from jianfu.orgs.models import Org, OrgKind

# Names of residents' own meetings (seeds 001 and 004; the 居民会议 of the Organic Law).
MARKERS = ("听证会", "恳谈会", "社区对话", "社区论坛", "议事协商", "居民会议")


def is_self_governance(item) -> bool:
    """Whether a catalog item is residents' own meeting rather than one called by a department or street."""
    return item.kind == ItemKind.MEETING and any(marker in item.name for marker in MARKERS)


@dataclass(frozen=True)
class Figures:
    held: int = 0
    participants: int = 0
    follow_ups_done: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.held + other.held,
            self.participants + other.participants,
            self.follow_ups_done + other.follow_ups_done,
        )


@dataclass(frozen=True)
class Line:
    kind: str
    label: str
    then: Figures
    now: Figures


@dataclass(frozen=True)
class SelfGovernance:
    year: int
    baseline_year: int
    months: tuple[int, ...]
    lines: tuple[Line, ...]
    # `year`'s figures of each street (under a district) or community (under a street), by org id.
    children: tuple[tuple[int, Figures], ...] = ()

    def child(self, pk: int) -> Figures:
        return dict(self.children).get(pk, Figures())

    @property
    def stamp(self) -> str:
        """Changes whenever a figure shown changes (a cache key's part)."""
        figures = [(line.kind, *astuple(line.then), *astuple(line.now)) for line in self.lines]
        children = [(pk, *astuple(f)) for pk, f in self.children]
        return hashlib.blake2b(
            repr((self.year, self.baseline_year, self.months, figures, children)).encode(), digest_size=8
        ).hexdigest()

    @property
    def total_then(self) -> Figures:
        return sum((line.then for line in self.lines), Figures())

    @property
    def total_now(self) -> Figures:
        return sum((line.now for line in self.lines), Figures())


def _records(org: Org):
    return Deliberation.objects.filter(community__path__startswith=org.path, published_at__isnull=False)


def _figures(row: dict) -> Figures:
    return Figures(row["held"], row["participants"] or 0, row["follow_ups_done"])


AGGREGATES = {"held": Count("pk"), "participants": Sum("participants"), "follow_ups_done": Count("follow_up_done")}


def _child_field(org: Org) -> str | None:
    if org.kind == OrgKind.DISTRICT:
        return "community__parent_id"
    if org.kind in (OrgKind.STREET, OrgKind.TOWN):
        return "community_id"
    return None


def for_org(org: Org, year: int, baseline_year: int, months: list[int]) -> SelfGovernance:
    """Everything under the org (district, street or community), by kind, for the same months of
    `year` and the baseline year, and `year`'s by street or community below it: one query."""
    child = _child_field(org)
    rows = (
        _records(org)
        .filter(held_on__year__in={year, baseline_year})
        .annotate(year=ExtractYear("held_on"), month=ExtractMonth("held_on"))
        .filter(month__in=months)
        .values("kind", "year", *([child] if child else []))
        .annotate(**AGGREGATES)
        .order_by()
    )
    found: dict[tuple[str, int], Figures] = defaultdict(Figures)
    children: dict[int, Figures] = defaultdict(Figures)
    for row in rows:
        figures = _figures(row)
        found[(row["kind"], row["year"])] += figures
        if child and row["year"] == year:
            children[row[child]] += figures
    lines = tuple(
        Line(
            kind=kind,
            label=str(label),
            then=found.get((kind, baseline_year), Figures()),
            now=found.get((kind, year), Figures()),
        )
        for kind, label in DeliberationKind.choices
    )
    return SelfGovernance(
        year=year,
        baseline_year=baseline_year,
        months=tuple(months),
        lines=lines,
        children=tuple(sorted(children.items())),
    )


def per_community_month(district: Org, year: int) -> dict[tuple[int, int], Figures]:
    """{(community id, month): figures} over every kind, for the months with a meeting: one query."""
    rows = (
        _records(district)
        .filter(held_on__year=year)
        .annotate(month=ExtractMonth("held_on"))
        .values("community_id", "month")
        .annotate(**AGGREGATES)
        .order_by()
    )
    return {(row["community_id"], row["month"]): _figures(row) for row in rows}
