import datetime as dt
from decimal import Decimal

import pytest

from jianfu.catalog.models import Category, Frequency, ItemKind, WorkItem
from jianfu.core import clock
from jianfu.ledger import services
from jianfu.ledger.models import Aggregation, Level, PeriodType, ValueType

TODAY = dt.date(2026, 4, 8)  # a Wednesday
PERIOD = "2026-03"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=dt.UTC))


def report_item(department, code="L1", name="社区卫生健康工作台账", **fields):
    defaults = {
        "kind": ItemKind.LEDGER,
        "category": Category.DUTY,
        "year": TODAY.year,
        "legal_basis": "《中华人民共和国基本医疗卫生与健康促进法》",
        "frequency": Frequency.MONTHLY,
        "hours_per_occurrence": Decimal("2"),
    }
    return WorkItem.objects.create(code=code, name=name, department=department, **(defaults | fields))


@pytest.fixture
def item(tree, frozen):
    return report_item(tree["health"])


def element(actor, department, code, name, **fields):
    defaults = {
        "value_type": ValueType.INTEGER,
        "level": Level.COMMUNITY,
        "period_type": PeriodType.MONTHLY,
        "aggregation": Aggregation.SUM,
        "unit": "个",
        "min_value": Decimal(0),
    }
    return services.element_create(actor=actor, department=department, code=code, name=name, **(defaults | fields))


# Ten facts a health department might ask about; two reports share eight of them.
TEN = [
    ("CLINICS", "社区卫生服务站数"),
    ("DOCTORS", "家庭医生签约团队数"),
    ("SIGNED", "家庭医生签约人数"),
    ("CHRONIC", "慢性病管理人数"),
    ("VACCINATED", "老年人疫苗接种人数"),
    ("CHECKUPS", "老年人健康体检人数"),
    ("FOLLOWUPS", "慢病随访次数"),
    ("LECTURES", "健康讲座场次"),
    ("MENTAL", "严重精神障碍患者管理人数"),
    ("PREGNANT", "孕产妇健康管理人数"),
]


@pytest.fixture
def ten(tree, clerk, item):
    return {code: element(clerk, tree["health"], code, name, items=[item]) for code, name in TEN}
