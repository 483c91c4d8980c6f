"""Overlap detection and the "is this allowed?" check, on the shared text-similarity index."""

from dataclasses import dataclass

from django.db.models import Max

from jianfu.catalog.models import Category, WorkItem
from jianfu.core import clock
from jianfu.core.similarity import DEFAULT_REQUEST_THRESHOLD, SimilarityIndex, match_request

OVERLAP_MIN_SCORE = 0.3
NEGATIVE_MATCH_SCORE = 0.6

_cache: dict[tuple, SimilarityIndex] = {}


def _index(queryset, *, names_only: bool = False) -> SimilarityIndex:
    """Index of the items, rebuilt only when the catalog changed (count or last update moved).
    Requests are matched on names only: descriptions dilute the short messages workers paste."""
    stamp = queryset.aggregate(n=Max("pk"), t=Max("updated_at"))
    key = (str(queryset.query), names_only, queryset.count(), stamp["n"], stamp["t"])
    index = _cache.get(key)
    if index is None:
        if len(_cache) > 8:
            _cache.clear()
        rows = queryset.only("pk", "name", "description")
        index = SimilarityIndex((i.pk, i.name if names_only else (i.name, i.description)) for i in rows)
        _cache[key] = index
    return index


def _in_force(district=None):
    qs = WorkItem.objects.filter(WorkItem.in_force_q(clock.today()))
    return qs.filter(department__path__startswith=district.path) if district is not None else qs


def _negative(district=None):
    qs = WorkItem.objects.filter(category=Category.NEGATIVE)
    return qs.filter(department__path__startswith=district.path) if district is not None else qs


def similar_items(application, limit: int = 5) -> list[dict]:
    """Existing items (in force, or on the negative list) most like the application, best first."""
    text = f"{application.name}\n{application.description}"
    qs = WorkItem.objects.filter(pk__in=_in_force().values("pk")) | _negative()
    hits = _index(qs.order_by("pk")).search(text, limit=limit, min_score=OVERLAP_MIN_SCORE)
    items = WorkItem.objects.select_related("department").in_bulk([pk for pk, _ in hits])
    return [
        {
            "code": items[pk].code,
            "name": items[pk].name,
            "category": items[pk].category,
            "department": items[pk].department.name,
            "score": round(score, 3),
        }
        for pk, score in hits
    ]


def negative_list_match(application) -> tuple[WorkItem, float] | None:
    hits = _index(_negative().order_by("pk"), names_only=True).search(
        application.name, limit=1, min_score=NEGATIVE_MATCH_SCORE
    )
    if not hits:
        return None
    return WorkItem.objects.select_related("department").get(pk=hits[0][0]), hits[0][1]


def request_match(message: str, district=None) -> tuple[WorkItem, float] | None:
    hit = match_request(
        _index(_in_force(district).order_by("pk"), names_only=True), message, threshold=DEFAULT_REQUEST_THRESHOLD
    )
    if hit is None:
        return None
    return WorkItem.objects.select_related("department").get(pk=hit[0]), hit[1]


@dataclass
class CheckResult:
    status: str  # "in_force", "negative" or "not_in_force"
    item: WorkItem | None = None
    score: float = 0.0


def check_request(message: str, district=None) -> CheckResult:
    """What a community worker sees after pasting a request that just reached them (their district's catalog)."""
    negative = match_request(
        _index(_negative(district).order_by("pk"), names_only=True), message, threshold=DEFAULT_REQUEST_THRESHOLD
    )
    allowed = request_match(message, district)
    if negative and (allowed is None or negative[1] > allowed[1]):
        return CheckResult("negative", WorkItem.objects.select_related("department").get(pk=negative[0]), negative[1])
    if allowed:
        return CheckResult("in_force", allowed[0], allowed[1])
    return CheckResult("not_in_force")
