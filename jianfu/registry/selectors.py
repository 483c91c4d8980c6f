"""Figures derived from the registry (never typed) and what each user may read of it."""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet

from jianfu.core import clock
from jianfu.orgs.models import Org

from .models import House, HouseUse, Person, PersonTag, Unit
from .permissions import people_q, visible_tag_ids

AGE_BANDS = [(0, 17), (18, 34), (35, 59), (60, 79), (80, None)]


def age_band_q(low: int, high: int | None, on: dt.date) -> Q:
    q = Q(birth_date__lte=clock.years_before(on, low))
    if high is not None:
        q &= Q(birth_date__gt=clock.years_before(on, high + 1))
    return q


def band_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def figures(org: Org, on: dt.date | None = None) -> dict:
    """Counts for a grid, community, street or district: people by age band, sex and tag;
    registered versus resident households; 人户分离 both ways; rented houses; units by kind."""
    on = on or clock.today()
    people = Person.objects.filter(org_path__startswith=org.path)
    aggregates = {f"age_{band_label(lo, hi)}": Count("pk", filter=age_band_q(lo, hi, on)) for lo, hi in AGE_BANDS}
    aggregates |= {
        "people": Count("pk"),
        "male": Count("pk", filter=Q(gender="M")),
        "female": Count("pk", filter=Q(gender="F")),
        "resident_households": Count("address", distinct=True),
        # 人在户不在: registered anywhere but the community they live in (so grids add up to it).
        "registered_elsewhere": Count(
            "pk", filter=Q(hukou_community__isnull=True) | ~Q(hukou_community_id=F("community_id"))
        ),
    }
    result = people.aggregate(**aggregates)
    registered = Person.objects.filter(hukou_community__path__startswith=org.path)
    result["registered_households"] = (
        registered.exclude(hukou_household="").values("hukou_household").distinct().count()
    )
    # 户在人不在: registered in a community here, living outside that community (none for a grid,
    # which no one is registered in).
    result["living_elsewhere"] = registered.filter(
        Q(community__isnull=True) | ~Q(community_id=F("hukou_community_id"))
    ).count()
    result["tags"] = dict(
        PersonTag.objects.filter(person__org_path__startswith=org.path, until__isnull=True)
        .values_list("tag__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result["rented_houses"] = House.objects.filter(address__org_path__startswith=org.path, use=HouseUse.RENTED).count()
    result["units"] = dict(
        Unit.objects.filter(org_path__startswith=org.path).values_list("kind").annotate(n=Count("pk")).order_by()
    )
    result["age_bands"] = [(band_label(lo, hi), result.pop(f"age_{band_label(lo, hi)}")) for lo, hi in AGE_BANDS]
    return result


def people_for_user(user, *, org: Org | None = None, tag: str = "", search: str = "") -> QuerySet[Person]:
    qs = Person.objects.filter(people_q(user))
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if tag:
        qs = qs.filter(tags__tag__code=tag, tags__until__isnull=True, tags__tag_id__in=visible_tag_ids(user))
    if search:
        qs = qs.filter(name__contains=search)
    return qs.select_related("address", "community", "grid").distinct().order_by("org_path", "address__key", "pk")


def residents_on(org: Org, day: dt.date) -> int:
    """How many people lived in org at the end of `day`, from the change history of each person."""
    from django.utils import timezone

    moment = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    return Person.history.as_of(moment).filter(org_path__startswith=org.path).count()


def exports_for_user(user) -> QuerySet:
    """Export requests a user may see: their own, and for the office those of its district."""
    from jianfu.orgs.models import Role
    from jianfu.orgs.permissions import roots

    from .models import ExportRequest

    qs = ExportRequest.objects.select_related("org", "tag", "requester")
    if user.is_superuser:
        return qs
    q = Q(requester=user)
    for district in roots(user, {Role.OFFICE}):
        q |= Q(org__path__startswith=district.path)
    return qs.filter(q)
