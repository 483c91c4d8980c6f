"""Seed 003 (德城): 「配套出臺考評制度，社區對部門評價權重占機關年底黨建考核的三分之一」 — the communities'
rating of a department weighs one third *inside* its year-end assessment. Streets also rate departments
and objective figures join the published score, but neither is the communities' rating: the composite
takes the rating given by communities' ballots alone, and the pages say so."""

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.urls import reverse

from jianfu.core.tabular import Row, Table, read_table
from jianfu.evaluation import scoring, services
from jianfu.evaluation.models import Campaign, Result

from .conftest import rate, target_of


def year_end(office, campaign, **scores):
    rows = [
        Row(n, {"部门编码": code, "其他考核得分": value}) for n, (code, value) in enumerate(scores.items(), start=2)
    ]
    services.year_end_import(actor=office, campaign=campaign, table=Table(header=services.YEAR_END_COLUMNS, rows=rows))


@pytest.fixture
def released(campaign, tree, office, community_worker, community12_worker, street_worker, frozen):
    """Two communities and a street rate 卫健局; a community and the street rate 民政局 (five levels).

    卫健局 — communities: access 4, 5 (→ 87.50), guidance 4, 3 (→ 62.50): rating 78.125 → 78.13; the street's
    1, 1 pulls the published score down to 0.5 × 175/3 + 0.3 × 125/3 + 0.2 × 100 = 61.67 but not the rating.
    民政局 — the community: 3, 3 → 50.00; the street's 5, 5 lifts the published score to 80.00.
    Year-end (rest of the assessment): 卫健局 90, 民政局 81.
    """
    health, civil = tree["health"], tree["civil_affairs"]
    rate(campaign, community_worker, tree["community11"], health, 4, 4)
    rate(campaign, community12_worker, tree["community12"], health, 5, 3)
    rate(campaign, street_worker, tree["street1"], health, 1, 1)
    rate(campaign, community_worker, tree["community11"], civil, 3, 3)
    rate(campaign, street_worker, tree["street1"], civil, 5, 5)
    year_end(office, campaign, WJ="90", MZ="81")
    frozen(dt.date(2026, 12, 21))
    services.campaign_close(actor=office, campaign=campaign)
    services.campaign_release(actor=office, campaign=campaign)
    return Campaign.objects.get(pk=campaign.pk)


def stored(campaign):
    return {r.target.name: r for r in Result.objects.filter(target__campaign=campaign).select_related("target")}


def test_the_frozen_composite_is_one_third_of_the_communities_rating(released):
    results = stored(released)
    health, civil = results["卫健局"], results["民政局"]
    assert (health.score, civil.score) == (Decimal("61.67"), Decimal("80.00"))
    # 78.13 / 3 + 90 × 2/3 = 86.04 (the whole score would give 61.67 / 3 + 60 = 80.56)
    assert health.composite == Decimal("86.04")
    # 50.00 / 3 + 81 × 2/3 = 70.67 (the whole score would give 80 / 3 + 54 = 80.67)
    assert civil.composite == Decimal("70.67")
    thawed = {r.target.name: r for r in scoring.results(released)}
    assert (thawed["卫健局"].community_score, thawed["民政局"].community_score) == (Decimal("78.13"), Decimal("50.00"))
    assert thawed["卫健局"].composite == Decimal("86.04")


def test_the_communities_rating_matches_raw_sql_on_the_ballots(released):
    """Per indicator, the mean of the values communities gave (streets left out), mapped 1 → 0, 5 → 100."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.name, i.id, i.weight, SUM(s.value), COUNT(*)
            FROM evaluation_ballotscore s
            JOIN evaluation_ballot b ON b.id = s.ballot_id
            JOIN evaluation_target t ON t.id = b.target_id
            JOIN evaluation_indicator i ON i.id = s.indicator_id
            JOIN orgs_org o ON o.id = b.evaluator_id
            WHERE t.campaign_id = %s AND o.kind = 'community'
            GROUP BY t.name, i.id, i.weight
            """,
            [released.pk],
        )
        rows = cursor.fetchall()
    cent = Decimal("0.01")

    def dec(f: Fraction) -> Decimal:
        return (Decimal(f.numerator) / Decimal(f.denominator)).quantize(cent, rounding=ROUND_HALF_UP)

    expected: dict[str, dict[int, Decimal]] = {}
    weights: dict[int, int] = {}
    for name, indicator, weight, total, n in rows:
        expected.setdefault(name, {})[indicator] = dec((Fraction(total, n) - 1) * 25)
        weights[indicator] = weight
    results = stored(released)
    for name, lines in expected.items():
        got = {b["indicator"]: Decimal(b["community"]) for b in results[name].breakdown if b.get("community")}
        assert got == lines
        rating = dec(Fraction(sum(weights[i] * Fraction(v) for i, v in lines.items()), sum(weights[i] for i in lines)))
        other = {"卫健局": 90, "民政局": 81}[name]
        assert results[name].composite == dec(Fraction(rating) / 3 + Fraction(other) * 2 / 3)
    assert expected["卫健局"] and expected["民政局"]


def test_a_later_year_end_import_recomputes_the_composite_from_the_frozen_rating(released, office):
    year_end(office, released, WJ="95")
    # 78.13 / 3 + 95 × 2/3 = 26.0433 + 63.3333 = 89.38
    assert stored(released)["卫健局"].composite == Decimal("89.38")


def test_a_result_released_before_the_rating_was_frozen_gets_it_from_the_ballots(released, office):
    """Results released by an earlier version froze no communities' rating: a later year-end import
    reads it from the kept ballots (78.13 for 卫健局) instead of wiping the composite."""
    for result in Result.objects.filter(target__campaign=released):
        result.breakdown = [{k: v for k, v in line.items() if k != "community"} for line in result.breakdown]
        result.save(update_fields=["breakdown"])
    year_end(office, released, WJ="95")
    health = stored(released)["卫健局"]
    assert health.composite == Decimal("89.38")
    assert all("community" in line for line in health.breakdown)


def test_the_pages_show_the_communities_rating_next_to_the_composite(client, released, office, clerk, tree):
    client.force_login(office)
    page = client.get(reverse("evaluation:results", args=[released.pk])).content.decode()
    assert 'data-testid="community-score">78.13<' in page and 'data-testid="composite">86.04<' in page
    detail = client.get(reverse("evaluation:detail", args=[released.pk])).content.decode()
    assert 'data-testid="composite-share">1/3<' in detail
    sheet = read_table(io.BytesIO(client.get(reverse("evaluation:results_xlsx", args=[released.pk])).content))
    assert "社区评价得分" in sheet.header and "年终综合得分（社区评价占1/3）" in sheet.header
    first = {r.values["评议对象"]: r.values for r in sheet.rows}
    assert (first["卫健局"]["社区评价得分"], first["卫健局"]["年终综合得分（社区评价占1/3）"]) == ("78.13", "86.04")

    client.force_login(clerk)  # 卫健局's own clerk: its own rating and composite, no one else's
    own = client.get(reverse("evaluation:target", args=[released.pk, target_of(released, tree["health"]).pk]))
    body = own.content.decode()
    assert 'data-testid="community-score">78.13<' in body and 'data-testid="composite">86.04<' in body
    assert 'data-testid="line-community">87.50<' in body
    sheet = read_table(io.BytesIO(client.get(reverse("evaluation:results_xlsx", args=[released.pk])).content))
    assert all(not r.values["社区评价得分"] for r in sheet.rows)
    api = client.get(f"/api/v1/evaluation/campaigns/{released.pk}/targets/{target_of(released, tree['health']).pk}/")
    assert api.status_code == 200 and api.json()["community_score"] == "78.13"


def test_the_public_page_shows_no_rating_or_composite(client, released):
    page = client.get(reverse("evaluation:public_results", args=[released.pk])).content.decode()
    assert "61.67" in page and 'data-testid="community-score"' not in page and "86.04" not in page
