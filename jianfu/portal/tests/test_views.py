"""The public portal through the Django test client: no login, only what is public, a fixed number of
queries; and the records pages of the people who keep them."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jianfu.core import clock
from jianfu.deliberations.models import Deliberation, DeliberationKind
from jianfu.orgs import services as orgs
from jianfu.orgs.models import OrgKind
from jianfu.portal.models import Commitment

from .conftest import TODAY, hearing, work_item

pytestmark = pytest.mark.django_db

# The community page's query budget: the community, its grids, items and their scopes, commitments
# and their streets, results and records (8) — plus the monitor's public figures, which read two
# more when the district has no figures yet (as here), and two to spare.
COMMUNITY_PAGE_QUERIES = 12


def community_url(tree, key="community11"):
    return reverse("portal:community", args=[tree[key].code])


def text(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------------- public pages


def test_the_front_page_lists_streets_communities_public_links_and_recent_published_records(
    client, tree, community_worker, frozen
):
    hearing(community_worker, tree["community11"], subject="已公开的听证会")
    hearing(community_worker, tree["community11"], subject="还是草稿的听证会", publish=False)
    body = text(client.get(reverse("portal:home")))
    assert "测试区" in body and "第1街道" in body and "第2街道" in body
    for key in ("community11", "community12", "community21", "community22"):
        assert community_url(tree, key) in body
    for name in ("catalog:home", "catalog:lists", "certificates:check", "cases:services", "cases:query"):
        assert f'href="{reverse(name)}"' in body
    assert 'href="/evaluation/public/"' in body
    assert "已公开的听证会" in body and "还是草稿的听证会" not in body


def test_the_public_list_shows_only_published_records_and_filters_by_kind_street_and_community(
    client, tree, community_worker, outsider, street_worker, frozen
):
    hearing(community_worker, tree["community11"], subject="社区11油烟听证")
    hearing(street_worker, tree["community12"], subject="社区12恳谈", kind=DeliberationKind.FORUM)
    hearing(outsider, tree["community21"], subject="社区21油烟听证")
    hearing(outsider, tree["community21"], subject="社区21草稿", publish=False)
    url = reverse("portal:deliberations")
    body = text(client.get(url))
    assert all(s in body for s in ("社区11油烟听证", "社区12恳谈", "社区21油烟听证")) and "社区21草稿" not in body
    body = text(client.get(url, {"kind": "hearing"}))
    assert "社区11油烟听证" in body and "社区21油烟听证" in body and "社区12恳谈" not in body
    body = text(client.get(url, {"street": tree["street1"].code}))
    assert "社区11油烟听证" in body and "社区12恳谈" in body and "社区21油烟听证" not in body
    body = text(client.get(url, {"community": tree["community12"].code}))
    assert "社区12恳谈" in body and "社区11油烟听证" not in body
    # The filter form swaps only the list in place.
    partial = client.get(url, {"kind": "forum"}, headers={"HX-Request": "true"})
    assert "<html" not in text(partial) and "社区12恳谈" in text(partial)


def test_the_public_list_is_paginated(client, tree, community_worker, frozen):
    for n in range(23):
        hearing(community_worker, tree["community11"], subject=f"第{n:02d}次听证", held_on=TODAY - dt.timedelta(days=n))
    first = text(client.get(reverse("portal:deliberations")))
    second = text(client.get(reverse("portal:deliberations"), {"page": 2}))
    assert "第00次听证" in first and "第19次听证" in first and "第20次听证" not in first
    assert "第20次听证" in second and "第22次听证" in second and "1 / 2" in first


def test_a_draft_record_is_not_public(client, tree, community_worker, frozen):
    published = hearing(community_worker, tree["community11"], follow_up="执法中队复查合格")
    draft = hearing(community_worker, tree["community11"], publish=False)
    response = client.get(reverse("portal:deliberation", args=[published.pk]))
    assert response.status_code == 200 and "执法中队复查合格" in text(response)
    assert client.get(reverse("portal:deliberation", args=[draft.pk])).status_code == 404


def test_the_community_page_shows_its_facts_grids_and_the_items_in_force_that_apply_to_it(client, tree, items):
    body = text(client.get(community_url(tree)))
    community = tree["community11"]
    assert community.name in body and "第1街道" in body
    # Grouped by thousands (1,100 · 2,800), as every figure on the pages (jianfu.core.numbers).
    assert f"{community.registered_households:,}" in body and f"{community.population:,}" in body
    assert "街道1社区1网格1" in body and "街道1社区1网格2" in body
    assert "组织居民参与传染病预防与控制" in body and "协助做好残疾人服务台账" in body
    for absent in ("只在第二街道的台账", "平房区专项调查", "招商引资任务", "去年的创建评比", "已到期的临时任务"):
        assert absent not in body
    assert "2 项" in body  # the count of items in force
    # In the other street the street-scoped item is in force instead.
    other = text(client.get(community_url(tree, "community21")))
    assert "只在第二街道的台账" in other and "协助做好残疾人服务台账" not in other


def test_the_community_page_shows_the_commitments_that_cover_it_with_their_phones(client, tree, commitments):
    body = text(client.get(community_url(tree)))
    assert "卫健局" in body and 'href="tel:0574-63012301"' in body and 'href="tel:12320"' in body
    assert "低保、特困、临时救助政策咨询" not in body  # 民政局 promised the second street only
    other = text(client.get(community_url(tree, "community21")))
    assert 'href="tel:0574-63012199"' in other


def test_the_community_page_shows_released_evaluation_results_only(client, tree, campaigns):
    released = campaigns["released"]
    result = released.targets.get(org=tree["community11"], worker__isnull=True).result
    assert result.valid and result.voted == 4 and result.eligible == 5
    body = text(client.get(community_url(tree)))
    assert released.title in body and str(result.score) in body and "80.00%" in body
    assert campaigns["pending"].title not in body  # closed, not released
    assert campaigns["workers"].title not in body  # ratings of individual workers are never public
    assert released.title not in text(client.get(community_url(tree, "community12")))


def test_the_community_page_shows_its_published_records_only(client, tree, community_worker, outsider, frozen):
    hearing(community_worker, tree["community11"], subject="本社区已公开听证")
    hearing(community_worker, tree["community11"], subject="本社区草稿", publish=False)
    hearing(outsider, tree["community21"], subject="别的社区听证")
    body = text(client.get(community_url(tree)))
    assert "本社区已公开听证" in body and "本社区草稿" not in body and "别的社区听证" not in body


def test_an_unknown_community_is_not_found(client, tree):
    assert client.get(reverse("portal:community", args=["NOPE"])).status_code == 404
    assert client.get(reverse("portal:community", args=[tree["street1"].code])).status_code == 404


def test_the_community_page_reads_a_fixed_number_of_queries_however_much_it_shows(
    client, tree, items, commitments, campaigns, community_worker, django_assert_max_num_queries
):
    url = community_url(tree)
    hearing(community_worker, tree["community11"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # Many more items, commitments, grids and records.
    for n in range(30):
        work_item(tree, f"X{n}", name=f"批量事项{n}", scope_streets=[tree["street1"]] if n % 2 else [])
        hearing(community_worker, tree["community11"], subject=f"第{n}次听证")
    for n in range(10):
        department = orgs.org_create(
            actor=None, code=f"BM{n}", name=f"部门{n}", kind=OrgKind.DEPARTMENT, parent=tree["district"]
        )
        commitment = Commitment.objects.create(
            department=department,
            duties="职责",
            duty_phone=f"6301{n:04d}",
            complaint_phone="12345",
            updated_at=clock.now(),
        )
        commitment.streets.set([tree["street1"], tree["street2"]])
        orgs.org_create(
            actor=None, code=f"S1C1G{n + 3}", name=f"新网格{n}", kind=OrgKind.GRID, parent=tree["community11"]
        )
    with django_assert_max_num_queries(COMMUNITY_PAGE_QUERIES):
        response = client.get(url)
    body = text(response)
    assert "批量事项29" in body and "第29次听证" in body and "部门9" in body and "新网格9" in body
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# ---------------------------------------------------------------------------- keeping the records


def test_the_records_pages_need_a_login_and_a_recorder_role(client, tree, clerk, grid_worker, resident):
    url = reverse("portal:records")
    assert client.get(url).status_code == 302
    for user in (clerk, grid_worker, resident):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("portal:records_export")).status_code == 403
        assert 'href="/portal/records/"' not in text(client.get(reverse("portal:home")))  # no nav link


def test_a_community_worker_records_a_meeting_from_the_form_and_publishes_it(client, tree, community_worker, frozen):
    client.force_login(community_worker)
    page = text(client.get(reverse("portal:records")))
    assert 'href="/portal/records/"' in page  # the nav link
    assert 'type="hidden" name="community"' in page  # one community: not asked
    response = client.post(
        reverse("portal:records"),
        {
            "kind": "hearing",
            "community": tree["community11"].pk,
            "held_on": "2026-11-20",
            "subject": "幸福路烧烤店油烟扰民听证会",
            "participants": "42",
            "agenda": "通报投诉；经营者陈述；居民发言；表决",
            "outcome": "经营者加装净化装置",
            "follow_up": "",
            "follow_up_done": "",
        },
    )
    record = Deliberation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:record", args=[record.pk])
    assert record.published_at is None and record.recorded_by == community_worker
    client.post(reverse("portal:record_action", args=[record.pk, "publish"]))
    record.refresh_from_db()
    assert record.published_at is not None
    assert "幸福路烧烤店油烟扰民听证会" in text(client.get(reverse("portal:deliberations")))


def test_the_form_shows_what_is_wrong_in_chinese(client, tree, community_worker, frozen):
    client.force_login(community_worker)
    data = {
        "kind": "hearing",
        "community": tree["community11"].pk,
        "held_on": "2026-12-31",
        "subject": "听证会",
        "participants": "0",
        "agenda": "议程",
        "outcome": "结果",
    }
    body = text(client.post(reverse("portal:records"), data))
    assert "至少有 1 人参加" in body
    body = text(client.post(reverse("portal:records"), data | {"participants": "30"}))
    assert "会议召开后才能记录" in body
    assert not Deliberation.objects.exists()


def test_a_worker_sees_and_exports_only_the_records_within_reach(
    client, tree, community_worker, street_worker, outsider, frozen
):
    hearing(community_worker, tree["community11"], subject="社区11的听证")
    hearing(street_worker, tree["community12"], subject="社区12的恳谈", kind=DeliberationKind.FORUM, publish=False)
    other = hearing(outsider, tree["community21"], subject="社区21的听证")
    client.force_login(community_worker)
    body = text(client.get(reverse("portal:records")))
    assert "社区11的听证" in body and "社区12的恳谈" not in body and "社区21的听证" not in body
    assert client.get(reverse("portal:record", args=[other.pk])).status_code == 404
    assert client.post(reverse("portal:record_action", args=[other.pk, "withdraw"])).status_code == 404

    client.force_login(street_worker)
    response = client.get(reverse("portal:records_export"), {"kind": "forum"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("会议日期", "类型", "街道/镇", "社区", "议题")
    assert [r[4] for r in rows[1:]] == ["社区12的恳谈"] and rows[1][10] == "草稿"
    response = client.get(reverse("portal:records_export"))
    subjects = {r[4] for r in list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]}
    assert subjects == {"社区11的听证", "社区12的恳谈"}


def test_a_street_worker_edits_a_record_and_withdraws_it_with_a_reason(
    client, tree, community_worker, street_worker, frozen
):
    record = hearing(community_worker, tree["community11"])
    client.force_login(street_worker)
    page = text(client.get(reverse("portal:record", args=[record.pk])))
    assert "撤回" in page
    response = client.post(
        reverse("portal:record", args=[record.pk]),
        {
            "kind": record.kind,
            "community": record.community_id,
            "held_on": record.held_on.isoformat(),
            "subject": record.subject,
            "participants": record.participants,
            "agenda": record.agenda,
            "outcome": record.outcome,
            "follow_up": "经营者已整改，复查合格",
            "follow_up_done": "2026-12-01",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.follow_up_done == dt.date(2026, 12, 1)
    client.post(reverse("portal:record_action", args=[record.pk, "withdraw"]), {"reason": "核实参会人数"})
    record.refresh_from_db()
    assert record.published_at is None
    assert client.get(reverse("portal:deliberation", args=[record.pk])).status_code == 404
