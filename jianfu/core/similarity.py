"""In-process Chinese text similarity for catalog items.

Texts are folded (traditional → simplified with OpenCC "t2s", NFKC full-width → half-width, lowercase,
punctuation and whitespace dropped), split into unigrams and bigrams (CJK characters one by one, runs of
Latin letters and digits as one token), weighted by TF-IDF and compared by cosine through an inverted
index. No model is loaded and nothing is downloaded.

Used for two things:

* overlap detection: ``SimilarityIndex(...).search(application_text)`` lists the catalog items most
  similar to a department's new application;
* the "is this allowed?" check: ``match_request(index, chat_message, threshold=DEFAULT_REQUEST_THRESHOLD)``
  strips the notice boilerplate from a message a community worker received and returns the approved
  catalog item it matches, or ``None`` when nothing matches well enough (the work is not in force).

A document may be a plain string or a ``(name, description)`` pair. In a pair the name's features count
``NAME_WEIGHT`` times as much as the description's, so an item is found by what it is called first and
by what it says second.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Generic, TypeVar

import opencc

__all__ = [
    "DEFAULT_REQUEST_THRESHOLD",
    "NAME_WEIGHT",
    "Doc",
    "SimilarityIndex",
    "fold",
    "match_request",
    "strip_request_boilerplate",
]

K = TypeVar("K")

Doc = str | tuple[str, str]
"""A plain text, or an item's (name, description)."""

NAME_WEIGHT = 2.0
"""How much more an item's name counts than its description when a document is a (name, description) pair."""

DEFAULT_REQUEST_THRESHOLD = 0.25
"""Least score for ``match_request`` to call a chat message a request under a catalog item.

Tuned on item names (with ABBREVIATIONS expanded): messages about an item scored 0.27 and up, unrelated ones 0.20 and
below. Long descriptions in (name, description) documents lower every score, so recheck it for such an index.
"""

# Unigrams tell script-level overlap, bigrams tell words; bigrams carry most of the meaning in Chinese.
_UNIGRAM_WEIGHT = 0.5
_BIGRAM_WEIGHT = 1.0

# A token is one CJK character, or a run of ASCII letters and digits (after NFKC, so full-width ones too).
_TOKEN = re.compile(r"[a-z0-9]+|[^\W\d_a-z]", re.UNICODE)
# Anything that is not a letter or digit separates segments; no bigram spans a separator.
_SEPARATOR = re.compile(r"[\W_]+", re.UNICODE)


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _normalize(text: str) -> str:
    """NFKC, traditional → simplified, lowercase; punctuation is kept so callers can still split on it."""
    text = unicodedata.normalize("NFKC", text)
    return _converter().convert(text).lower()


def _segments(normalized: str) -> list[str]:
    return [segment for segment in _SEPARATOR.split(normalized) if segment]


def fold(text: str) -> str:
    """Text folded for comparison: simplified script, half-width, lowercase, no punctuation or whitespace."""
    return "".join(_segments(_normalize(text)))


# Short forms that people write in messages and the long forms that lists use; both sides are
# expanded, so "低保" meets "最低生活保障" and "独居老人" meets "独居老年人".
ABBREVIATIONS = {
    "低保": "最低生活保障",
    "医保": "医疗保险",
    "社保": "社会保险",
    "计生": "计划生育",
    "老人": "老年人",
    "出租屋": "出租房屋",
}
_ABBREVIATION = re.compile("|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)))


def _expand(normalized: str) -> str:
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(0)], normalized)


def _features(text: str, weight: float = 1.0) -> Counter[str]:
    counts: Counter[str] = Counter()
    for segment in _segments(_expand(_normalize(text))):
        tokens = _TOKEN.findall(segment)
        for token in tokens:
            counts["1" + token] += _UNIGRAM_WEIGHT * weight
        for left, right in zip(tokens, tokens[1:], strict=False):
            counts["2" + left + right] += _BIGRAM_WEIGHT * weight
    return counts


def _doc_features(doc: Doc) -> Counter[str]:
    if isinstance(doc, str):
        return _features(doc)
    name, description = doc
    features = _features(name, NAME_WEIGHT)
    features.update(_features(description))
    return features


class SimilarityIndex(Generic[K]):
    """TF-IDF cosine over character unigrams and bigrams, searched through an inverted index."""

    def __init__(self, docs: Iterable[tuple[K, Doc]]) -> None:
        self._keys: list[K] = []
        doc_features: list[Counter[str]] = []
        for key, doc in docs:
            self._keys.append(key)
            doc_features.append(_doc_features(doc))

        document_frequency: Counter[str] = Counter()
        for features in doc_features:
            document_frequency.update(features.keys())
        total = len(doc_features)
        self._idf: dict[str, float] = {
            term: math.log((total + 1) / (count + 1)) + 1.0 for term, count in document_frequency.items()
        }
        # A query term no document has gets the largest weight: it makes the query unlike every document.
        self._unseen_idf = math.log(total + 1) + 1.0

        postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        for position, features in enumerate(doc_features):
            vector = {term: self._tf(count) * self._idf[term] for term, count in features.items()}
            norm = math.sqrt(sum(value * value for value in vector.values()))
            if norm == 0.0:
                continue
            for term, value in vector.items():
                postings[term].append((position, value / norm))
        self._postings: dict[str, list[tuple[int, float]]] = dict(postings)

    @staticmethod
    def _tf(count: float) -> float:
        # Sublinear, so a character repeated in a long description does not drown the rest.
        return 1.0 + math.log(count) if count >= 1.0 else count

    def __len__(self) -> int:
        return len(self._keys)

    def search(self, query: str, *, limit: int = 10, min_score: float = 0.0) -> list[tuple[K, float]]:
        """The documents most similar to ``query``, best first, each with a cosine score in [0, 1]."""
        if limit <= 0:
            return []
        features = _features(query)
        vector = {term: self._tf(count) * self._idf.get(term, self._unseen_idf) for term, count in features.items()}
        norm = math.sqrt(sum(value * value for value in vector.values()))
        if norm == 0.0:
            return []
        scores: defaultdict[int, float] = defaultdict(float)
        for term, value in vector.items():
            weight = value / norm
            for position, doc_weight in self._postings.get(term, ()):
                scores[position] += weight * doc_weight
        best = heapq.nlargest(limit, scores.items(), key=lambda item: (item[1], -item[0]))
        return [
            (self._keys[position], min(score, 1.0)) for position, score in best if score > 0.0 and score >= min_score
        ]


# Boilerplate of chat messages and notices: who is asked, by when, how to hand it in, and politeness.
# Matched on normalized (simplified, half-width, lowercase) text, longest alternatives first.
_CN_NUMBER = r"[0-9零〇一二两三四五六七八九十百千万]"
_WEEKDAY = r"(?:本|下|这|上)?(?:周|星期|礼拜)[一二三四五六日天末]"
_DAY = (
    rf"(?:今天|今日|明天|明日|后天|{_WEEKDAY}|(?:本|下|这)(?:周|星期|月|季度)|(?:今|明|去|本)年|(?:本|下)?月(?:底|中|初)"
    rf"|年底|年前|节前|{_CN_NUMBER}+\s*(?:年|月|日|号)(?:{_CN_NUMBER}+\s*(?:月|日|号))*)"
)
_TIME_OF_DAY = rf"(?:上午|下午|中午|晚上|早上|下班|上班|{_CN_NUMBER}+\s*(?:点|时)(?:半|{_CN_NUMBER}+分?)?|\d+:\d+)"
_BOILERPLATE_PATTERNS: tuple[str, ...] = (
    # Deadlines: 于周五前, 于3月15日下班前, 本周内, 今天下午5点前, 截至10月底.
    rf"(?:于|在|请于|务必于)?\s*(?:{_DAY}\s*)+(?:{_TIME_OF_DAY}\s*)*(?:之前|以前|前|内|之内)",
    rf"(?:于|在)?\s*{_TIME_OF_DAY}\s*(?:之前|以前|前)",
    rf"(?:截止|截至)(?:时间|日期)?(?:为|到)?\s*(?:{_DAY}|{_TIME_OF_DAY})*",
    # Dates, times, phone numbers and other numbers, with the unit they count.
    r"\d+\s*[.:/-]\s*\d+(?:\s*[.:/-]\s*\d+)*",
    rf"{_CN_NUMBER}+\s*(?:年|月|日|号)(?={_CN_NUMBER}|\W|$)",
    r"\d+(?:\.\d+)?\s*(?:周岁|岁|年|月|日|号|点|时|分|人|户|份|个|天|名|次|元|万元|%)?(?:以上|以下|及以上|及以下)?",
    # Days and times of day not tied to a deadline: 本周六上午, 今年, 每日.
    _DAY,
    _TIME_OF_DAY,
    r"每(?:天|日|周|月)",
    # Who is addressed.
    # 社区 alone is kept: it is part of subjects such as 社区矫正.
    r"(?:请各|请|各)(?:社区|居委会|村居|村|网格员们|网格员|网格|位同事|位)",
    r"社区书记|居委会主任|网格员们|网格员|大家|同志们",
    r"(?<!申)请",
    # How it is handed in.
    r"(?:报送|上报|填报|报给|报至|提交|反馈|回复|发送|发至|发到|发给|汇总后|汇总)(?:至|到|给)?",
    r"收到请回复|收到请回|请回复收到|见附件|详见附件|附件|电子版|纸质版|盖章|签字|表格|模板|excel|xlsx|wps|邮箱|微信群|工作群|群里|群内",
    r"联系人|联系电话|联系方式|电话|手机号",
    # Where, and words that say nothing about the subject.
    r"本辖区|辖区内|辖区|相关|有关|情况|工作|通知|紧急|特急|重要|提醒|务必|按时|及时|尽快|准时|确保|准确|无误|认真|做好|抓紧|逾期|未报|谢谢|辛苦|感谢",
    r"以上|以下|如下|按照|根据|要求|完成|进行|开展|组织",
    r"的|以及|及|并|等",
)
_BOILERPLATE = re.compile("|".join(f"(?:{pattern})" for pattern in _BOILERPLATE_PATTERNS))


def strip_request_boilerplate(text: str) -> str:
    """The subject words of a request message, normalized, with boilerplate replaced by spaces.

    The result keeps a space wherever something was removed, so no bigram is formed across the gap.
    """
    stripped = _BOILERPLATE.sub(" ", _normalize(text))
    return " ".join(_segments(stripped))


def match_request(index: SimilarityIndex[K], message: str, *, threshold: float) -> tuple[K, float] | None:
    """The catalog item a request message falls under, with its score, or ``None`` if none reaches ``threshold``."""
    subject = strip_request_boilerplate(message)
    if not subject:
        return None
    results = index.search(subject, limit=1, min_score=threshold)
    return results[0] if results else None
