"""Fixtures for cases: a frozen clock, a city-management department with its clerk, one whistle
category and one grid category with a few matters, and two service items (one done at the window
under an item in force)."""

import datetime as dt

import pytest
from django.utils import timezone

from jianfu.catalog.models import Category, ItemKind, WorkItem
from jianfu.core import clock
from jianfu.orgs import services as orgs
from jianfu.orgs.models import OrgKind, Role, User

from ..models import GroupKind, HandledAt, Matter, MatterGroup, ServiceGroup, ServiceItem

# Tuesday 30 September 2025, 10:00: the eve of the National Day holiday (1–8 October), with the
# make-up Saturday 11 October after it.
START = timezone.make_aware(dt.datetime(2025, 9, 30, 10, 0))


class Clock:
    def __init__(self, start: dt.datetime):
        self.at = start

    def set(self, moment: dt.datetime) -> None:
        self.at = moment if timezone.is_aware(moment) else timezone.make_aware(moment)

    def advance(self, **delta) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The cast's users are created for every test and no test here types a password: skip Argon2's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen(monkeypatch):
    """The business clock, frozen at START; move it with .set() or .advance()."""
    c = Clock(START)
    monkeypatch.setattr(clock, "now", lambda: c.at)
    monkeypatch.setattr(clock, "today", lambda: timezone.localdate(c.at))
    return c


def person(username: str, role: str, org) -> User:
    user = User.objects.create_user(username=username, password="Test-pass-2026", display_name=username)
    orgs.membership_grant(actor=None, user=user, org=org, role=role)
    return user


@pytest.fixture
def city(tree):
    """城管局, the department the lists give city-management enforcement to."""
    return orgs.org_create(actor=None, code="CG", name="城管局", kind=OrgKind.DEPARTMENT, parent=tree["district"])


@pytest.fixture
def city_clerk(city):
    return person("cgclerk", Role.CLERK, city)


@pytest.fixture
def matters(tree, city, frozen):
    district = tree["district"]
    enforcement = WorkItem.objects.create(
        code="N9",
        name="城市管理执法",
        description="不得要求社区承担占道经营、乱搭乱建等城市管理执法任务",
        kind=ItemKind.TASK,
        category=Category.NEGATIVE,
        department=city,
        year=2025,
        responsible_body="综合行政执法部门",
        legal_basis="民发〔2015〕136号",
    )
    whistle = MatterGroup.objects.create(
        district=district,
        code="A",
        name="城市管理类",
        kind=GroupKind.WHISTLE,
        order=1,
        respond_minutes=30,
        resolve_workdays=3,
    )
    grid = MatterGroup.objects.create(
        district=district,
        code="G",
        name="网格事项",
        kind=GroupKind.GRID,
        order=9,
        respond_workdays=1,
        resolve_workdays=5,
    )
    mk = Matter.objects.create
    return {
        "stalls": mk(group=whistle, code="A01", name="占道经营", department=city, work_item=enforcement),
        "lamp": mk(group=whistle, code="A02", name="路灯损坏", department=city),
        "doctor": mk(group=whistle, code="A03", name="家庭医生上门服务", department=tree["health"]),
        "rubbish": mk(group=grid, code="G01", name="垃圾堆放", department=city),
        "key_person": mk(group=grid, code="G02", name="重点人员异常情况", department=tree["health"], public=False),
        "whistle_group": whistle,
        "grid_group": grid,
    }


@pytest.fixture
def service_items(tree, frozen):
    """老年人优待证 is done at the window, under an item of the lists in force in 2025 (the frozen
    clock's year); 低保 is accepted there and passed on to 民政局."""
    civil = tree["civil_affairs"]
    elderly_care = WorkItem.objects.create(
        code="X25",
        name="协助开展居家养老服务和高龄津贴申报",
        kind=ItemKind.TASK,
        category=Category.ASSIST,
        funding_yuan=8000,
        department=civil,
        year=2025,
    )
    return {
        "elderly_card": ServiceItem.objects.create(
            code="FW001",
            name="老年人优待证办理",
            group=ServiceGroup.CONVENIENCE,
            department=civil,
            materials=["身份证原件", "一寸照片一张"],
            steps=["窗口受理", "审核", "制证发放"],
            time_limit_workdays=3,
            handled_at=HandledAt.WINDOW,
            work_item=elderly_care,
        ),
        "dibao": ServiceItem.objects.create(
            code="FW002",
            name="最低生活保障申请",
            group=ServiceGroup.GOVERNMENT,
            department=civil,
            materials=["身份证", "户口簿", "收入证明"],
            steps=["社区受理", "入户调查", "民政审批"],
            time_limit_workdays=20,
            handled_at=HandledAt.DEPARTMENT,
        ),
    }
