"""Changes to the org tree mark this year's monitor months explicitly (no signals)."""

import datetime as dt

import pytest

from jianfu.core import clock
from jianfu.core.models import DirtyMonth, MonitoredYear
from jianfu.orgs import services
from jianfu.orgs.models import OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monitored(tree, monitored):
    monitored(tree["district"])


def marks(district) -> set[tuple[int, int]]:
    return set(DirtyMonth.objects.filter(district=district.pk).values_list("year", "month"))


def test_a_community_changed_or_moved_marks_this_years_months(tree, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 3, 16))
    so_far = {(2026, 1), (2026, 2), (2026, 3)}
    community = services.org_create(
        actor=None, code="S1C3", name="街道1社区3", kind=OrgKind.COMMUNITY, parent=tree["street1"]
    )
    assert marks(tree["district"]) == set()  # new: no sources yet (as under the former signal)

    DirtyMonth.objects.all().delete()
    services.org_update(actor=None, org=community, registered_households=1200)
    assert marks(tree["district"]) == so_far

    DirtyMonth.objects.all().delete()
    services.org_update(actor=None, org=community, parent=tree["street2"])
    assert marks(tree["district"]) == so_far


def test_a_department_changes_no_monitor_month(tree):
    services.org_update(actor=None, org=tree["health"], name="卫生健康局")
    assert not DirtyMonth.objects.exists()


def test_a_year_the_monitor_holds_no_figures_for_is_not_marked(tree, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 3, 16))
    MonitoredYear.objects.filter(year=2026).delete()
    services.org_update(actor=None, org=tree["community11"], registered_households=1200)
    assert not DirtyMonth.objects.exists()
