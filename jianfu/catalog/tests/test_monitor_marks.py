"""Catalog changes mark the monitor's months explicitly (no signals): items through the list import,
plaques through register and remove."""

import datetime as dt
import io

import pytest

from jianfu.catalog import plaques
from jianfu.catalog.models import Category, ItemList
from jianfu.catalog.spreadsheets import import_list
from jianfu.core import clock
from jianfu.core.models import DirtyMonth
from jianfu.core.tabular import read_table

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def quiet(tree, monkeypatch):
    """The tree's own marks (a new community marks this year) cleared, the clock frozen."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    DirtyMonth.objects.all().delete()
    return tree


@pytest.fixture(autouse=True)
def _monitored(quiet, monitored):
    monitored(quiet["district"])


def marks(district) -> set[tuple[int, int]]:
    return set(DirtyMonth.objects.filter(district=district.pk).values_list("year", "month"))


def test_an_imported_item_marks_the_months_of_its_year_that_have_begun(quiet, office):
    duty = ItemList.objects.create(code="duty", name="法定职责", category=Category.DUTY)
    rows = [
        "编码,名称,类型,责任部门,法律依据,频次,每次工时",
        "M1,社区卫生台账,台账报表,卫健局,《基本医疗卫生法》,每月,2",
    ]
    table = read_table(io.BytesIO("\n".join(rows).encode("gbk")))
    import_list(actor=office, item_list=duty, district=quiet["district"], table=table)
    assert marks(quiet["district"]) == {(2026, 1), (2026, 2), (2026, 3)}

    DirtyMonth.objects.all().delete()
    rows[1] = rows[1].replace(",2", ",3")  # hours changed: an update marks again
    import_list(
        actor=office,
        item_list=duty,
        district=quiet["district"],
        table=read_table(io.BytesIO("\n".join(rows).encode("gbk"))),
    )
    assert marks(quiet["district"]) == {(2026, 1), (2026, 2), (2026, 3)}


def test_a_plaque_marks_every_month_from_its_hanging_and_again_when_removed(quiet, office):
    plaque = plaques.plaque_register(
        actor=None,  # recorded as found in place: a new one would need an approved item (test_plaques.py)
        community=quiet["community11"],
        name="社区老龄工作委员会",
        department=quiet["civil_affairs"],
        hung_on=dt.date(2025, 11, 3),
    )
    expected = {(2025, 11), (2025, 12), (2026, 1), (2026, 2), (2026, 3)}
    assert marks(quiet["district"]) == expected

    DirtyMonth.objects.all().delete()
    plaques.plaque_remove(actor=office, plaque=plaque, removed_on=dt.date(2026, 2, 1), reason="清理")
    assert marks(quiet["district"]) == expected
