"""The demo tells the same story whatever the date it is loaded on (issue 17): the seeds' figures of
the baseline year (六多, seed 000) and of the reform year (seed 001) do not move with the calendar."""

import io

import pytest
import time_machine
from django.core.management import call_command

from jianfu.core import clock
from jianfu.demo import years as demo_years
from jianfu.monitor import selectors
from jianfu.orgs.models import Org, OrgKind

# What the demo shows when loaded on 2026-12-07, the day this test was written.
STORY = {
    "baseline": {"items_ledger": 47, "items_campaign": 41, "items_platform": 23, "items_survey": 18},
    "reform": {"items_ledger": 24, "plaques": 3},
    "change": {"items_ledger": -49, "meetings": -50},
}


def story(district: Org) -> dict:
    summary = selectors.summary(district, clock.reporting_year())
    rows = {r.indicator.key: r for r in summary.rows}
    return {
        "baseline": {k: round(rows[k].baseline) for k in STORY["baseline"]},
        "reform": {k: round(rows[k].current) for k in STORY["reform"]},
        "change": {k: rows[k].change_percent for k in STORY["change"]},
    }


@pytest.mark.parametrize("when", ["", "2027-01-04T09:00+08:00", "2030-07-01T08:00+08:00"])
def test_the_demo_shows_the_same_headline_figures_on_any_date(db, when):
    traveller = time_machine.travel(when, tick=True) if when else None
    if traveller:
        traveller.start()
    try:
        call_command("load_demo", "--registry", "sample", stdout=io.StringIO())
        district = Org.objects.get(kind=OrgKind.DISTRICT)
        years = demo_years.years()
        summary = selectors.summary(district, clock.reporting_year())
        assert (summary.year, summary.baseline_year) == (years.reform, years.baseline)
        assert summary.months  # never "–" for want of a whole month
        assert story(district) == STORY
        certificates = summary.row("certificates_issued").change_percent
        assert -45 <= certificates <= -35  # seed 001: certificates −40 %
        assert summary.row("burden_index").current < 70
    finally:
        if traveller:
            traveller.stop()
