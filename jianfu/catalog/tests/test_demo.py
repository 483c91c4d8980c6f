import io

import pytest
from django.core.management import call_command

from jianfu.access.models import Application, State, ViolationReport
from jianfu.audit.services import verify
from jianfu.catalog.models import CatalogVersion, Category, ItemKind, ItemList, Plaque
from jianfu.core import clock


@pytest.fixture
def demo(demo_module, db):
    """Read-only tests share one load; the one that loads again runs inside its own transaction."""


def test_the_demo_has_a_published_catalog_of_about_90_items_of_every_kind(demo):
    version = CatalogVersion.objects.get(year=clock.today().year)
    entries = version.entries.all()
    assert 85 <= entries.count() <= 100  # seed 000: 90+ work items
    assert {e.kind for e in entries} == set(ItemKind.values)


def test_the_demo_lists_are_shaped_like_the_seeds(demo):
    counts = {lst.code: lst.current_version().entries.count() for lst in ItemList.objects.all()}
    assert counts["duty"] == 23 and counts["assist"] == 13 and counts["certificate"] == 15
    negative = ItemList.objects.get(code="negative").current_version().items
    assert negative.filter(kind=ItemKind.CERTIFICATE).count() == 20
    assert all(item.responsible_body for item in negative.all())
    assist = ItemList.objects.get(code="assist").current_version().items.all()
    assert all(item.funding_yuan > 0 for item in assist)


def test_the_demo_has_applications_in_every_state_and_violations(demo):
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)
    assert Application.objects.filter(escalated_on__isnull=False).exists()  # one is overdue
    assert set(ViolationReport.objects.values_list("state", flat=True)) == {"reported", "confirmed", "dismissed"}


def test_only_three_plaques_remain_after_the_clean_up(demo):
    hanging = Plaque.objects.filter(removed_on__isnull=True)
    assert set(hanging.values_list("name", flat=True)) == {"社区党组织", "社区居民委员会", "社区工作站"}
    assert hanging.count() == 48 * 3 and Plaque.objects.filter(removed_on__isnull=False).count() > 48 * 5
    assert not hanging.filter(item__isnull=True).exists()


def test_loading_again_changes_nothing(demo):
    before = (Application.objects.count(), CatalogVersion.objects.count(), Plaque.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Application.objects.count(), CatalogVersion.objects.count(), Plaque.objects.count()) == before
    assert verify().ok
    assert Category.ASSIST in set(Application.objects.values_list("category", flat=True))


def test_the_plaque_page_counts_before_and_after_the_clean_up(client, demo):
    from jianfu.orgs.models import User

    client.force_login(User.objects.get(username="street"))  # 古塘街道: 10 communities
    body = client.get("/plaques/", {"before": "2025-01-01"}).content.decode()
    before = Plaque.objects.filter(community__parent__name="古塘街道").count()
    assert f"<th>{before}</th>" in body and "<th>30</th>" in body and "<th>0</th>" in body


def test_the_timer_command_escalates_once(demo, capsys):
    call_command("run_timers")
    assert "applications escalated: 0" in capsys.readouterr().out  # the demo loader already swept
