"""Finding what the system already holds: similar data elements, and the base registry's own fields,
for a new element or for each question of an uploaded survey (the overlap detector's index)."""

from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from jianfu.core.similarity import SimilarityIndex
from jianfu.registry.models import Tag

from .models import DataElement, ElementState

SIMILAR_MIN_SCORE = 0.3
REUSE_MIN_SCORE = 0.55


@dataclass(frozen=True)
class RegistryField:
    key: str
    label: str
    labels: tuple[str, ...]  # how forms usually ask for it
    names: tuple[str, ...] = ()  # XLSForm `name` values meaning it


# What the base registry (一标三实) holds for every person. A survey asking for these is asking
# for data the system already has.
PERSON_FIELDS = [
    RegistryField("person.name", _("Name"), ("姓名", "居民姓名", "老人姓名"), ("name", "full_name")),
    RegistryField("person.gender", _("Gender"), ("性别",), ("gender", "sex")),
    RegistryField("person.birth_date", _("Birth date"), ("出生日期", "出生年月", "生日"), ("birth_date", "dob")),
    RegistryField(
        "person.id_number", _("ID number"), ("公民身份号码", "身份证号码", "身份证号"), ("id_number", "id_card")
    ),
    RegistryField("person.phone", _("Phone"), ("联系电话", "手机号码", "本人电话"), ("phone", "mobile")),
    RegistryField(
        "person.hukou_address", _("Household registration address"), ("户籍地址", "户籍所在地", "户口所在地")
    ),
    RegistryField(
        "person.address", _("Actual address"), ("实际居住地址", "现住址", "居住地址"), ("actual_address", "address")
    ),
]
# Usual questions for the registry's tags, by tag code.
TAG_LABELS = {
    "elderly_alone": ("是否独居", "独居老人"),
    "dibao": ("是否享受最低生活保障", "是否低保对象", "最低生活保障对象"),
    "disabled": ("是否持有残疾人证", "是否残疾人", "残疾人"),
    "veteran": ("是否退役军人",),
    "migrant": ("是否流动人口",),
}
TAG_NAMES = {"elderly_alone": ("lives_alone",), "dibao": ("dibao",), "disabled": ("disabled", "disability")}


def registry_fields() -> list[RegistryField]:
    fields = list(PERSON_FIELDS)
    for code, name in Tag.objects.values_list("code", "name"):
        labels = (name, f"是否{name}", *TAG_LABELS.get(code, ()))
        fields.append(
            RegistryField(f"tag.{code}", _("Tag: %(name)s") % {"name": name}, labels, TAG_NAMES.get(code, ()))
        )
    return fields


def _registry_index(fields: list[RegistryField]) -> SimilarityIndex:
    return SimilarityIndex((f"{i}:{n}", label) for i, f in enumerate(fields) for n, label in enumerate(f.labels))


_cache: dict[tuple, tuple[SimilarityIndex, dict[int, DataElement]]] = {}


def _element_index(district_id: int) -> tuple[SimilarityIndex, dict[int, DataElement]]:
    """The district's elements, indexed once per process until one is added or retired (elements
    are never renamed: a change of meaning is a new element)."""
    live = DataElement.objects.filter(district_id=district_id).exclude(state=ElementState.RETIRED)
    stamp = live.aggregate(n=Count("pk"), last=Max("pk"))
    key = (district_id, stamp["n"], stamp["last"])
    if key not in _cache:
        if len(_cache) > 16:
            _cache.clear()
        elements = {e.pk: e for e in live.order_by("pk")}
        _cache[key] = SimilarityIndex((pk, (e.name, e.definition)) for pk, e in elements.items()), elements
    return _cache[key]


def similar_elements(district_id: int, text: str, limit: int = 5) -> list[tuple[DataElement, float]]:
    """Existing elements most like a new one, best first — shown before a duplicate is made."""
    index, elements = _element_index(district_id)
    return [(elements[pk], score) for pk, score in index.search(text, limit=limit, min_score=SIMILAR_MIN_SCORE)]


class QuestionMatcher:
    """Matches survey questions to the registry first, then to existing data elements."""

    def __init__(self, district_id: int):
        self.fields = registry_fields()
        self.registry = _registry_index(self.fields)
        self.by_name = {n: f for f in self.fields for n in f.names}
        self.elements, self.element_rows = _element_index(district_id)
        self.element_codes = {e.code.lower(): e for e in self.element_rows.values()}

    def match(self, name: str, label: str) -> dict:
        if name in self.by_name:
            field = self.by_name[name]
            return {"reuse": "registry", "key": field.key, "target": str(field.label), "score": 1.0}
        hits = self.registry.search(label, limit=1, min_score=REUSE_MIN_SCORE) if label else []
        if hits:
            field = self.fields[int(hits[0][0].split(":")[0])]
            return {"reuse": "registry", "key": field.key, "target": str(field.label), "score": round(hits[0][1], 3)}
        element = self.element_codes.get(name.lower())
        if element is not None:
            return {"reuse": "element", "key": element.code, "target": element.name, "score": 1.0}
        hits = self.elements.search(label, limit=1, min_score=REUSE_MIN_SCORE) if label else []
        if hits:
            element = self.element_rows[hits[0][0]]
            return {"reuse": "element", "key": element.code, "target": element.name, "score": round(hits[0][1], 3)}
        return {"reuse": "", "key": "", "target": "", "score": 0.0}
