import datetime as dt
from decimal import Decimal

import pytest

from jianfu.catalog.models import NEEDS_HIGHER_BASIS, BasisLevel, Category, Frequency, ItemKind, ItemList, WorkItem
from jianfu.core import clock

HIGHER_BASIS = {"basis_level": BasisLevel.PROVINCIAL, "basis_document": "《浙江省消防条例》"}
TODAY = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the business clock; returns a setter to move it."""
    state = {"today": TODAY}

    def set_today(day: dt.date):
        state["today"] = day

    monkeypatch.setattr(clock, "today", lambda: state["today"])
    monkeypatch.setattr(clock, "now", lambda: dt.datetime.combine(state["today"], dt.time(9, 0), tzinfo=dt.UTC))
    return set_today


@pytest.fixture
def lists(db):
    return {
        code: ItemList.objects.create(code=code, name=name, category=code)
        for code, name in [
            ("duty", "依法履职事项清单"),
            ("assist", "协助政府工作事项清单"),
            ("certificate", "盖章证明事项清单"),
            ("negative", "负面清单"),
        ]
    }


def make_item(code, name, department, **fields):
    defaults = {
        "kind": ItemKind.LEDGER,
        "category": Category.DUTY,
        "year": TODAY.year,
        "legal_basis": "《中华人民共和国城市居民委员会组织法》第三条",
        "frequency": Frequency.MONTHLY,
        "hours_per_occurrence": Decimal("2"),
    }
    if (defaults | fields)["kind"] in NEEDS_HIGHER_BASIS:  # seed 001: only at the request of a higher level
        defaults |= HIGHER_BASIS
    item = WorkItem.objects.create(code=code, name=name, department=department, **(defaults | fields))
    return item


@pytest.fixture
def items(tree, lists, frozen):
    health, civil = tree["health"], tree["civil_affairs"]
    made = {
        "elderly": make_item("I1", "独居老人关爱服务台账", civil, description="每月走访辖区独居老人并登记"),
        "fire": make_item(
            "I2",
            "消防安全隐患排查",
            health,
            kind=ItemKind.INSPECTION,
            frequency=Frequency.WEEKLY,
            hours_per_occurrence=Decimal("1"),
        ),
        "dibao": make_item(
            "I3", "低保家庭入户核查", civil, category=Category.ASSIST, funding_yuan=3000, funding_channel="市财政"
        ),
        "no_crime": make_item(
            "N1",
            "无犯罪记录证明",
            health,
            kind=ItemKind.CERTIFICATE,
            category=Category.NEGATIVE,
            responsible_body="公安机关",
            legal_basis="民发〔2020〕20号",
        ),
        "demolition": make_item(
            "N2",
            "拆迁拆违任务",
            health,
            kind=ItemKind.TASK,
            category=Category.NEGATIVE,
            responsible_body="住建部门、综合行政执法部门",
            legal_basis="民发〔2015〕136号",
        ),
    }
    made["fire"].scope_streets.set([tree["street1"]])
    return made
