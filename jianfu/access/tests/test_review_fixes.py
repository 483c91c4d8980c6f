"""Holes a review found, kept closed."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from jianfu.access import services
from jianfu.access.models import Opinion, State
from jianfu.core.errors import DomainError
from jianfu.core.tabular import xlsx_bytes

from .test_workflow import draft


def test_a_grid_worker_reports_for_its_community(tree, items, grid_worker):
    report = services.violation_report(
        actor=grid_worker,
        community=tree["community11"],
        department=tree["health"],
        what="临时要求报送照片",
        arrived_on=dt.date(2026, 3, 2),
    )
    assert report.community == tree["community11"]


def test_consulting_again_after_a_return_starts_a_new_round(tree, items, clerk, reviewer, office, community_worker):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    services.application_pass_review(actor=reviewer, application=application)
    (first,) = services.consultation_open(actor=office, application=application, orgs=[tree["community11"]])
    services.opinion_give(actor=community_worker, consultation=first, opinion=Opinion.DISAGREE)
    services.application_return(actor=office, application=application, reason="基层不同意，请调整")
    services.application_submit(actor=clerk, application=application)
    services.application_pass_review(actor=reviewer, application=application)
    (again,) = services.consultation_open(actor=office, application=application, orgs=[tree["community11"]])
    assert again.opinion == "" and application.consultations.count() == 1


def test_an_adjustment_cannot_smuggle_in_forbidden_work(tree, items, clerk, reviewer, office, community_worker):
    application = draft(clerk, tree)
    services.application_submit(actor=clerk, application=application)
    services.application_pass_review(actor=reviewer, application=application)
    (c,) = services.consultation_open(actor=office, application=application, orgs=[tree["community11"]])
    services.opinion_give(actor=community_worker, consultation=c, opinion=Opinion.AGREE)
    services.consultation_close(actor=office, application=application)
    meeting = services.meeting_create(actor=office, district=tree["district"], title="会", held_on=dt.date(2026, 3, 2))
    services.application_decide(
        actor=office, application=application, meeting=meeting, decision="approve_with_changes", reason="x", changes="y"
    )
    with pytest.raises(DomainError, match="民发〔2015〕136号"):
        services.application_adjust(
            actor=clerk, application=application, note="改", description="由社区负责辖区拆违工作"
        )
    application.refresh_from_db()
    assert application.state == State.CHANGES_REQUESTED


def test_the_api_answers_400_not_500_on_bad_input(client, tree, items, clerk, capsys):
    call_command("issue_token", "clerk")
    auth = {"HTTP_AUTHORIZATION": "Bearer " + capsys.readouterr().out.strip().splitlines()[-1]}
    base = {
        "name": "x",
        "kind": "ledger",
        "category": "duty",
        "legal_basis": "某法",
        "hours_per_occurrence": "1",
        "start_date": "2026-06-01",
    }
    for bad in ({"kind": "bogus"}, {"category": "negative"}):
        response = client.post("/api/v1/applications/", base | bad, content_type="application/json", **auth)
        assert response.status_code == 400 and response.json()["message"]


def test_spreadsheet_text_is_never_run_as_a_formula():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["名称"], [['=HYPERLINK("http://x")'], ["-1"], [5]]))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s", "s", "n"]
