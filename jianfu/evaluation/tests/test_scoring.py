"""Acceptance 2: weighted scores and the communities' 1/3 in the year-end composite against a hand computation; objective
indicators move the score by exactly their weight; nothing vetoes; turnout decides validity."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from jianfu.access import services as access
from jianfu.core.errors import DomainError, InvalidTransition
from jianfu.core.tabular import ImportRejected, Row, Table, read_table, xlsx_bytes
from jianfu.evaluation import indicators, scoring, services
from jianfu.evaluation.models import Direction, Result
from jianfu.evaluation.services import IndicatorRow
from jianfu.orgs.models import Role

from .conftest import add_households, create, person, rate, target_of


def confirm_violation(tree, reporter, office, department, what="要求社区报送辖区企业名单", day=dt.date(2026, 6, 1)):
    report = access.violation_report(
        actor=reporter, community=tree["community11"], department=department, what=what, arrived_on=day
    )
    return access.violation_decide(actor=office, report=report, confirm=True, note="经核实未经准入")


@pytest.fixture
def rated(campaign, tree, office, community_worker, community12_worker, street_worker):
    """Three of the six communities and streets rate both departments (five levels).

    卫健局 — keeps the access rules 5, 4, 3 (mean 4 → 75); guidance 4, 3, 4 (mean 11/3 → 66.67);
    one confirmed violation this year → 80.  Score = 0.5 × 75 + 0.3 × 200/3 + 0.2 × 80 = 73.50.
    民政局 — 5, 5, 5 → 100; 5, 5, 4 (mean 14/3 → 91.67); no violation → 100.
    Score = 0.5 × 100 + 0.3 × 275/3 + 0.2 × 100 = 97.50.
    """
    health, civil = tree["health"], tree["civil_affairs"]
    for actor, evaluator, h, c in (
        (community_worker, tree["community11"], (5, 4), (5, 5)),
        (community12_worker, tree["community12"], (4, 3), (5, 5)),
        (street_worker, tree["street1"], (3, 4), (5, 4)),
    ):
        rate(campaign, actor, evaluator, health, *h)
        rate(campaign, actor, evaluator, civil, *c)
    confirm_violation(tree, community_worker, office, health)
    # Outside the campaign's period: does not count.
    confirm_violation(tree, community_worker, office, civil, day=dt.date(2025, 12, 30))
    return campaign


def by_name(results):
    return {r.target.name: r for r in results}


def test_weighted_scores_match_a_hand_computation(rated):
    results = by_name(scoring.compute(rated))
    health, civil = results["卫健局"], results["民政局"]
    assert [line.score for line in health.lines] == [Decimal("75.00"), Decimal("66.67"), Decimal("80.00")]
    assert health.score == Decimal("73.50")
    assert [line.score for line in civil.lines] == [Decimal("100.00"), Decimal("91.67"), Decimal("100.00")]
    assert civil.score == Decimal("97.50")
    # 3 of the 6 communities and streets rated each department; the department campaign has no threshold.
    assert (health.ballots, health.voted, health.eligible, health.turnout) == (3, 3, 6, Decimal("50.00"))
    assert (civil.rank, health.rank) == (1, 2) and health.valid


def test_the_composite_gives_the_communities_rating_one_third_of_the_year_end_assessment(rated, office, tree):
    """Seed 003: 「社區對部門評價權重占機關年底黨建考核的三分之一」 — the communities' rating of a department
    weighs one third inside its year-end assessment; the street's ballot and the objective figure are in
    the published score, not in that third.

    卫健局, communities only: access rules 5, 4 (mean 4.5 → 87.50); guidance 4, 3 (mean 3.5 → 62.50);
    rating = (50 × 87.50 + 30 × 62.50) / 80 = 78.125 → 78.13. Composite = 78.13 / 3 + 90 × 2/3 = 86.04.
    民政局: 5, 5 and 5, 5 → 100.00; composite = 100 / 3 + 81 × 2/3 = 87.33.
    """
    table = Table(
        header=services.YEAR_END_COLUMNS,
        rows=[Row(2, {"部门编码": "WJ", "其他考核得分": "90"}), Row(3, {"部门编码": "MZ", "其他考核得分": "81"})],
    )
    services.year_end_import(actor=office, campaign=rated, table=table)
    results = by_name(scoring.compute(rated))
    health, civil = results["卫健局"], results["民政局"]
    assert [line.community for line in health.lines] == [Decimal("87.50"), Decimal("62.50"), None]
    assert (health.community_score, civil.community_score) == (Decimal("78.13"), Decimal("100.00"))
    assert health.composite == Decimal("86.04") and civil.composite == Decimal("87.33")
    # Not the whole campaign score: 73.50 / 3 + 60 = 84.50 was the old, wrong figure.
    assert health.composite != Decimal("84.50")
    # The share is configurable: with 1/2, 78.13 / 2 + 90 / 2 = 84.065 → 84.07.
    rated.composite_numerator, rated.composite_denominator = 1, 2
    rated.save()
    assert by_name(scoring.compute(rated))["卫健局"].composite == Decimal("84.07")


def test_an_objective_indicator_moves_the_score_by_its_weight(rated, tree, community_worker, office):
    before = by_name(scoring.compute(rated))["卫健局"].score
    confirm_violation(tree, community_worker, office, tree["health"], what="要求社区组织居民参加比赛")
    after = by_name(scoring.compute(rated))["卫健局"]
    assert after.lines[2].score == Decimal("60.00")  # two confirmed reports: 100 − 2 × 20
    assert before - after.score == Decimal("4.00")  # 20 % of 20 points


def test_report_requests_and_certificates_outside_the_list_are_counted_from_confirmed_reports(
    tree, office, community_worker, frozen
):
    campaign = create(office)
    services.indicators_set(
        actor=office,
        campaign=campaign,
        rows=[
            IndicatorRow("作风", 50),
            IndicatorRow("报表", 25, "unapproved_report_requests"),
            IndicatorRow("证明", 25, "certificates_outside_list"),
        ],
    )
    health = tree["health"]
    confirm_violation(tree, community_worker, office, health, what="微信群通知社区每周报送辖区企业统计表")
    confirm_violation(tree, community_worker, office, health, what="要求社区为居民开具无犯罪记录证明")
    dismissed = access.violation_report(
        actor=community_worker,
        community=tree["community11"],
        department=health,
        what="要求社区填报台账",
        arrived_on=dt.date(2026, 5, 1),
    )
    access.violation_decide(actor=office, report=dismissed, confirm=False, note="已准入事项")
    target = target_of(campaign, health)
    assert indicators.get("unapproved_report_requests").compute(campaign, [target]) == {target.pk: 75}
    assert indicators.get("certificates_outside_list").compute(campaign, [target]) == {target.pk: 75}
    assert indicators.get("confirmed_violations").compute(campaign, [target]) == {target.pk: 60}


def test_no_single_indicator_can_veto(campaign, tree, office, community_worker):
    """Five confirmed violations take the objective indicator to 0: the department loses its 20 %
    and keeps the rest, still ranked."""
    rate(campaign, community_worker, tree["community11"], tree["health"], 5, 5)
    for n in range(5):
        confirm_violation(tree, community_worker, office, tree["health"], what=f"第{n}次未经准入派发任务")
    health = by_name(scoring.compute(campaign))["卫健局"]
    assert health.lines[2].score == 0
    assert health.score == Decimal("80.00") and health.rank == 1


def test_an_indicator_set_that_could_veto_or_puts_opinions_second_is_refused(tree, office, frozen):
    campaign = create(office)
    with pytest.raises(DomainError, match="一票否决"):
        services.indicators_set(
            actor=office, campaign=campaign, rows=[IndicatorRow("总体满意度", 90), IndicatorRow("作风", 10)]
        )
    with pytest.raises(DomainError, match="以满意度为主"):
        services.indicators_set(
            actor=office,
            campaign=campaign,
            rows=[
                IndicatorRow("作风", 40),
                IndicatorRow("违规", 30, "confirmed_violations"),
                IndicatorRow("报表", 30, "unapproved_report_requests"),
            ],
        )
    with pytest.raises(DomainError, match="100%"):
        services.indicators_set(
            actor=office, campaign=campaign, rows=[IndicatorRow("作风", 50), IndicatorRow("服务", 40)]
        )
    resident = create(office, Direction.COMMUNITY)
    with pytest.raises(DomainError, match="不是该评议方向可用的客观指标"):
        services.indicators_set(
            actor=office,
            campaign=resident,
            rows=[IndicatorRow("服务", 50), IndicatorRow("违规", 50, "confirmed_violations")],
        )


def test_another_app_registers_an_objective_indicator_that_weighs_in(rated, tree, office):
    """The interface the cases app uses for whistle response rates."""

    def whistle_response(campaign, targets):
        return {t.pk: (Decimal(50) if t.org == tree["health"] else None) for t in targets}

    indicators.register(
        "test_whistle_response",
        label="吹哨响应率",
        description="测试",
        directions={Direction.DEPARTMENT},
        compute=whistle_response,
    )
    try:
        campaign = create(office, title="含吹哨指标")
        rows = [*services.DEFAULT_INDICATORS[Direction.DEPARTMENT]]
        services.indicators_set(
            actor=office,
            campaign=campaign,
            rows=[IndicatorRow(n, w, s, d) for n, d, s, w in rows[:3]]
            + [IndicatorRow("吹哨响应率", 30, "test_whistle_response")],
        )
        target = target_of(campaign, tree["health"])
        assert scoring.compute(campaign)[0].lines[3].score in {Decimal("50.00"), None}
        assert indicators.get("test_whistle_response").compute(campaign, [target]) == {target.pk: Decimal(50)}
    finally:
        indicators._REGISTRY.pop("test_whistle_response")


def test_a_resident_result_below_the_turnout_threshold_is_not_valid_and_not_ranked(tree, office, frozen):
    add_households(tree["community11"], 5)
    add_households(tree["community12"], 5)
    campaign = create(office, Direction.COMMUNITY)
    services.targets_set(
        actor=office, campaign=campaign, keys=[f"o{tree['community11'].pk}", f"o{tree['community12'].pk}"]
    )
    services.campaign_open(actor=office, campaign=campaign)
    for community, voters in ((tree["community11"], 4), (tree["community12"], 3)):
        slips = services.codes_issue(actor=office, campaign=campaign, community=community)
        target = target_of(campaign, community)
        for slip in slips[:voters]:
            services.household_vote(code=slip.code, ratings={target.pk: {i.pk: 3 for i in campaign.indicators.all()}})
    results = by_name(scoring.compute(campaign))
    passed, failed = results["街道1社区1"], results["街道1社区2"]
    assert (passed.voted, passed.eligible, passed.turnout, passed.valid, passed.rank) == (
        4,
        5,
        Decimal("80.00"),
        True,
        1,
    )
    assert (failed.voted, failed.eligible, failed.turnout, failed.valid, failed.rank) == (
        3,
        5,
        Decimal("60.00"),
        False,
        None,
    )
    assert failed.score == Decimal("50.00")  # shown, marked not valid


def test_release_freezes_the_results_and_later_data_does_not_move_them(rated, tree, office, community_worker, frozen):
    frozen(dt.date(2026, 12, 21))
    services.campaign_close(actor=office, campaign=rated)
    services.campaign_release(actor=office, campaign=rated)
    confirm_violation(tree, community_worker, office, tree["health"], what="又一次未经准入派发任务")
    rated.refresh_from_db()
    assert by_name(scoring.results(rated))["卫健局"].score == Decimal("73.50")
    assert Result.objects.get(target__org=tree["health"], target__campaign=rated).rank == 2
    assert by_name(scoring.compute(rated))["卫健局"].score == Decimal("69.50")  # the live figure moved
    with pytest.raises(InvalidTransition):
        services.campaign_release(actor=office, campaign=rated)


def test_an_organisation_changes_its_rating_until_the_close_and_each_change_is_audited(
    campaign, tree, community_worker, office, frozen
):
    from jianfu.audit.models import AuditEntry

    rate(campaign, community_worker, tree["community11"], tree["health"], 2, 2, comment="很少来社区")
    rate(campaign, community_worker, tree["community11"], tree["health"], 4, 4, comment="")
    health = by_name(scoring.compute(campaign))["卫健局"]
    assert health.ballots == 1 and health.lines[0].score == Decimal("75.00")
    update = AuditEntry.objects.get(action="ballot.update")
    assert (
        update.before["scores"] == {"遵守准入规定": 2, "指导服务基层": 2} and update.before["comment"] == "很少来社区"
    )
    assert update.after["comment"] == ""
    frozen(dt.date(2026, 12, 21))
    with pytest.raises(DomainError, match="截止"):
        rate(campaign, community_worker, tree["community11"], tree["health"], 5, 5)
    with pytest.raises(DomainError):
        rate(campaign, community_worker, tree["community12"], tree["health"], 5, 5)  # not its community


def test_a_department_clerk_cannot_rate(campaign, tree, clerk):
    with pytest.raises(DomainError):
        rate(campaign, clerk, tree["health"], tree["civil_affairs"], 5, 5)


def test_year_end_scores_import_from_xlsx_and_gbk_csv_and_a_bad_row_changes_nothing(client, campaign, office, tree):
    client.force_login(office)
    url = reverse("evaluation:year_end", args=[campaign.pk])
    bad = xlsx_bytes(
        services.YEAR_END_COLUMNS, [["WJ", "卫健局", "88"], ["XX", "不存在", "80"], ["MZ", "民政局", "高"]]
    )
    upload = io.BytesIO(bad)
    upload.name = "scores.xlsx"
    page = client.post(url, {"file": upload}, follow=True)
    body = page.content.decode()
    assert "第 3 行" in body and "部门编码" in body and "第 4 行" in body and "其他考核得分" in body
    assert not campaign.year_end_scores.exists()
    good = "部门编码,部门名称,其他考核得分\nWJ,卫健局,88.5\nMZ,民政局,\n".encode("gbk")
    upload = io.BytesIO(good)
    upload.name = "scores.csv"
    client.post(url, {"file": upload})
    assert list(campaign.year_end_scores.values_list("department__code", "score")) == [("WJ", Decimal("88.50"))]
    template = client.get(reverse("evaluation:year_end_template", args=[campaign.pk]))
    rows = read_table(io.BytesIO(template.content)).rows
    assert {r.values["部门编码"] for r in rows} == {"WJ", "MZ"}
    with pytest.raises(ImportRejected):
        services.year_end_import(
            actor=office,
            campaign=campaign,
            table=Table(header=services.YEAR_END_COLUMNS, rows=[Row(2, {"部门编码": "WJ", "其他考核得分": "120"})]),
        )


def test_only_the_office_changes_a_campaign(campaign, clerk, tree, frozen):
    worker = person("other-office", Role.COMMUNITY, tree["community11"])
    for actor in (clerk, worker):
        with pytest.raises(DomainError):
            services.campaign_close(actor=actor, campaign=campaign)


def test_a_moderated_comment_its_organisation_changes_goes_back_to_the_office(campaign, tree, community_worker, office):
    from jianfu.audit.models import AuditEntry
    from jianfu.core.errors import PermissionDenied
    from jianfu.evaluation.models import Comment, CommentState

    rate(campaign, community_worker, tree["community11"], tree["health"], 2, 2, comment="很少来社区")
    comment = Comment.objects.get()
    services.comment_moderate(actor=office, comment=comment, approve=True)
    with pytest.raises(InvalidTransition, match="不能同意转达"):
        services.comment_moderate(actor=office, comment=comment, approve=True)
    with pytest.raises(PermissionDenied):
        services.comment_moderate(actor=community_worker, comment=comment, approve=False)
    assert AuditEntry.objects.get(action="comment.approve").after == {"state": "approved", "target": "卫健局"}
    rate(campaign, community_worker, tree["community11"], tree["health"], 3, 3, comment="最近来得多了")
    comment.refresh_from_db()
    assert (comment.text, comment.state, comment.moderated_by, comment.moderated_on) == (
        "最近来得多了",
        CommentState.PENDING,
        None,
        None,
    )
    assert [(e.action, e.from_state, e.to_state, e.actor, e.role) for e in comment.events.all()] == [
        ("approve", "pending", "approved", office, Role.OFFICE),
        ("revise", "approved", "pending", community_worker, Role.COMMUNITY),
    ]
    rate(campaign, community_worker, tree["community11"], tree["health"], 3, 3, comment="最近来得多了。")
    assert comment.events.count() == 2  # a pending comment is changed without a move


def test_each_move_of_a_campaign_is_recorded_with_its_note_and_a_draft_alone_changes(campaign, office, frozen):
    with pytest.raises(InvalidTransition, match="不能修改"):
        services.campaign_update(actor=office, campaign=campaign, title="改名")
    with pytest.raises(InvalidTransition, match="不能发布"):
        services.campaign_release(actor=office, campaign=campaign)
    frozen(dt.date(2026, 12, 21))
    services.campaign_close(actor=office, campaign=campaign, reason="评议期满")
    services.campaign_release(actor=office, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.released_on == dt.date(2026, 12, 21)
    assert [(t.action, t.from_state, t.to_state, t.role, t.note) for t in campaign.transitions.all()] == [
        ("open", "draft", "open", Role.OFFICE, ""),
        ("close", "open", "closed", Role.OFFICE, "评议期满"),
        ("release", "closed", "released", Role.OFFICE, ""),
    ]
