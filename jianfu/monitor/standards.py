"""Standards every community and grid is checked against, from the organisation tree itself:
space (慈溪, seed 002: 40 m² per 100 households), staffing (one worker per 300 households), community
size (德城, seed 003: about 3 000 households) and grid size (300–500 resident households).

Seed 002 itself warns of 人户分离 (旦苑: 438 registered, 2 260 living there; 古塘: 2 800 registered,
about 1 500 living there), so space, staff and community size show both figures and judge on the
larger (Org.standard_households). Grids are drawn on the households living there and judged on those."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from jianfu.orgs.models import Org, OrgKind


@dataclass
class Breach:
    org: Org
    figure: Decimal | int  # what it has
    required: Decimal | int  # what the standard asks
    gap: Decimal | int  # how far off (m² or workers short; households over or under)
    fix: str


@dataclass
class Standard:
    key: str
    title: str
    rule: str
    unit: str
    breaches: list[Breach]


def _communities(scope: Org) -> list[Org]:
    return list(
        Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=scope.path)
        .select_related("parent")
        .order_by("path")
    )


def space(communities: list[Org]) -> Standard:
    per_100 = settings.JIANFU["SPACE_M2_PER_100_HOUSEHOLDS"]
    breaches = [
        Breach(
            c,
            c.office_space_m2,
            c.space_required_m2(),
            c.space_shortfall_m2(),
            _("add %(m2)s m² of office and activity space") % {"m2": c.space_shortfall_m2()},
        )
        for c in communities
        if c.space_shortfall_m2() > 0
    ]
    breaches.sort(key=lambda b: -b.gap)
    return Standard(
        "space",
        _("Below the space standard"),
        _("%(m2)s m² of office and activity space per 100 households, registered or living there, whichever is more")
        % {"m2": per_100},
        "m²",
        breaches,
    )


def staffing(communities: list[Org]) -> Standard:
    per_worker = settings.JIANFU["HOUSEHOLDS_PER_WORKER"]
    breaches = [
        Breach(
            c,
            c.staff_count,
            c.staff_required(),
            c.staff_shortfall(),
            _("add %(n)s workers") % {"n": c.staff_shortfall()},
        )
        for c in communities
        if c.staff_shortfall() > 0
    ]
    breaches.sort(key=lambda b: -b.gap)
    return Standard(
        "staffing",
        _("Below the staffing ratio"),
        _("one full-time worker per %(n)s households, registered or living there, whichever is more")
        % {"n": per_worker},
        _("workers"),
        breaches,
    )


def _band(orgs: list[Org], low: int, high: int, small_fix: str, large_fix: str, households_of) -> list[Breach]:
    breaches = []
    for o in orgs:
        households = households_of(o)
        if households < low:
            breaches.append(Breach(o, households, low, low - households, small_fix))
        elif households > high:
            breaches.append(Breach(o, households, high, households - high, large_fix))
    return breaches


def community_size(communities: list[Org]) -> Standard:
    low, high = settings.JIANFU["COMMUNITY_HOUSEHOLDS_MIN"], settings.JIANFU["COMMUNITY_HOUSEHOLDS_MAX"]
    return Standard(
        "community_size",
        _("Communities outside the size band"),
        _("%(low)s–%(high)s households, registered or living there, whichever is more (about 3 000)")
        % {"low": low, "high": high},
        _("households"),
        _band(
            communities,
            low,
            high,
            _("consider merging with a neighbouring community"),
            _("consider splitting the community"),
            lambda c: c.standard_households,
        ),
    )


def grid_size(scope: Org) -> Standard:
    low, high = settings.JIANFU["GRID_HOUSEHOLDS_MIN"], settings.JIANFU["GRID_HOUSEHOLDS_MAX"]
    grids = list(
        Org.objects.filter(kind=OrgKind.GRID, path__startswith=scope.path).select_related("parent").order_by("path")
    )
    return Standard(
        "grid_size",
        _("Grids outside the size band"),
        _("%(low)s–%(high)s resident households per grid") % {"low": low, "high": high},
        _("households"),
        _band(
            grids,
            low,
            high,
            _("merge with a neighbouring grid"),
            _("split the grid"),
            lambda g: g.resident_households,
        ),
    )


def check(scope: Org) -> list[Standard]:
    """All four standards for the communities and grids under `scope` (three queries)."""
    communities = _communities(scope)
    return [space(communities), staffing(communities), community_size(communities), grid_size(scope)]
