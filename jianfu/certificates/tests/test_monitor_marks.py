"""Certificate changes mark the monitor's months explicitly (no signals): a request marks the month
it was decided, a baseline import the months it loads."""

import pytest

from jianfu.certificates import services
from jianfu.certificates.baseline import import_baseline
from jianfu.core.models import DirtyMonth
from jianfu.core.tabular import Row, Table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monitored(tree, monitored):
    monitored(tree["district"])


def marks(district) -> set[tuple[int, int]]:
    return set(DirtyMonth.objects.filter(district=district.pk).values_list("year", "month"))


def test_a_request_marks_the_month_it_is_asked_and_the_month_it_is_decided_in(
    tree, cert_lists, community_worker, people, frozen
):
    DirtyMonth.objects.all().delete()
    made = services.request_create(
        actor=community_worker, community=tree["community11"], item=cert_lists["residence"], person=people[0]
    )
    assert marks(tree["district"]) == {(2026, 3)}  # asked for: an arrival the monitor counts (issue 21)
    DirtyMonth.objects.all().delete()

    services.certificate_refuse(actor=community_worker, request=made, reason="申请人未在本社区居住")
    assert marks(tree["district"]) == {(2026, 3)}

    DirtyMonth.objects.all().delete()
    services.request_create(actor=community_worker, community=tree["community11"], item=cert_lists["no_crime"])
    assert marks(tree["district"]) == {(2026, 3)}  # redirected at once


def test_a_baseline_import_marks_the_months_it_loads(tree, cert_lists, office, frozen):
    DirtyMonth.objects.all().delete()
    row = {"社区编码": "S1C1", "证明名称": "无犯罪记录证明", "年份": "2025", "月份": "7", "开具数量": "7"}
    import_baseline(actor=office, district=tree["district"], table=Table(header=list(row), rows=[Row(2, row)]))
    assert marks(tree["district"]) == {(2025, 7)}

    DirtyMonth.objects.all().delete()
    import_baseline(actor=office, district=tree["district"], table=Table(header=list(row), rows=[Row(2, row)]))
    assert marks(tree["district"]) == set()  # unchanged: nothing to recompute

    row["开具数量"] = "9"
    import_baseline(actor=office, district=tree["district"], table=Table(header=list(row), rows=[Row(2, row)]))
    assert marks(tree["district"]) == {(2025, 7)}
