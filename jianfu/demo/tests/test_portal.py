"""The demo district's deliberation records (seed 004: cooking-fume hearings in most communities),
loaded once for this module with the whole demo."""

import datetime as dt

import pytest
from django.urls import reverse

from jianfu.core import clock
from jianfu.deliberations.models import Deliberation, DeliberationKind
from jianfu.demo import portal as demo
from jianfu.evaluation.models import CampaignState, Direction, Result
from jianfu.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(demo_module, db):
    return Org.objects.get(code="330282")


def test_most_demo_communities_held_cooking_fume_hearings_in_the_last_two_years(district):
    records = Deliberation.objects.filter(community__path__startswith=district.path)
    hearings = records.filter(kind=DeliberationKind.HEARING, subject__contains="油烟")
    assert Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).count() == 48
    assert hearings.values("community").distinct().count() >= 30
    today = clock.today()
    held = sorted(h.held_on for h in hearings)
    assert held[0] >= today - dt.timedelta(days=demo.WINDOW_DAYS) and (held[-1] - held[0]).days > 365
    assert all(r.held_on <= today for r in records)
    assert all(20 <= r.participants <= 80 and r.agenda and r.outcome and r.follow_up for r in records)
    assert (
        records.filter(kind=DeliberationKind.FORUM).exists() and records.filter(kind=DeliberationKind.DIALOGUE).exists()
    )
    assert records.filter(published_at__isnull=True).count() == 2  # a couple of drafts, the rest public
    assert records.filter(community__name="古塘社区", published_at__isnull=True).exists()


def test_loading_the_demo_again_changes_nothing_and_the_records_are_the_same_each_time(district):
    made_here = Deliberation.objects.filter(certificate_requests__isnull=True)  # not the certificates' demo record
    before = list(made_here.order_by("pk").values_list("subject", "held_on", "participants"))
    assert "already loaded" in demo.load(district)
    assert made_here.count() == len(before)
    again = demo._Maker(district, clock.today())
    again.run()
    assert sorted((r.subject, r.held_on, r.participants) for r in again.rows) == sorted(before)


def test_the_demo_community_page_shows_its_released_resident_rating_and_hearings(client, district):
    gutang = Org.objects.get(name="古塘社区")
    result = Result.objects.filter(
        target__org=gutang,
        target__worker__isnull=True,
        target__campaign__state=CampaignState.RELEASED,
        target__campaign__direction=Direction.COMMUNITY,
    ).select_related("target__campaign")[0]
    body = client.get(reverse("portal:community", args=[gutang.code])).content.decode()
    assert result.target.campaign.title in body and str(result.score) in body
    published = Deliberation.objects.filter(community=gutang, published_at__isnull=False).first()
    assert published.subject in body
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:community", args=[gutang.code]) in home
    hearings = client.get(reverse("portal:deliberations"), {"kind": "hearing"}).content.decode()
    assert "油烟扰民居民听证会" in hearings
