"""Pages through the Django test client: who sees what, every action through its form, exports."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from .. import services
from ..models import Case, State

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def post(client, user, url, data=None, **extra):
    client.force_login(user)
    return client.post(url, data or {}, **extra)


@pytest.fixture
def reported(tree, matters, grid_worker, frozen):
    return services.case_report(
        actor=grid_worker, org_unit=tree["grid111"], matter=matters["lamp"], description="路灯不亮", address="幸福路1号"
    )


class TestAccess:
    def test_pages_need_a_login_except_the_public_ones(self, client, reported, tree, service_items):
        for name, args in [("cases:dashboard", []), ("cases:report", []), ("cases:detail", [reported.number])]:
            response = client.get(reverse(name, args=args))
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        for name, args in [
            ("cases:services", []),
            ("cases:service", ["FW001"]),
            ("cases:query", []),
            ("cases:rates", []),
        ]:
            assert client.get(reverse(name, args=args)).status_code == 200, name

    def test_an_outsider_gets_404_for_a_case(self, client, reported, outsider):
        client.force_login(outsider)
        assert client.get(reverse("cases:detail", args=[reported.number])).status_code == 404
        photo = reverse("cases:photo", args=[reported.number, 1])
        assert client.get(photo).status_code == 404

    def test_only_grid_workers_have_the_grid_page_and_only_dispatchers_whistle(self, client, clerk, grid_worker):
        client.force_login(clerk)
        assert client.get(reverse("cases:grid")).status_code == 403
        assert client.get(reverse("cases:whistle")).status_code == 403
        assert client.get(reverse("cases:report")).status_code == 403
        client.force_login(grid_worker)
        assert client.get(reverse("cases:whistle")).status_code == 403


class TestGridWorkerAndWhistle:
    def test_a_grid_worker_reports_with_a_photo_from_the_phone_page(self, client, tree, matters, grid_worker, frozen):
        client.force_login(grid_worker)
        page = client.get(reverse("cases:grid")).content.decode()
        assert tree["grid111"].name in page and "打卡" not in page
        form = client.get(reverse("cases:report")).content.decode()
        assert "垃圾堆放" in form and 'accept="image/*"' in form
        response = client.post(
            reverse("cases:report"),
            {
                "org_unit": tree["grid111"].pk,
                "matter": matters["rubbish"].pk,
                "request_type": "help",
                "description": "3号楼旁垃圾堆放",
                "address": "幸福小区3号楼",
                "photo": SimpleUploadedFile("pile.png", PNG, content_type="image/png"),
            },
        )
        case = Case.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.number])
        assert case.channel == "grid" and case.photos.count() == 1
        photo = client.get(reverse("cases:photo", args=[case.number, case.photos.get().pk]))
        assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
        assert case.number in client.get(reverse("cases:grid")).content.decode()

    def test_the_community_blows_a_new_whistle(self, client, tree, matters, community_worker, city, frozen):
        response = post(
            client,
            community_worker,
            reverse("cases:whistle"),
            {
                "org_unit": tree["community11"].pk,
                "matter": matters["lamp"].pk,
                "request_type": "complaint",
                "description": "主干道路灯成片不亮",
                "address": "幸福路",
                "assignee": city.pk,
                "reason": "请30分钟内到场",
            },
        )
        case = Case.objects.get()
        assert response.status_code == 302
        assert case.state == State.DISPATCHED and case.assignee == city and case.request_type == "complaint"

    def test_a_refused_dispatch_says_why(self, client, tree, matters, grid_worker, community_worker):
        case = services.case_report(
            actor=grid_worker, org_unit=tree["grid111"], matter=matters["stalls"], description="门口占道经营"
        )
        services.case_accept(actor=community_worker, case=case)
        url = reverse("cases:action", args=[case.number, "dispatch"])
        response = post(client, community_worker, url, {"dispatch-assignee": tree["grid111"].pk}, follow=True)
        assert "不得派给社区或网格" in response.content.decode()
        case.refresh_from_db()
        assert case.state == State.ACCEPTED


class TestDetailActions:
    def test_the_whole_walk_through_the_detail_page(
        self, client, reported, tree, community_worker, city, city_clerk, grid_worker, frozen
    ):
        url = lambda action: reverse("cases:action", args=[reported.number, action])  # noqa: E731
        detail = reverse("cases:detail", args=[reported.number])
        client.force_login(community_worker)
        assert "受理" in client.get(detail).content.decode()
        client.post(url("accept"), {"accept-reason": ""})
        client.post(url("dispatch"), {"dispatch-assignee": city.pk, "dispatch-reason": "请维修"})
        client.force_login(city_clerk)
        page = client.get(detail).content.decode()
        assert "报到" in page
        client.post(url("respond"), {"respond-reason": "已到现场"})
        client.post(url("resolve"), {"resolve-reason": "已修复"})
        client.force_login(grid_worker)
        client.post(url("confirm"), {"confirm-solved": "fixed", "confirm-satisfaction": "satisfied"})
        client.force_login(community_worker)
        client.post(url("close"))
        reported.refresh_from_db()
        assert reported.state == State.CLOSED
        timeline = client.get(detail, HTTP_HX_REQUEST="true").content.decode()
        for word in ("上报", "受理", "吹哨", "报到", "办结", "确认", "结案"):
            assert word in timeline, word

    def test_the_community_blows_the_whistle_straight_from_a_report(self, client, reported, community_worker, city):
        client.force_login(community_worker)
        assert "派遣（吹哨）" in client.get(reverse("cases:detail", args=[reported.number])).content.decode()
        url = reverse("cases:action", args=[reported.number, "dispatch"])
        client.post(url, {"dispatch-assignee": city.pk, "dispatch-reason": "请到场"})
        reported.refresh_from_db()
        assert reported.state == State.DISPATCHED and reported.whistle
        assert [e.action for e in reported.events.all()] == ["report", "accept", "dispatch"]

    def test_an_illegal_action_is_a_message_not_an_error(self, client, reported, city_clerk, community_worker):
        response = post(client, community_worker, reverse("cases:action", args=[reported.number, "close"]), follow=True)
        assert response.status_code == 200 and "不能" in response.content.decode()

    def test_merge_from_the_page(self, client, reported, tree, matters, community_worker, frozen):
        other = services.case_report(
            actor=community_worker,
            org_unit=tree["community11"],
            matter=matters["lamp"],
            description="幸福路1号路灯不亮",
        )
        page = post(client, community_worker, reverse("cases:detail", args=[other.number])).content
        client.get(reverse("cases:detail", args=[other.number]))
        client.post(reverse("cases:action", args=[other.number, "merge"]), {"merge-into": reported.pk})
        other.refresh_from_db()
        assert other.state == State.MERGED and other.merged_into == reported
        assert page is not None


class TestListsAndExports:
    def test_the_dashboard_filters_and_exports(self, client, reported, community_worker, frozen):
        client.force_login(community_worker)
        page = client.get(reverse("cases:dashboard")).content.decode()
        assert reported.number in page
        partial = client.get(reverse("cases:dashboard"), {"state": "closed"}, HTTP_HX_REQUEST="true").content.decode()
        assert reported.number not in partial and "<html" not in partial
        xlsx = client.get(reverse("cases:export"), {"kind": "event"})
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
        assert rows[0][0] == "编号" and rows[1][0] == reported.number

    def test_the_dashboard_stays_within_a_query_budget(
        self, client, tree, matters, grid_worker, community_worker, django_assert_max_num_queries, frozen
    ):
        for i in range(30):
            services.case_report(
                actor=grid_worker, org_unit=tree["grid111"], matter=matters["lamp"], description=f"路灯{i}"
            )
        client.force_login(community_worker)
        with django_assert_max_num_queries(20):
            page = client.get(reverse("cases:dashboard")).content.decode()
        assert page.count('href="/cases/SJ') == 30

    def test_the_rates_page_and_its_excel(self, client, tree, frozen):
        page = client.get(reverse("cases:rates"), {"year": 2025, "month": 10}).content.decode()
        assert "响应率" in page
        xlsx = client.get(reverse("cases:rates"), {"year": 2025, "month": 10, "format": "xlsx"})
        assert list(load_workbook(io.BytesIO(xlsx.content)).active.values)[0][3] == "响应率"
        assert client.get(reverse("cases:rates"), {"month": 13}).status_code == 404
