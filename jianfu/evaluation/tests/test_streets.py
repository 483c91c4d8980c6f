"""Communities rate their own street or town (下评上; seed 002: streets are assessed too, and seeds 002
and 003 name the street as the main source of the load)."""

import pytest
from django.urls import reverse

from jianfu.core.errors import PermissionDenied
from jianfu.evaluation import scoring, services
from jianfu.evaluation.models import Direction
from jianfu.orgs.models import Role

from .conftest import create, person, rate, target_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_campaign(tree, office, frozen):
    made = create(office, direction=Direction.STREET, title="2026年度社区评议街道")
    services.campaign_open(actor=office, campaign=made)
    return made


def test_each_community_rates_its_own_street_and_only_it(
    client, tree, street_campaign, community_worker, community12_worker
):
    assert {t.org for t in street_campaign.targets.all()} == {tree["street1"], tree["street2"]}
    assert [i.source for i in street_campaign.indicators.all() if i.source] == ["confirmed_violations"]
    rate(
        street_campaign,
        community_worker,
        tree["community11"],
        tree["street1"],
        4,
        5,
        4,
        3,
        comment="借调社区工作者较多",
    )
    rate(street_campaign, community12_worker, tree["community12"], tree["street1"], 5, 5, 4, 4)
    with pytest.raises(PermissionDenied, match="只能评议本街道"):
        rate(street_campaign, community_worker, tree["community11"], tree["street2"], 1, 1, 1, 1)
    # The page offers the community its own street only.
    client.force_login(community_worker)
    page = client.get(reverse("evaluation:rate", args=[street_campaign.pk])).content.decode()
    assert tree["street1"].name in page and tree["street2"].name not in page
    # Street 1 has two communities: both rated it, so its turnout is whole; street 2's is not.
    results = {r.target.org: r for r in scoring.compute(street_campaign)}
    assert (results[tree["street1"]].eligible, results[tree["street1"]].voted) == (2, 2)
    assert results[tree["street1"]].valid and not results[tree["street2"]].valid


def test_a_street_worker_does_not_rate_streets(tree, street_campaign):
    street_worker = person("s1", Role.STREET, tree["street1"])
    with pytest.raises(PermissionDenied):
        rate(street_campaign, street_worker, tree["street1"], tree["street1"], 5, 5, 5, 5)
    assert not target_of(street_campaign, tree["street1"]).ballots.exists()
