"""Overlap detection and the "这能派吗?" check, on the shared text-similarity index.

Two uses:

* applications: `similar_items` lists the items an application repeats, `negative_list_match` the
  negative-list item it is (cosine over names and descriptions, `jianfu.core.similarity`);
* the check: `check_request` tells a community what a demand that just reached it is — work in force
  here, approved but not yet in force, on the negative list or forbidden, or not listed at all.

The check reads a demand as people send it (a chat message, a notice) and decides by general rules:

1. the sender is taken off first: a leading 【…】 or an organisation of the district named in the
   text (`recognise_sender`), so that "市市场监督管理局" does not make a demand look like 市场 work;
2. forbidden work (`FORBIDDEN`, from 民发〔2015〕136号 and the seeds) is refused whatever else it
   resembles — it wins over "not listed";
3. the demand is compared with every item of the district by *subject*: the words that say what the
   work is, once notice boilerplate, kind words (台账, 调查, 创建 …) and 社区 are gone. The score is
   the geometric mean of the cosine and of the share of the item's name the demand covers, so a long
   demand still meets a short item ("健在证明") and a short item is not met by one shared word; a
   name that joins several pieces of work ("…、特困人员供养和临时救助") is met by its best piece;
4. the kind of work matters: a demand that asks for a ledger, a survey, a campaign, an inspection, a
   plaque, a certificate, a platform or a meeting is covered only by an item of that kind, and an
   item whose name says its kind ("…信息系统协助录入") covers only demands of that kind;
5. whether the item covers *this* community on this date is asked of `jianfu.catalog.gate` (list,
   year, validity, approved streets and community types).
"""

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _

from jianfu.catalog import gate
from jianfu.catalog.models import ENTERING, Category, ItemKind, WorkItem
from jianfu.core import clock
from jianfu.core.similarity import (
    ABBREVIATIONS,
    DEFAULT_REQUEST_THRESHOLD,
    SimilarityIndex,
    fold,
    match_request,
    strip_request_boilerplate,
)
from jianfu.orgs.models import Org, OrgKind

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


# ----------------------------------------------------------------------------------- the check

CHECK_THRESHOLD = 0.35
"""Least subject score for an item to answer a demand. On the labelled demands (tests/data/
demands.json, and as many again written to check it) the item that answers scores 0.39 and up,
the best wrong item of a kind that may answer 0.33 and below."""

NEAR_MIN_SCORE = 0.1
"""Least score for an item to be shown among the nearest when nothing answers."""


@dataclass(frozen=True)
class Rule:
    """Work that must not be sent to a community at all, whatever list it seems to be on."""

    code: str
    rule: str  # the rule, quoted with its source
    pattern: str  # matched on the demand's folded text (sender taken off)


# From 民政部《关于进一步开展社区减负工作的通知》(民发〔2015〕136号) and the seeds (001: no one-vote veto;
# the negative lists of 001/003). Order matters: the first rule that matches is the one named.
FORBIDDEN = [
    Rule(
        "demolition",
        "民发〔2015〕136号：房屋征收拆迁和违法建设拆除是征收部门、综合行政执法部门的职责，不得交由社区承担",
        r"拆迁|拆违|征迁|房屋征收|违法建设|违法建筑|违法搭建|违章建筑|违章搭建|违建|私搭乱建",
    ),
    Rule(
        "revenue",
        "民发〔2015〕136号：不得将招商引资、协税护税、经济创收和经济指标催报等任务交由社区承担",
        r"招商引资|招商线索|协税护税|代征.{0,4}税|催缴.{0,4}税|税源|经济创收|创收指标|经济指标",
    ),
    Rule(
        "safety",
        "民发〔2015〕136号：社区不是安全生产监管的责任主体，不得要求社区对企业开展安全生产检查或签订责任书",
        r"安全生产.{0,4}(监管|检查|执法|督查|责任书)|企业.{0,6}安全.{0,4}(检查|监管)|安全.{0,4}责任书",
    ),
    Rule(
        "enforcement",
        "民发〔2015〕136号：社区不是行政执法的主体，不得要求社区承担城市管理、环境整治、市场监管等执法和查处",
        r"执法(?!局|队|大队|中队|支队|部门|机关|人员)|查处|取缔|罚款|行政处罚|没收|责令",
    ),
    Rule(
        "veto",
        "北京市《关于进一步开展社区减负工作的意见》：取消对社区的“一票否决”事项",
        r"一票否决",
    ),
    Rule(
        "own_duty",
        "社区工作准入规定：部门和政府的法定职责不得转嫁社区",
        r"本部门的?法定职责|代替?部门(履行|履职)",
    ),
]


def forbidden_rule(text: str) -> Rule | None:
    folded = fold(text)
    return next((rule for rule in FORBIDDEN if re.search(rule.pattern, folded)), None)


# Words that make a demand of a kind (on folded text). A task is what is left.
DEMAND_KINDS: dict[str, str] = {
    ItemKind.CERTIFICATE: r"证明|开具|出具|盖章|公章",
    ItemKind.CAMPAIGN: r"创建|评比|评选|争创|达标|星级|十佳|最美|示范(社区|小区|点|单位|户)",
    ItemKind.INSPECTION: r"考核|考评|督查|迎检|验收|暗访|测评|检查组|抽查|审计|监督检查",
    ItemKind.BODY: r"挂牌|牌子|加挂|挂.{0,2}牌|(设立|成立|组建).{0,8}(站|室|点|中心|小组|工作机构)",
    ItemKind.MEETING: r"会议|例会|开会|参会|座谈会|听证会|推进会|议事|协商",
    ItemKind.PLATFORM: r"app|系统|平台|公众号|小程序|录入|网站|工单|热线|实名注册|(下载|安装|注册).{0,6}(软件|客户端)",
    ItemKind.SURVEY: r"调查|问卷|普查|抽样|摸底",
    ItemKind.LEDGER: r"台账|名册|名单|报表|统计表|登记表|记录",
}
# The same words in an item's name say its kind ("…信息系统协助录入"): such an item answers only
# demands of that kind. A certificate or a work body (plaque) is always its kind, whatever its name.
ALWAYS_MARKED = {ItemKind.CERTIFICATE, ItemKind.BODY}
# Which kinds of item may answer a demand of a kind: reports and surveys go together (both go
# through the ledger), and a system to fill in is a report too.
ANSWERS: dict[str, set[str]] = {
    ItemKind.SURVEY: {ItemKind.SURVEY, ItemKind.LEDGER},
    ItemKind.LEDGER: {ItemKind.LEDGER, ItemKind.SURVEY, ItemKind.PLATFORM},
    ItemKind.PLATFORM: {ItemKind.PLATFORM, ItemKind.LEDGER},
}
ALL_KINDS = set(ItemKind.values)


def demand_kinds(text: str) -> list[str]:
    """The kinds a demand asks for, most telling first (empty: a task)."""
    folded = fold(text)
    return [kind for kind, words in DEMAND_KINDS.items() if re.search(words, folded)]


def _item_kind_marked(item: "_Entry") -> bool:
    words = DEMAND_KINDS.get(item.kind)
    return item.kind in ALWAYS_MARKED or bool(words and re.search(words, item.folded))


def kind_marked_elsewhere(kinds: list[str], item: "_Entry") -> bool:
    """Whether the item's name says a kind the demand does not ask for ("居民养犬证明" for a
    campaign about dogs): a negative-list item answers only demands of the kind its name says."""
    return _item_kind_marked(item) and item.kind not in kinds


def wanted_kinds(kinds: list[str], item: "_Entry") -> set[str]:
    """The kinds of item that may answer this demand, asked of this item."""
    if kinds:
        return set().union(*(ANSWERS.get(kind, {kind}) for kind in kinds))
    # A demand that says no kind is a task; an item whose name says its kind does not answer it.
    return ALL_KINDS - {item.kind} if _item_kind_marked(item) else ALL_KINDS


# ------------------------------------------------------------------------------------- senders

SENDER_KINDS = (OrgKind.DEPARTMENT, OrgKind.GROUP_ORG, OrgKind.STREET, OrgKind.TOWN)
_BRACKET = re.compile(r"[【\[［〔]\s*([^】\]］〕]{1,40}?)\s*[】\]］〕]")
# What a sender's name ends with, to keep an unknown sender as written (【区城管中队】) and tell it
# from a tag (【紧急】).
_ORG_ENDING = re.compile(r"(局|委|办|办公室|街道|镇|乡|会|院|所|中心|部|队|站|处|科|团|联|社区)$")


def _aliases(org: Org) -> list[str]:
    names = [org.name]
    if org.name.startswith("市") and len(org.name) > 3:
        names.append(org.name[1:])  # 市民政局 → 民政局
    return names


def _is_subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


def _resolve(written: str, senders: list[Org]) -> Org | None:
    """The organisation a bracketed sender names: its name, a part of it, or a short form written
    with its characters in order (市场监管局 → 市市场监督管理局, 卫健局 → 市卫生健康局)."""
    written = fold(written)
    if len(written) < 2:
        return None
    for test in (
        lambda name: name == written or name.endswith(written) and len(written) >= 3,
        lambda name: written.endswith(name),
        lambda name: len(written) >= 3 and written[-1] == name[-1] and _is_subsequence(written, name),
    ):
        found = [o for o in senders if any(test(fold(a)) for a in _aliases(o))]
        if found:
            found.sort(key=lambda o: len(o.name))
            if len(found) == 1 or len(found[0].name) < len(found[1].name):
                return found[0]
            return None
    return None


@dataclass
class Sender:
    org: Org | None
    written: str  # the sender as written, when it is not an organisation of the district
    text: str  # the demand without its sender


def recognise_sender(text: str, district: Org | None) -> Sender:
    """Who sent the demand: a 【…】 (a department, a street, or as written) or, failing that, the
    first organisation of the district the text names. Tags such as 【紧急】 are dropped too."""
    senders = _senders(district)
    org, written = None, ""
    for match in _BRACKET.finditer(text):
        found = _resolve(match.group(1), senders)
        if found is not None and org is None:
            org = found
        elif found is None and not written and _ORG_ENDING.search(match.group(1)):
            written = match.group(1)[:60]
    body = _BRACKET.sub(" ", text)
    if org is None and not written:
        named = [(body.find(alias), -len(alias), o) for o in senders for alias in _aliases(o) if alias in body]
        if named:
            org = min(named, key=lambda n: (n[0], n[1]))[2]
    if org is not None:
        for alias in sorted(_aliases(org), key=len, reverse=True):
            body = body.replace(alias, " ")
    return Sender(org, "" if org else written, body)


def _senders(district: Org | None) -> list[Org]:
    qs = Org.objects.filter(kind__in=SENDER_KINDS)
    if district is not None:
        qs = qs.filter(parent=district)
    return list(qs.only("pk", "name", "kind", "parent_id", "path").order_by("path"))


# ------------------------------------------------------------------------------------- scoring

# Kind words and 社区 say nothing about what the work is: the subject is what is left.
_NOT_SUBJECT = re.compile(
    r"社区|台账|花名册|名册|报表|统计表|登记表|问卷|调查|普查|创建|评比|评选|考核|考评|督查|信息系统|系统|平台|app"
    r"|录入|证明|会议|例会|挂牌"
)
_ABBREVIATION = re.compile("|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)))
_TOKEN = re.compile(r"[a-z0-9]+|[^\W\d_a-z]")


def _subject(text: str) -> Counter:
    """Unigrams (½) and bigrams (1) of the subject words."""
    stripped = _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(0)], strip_request_boilerplate(text))
    grams: Counter = Counter()
    for segment in _NOT_SUBJECT.sub(" ", stripped).split():
        tokens = _TOKEN.findall(segment)
        for token in tokens:
            grams["1" + token] += 0.5
        for left, right in zip(tokens, tokens[1:], strict=False):
            grams["2" + left + right] += 1.0
    return grams


def _weigh(grams: Counter, idf: dict[str, float], unseen: float) -> dict[str, float]:
    return {g: (1.0 + math.log(n) if n >= 1 else n) * idf.get(g, unseen) for g, n in grams.items()}


@dataclass
class _Vector:
    weights: dict[str, float]
    norm: float
    mass: float

    @classmethod
    def of(cls, weights: dict[str, float]) -> "_Vector":
        return cls(weights, math.sqrt(sum(v * v for v in weights.values())), sum(weights.values()))


@dataclass
class _Entry:
    pk: int
    folded: str
    kind: str
    vectors: list[_Vector]  # the whole name, then each of its parts


# Item names join several pieces of work ("协助做好最低生活保障、特困人员供养和临时救助"): a demand
# about one of them is met by that part.
_PARTS = re.compile(r"[、，,；;/（）()]|和(?!谐)|及(?!时)")


class SubjectIndex:
    """The district's items by subject: score = √(cosine × share of the item's name covered), for
    the whole name or its best part; at least one two-character word must be shared."""

    def __init__(self, items: list[WorkItem]):
        grams = {i.pk: [_subject(i.name)] + _part_grams(i.name) for i in items}
        frequency: Counter = Counter()
        for pieces in grams.values():
            frequency.update(pieces[0].keys())
        total = len(items)
        self.idf = {g: math.log((total + 1) / (n + 1)) + 1.0 for g, n in frequency.items()}
        self.unseen = math.log(total + 1) + 1.0
        self.entries = []
        for item in items:
            vectors = [_Vector.of(_weigh(g, self.idf, self.unseen)) for g in grams[item.pk]]
            if vectors[0].norm:
                self.entries.append(_Entry(item.pk, fold(item.name), item.kind, vectors))

    def search(self, text: str, min_score: float = 0.0) -> list[tuple[_Entry, float]]:
        query = _Vector.of(_weigh(_subject(text), self.idf, self.unseen))
        if not query.norm:
            return []
        found = []
        for entry in self.entries:
            whole, *parts = entry.vectors
            score = max([_score(query, whole)] + [_score(query, part, whole) for part in parts])
            if score > 0 and score >= min_score:
                found.append((entry, score))
        found.sort(key=lambda hit: (-hit[1], hit[0].pk))
        return found


def _part_grams(name: str) -> list[Counter]:
    parts = [part for part in _PARTS.split(name) if part.strip()]
    if len(parts) < 2:
        return []
    # A part must hold a word of its own (a bigram), else it says nothing.
    return [g for g in map(_subject, parts) if any(k.startswith("2") for k in g)]


def _words(grams) -> set[str]:
    return {g for g in grams if g.startswith("2")}


def _score(query: _Vector, item: _Vector, whole: _Vector | None = None) -> float:
    """√(cosine × coverage) of the item's name (or of a part of it, `whole` being the name)."""
    common = query.weights.keys() & item.weights.keys()
    if not item.norm or not _words(common):
        return 0.0
    if whole is not None and len(_words(item.weights)) == 1:
        # A one-word part ("高龄、独居、空巢老年人…", "…动员和入户") counts only when the demand
        # meets the rest of the name too: "独居老人" does, "入户宣传" alone does not.
        if not _words(query.weights.keys() & whole.weights.keys()) - _words(item.weights):
            return 0.0
    cosine = sum(query.weights[g] * item.weights[g] for g in common) / query.norm / item.norm
    covered = sum(item.weights[g] for g in common) / item.mass
    return math.sqrt(cosine * covered)


_subject_cache: dict[tuple, SubjectIndex] = {}


def _candidates(district: Org | None, on: dt.date):
    """Every item the check may name: this year's and later years' items, and last year's (the
    cancelled ones among them), to explain why they no longer cover anything. `_subject_index`
    keeps one item per name."""
    qs = WorkItem.objects.filter(year__gte=on.year - 1)
    if district is not None:
        qs = qs.filter(department__path__startswith=district.path)
    return qs


def _year_rank(year: int, on: dt.date) -> tuple[int, int]:
    return (0 if year == on.year else 1 if year > on.year else 2, abs(year - on.year))


def _subject_index(district: Org | None, on: dt.date) -> tuple[SubjectIndex, QuerySet[WorkItem]]:
    """The district's subject index (rebuilt when its items change) and the query that loads hits."""
    qs = _candidates(district, on)
    stamp = qs.aggregate(n=Count("pk"), last=Max("pk"), t=Max("updated_at"))
    key = (district.pk if district else None, on, stamp["n"], stamp["last"], stamp["t"])
    index = _subject_cache.get(key)
    if index is None:
        if len(_subject_cache) > 8:
            _subject_cache.clear()
        newest: dict[str, WorkItem] = {}
        for item in qs.only("pk", "name", "kind", "category", "year").order_by("pk"):
            # One item per name: this year's before a later year's, either before an older one.
            kept = newest.get(item.name)
            if kept is None or _year_rank(item.year, on) < _year_rank(kept.year, on):
                newest[item.name] = item
        index = SubjectIndex(sorted(newest.values(), key=lambda i: i.pk))
        _subject_cache[key] = index
    items = WorkItem.objects.select_related("department").prefetch_related("scope_streets")
    return index, items


# ------------------------------------------------------------------------------------- results


@dataclass
class Near:
    item: WorkItem
    score: float
    reason: str


@dataclass
class CheckResult:
    status: str  # "in_force", "not_yet", "negative" (negative list or forbidden work) or "not_in_force"
    item: WorkItem | None = None
    score: float = 0.0
    rule: Rule | None = None  # the forbidden-work rule that refuses it
    sender: Org | None = None
    sender_written: str = ""
    kind: str = ""
    community: Org | None = None
    starts_on: dt.date | None = None  # not_yet: from when the item is in force
    near: list[Near] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.status != "in_force"

    @property
    def source(self) -> str:
        return self.sender.name if self.sender else self.sender_written


def _reason(item: WorkItem, community: Org | None, wanted: set[str], on: dt.date) -> str:
    if community is not None:
        return gate.refusal(item, community, kind=wanted, on=on)
    return gate.standing(item, kind=wanted, on=on)


def _starts_on(item: WorkItem, on: dt.date) -> dt.date | None:
    """The day an approved item not yet in force will be (None if it is not such an item)."""
    if item.category not in ENTERING or item.year <= on.year:
        return None
    try:
        start = item.application.start_date
    except ObjectDoesNotExist:
        start = None
    start = start if start and start.year == item.year else dt.date(item.year, 1, 1)
    return start if not gate.standing(item, on=start) else None


def check_request(message: str, district: Org | None = None, *, community: Org | None = None, on=None) -> CheckResult:
    """What a demand that reached a community is (see the module's docstring). `community`: where it
    arrived, so that the approved scope counts; without it only the item's standing is asked."""
    on = on or clock.today()
    if district is None and community is not None:
        district = Org.objects.get(pk=community.district_id)
    sender = recognise_sender(message, district)
    text = sender.text
    kinds = demand_kinds(text)
    base = {"sender": sender.org, "sender_written": sender.written, "community": community}
    index, items = _subject_index(district, on)
    hits = index.search(text, min_score=NEAR_MIN_SCORE)
    loaded = items.in_bulk([entry.pk for entry, _score in hits[:40]])
    ranked = [(loaded[entry.pk], entry, score) for entry, score in hits if entry.pk in loaded]

    rule = forbidden_rule(text)
    if rule is not None:
        item, score = _item_of_rule(rule, district, ranked, on)
        return CheckResult("negative", item, score, rule=rule, kind=_kind_of(kinds, item), **base)
    negatives = [
        (item, score)
        for item, entry, score in ranked
        if item.category == Category.NEGATIVE and not kind_marked_elsewhere(kinds, entry)
    ]

    covering, starting = None, None
    for item, entry, score in ranked:
        if score < CHECK_THRESHOLD or item.category == Category.NEGATIVE:
            continue
        wanted = wanted_kinds(kinds, entry)
        if covering is None and not _reason(item, community, wanted, on):
            covering = (item, score)
        if starting is None and item.kind in wanted and (starts := _starts_on(item, on)):
            starting = (item, score, starts)
    negative = next(((i, s) for i, s in negatives if s >= CHECK_THRESHOLD), None)
    if negative and (covering is None or negative[1] >= covering[1]):
        return CheckResult("negative", negative[0], negative[1], kind=_kind_of(kinds, negative[0]), **base)
    if covering:
        return CheckResult("in_force", covering[0], covering[1], kind=covering[0].kind, **base)
    if starting:
        item, score, starts = starting
        return CheckResult("not_yet", item, score, kind=item.kind, starts_on=starts, **base)
    near = [
        Near(item, score, _near_reason(item, entry, kinds, community, on, score)) for item, entry, score in ranked[:3]
    ]
    return CheckResult("not_in_force", kind=_kind_of(kinds, None), near=near, **base)


def _item_of_rule(rule: Rule, district: Org | None, ranked, on: dt.date) -> tuple[WorkItem | None, float]:
    """The negative-list item that carries the rule (for its responsible body), the nearest first."""
    scores = {item.pk: score for item, _entry, score in ranked}
    negative = _negative(district).filter(year__gte=on.year).select_related("department")
    of_rule = [item for item in negative.order_by("code") if re.search(rule.pattern, fold(item.name))]
    if not of_rule:
        return None, 0.0
    best = max(of_rule, key=lambda item: scores.get(item.pk, 0.0))
    return best, scores.get(best.pk, 0.0)


def _kind_of(kinds: list[str], item: WorkItem | None) -> str:
    if kinds:
        return kinds[0]
    return item.kind if item is not None else ItemKind.TASK


def _near_reason(item: WorkItem, entry: _Entry, kinds: list[str], community: Org | None, on, score: float) -> str:
    """Why a near item does not cover the demand: off the lists or out of date first (cancelled,
    negative, another year), then another kind of work or another place, else other work."""
    return (
        gate.standing(item, on=on) or _reason(item, community, wanted_kinds(kinds, entry), on) or _too_far(item, score)
    )


def _too_far(item: WorkItem, score: float) -> str:
    return _("“%(item)s” is in force, but it is other work (%(score)s %% alike): it does not cover this demand.") % {
        "item": item.name,
        "score": round(score * 100),
    }
