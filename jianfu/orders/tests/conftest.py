import datetime as dt
from decimal import Decimal

import pytest

from jianfu.catalog.models import BasisLevel, Category, Frequency, ItemKind, WorkItem
from jianfu.core import clock
from jianfu.orders import services
from jianfu.orders.models import ORDER_KINDS
from jianfu.orgs import services as orgs
from jianfu.orgs.models import User

# Seed 001: campaigns and inspections only at a higher level's explicit request.
HIGHER_BASIS = {
    ItemKind.INSPECTION: {"basis_level": BasisLevel.PROVINCIAL, "basis_document": "《浙江省消防条例》"},
    ItemKind.CAMPAIGN: {"basis_level": BasisLevel.CENTRAL, "basis_document": "中央文明委《全国文明城市测评体系》"},
}
TODAY = dt.date(2026, 3, 2)  # a Monday

# One approved item of each kind a department sends as orders (wording from the seeds).
NAMES = {
    ItemKind.TASK: "独居老人定期走访",
    ItemKind.MEETING: "居委会、业委会、物业服务企业三方协调会议",
    ItemKind.INSPECTION: "消防安全隐患排查检查",
    ItemKind.CAMPAIGN: "全国文明城市创建测评",
    ItemKind.PLATFORM: "浙里办基层治理平台账号",
    ItemKind.BODY: "社区居家养老服务站",
}


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the business clock on a Monday; returns a setter to move it."""
    state = {"today": TODAY}

    def set_today(day: dt.date):
        state["today"] = day

    monkeypatch.setattr(clock, "today", lambda: state["today"])
    monkeypatch.setattr(clock, "now", lambda: dt.datetime.combine(state["today"], dt.time(9, 0), tzinfo=dt.UTC))
    return set_today


def make_item(code, name, department, kind, *, scope_streets=(), **fields) -> WorkItem:
    values = {
        "category": Category.DUTY,
        "year": TODAY.year,
        "legal_basis": "《中华人民共和国城市居民委员会组织法》第三条",
        "frequency": Frequency.MONTHLY,
        "hours_per_occurrence": Decimal("2"),
    }
    values |= HIGHER_BASIS.get(kind, {})
    item = WorkItem.objects.create(code=code, name=name, department=department, kind=kind, **(values | fields))
    item.scope_streets.set(scope_streets)
    return item


@pytest.fixture
def items(tree, frozen) -> dict[str, WorkItem]:
    """The health bureau's items, one per order kind, approved for the first street only."""
    return {
        kind: make_item(f"WJ-{i}", NAMES[kind], tree["health"], kind, scope_streets=[tree["street1"]])
        for i, kind in enumerate(ORDER_KINDS, start=1)
    }


@pytest.fixture
def street_meeting(tree, frozen) -> WorkItem:
    """The first street's own monthly meeting, approved for every street (its reach decides)."""
    return make_item(
        "S1-HY", "街道（镇）社区工作例会", tree["street1"], ItemKind.MEETING, hours_per_occurrence=Decimal(2)
    )


def send(actor, source, item, communities, *, kind=None, hours="2", **extra):
    return services.order_send(
        actor=actor,
        source=source,
        kind=kind or item.kind,
        item=item,
        title=extra.pop("title", "请按事项要求办理"),
        hours=Decimal(hours),
        workdays_to_do=extra.pop("workdays_to_do", 5),
        communities=communities,
        **extra,
    )


def person(username: str, role: str, org) -> User:
    user = User.objects.create_user(username=username, password="Test-pass-2026", display_name=username)
    orgs.membership_grant(actor=None, user=user, org=org, role=role)
    return user
