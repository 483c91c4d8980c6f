import datetime as dt

import pytest

from jianfu.core import clock
from jianfu.evaluation import services
from jianfu.evaluation.models import Direction, Scale
from jianfu.evaluation.services import IndicatorRow
from jianfu.orgs import services as org_services
from jianfu.orgs.models import OrgKind, Role, User
from jianfu.registry.models import Address, Person, Unit, UnitKind

TODAY = dt.date(2026, 12, 7)  # a Monday, inside the campaigns' ballot weeks


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The cast's accounts are created for every test; Argon2 would make that most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the business clock; returns a setter to move it."""
    state = {"today": TODAY}

    def set_today(day: dt.date):
        state["today"] = day

    monkeypatch.setattr(clock, "today", lambda: state["today"])
    monkeypatch.setattr(clock, "now", lambda: dt.datetime.combine(state["today"], dt.time(9, 0), tzinfo=dt.UTC))
    return set_today


def person(username: str, role: str, org) -> User:
    user = User.objects.create_user(username=username, password="Test-pass-2026", display_name=username)
    org_services.membership_grant(actor=None, user=user, org=org, role=role)
    return user


@pytest.fixture
def housing(tree):
    """Three more departments' worth of context: a third department, and the clerk of the second."""
    tree["housing"] = org_services.org_create(
        actor=None, code="ZJ", name="住建局", kind=OrgKind.DEPARTMENT, parent=tree["district"]
    )
    return tree["housing"]


@pytest.fixture
def civil_clerk(tree):
    return person("civil", Role.CLERK, tree["civil_affairs"])


@pytest.fixture
def community12_worker(tree):
    return person("c12", Role.COMMUNITY, tree["community12"])


def create(office, direction=Direction.DEPARTMENT, **fields):
    defaults = {
        "title": "2026年度评议",
        "direction": direction,
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "opens_on": dt.date(2026, 12, 1),
        "closes_on": dt.date(2026, 12, 20),
        "scale": Scale.FIVE,
    }
    return services.campaign_create(actor=office, **(defaults | fields))


HAND_INDICATORS = [
    IndicatorRow("遵守准入规定", 50),
    IndicatorRow("指导服务基层", 30),
    IndicatorRow("经确认的违规派单", 20, "confirmed_violations"),
]


@pytest.fixture
def campaign(tree, office, frozen):
    """Communities and streets rate the two departments on two opinions and one objective figure."""
    made = create(office)
    services.indicators_set(actor=office, campaign=made, rows=HAND_INDICATORS)
    services.campaign_open(actor=office, campaign=made)
    return made


def target_of(campaign, org):
    return campaign.targets.get(org=org, worker__isnull=True)


def rate(campaign, actor, evaluator, org, *values, comment=""):
    opinion = [i for i in campaign.indicators.all() if i.is_opinion]
    return services.ballot_save(
        actor=actor,
        target=target_of(campaign, org),
        evaluator=evaluator,
        scores={i.pk: v for i, v in zip(opinion, values, strict=True)},
        comment=comment,
    )


def add_households(community, count: int, *, units: int = 0) -> None:
    """`count` resident households (one to three people at an address) and `units` resident units."""
    grid = community.children.order_by("code").first()
    for n in range(count):
        address = Address.objects.create(
            grid=grid,
            community=community,
            org_path=grid.path,
            area="幸福小区",
            building=str(n // 10 + 1),
            room=f"{n % 10 + 1}01",
            key=f"{community.code}-{n}",
            label=f"幸福小区{n // 10 + 1}幢{n % 10 + 1}01室",
        )
        for p in range(n % 3 + 1):
            Person.objects.create(
                name=f"居民{n}-{p}",
                gender="M" if p % 2 else "F",
                birth_date=dt.date(1970 + p, 1, 1),
                address=address,
                grid=grid,
                community=community,
                org_path=grid.path,
            )
    for n in range(units):
        address = Address.objects.create(
            grid=grid,
            community=community,
            org_path=grid.path,
            area="幸福路",
            room=f"{n + 1}号",
            key=f"{community.code}-unit-{n}",
            label=f"幸福路{n + 1}号",
        )
        Unit.objects.create(name=f"幸福超市{n + 1}", kind=UnitKind.SHOP, address=address, org_path=grid.path)
