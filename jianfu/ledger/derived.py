"""Elements derived from the base registry: never typed, computed for any org unit and date.

A derivation is a small JSON query: {"measure": "people", "age_min": 80, "tags": ["elderly_alone"]}.
Measures: people, resident_households, registered_households, houses, units, and org (a figure
the organisation tree keeps for each community, e.g. office space). Filters: age_min,
age_max, gender (M/F), tags (all must hold on the day), house_use, unit_kind, separated (people whose
household registration is elsewhere). Past days read the registry's change history; today and later
read the live tables. All people-based elements of one org and day are one query.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind
from jianfu.registry.models import House, Person, PersonTag, Tag, Unit

MEASURES = ("people", "resident_households", "registered_households", "houses", "units", "org")
# Figures the organisation tree itself keeps for each community (office space, staff …).
ORG_FIELDS = ("office_space_m2", "staff_count", "registered_households", "resident_households", "population")
PEOPLE_FILTERS = {"age_min", "age_max", "gender", "tags", "separated"}


def validate(spec: dict) -> list[str]:
    """Problems with a derivation, in Chinese, for the element form."""
    problems = []
    measure = spec.get("measure")
    if measure not in MEASURES:
        problems.append(_("Unknown measure “%(measure)s”.") % {"measure": measure})
    known = set(Tag.objects.filter(code__in=spec.get("tags", [])).values_list("code", flat=True))
    for code in spec.get("tags", []):
        if code not in known:
            problems.append(_("Unknown tag “%(tag)s”.") % {"tag": code})
    if measure == "org" and spec.get("field") not in ORG_FIELDS:
        problems.append(_("Unknown organisation figure “%(field)s”.") % {"field": spec.get("field")})
    for key in ("age_min", "age_max"):
        if key in spec and (not isinstance(spec[key], int) or spec[key] < 0):
            problems.append(_("Ages must be whole numbers of years."))
    return problems


def describe(spec: dict, tag_names: dict[str, str] | None = None) -> str:
    """A sentence for people: 实有人口 · 80岁及以上 · 标签：独居老人."""
    names = {
        "people": _("people living here"),
        "resident_households": _("resident households"),
        "registered_households": _("registered households"),
        "houses": _("houses"),
        "units": _("units"),
        "org": _("organisation record"),
    }
    parts = [names.get(spec.get("measure"), "?")]
    if "age_min" in spec and "age_max" in spec:
        parts.append(_("aged %(low)s–%(high)s") % {"low": spec["age_min"], "high": spec["age_max"]})
    elif "age_min" in spec:
        parts.append(_("aged %(low)s and over") % {"low": spec["age_min"]})
    elif "age_max" in spec:
        parts.append(_("aged %(high)s and under") % {"high": spec["age_max"]})
    if spec.get("gender"):
        parts.append(_("male") if spec["gender"] == "M" else _("female"))
    if spec.get("tags"):
        tag_names = tag_names or dict(Tag.objects.values_list("code", "name"))
        parts.append(_("tag: %(tags)s") % {"tags": "、".join(tag_names.get(t, t) for t in spec["tags"])})
    if spec.get("separated"):
        parts.append(_("registered elsewhere"))
    if spec.get("house_use"):
        parts.append(spec["house_use"])
    if spec.get("unit_kind"):
        parts.append(spec["unit_kind"])
    if spec.get("field"):
        parts.append(spec["field"])
    return " · ".join(parts)


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def _people_q(spec: dict, day: dt.date, org_path: str) -> Q:
    q = Q()
    if "age_min" in spec:
        q &= Q(birth_date__lte=clock.years_before(day, spec["age_min"]))
    if "age_max" in spec:
        q &= Q(birth_date__gt=clock.years_before(day, spec["age_max"] + 1))
    if spec.get("gender"):
        q &= Q(gender=spec["gender"])
    for code in spec.get("tags", []):
        holders = PersonTag.objects.filter(tag__code=code, since__lte=day).exclude(until__lte=day)
        q &= Q(id__in=holders.values("person_id"))
    if spec.get("separated"):
        # Registered anywhere but the community they live in: the same person counts in their grid,
        # their community and above, so grid figures add up to the community's.
        q &= Q(hukou_community__isnull=True) | ~Q(hukou_community_id=F("community_id"))
    return q


@dataclass(frozen=True)
class _Spec:
    pk: int
    derivation: dict


def people_living(org, day: dt.date) -> int:
    """实有人口: people living in `org` at the end of `day`, by the same derivation as the ledger's
    element {"measure": "people"}; the public community page reads this figure too."""
    return int(compute([_Spec(0, {"measure": "people"})], org, day)[0])


def compute(elements, org, day: dt.date) -> dict[int, Decimal]:
    """Values of derived `elements` for `org` (and everything under it) at the end of `day`."""
    live = day >= clock.today()
    people = Person.objects if live else Person.history.as_of(_moment(day))
    people = people.filter(org_path__startswith=org.path)
    result: dict[int, Decimal] = {}
    person_counts = {}
    for element in elements:
        spec = element.derivation
        measure = spec.get("measure")
        if measure == "people":
            person_counts[f"e{element.pk}"] = Count("pk", filter=_people_q(spec, day, org.path))
        elif measure == "resident_households":
            person_counts[f"e{element.pk}"] = Count(
                "address_id", filter=_people_q(spec, day, org.path) & Q(address__isnull=False), distinct=True
            )
        elif measure == "registered_households":
            registered = Person.objects if live else Person.history.as_of(_moment(day))
            result[element.pk] = Decimal(
                registered.filter(hukou_community__path__startswith=org.path)
                .exclude(hukou_household="")
                .values("hukou_household")
                .distinct()
                .count()
            )
        elif measure == "houses":
            houses = House.objects if live else House.history.as_of(_moment(day))
            houses = houses.filter(address__org_path__startswith=org.path)
            if spec.get("house_use"):
                houses = houses.filter(use=spec["house_use"])
            result[element.pk] = Decimal(houses.count())
        elif measure == "units":
            units = Unit.objects.filter(org_path__startswith=org.path)
            if spec.get("unit_kind"):
                units = units.filter(kind=spec["unit_kind"])
            result[element.pk] = Decimal(units.count())
        elif measure == "org":
            total = Org.objects.filter(path__startswith=org.path, kind=OrgKind.COMMUNITY).aggregate(
                n=Sum(spec["field"])
            )["n"]
            result[element.pk] = Decimal(total or 0)
    if person_counts:
        for key, n in people.aggregate(**person_counts).items():
            result[int(key[1:])] = Decimal(n)
    return result
