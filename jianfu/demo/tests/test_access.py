"""The demo's gate (issue 19, points 1 and 3): 古塘街道 applies and is approved for its own communities,
古塘社区 reports a street's demand and the street sees it confirmed without the reporter, and every
campaign or inspection in force rests on a central, provincial or municipal request — one without
is refused at submission."""

import pytest

from jianfu.access.models import Application, State, ViolationReport, ViolationState
from jianfu.catalog import gate
from jianfu.catalog.models import ENTERING, NEEDS_HIGHER_BASIS, BasisLevel, WorkItem
from jianfu.demo import access, catalog, orgs
from jianfu.orgs.models import Org, OrgKind, User


@pytest.fixture
def demo_gate(db):
    """The parts of the demo the gate needs: the district, its catalog and its applications."""
    orgs.load()
    district = Org.objects.get(code=orgs.DISTRICT[0])
    catalog.load(district)
    access.load(district)
    return district


def test_every_campaign_and_inspection_in_force_rests_on_a_higher_request(demo_gate):
    entering = WorkItem.objects.filter(kind__in=NEEDS_HIGHER_BASIS, category__in=ENTERING)
    assert entering.count() >= 7  # the four creation campaigns and three inspections of each year
    for item in entering:
        assert item.basis_level in BasisLevel.values and "《" in item.basis_document, item
    levels = set(entering.values_list("basis_level", flat=True))
    assert levels == set(BasisLevel.values)
    # A campaign no higher level asks for was refused at submission: it stayed a draft.
    refused = Application.objects.get(name="无烟社区星级评比")
    assert refused.state == State.DRAFT and not refused.basis_level and not refused.transitions.exists()
    ranking = Application.objects.get(name="社区健康积分排名评比")
    assert ranking.state == State.REJECTED and ranking.basis_level == BasisLevel.CENTRAL


def test_the_street_applied_and_its_communities_only_are_covered(demo_gate, client):
    gutang = Org.objects.get(name="古塘街道")
    application = Application.objects.get(department=gutang)
    item = application.work_item
    assert application.state == State.APPROVED and item.department == gutang
    assert application.transitions.get(to_state=State.SUBMITTED).actor.username == "street"
    on = application.start_date
    assert gate.covers(item, Org.objects.get(name="古塘社区"), kind=item.kind, on=on)
    elsewhere = Org.objects.filter(kind=OrgKind.COMMUNITY).exclude(parent=gutang).first()
    assert not gate.covers(item, elsewhere, kind=item.kind, on=on)
    client.force_login(User.objects.get(username="street"))
    assert application.number in client.get("/access/").content.decode()


def test_the_street_sees_the_confirmed_report_against_it_without_the_reporter(demo_gate, client):
    report = ViolationReport.objects.get(department__name="古塘街道", what__contains="门前三包")
    assert report.state == ViolationState.CONFIRMED
    client.force_login(User.objects.get(username="street"))
    body = client.get(f"/access/violations/{report.number}/").content.decode()
    assert "门前三包" in body
    assert "刘书记" not in body and "古塘社区" not in body.split("<main")[1]
    # Another street sees nothing of it.
    client.force_login(User.objects.get(username="street2"))
    assert client.get(f"/access/violations/{report.number}/").status_code == 404
