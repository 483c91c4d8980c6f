"""Every page and the API, for who may and who may not."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from jianfu.core.tabular import read_table
from jianfu.evaluation import services
from jianfu.evaluation.models import Campaign, CampaignState, Comment, CommentState, Direction

from .conftest import create, rate, target_of


@pytest.fixture
def released(campaign, tree, office, community_worker, street_worker, frozen):
    """Two organisations rated both departments with a comment each; the office approved the
    comments on 卫健局 and one on 民政局, refused the other, then closed and released."""
    rate(campaign, community_worker, tree["community11"], tree["health"], 4, 4, comment="卫健局来社区指导很及时")
    rate(campaign, street_worker, tree["street1"], tree["health"], 5, 3, comment="卫健局培训实在")
    rate(campaign, community_worker, tree["community11"], tree["civil_affairs"], 3, 3, comment="民政局报表太多")
    rate(campaign, street_worker, tree["street1"], tree["civil_affairs"], 2, 4, comment="民政局某科长态度差")
    for comment in Comment.objects.all():
        services.comment_moderate(actor=office, comment=comment, approve="态度差" not in comment.text)
    frozen(dt.date(2026, 12, 21))
    services.campaign_close(actor=office, campaign=campaign)
    services.campaign_release(actor=office, campaign=campaign)
    return Campaign.objects.get(pk=campaign.pk)


def test_the_office_creates_a_campaign_with_default_indicators_and_every_department(client, office, tree, frozen):
    client.force_login(office)
    data = {
        "title": "2026年度社区评议部门",
        "direction": "department",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "opens_on": "2026-12-07",
        "closes_on": "2026-12-28",
        "scale": "five",
        "turnout_threshold": "0",
        "composite_numerator": "1",
        "composite_denominator": "3",
    }
    response = client.post(reverse("evaluation:new"), data)
    campaign = Campaign.objects.get()
    assert response.url == reverse("evaluation:detail", args=[campaign.pk])
    assert sum(i.weight for i in campaign.indicators.all()) == 100
    assert set(campaign.targets.values_list("name", flat=True)) == {"民政局", "卫健局"}
    # The office changes the indicators: two opinions and one objective figure.
    formset = {"ind-TOTAL_FORMS": "3", "ind-INITIAL_FORMS": "0", "ind-MIN_NUM_FORMS": "0", "ind-MAX_NUM_FORMS": "12"}
    formset |= {"ind-0-name": "守规", "ind-0-weight": "50", "ind-0-source": ""}
    formset |= {"ind-1-name": "服务", "ind-1-weight": "30", "ind-1-source": ""}
    formset |= {"ind-2-name": "违规", "ind-2-weight": "20", "ind-2-source": "confirmed_violations"}
    client.post(reverse("evaluation:indicators", args=[campaign.pk]), formset)
    assert [(i.name, i.weight, i.source) for i in campaign.indicators.all()] == [
        ("守规", 50, ""),
        ("服务", 30, ""),
        ("违规", 20, "confirmed_violations"),
    ]
    client.post(reverse("evaluation:targets", args=[campaign.pk]), {"keys": [f"o{tree['health'].pk}"]})
    assert list(campaign.targets.values_list("name", flat=True)) == ["卫健局"]
    page = client.post(reverse("evaluation:action", args=[campaign.pk, "open"]), follow=True)
    assert "投票中" in page.content.decode()
    assert client.post(reverse("evaluation:indicators", args=[campaign.pk]), formset, follow=True).status_code == 200
    assert campaign.indicators.count() == 3  # no change once open


def test_no_one_but_the_office_manages_campaigns(client, campaign, clerk, community_worker):
    for user in (clerk, community_worker):
        client.force_login(user)
        assert client.get(reverse("evaluation:new")).status_code == 403
        assert client.get(reverse("evaluation:comments", args=[campaign.pk])).status_code == 403
        assert client.post(reverse("evaluation:action", args=[campaign.pk, "close"])).status_code == 403
        assert client.get(reverse("evaluation:results", args=[campaign.pk])).status_code == 403
    assert Campaign.objects.get().state == CampaignState.OPEN


def test_a_community_worker_rates_a_department_on_the_page_and_through_htmx(client, campaign, tree, community_worker):
    client.force_login(community_worker)
    index = client.get(reverse("evaluation:index")).content.decode()
    assert reverse("evaluation:rate", args=[campaign.pk]) in index
    page = client.get(reverse("evaluation:rate", args=[campaign.pk]))
    assert "街道1社区1评议部门" in page.content.decode()
    target = target_of(campaign, tree["health"])
    first, second = [i.pk for i in campaign.indicators.all() if i.is_opinion]
    url = reverse("evaluation:rate_target", args=[campaign.pk, target.pk])
    data = {f"t{target.pk}-i{first}": "5", f"t{target.pk}-i{second}": "4", f"t{target.pk}-comment": "指导及时"}
    card = client.post(url, data, HTTP_HX_REQUEST="true")
    assert card.status_code == 200 and "已保存" in card.content.decode() and "<html" not in card.content.decode()
    ballot = target.ballots.get()
    assert ballot.evaluator == tree["community11"] and {s.value for s in ballot.scores.all()} == {5, 4}
    missing = client.post(url, {f"t{target.pk}-i{first}": "5"}, HTTP_HX_REQUEST="true")
    assert "请为每项指标打分" in missing.content.decode()
    redirect = client.post(url, data)
    assert redirect.status_code == 302 and redirect.url.endswith(f"#t{target.pk}")


def test_a_grid_worker_or_a_clerk_has_nothing_to_rate(client, campaign, grid_worker, clerk):
    for user in (grid_worker, clerk):
        client.force_login(user)
        assert client.get(reverse("evaluation:rate", args=[campaign.pk])).status_code == 403


def test_the_office_previews_live_results_and_moderates_comments_through_htmx(
    client, campaign, tree, office, community_worker
):
    rate(campaign, community_worker, tree["community11"], tree["health"], 4, 4, comment="很少来社区")
    client.force_login(office)
    results = client.get(reverse("evaluation:results", args=[campaign.pk])).content.decode()
    assert "预览" in results and "<svg" in results and "75.00" in results
    comment = Comment.objects.get()
    page = client.get(reverse("evaluation:comments", args=[campaign.pk])).content.decode()
    assert "很少来社区" in page and "街道1社区1" in page  # the office sees who wrote it
    row = client.post(
        reverse("evaluation:comment_moderate", args=[campaign.pk, comment.pk]),
        {"decision": "approve"},
        HTTP_HX_REQUEST="true",
    )
    assert "已转被评对象" in row.content.decode()
    comment.refresh_from_db()
    assert comment.state == CommentState.APPROVED and comment.moderated_by == office


def test_after_release_a_department_sees_its_own_score_and_comments_and_no_other_departments(
    client, released, tree, clerk, civil_clerk
):
    client.force_login(clerk)
    index = client.get(reverse("evaluation:index")).content.decode()
    own = target_of(released, tree["health"])
    other = target_of(released, tree["civil_affairs"])
    assert reverse("evaluation:target", args=[released.pk, own.pk]) in index
    page = client.get(reverse("evaluation:target", args=[released.pk, own.pk])).content.decode()
    assert "卫健局来社区指导很及时" in page and "卫健局培训实在" in page
    assert "街道1社区1" not in page and "第1街道" not in page  # never who wrote it
    # 卫健局: (4, 5) → 87.5 and (4, 3) → 62.5, no violation → 100: 0.5 × 87.5 + 0.3 × 62.5 + 20 = 82.50
    assert "82.50" in page
    theirs = client.get(reverse("evaluation:target", args=[released.pk, other.pk])).content.decode()
    assert "民政局报表太多" not in theirs and 'data-testid="comments"' not in theirs
    client.force_login(civil_clerk)
    mine = client.get(reverse("evaluation:target", args=[released.pk, other.pk])).content.decode()
    assert "民政局报表太多" in mine and "态度差" not in mine  # refused by the office


def test_released_results_are_public_without_login_and_workers_results_are_not(client, released, tree, office, frozen):
    listing = client.get(reverse("evaluation:public")).content.decode()
    assert released.title in listing
    page = client.get(reverse("evaluation:public_results", args=[released.pk])).content.decode()
    assert "卫健局" in page and "82.50" in page and "<svg" in page
    assert "卫健局来社区指导很及时" not in page  # comments only for the target
    frozen(dt.date(2026, 12, 7))
    workers = create(office, Direction.WORKER)
    assert client.get(reverse("evaluation:public_results", args=[workers.pk])).status_code == 404
    assert client.get(reverse("evaluation:results", args=[released.pk])).status_code == 302  # to the login page


def test_results_export_to_xlsx_and_a_printable_pdf_with_charts(client, released, office):
    client.force_login(office)
    sheet = client.get(reverse("evaluation:results_xlsx", args=[released.pk]))
    table = read_table(io.BytesIO(sheet.content))
    assert table.header[:4] == ["名次", "评议对象", "所属组织", "综合得分"]
    assert "年终综合得分（社区评价占1/3）" in table.header
    first = table.rows[0].values
    assert (first["名次"], first["评议对象"], first["综合得分"]) == ("1", "卫健局", "82.5")
    pdf = client.get(reverse("evaluation:report_pdf", args=[released.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    from django.template.loader import render_to_string

    from jianfu.evaluation import exports, scoring

    results = scoring.results(released)
    html = render_to_string(
        "evaluation/report_print.html",
        {
            "campaign": released,
            "results": results,
            "score_chart": exports.score_chart(released, results),
            "indicator_chart": exports.indicator_chart(released, results),
            "indicators": list(released.indicators.all()),
        },
    )
    assert html.count("<svg") == 2 and html.count("<rect") == 2 + 3  # two departments, three indicators


def test_the_results_page_reads_a_fixed_number_of_queries(client, released, office, django_assert_max_num_queries):
    client.force_login(office)
    with django_assert_max_num_queries(20):
        client.get(reverse("evaluation:results", args=[released.pk]))


def test_the_api_lists_campaigns_and_gives_a_targets_results(client, released, tree, clerk, office, frozen):
    anonymous = client.get("/api/v1/evaluation/campaigns/").json()
    assert [c["title"] for c in anonymous] == [released.title]
    assert anonymous[0]["composite_share"] == "1/3" and len(anonymous[0]["indicators"]) == 3
    results = client.get(f"/api/v1/evaluation/campaigns/{released.pk}/results/").json()
    assert [(r["name"], r["score"], r["rank"]) for r in results][0] == ("卫健局", "82.50", 1)
    assert all(r["composite"] is None and r["comments"] is None for r in results)
    own = target_of(released, tree["health"])
    client.force_login(clerk)
    mine = client.get(f"/api/v1/evaluation/campaigns/{released.pk}/targets/{own.pk}/").json()
    assert set(mine["comments"]) == {"卫健局来社区指导很及时", "卫健局培训实在"}
    other = target_of(released, tree["civil_affairs"])
    theirs = client.get(f"/api/v1/evaluation/campaigns/{released.pk}/targets/{other.pk}/").json()
    assert theirs["comments"] is None and theirs["score"] is not None
    client.logout()
    draft = create(office, title="草稿")
    assert client.get(f"/api/v1/evaluation/campaigns/{draft.pk}/").status_code == 404
    from jianfu.orgs.models import ApiToken

    key = "evaluation-test-token"
    ApiToken.objects.create(user=office, key_hash=ApiToken.hash_key(key))
    with_token = client.get("/api/v1/evaluation/campaigns/", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert {c["title"] for c in with_token} == {released.title, "草稿"}


def test_a_community_prints_its_slips_before_the_ballots_open(client, tree, office, community_worker, outsider, frozen):
    from .conftest import add_households

    add_households(tree["community11"], 2)
    campaign = create(office, Direction.COMMUNITY, title="居民评议社区")
    client.force_login(community_worker)
    assert reverse("evaluation:codes", args=[campaign.pk]) in client.get(reverse("evaluation:index")).content.decode()
    page = client.get(reverse("evaluation:codes", args=[campaign.pk])).content.decode()
    assert "生成投票码" in page and "街道1社区1" in page
    client.force_login(outsider)  # another street's community: its own row only
    page = client.get(reverse("evaluation:codes", args=[campaign.pk])).content.decode()
    assert "街道2社区1" in page and "街道1社区1" not in page
