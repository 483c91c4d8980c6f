import pytest
from django.core.management import call_command
from django.db.models import Sum

from jianfu.audit.models import AuditEntry
from jianfu.audit.services import verify
from jianfu.demo import orgs as demo
from jianfu.orgs.models import Membership, Org, OrgKind, Role


def counts():
    return {kind: Org.objects.filter(kind=kind).count() for kind in OrgKind.values}


@pytest.fixture
def demo_district(demo_module, db):
    """Loaded once for the module; each test's changes roll back."""


def test_loading_twice_gives_the_same_counts_as_once(demo_district):
    once, audit_once = counts(), AuditEntry.objects.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert counts() == once
    assert AuditEntry.objects.count() == audit_once  # nothing changed, nothing to audit


def test_it_has_seed_002s_shape(demo_district):
    assert Org.objects.filter(kind=OrgKind.COMMUNITY).count() == 48
    assert Org.objects.filter(kind__in=[OrgKind.STREET, OrgKind.TOWN]).count() == 7
    per_street = {s.name: s.children.count() for s in Org.objects.filter(kind__in=[OrgKind.STREET, OrgKind.TOWN])}
    assert per_street == {
        "浒山街道": 25,
        "古塘街道": 10,
        "白沙路街道": 3,
        "宗汉街道": 1,
        "周巷镇": 6,
        "观海卫镇": 2,
        "横河镇": 1,
    }
    communities = Org.objects.filter(kind=OrgKind.COMMUNITY)
    totals = communities.aggregate(h=Sum("registered_households"), p=Sum("population"), s=Sum("staff_count"))
    assert abs(totals["h"] - 73_000) <= 730
    assert abs(totals["p"] - 202_000) <= 2_020
    assert totals["s"] == 369
    assert 25 <= Org.objects.filter(kind__in=[OrgKind.DEPARTMENT, OrgKind.GROUP_ORG]).count() <= 35


def test_registered_versus_resident_households_of_gutang_and_danyuan(demo_district):
    assert Org.objects.filter(name="古塘社区").values_list("registered_households", "resident_households").get() == (
        2800,
        1500,
    )
    assert Org.objects.filter(name="旦苑社区").values_list("registered_households", "resident_households").get() == (
        438,
        2260,
    )


def test_24_communities_fall_short_of_the_space_standard_by_over_10000_m2(demo_district):
    communities = list(Org.objects.filter(kind=OrgKind.COMMUNITY))
    short = [c for c in communities if c.space_shortfall_m2() > 0]
    assert len(short) == 24
    assert sum(c.space_shortfall_m2() for c in short) > 10_000


def test_grids_hold_300_to_500_households_and_add_up(demo_district):
    for community in Org.objects.filter(kind=OrgKind.COMMUNITY):
        grids = list(community.children.all())
        assert grids and all(300 <= g.resident_households <= 500 for g in grids), community.name
        assert sum(g.resident_households for g in grids) == community.resident_households


def test_every_role_has_a_demo_account_and_the_chain_verifies(demo_district):
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    assert {a[0] for a in demo.DEMO_ACCOUNTS} <= set(Membership.objects.values_list("user__username", flat=True))
    assert Membership.objects.get(user__username="office").user.is_superuser
    assert verify().ok
