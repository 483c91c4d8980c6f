"""A small district's certificate lists (two may-issue, two must-not, one on neither), the office's
settings for them, and people in the registry of 街道1社区1."""

import datetime as dt
from decimal import Decimal

import pytest

from jianfu.catalog import services as catalog
from jianfu.catalog.models import Category, Frequency, ItemKind, ItemList, WorkItem
from jianfu.certificates.models import CertificateType
from jianfu.core import clock
from jianfu.core.crypto import blind_index, id_check_char
from jianfu.registry.models import Address, Person

TODAY = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the business clock; returns a setter to move it."""
    state = {"today": TODAY, "hour": 9}

    def set_today(day: dt.date, hour: int = 9):
        state["today"], state["hour"] = day, hour

    monkeypatch.setattr(clock, "today", lambda: state["today"])
    monkeypatch.setattr(
        clock, "now", lambda: dt.datetime.combine(state["today"], dt.time(state["hour"], 0), tzinfo=dt.UTC)
    )
    return set_today


def _item(code, name, department, category, **fields) -> WorkItem:
    defaults = {
        "kind": ItemKind.CERTIFICATE,
        "category": category,
        "year": TODAY.year,
        "frequency": Frequency.AS_NEEDED,
        "occurrences_per_year": Decimal(10),
        "hours_per_occurrence": Decimal("0.5"),
    }
    return WorkItem.objects.create(code=code, name=name, department=department, **(defaults | fields))


@pytest.fixture
def cert_lists(tree, frozen):
    civil, health = tree["civil_affairs"], tree["health"]
    lists = {
        code: ItemList.objects.create(code=code, name=name, category=code)
        for code, name in [("certificate", "盖章证明事项清单"), ("negative", "负面清单")]
    }
    items = {
        "residence": _item(
            "C1",
            "借住人员实际居住情况证明（申领居住证用）",
            civil,
            Category.CERTIFICATE,
            legal_basis="《居住证暂行条例》第九条",
            evidence=["申请人居民身份证", "房屋所有权人书面同意借住声明"],
            guide={
                "basis": "《居住证暂行条例》第九条",
                "purpose": "申领居住证",
                "process": "上门核实",
                "sample": "经核实……",
            },
            days_to_issue=3,
        ),
        "owners": _item(
            "C2",
            "业主大会首次会议和业主委员会选举情况意见",
            civil,
            Category.CERTIFICATE,
            legal_basis="《物业管理条例》第十条",
            evidence=["业主大会会议记录"],
            days_to_issue=5,
        ),
        "no_crime": _item(
            "N1",
            "无犯罪记录证明",
            health,
            Category.NEGATIVE,
            legal_basis="民发〔2020〕20号附件第5项",
            responsible_body="公安机关",
            description="社区不再出具无犯罪记录证明，居民应向公安机关办理。",
        ),
        "alive": _item(
            "N2",
            "健在证明",
            health,
            Category.NEGATIVE,
            legal_basis="民发〔2020〕20号附件第10项",
            responsible_body="社会保险经办机构",
        ),
        "unlisted": _item("X1", "宠物品行良好证明", civil, Category.CERTIFICATE, legal_basis="无"),
    }
    catalog.list_replace(
        actor=None,
        item_list=lists["certificate"],
        district=tree["district"],
        items=[items["residence"], items["owners"]],
    )
    catalog.list_replace(
        actor=None, item_list=lists["negative"], district=tree["district"], items=[items["no_crime"], items["alive"]]
    )
    CertificateType.objects.create(
        item=items["residence"],
        aliases=["居住证明"],
        within_duties=True,
        notify_and_commit=True,
        commitment_text="本人承诺确实借住于申报住址。",
        statement="经核实，{name}（公民身份号码：{id_number}）借住于{address}，情况属实。",
    )
    CertificateType.objects.create(item=items["owners"], within_duties=True, public_interest=True)
    CertificateType.objects.create(item=items["alive"], aliases=["生存证明"])
    return items


def id_number(birth: dt.date, serial: int) -> str:
    first17 = f"330282{birth:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def people(tree):
    community, grid = tree["community11"], tree["grid111"]
    address = Address.objects.create(
        grid=grid,
        community=community,
        org_path=grid.path,
        area="古塘花苑",
        building="1",
        room="101",
        key="古塘花苑|1|101",
        label="古塘花苑1幢101室",
    )
    made = []
    for i, name in enumerate(["孙小红", "李建国", "王伟", "赵敏"]):
        number = id_number(dt.date(1980 + i, 5, 1), i + 1)
        made.append(
            Person.objects.create(
                name=name,
                gender="F" if i % 2 == 0 else "M",
                birth_date=dt.date(1980 + i, 5, 1),
                id_number=number,
                id_index=blind_index(number, purpose="id_number"),
                address=address,
                grid=grid,
                community=community,
                org_path=grid.path,
                hukou_community=community,
            )
        )
    return made


@pytest.fixture
def stranger(tree):
    """Someone in another community's registry."""
    community = tree["community21"]
    return Person.objects.create(
        name="周外人",
        gender="M",
        birth_date=dt.date(1990, 1, 1),
        community=community,
        org_path=community.path,
        hukou_community=community,
    )
