"""Issue 21, point 6: the demo's figures where the seeds give them, each test quoting its passage.

* Seed 003 (德城): 「明確3大類吹哨范圍和20余項具體內容」 — 3 categories and 20-odd matters *in all*.
* Seed 000 (海曙): 「社区承担大小工作90多项」 — the baseline before the reform (the "六多"), used once;
  this year's catalog rests on seed 001's lists (23 依法履职 + 13 协助政府 + 15 盖章证明 …).
* Seed 003 (德城): 「社區對部門評價權重占機關年底黨建考核的三分之一」 — the communities' rating is one third
  inside a department's year-end assessment, not one third of its whole campaign score.
"""

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.db import connection

from jianfu.demo import cases_data, catalog_baseline, catalog_items
from jianfu.demo import years as demo_years
from jianfu.evaluation.models import Campaign, CampaignState, Direction


@pytest.fixture
def demo(demo_module, db):
    """Read-only tests share one load of the demo district."""


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def dec(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_the_whistle_scope_is_three_categories_and_twenty_odd_matters_in_all(demo):
    """Seed 003: 「明確3大類吹哨范圍和20余項具體內容」 — not 20 or more per category (63 before)."""
    per_group = dict(
        sql(
            "SELECT g.name, COUNT(m.id) FROM cases_mattergroup g JOIN cases_matter m ON m.group_id = g.id "
            "WHERE g.kind = 'whistle' GROUP BY g.name"
        )
    )
    assert len(per_group) == 3  # 3大類
    assert 20 < sum(per_group.values()) < 30  # 20余項, in all
    assert sum(per_group.values()) == cases_data.WHISTLE_MATTER_COUNT == 23
    assert all(n < 20 for n in per_group.values())
    # The demo's whistles name matters of every category of that scope.
    used = sql(
        "SELECT COUNT(DISTINCT g.id) FROM cases_case c JOIN cases_matter m ON m.id = c.matter_id "
        "JOIN cases_mattergroup g ON g.id = m.group_id WHERE c.whistle AND g.kind = 'whistle'"
    )[0][0]
    assert used == 3


def test_ninety_odd_work_items_are_the_baseline_years_and_only_theirs(demo):
    """Seed 000: 「社区承担大小工作90多项」 — the baseline year's work tasks number 90-odd; this year's catalog
    is seed 001's lists (23 + 13 + 15) plus the district's own approved items, not a second use of 90+."""
    years = demo_years.years()
    baseline_tasks = Counter(r["kind"] for r in catalog_baseline.rows(years.baseline))["task"]
    assert 90 < baseline_tasks < 100
    (in_db,) = sql(
        "SELECT COUNT(*) FROM catalog_workitem WHERE year = %s AND kind = 'task' "
        "AND category IN ('duty', 'assist', 'certificate', 'negative', 'cancelled')",
        [years.baseline],
    )[0]
    assert in_db == baseline_tasks
    lists = Counter(i["category"] for i in catalog_items.ITEMS)
    assert (lists["duty"], lists["assist"], lists["certificate"]) == (23, 13, 15)  # seed 001
    own = [i for i in catalog_items.EXTRA_ITEMS if i["category"] in ("duty", "assist", "certificate")]
    approved = [
        i for i in catalog_items.ITEMS + catalog_items.EXTRA_ITEMS if i["category"] in ("duty", "assist", "certificate")
    ]
    assert len(approved) == 23 + 13 + 15 + len(own)


def test_the_demo_composite_gives_the_communities_rating_one_third(demo):
    """Seed 003: 「社區對部門評價權重占機關年底黨建考核的三分之一」. Recomputed from the raw ballots: per
    indicator, the mean of the communities' values (1 → 0, 5 → 100, cents); their weighted mean is the
    rating; composite = rating / 3 + the rest of the assessment × 2/3."""
    campaign = Campaign.objects.get(direction=Direction.DEPARTMENT, state=CampaignState.RELEASED)
    assert (campaign.composite_numerator, campaign.composite_denominator) == (1, 3)
    low, high = campaign.scale_range
    lines: dict[int, list[tuple[int, Decimal]]] = {}
    for target, weight, total, n in sql(
        "SELECT b.target_id, i.weight, SUM(s.value), COUNT(*) FROM evaluation_ballotscore s "
        "JOIN evaluation_ballot b ON b.id = s.ballot_id JOIN evaluation_indicator i ON i.id = s.indicator_id "
        "JOIN orgs_org o ON o.id = b.evaluator_id "
        "WHERE i.campaign_id = %s AND o.kind = 'community' GROUP BY b.target_id, i.id, i.weight",
        [campaign.pk],
    ):
        lines.setdefault(target, []).append((weight, dec((Fraction(total, n) - low) * 100 / (high - low))))
    stored = sql(
        "SELECT r.target_id, r.score, r.composite, y.score FROM evaluation_result r "
        "JOIN evaluation_target t ON t.id = r.target_id "
        "JOIN evaluation_yearendscore y ON y.campaign_id = t.campaign_id AND y.department_id = t.org_id "
        "WHERE t.campaign_id = %s",
        [campaign.pk],
    )
    assert len(stored) >= 25
    moved = 0
    for target, score, composite, other in stored:
        parts = lines[target]
        rating = dec(sum(w * Fraction(v) for w, v in parts) / sum(w for w, _ in parts))
        assert Decimal(str(composite)) == dec(Fraction(rating) / 3 + Fraction(Decimal(str(other))) * 2 / 3), target
        whole = dec(Fraction(Decimal(str(score))) / 3 + Fraction(Decimal(str(other))) * 2 / 3)
        moved += whole != Decimal(str(composite))
    assert moved  # the streets' ballots and the objective figures are not in the communities' third
