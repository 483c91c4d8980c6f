"""Which certificates a community may issue: read from the office's current lists, never stored here.

* ``listed(district)``: the certificate items on the current 盖章证明事项清单 (may issue) and 负面清单
  (must not) of the district.
* ``closed_reason(item, district, community=)``: why an item may not be issued — ``None`` when it
  may. Closed by default (民发〔2020〕20号): only an item on the may-issue list, with a basis in law or
  regulation (or on the State Council's retained list), that the office confirmed lies within the
  committee's duties — and, for a community, only where the item's approved scope reaches.
* ``check(text, district)``: what someone who was asked for a certificate types, matched against both
  lists (simplified or traditional script, other names included).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils.translation import gettext as _

from jianfu.catalog import gate
from jianfu.catalog.models import Category, ItemKind, ListEntry, ListVersion, WorkItem
from jianfu.core import clock
from jianfu.core.similarity import SimilarityIndex, fold
from jianfu.orgs.models import Org

from .models import CertificateType

MAY = "may_issue"
MUST_NOT = "must_not_issue"
NOT_LISTED = "not_listed"

# A match needs this score (the better of cosine similarity and how much of a name the text contains).
MATCH_SCORE = 0.5
# Close names shown as "did you mean" when nothing matches well enough.
SUGGEST_SCORE = 0.3

CLOSED_BY_DEFAULT_RULE = "民发〔2020〕20号：社区证明事项实行清单管理，未列入清单的一律不出具（非准不入）"


@dataclass
class Listed:
    may: list[WorkItem]
    must_not: list[WorkItem]

    def category_of(self, item: WorkItem) -> str | None:
        """As `category_of` below: the negative list wins over the may-issue list."""
        if any(i.pk == item.pk for i in self.must_not):
            return MUST_NOT
        if any(i.pk == item.pk for i in self.may):
            return MAY
        return None


def _current_entries(code: str, district: Org):
    """The certificate entries of the district's own version of the list in force today."""
    version = ListVersion.in_force(district).filter(item_list__code=code).first()
    if version is None:
        return ListEntry.objects.none()
    return ListEntry.objects.filter(
        version=version, item__kind=ItemKind.CERTIFICATE, item__department__path__startswith=district.path
    ).order_by("position")


def _items(code: str, district: Org) -> list[WorkItem]:
    entries = _current_entries(code, district).select_related("item", "item__department", "item__certificate_type")
    return gate.with_scope([e.item for e in entries])


def listed(district: Org) -> Listed:
    return Listed(may=_items(Category.CERTIFICATE, district), must_not=_items(Category.NEGATIVE, district))


def category_of(item: WorkItem, district: Org) -> str | None:
    """MAY or MUST_NOT when the item is on the district's current may-issue or negative list."""
    if _current_entries(Category.NEGATIVE, district).filter(item=item).exists():
        return MUST_NOT
    if _current_entries(Category.CERTIFICATE, district).filter(item=item).exists():
        return MAY
    return None


def may_issue_items(district: Org) -> list[WorkItem]:
    return _items(Category.CERTIFICATE, district)


def type_of(item: WorkItem) -> CertificateType | None:
    try:
        return item.certificate_type
    except CertificateType.DoesNotExist:
        return None


def closed_reason(
    item: WorkItem, district: Org, found: Listed | None = None, *, community: Org | None = None
) -> str | None:
    """Why the community may not issue this item now; None when it may. Pages that ask for every
    listed item pass the district's `listed(district)`, read once, instead of two lookups per item.

    With the community at hand (a request, an issue), an item approved only for some streets or
    types of community is closed elsewhere (catalog/gate.py `scope_refusal`). Only the place is
    asked of the gate: the lists stay current until the office replaces them, not for one year."""
    category = category_of(item, district) if found is None else found.category_of(item)
    if category == MUST_NOT:
        return _(
            "“%(name)s” is on the negative list: communities must not issue it. %(body)s issues it (%(rule)s)."
        ) % {
            "name": item.name,
            "body": item.issuing_body,
            "rule": item.legal_basis,
        }
    if category is None:
        return _("“%(name)s” is on neither list: a certificate outside the lists cannot be issued (%(rule)s).") % {
            "name": item.name,
            "rule": CLOSED_BY_DEFAULT_RULE,
        }
    if item.valid_until is not None and item.valid_until < clock.today():
        return _("“%(name)s” expired on %(date)s.") % {"name": item.name, "date": item.valid_until.isoformat()}
    if item.is_cancelled(clock.today()):
        return _("“%(name)s” was cancelled with effect from %(date)s: %(reason)s") % {
            "name": item.name,
            "date": item.cancelled_on.isoformat(),
            "reason": item.cancellation_reason,
        }
    if item.starts_on is not None and item.starts_on > clock.today():
        return _("“%(name)s” is in force only from %(date)s.") % {"name": item.name, "date": item.starts_on.isoformat()}
    if community is not None:
        outside = gate.scope_refusal(item, community)
        if outside:
            return outside
    if found is None:
        ctype = CertificateType.objects.filter(item_id=item.pk).first()  # fresh: the office may just have changed it
    else:
        ctype = type_of(item)  # read with the lists, in this request
    if not item.legal_basis.strip() and not (ctype and ctype.retained):
        return _(
            "“%(name)s” has no basis in law or regulation and is not on the State Council's retained list: "
            "it cannot be issued."
        ) % {"name": item.name}
    if ctype is None or not ctype.within_duties:
        return _(
            "The office has not confirmed that “%(name)s” lies within the committee's own duties: closed until it does."
        ) % {"name": item.name}
    return None


# ------------------------------------------------------------------------------------------ matching


def _bigrams(text: str) -> set[str]:
    folded = fold(text)
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


@dataclass
class _Index:
    cosine: SimilarityIndex
    names: list[tuple[int, set[str]]]  # (item pk, bigrams of one of its names)
    idf: dict[str, float]  # bigrams shared by many names (证明, 社区) say little

    def coverage(self, name: set[str], asked: set[str]) -> float:
        """How much of a name the asked text contains, bigrams weighted by rarity."""
        total = sum(self.idf[b] for b in name)
        return sum(self.idf[b] for b in name & asked) / total if total else 0.0


_cache: dict[tuple, _Index] = {}


def _stamp(district: Org, listed_items: list[WorkItem]) -> tuple:
    pks = tuple(i.pk for i in listed_items)
    types = CertificateType.objects.filter(item_id__in=pks).aggregate(t=Max("updated_at"))["t"]
    items = WorkItem.objects.filter(pk__in=pks).aggregate(t=Max("updated_at"))["t"]
    return (district.pk, pks, types, items)


def _names(item: WorkItem) -> list[str]:
    ctype = type_of(item)
    return [item.name, *(ctype.aliases if ctype else [])]


def _index(district: Org, items: list[WorkItem]) -> _Index:
    key = _stamp(district, items)
    index = _cache.get(key)
    if index is None:
        if len(_cache) > 16:
            _cache.clear()
        docs = [(item.pk, name) for item in items for name in _names(item)]
        names = [(pk, _bigrams(name)) for pk, name in docs]
        df = Counter(b for _, grams in names for b in grams)
        idf = {b: math.log((len(names) + 1) / (n + 1)) + 1.0 for b, n in df.items()}
        index = _Index(SimilarityIndex(docs), names, idf)
        _cache[key] = index
    return index


def _scores(index: _Index, text: str) -> dict[int, float]:
    """Per item, the better of: cosine similarity and the
    share of one of the item's names the text contains (so "银行让我开个收入证明" finds 收入证明)."""
    scores: dict[int, float] = {}
    for pk, score in index.cosine.search(text, limit=10):
        scores[pk] = max(scores.get(pk, 0.0), score)
    asked = _bigrams(text)
    for pk, name in index.names:
        if name & asked:
            scores[pk] = max(scores.get(pk, 0.0), index.coverage(name, asked))
    return scores


@dataclass
class CheckResult:
    query: str
    decision: str  # MAY, MUST_NOT or NOT_LISTED
    item: WorkItem | None = None
    score: float = 0.0
    closed: str | None = None  # may-issue item that is closed now, and why
    suggestions: list[WorkItem] = field(default_factory=list)

    @property
    def certificate_type(self) -> CertificateType | None:
        return type_of(self.item) if self.item else None

    @property
    def responsible_body(self) -> str:
        return self.item.issuing_body if self.item and self.decision == MUST_NOT else ""

    @property
    def rule(self) -> str:
        if self.decision == NOT_LISTED:
            return CLOSED_BY_DEFAULT_RULE
        return self.item.legal_basis if self.item else ""


def check(text: str, district: Org) -> CheckResult:
    text = (text or "").strip()[:200]
    found = listed(district)
    items = found.may + found.must_not
    if not text or not items:
        return CheckResult(text, NOT_LISTED)
    by_pk = {i.pk: i for i in items}
    ranked = sorted(_scores(_index(district, items), text).items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < MATCH_SCORE:
        suggestions = [by_pk[pk] for pk, score in ranked[:3] if score >= SUGGEST_SCORE]
        return CheckResult(text, NOT_LISTED, suggestions=suggestions)
    pk, score = ranked[0]
    item = by_pk[pk]
    decision = found.category_of(item)
    # Another item is worth naming only when it matched nearly as well (婚姻状况 / 婚育状况).
    others = [by_pk[p] for p, s in ranked[1:4] if s >= max(MATCH_SCORE, score - 0.15)]
    closed = closed_reason(item, district) if decision == MAY else None
    return CheckResult(text, decision, item, round(score, 3), closed, others)
