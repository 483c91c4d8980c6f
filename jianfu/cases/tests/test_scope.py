"""Issue 19, point 5 (and point 4 for cases): the gate holds for cases too.

- A whistle (社区吹哨) names a matter of the three whistle categories (seed 003: 明确3大类吹哨范围) and goes
  to that matter's responsible department; anything else is refused before anything is written.
- A case goes to a community or grid only under its matter's list item in force for that community
  (jianfu.catalog.gate, scope included).
- A service item is handled at community windows only under a list item in force for the community."""

import json

import pytest
from django.urls import reverse

from jianfu.access.models import CheckRecord
from jianfu.audit.models import AuditEntry
from jianfu.catalog.models import Category, ItemKind, WorkItem
from jianfu.core.errors import DomainError
from jianfu.orgs.models import User

from .. import services
from ..models import Case, CaseEvent, HandledAt, Matter, ServiceGroup, ServiceItem, State

pytestmark = pytest.mark.django_db


def report(user, org, matter, text="路灯不亮，晚上行人看不清"):
    return services.case_report(actor=user, org_unit=org, matter=matter, description=text, address="幸福路12号")


def street_two_item(tree, department, **fields) -> WorkItem:
    """An item approved for 第2街道 only, in force in 2025 (the frozen clock's year)."""
    item = WorkItem.objects.create(
        **{
            "code": "D2-001",
            "name": "协助生活垃圾分类宣传和督导",
            "kind": ItemKind.TASK,
            "category": Category.DUTY,
            "department": department,
            "year": 2025,
        }
        | fields
    )
    item.scope_streets.set([tree["street2"]])
    return item


class TestWhistleScope:
    def test_a_grid_matter_is_no_whistle(self, tree, matters, grid_worker, community_worker, city, frozen):
        case = report(grid_worker, tree["grid111"], matters["rubbish"], text="楼道堆放垃圾")
        with pytest.raises(DomainError) as refused:
            services.whistle_blow(actor=community_worker, case=case, assignee=city)
        assert refused.value.code == "not_whistle_matter"
        assert "垃圾堆放" in refused.value.message and "吹哨范围" in refused.value.message
        assert "城市管理类" in refused.value.message  # the categories a whistle may be blown for
        case.refresh_from_db()
        assert case.state == State.REPORTED and [e.action for e in case.events.all()] == ["report"]

    def test_a_new_whistle_for_a_grid_matter_writes_nothing(self, tree, matters, community_worker, city, frozen):
        with pytest.raises(DomainError, match="吹哨范围"):
            services.whistle_blow(
                actor=community_worker,
                assignee=city,
                org_unit=tree["community11"],
                matter=matters["rubbish"],
                description="楼道堆放垃圾",
            )
        assert not Case.objects.exists() and not CaseEvent.objects.exists()

    def test_a_whistle_goes_only_to_the_matters_responsible_department(
        self, tree, matters, grid_worker, community_worker, city, frozen
    ):
        case = report(grid_worker, tree["grid111"], matters["lamp"])
        with pytest.raises(DomainError) as refused:
            services.whistle_blow(actor=community_worker, case=case, assignee=tree["health"])
        assert refused.value.code == "not_responsible_department"
        assert "城管局" in refused.value.message and "卫健局" in refused.value.message
        case.refresh_from_db()
        assert case.state == State.REPORTED and case.assignee is None and case.events.count() == 1
        with pytest.raises(DomainError, match="城管局"):
            services.whistle_blow(
                actor=community_worker,
                assignee=tree["health"],
                org_unit=tree["community11"],
                matter=matters["lamp"],
                description="小区路灯损坏",
            )
        assert Case.objects.count() == 1

    def test_a_whistle_in_scope_is_blown(self, tree, matters, grid_worker, community_worker, city, frozen):
        case = report(grid_worker, tree["grid111"], matters["lamp"])
        case = services.whistle_blow(actor=community_worker, case=case, assignee=city, reason="请30分钟内到场")
        assert case.state == State.DISPATCHED and case.whistle and case.assignee == city
        new = services.whistle_blow(
            actor=community_worker,
            assignee=tree["health"],
            org_unit=tree["community11"],
            matter=matters["doctor"],
            description="独居老人需家庭医生上门",
        )
        assert new.whistle and new.assignee == tree["health"]
        assert [e.action for e in new.events.all()] == ["report", "accept", "dispatch"]

    def test_a_matter_without_a_responsible_department_cannot_be_whistled(
        self, tree, matters, community_worker, city, frozen
    ):
        orphan = Matter.objects.create(group=matters["whistle_group"], code="A09", name="井盖缺失")
        with pytest.raises(DomainError, match="责任部门"):
            services.whistle_blow(
                actor=community_worker,
                assignee=city,
                org_unit=tree["community11"],
                matter=orphan,
                description="井盖缺失",
            )
        assert not Case.objects.exists()


class TestWhistlePage:
    def test_the_page_offers_only_whistle_matters_and_preselects_the_department(
        self, client, tree, matters, community_worker, city, frozen
    ):
        client.force_login(community_worker)
        page = client.get(reverse("cases:whistle")).content.decode()
        assert "路灯损坏" in page and "家庭医生上门服务" in page
        assert "垃圾堆放" not in page and "重点人员异常情况" not in page
        chosen = client.get(reverse("cases:whistle"), {"matter": matters["doctor"].pk}).content.decode()
        assert f'<option value="{tree["health"].pk}" selected>' in chosen
        assert f'<option value="{city.pk}"' not in chosen  # only the chosen matter's department
        # Choosing a matter swaps its department in, without reloading the page.
        swapped = client.get(reverse("cases:whistle"), {"matter": matters["lamp"].pk}, HTTP_HX_REQUEST="true")
        html = swapped.content.decode()
        assert html.lstrip().startswith('<div id="whistle-assignee">') and "<form" not in html
        assert f'<option value="{city.pk}" selected>' in html

    def test_the_department_follows_the_matter_in_one_step(self, client, tree, matters, community_worker, frozen):
        client.force_login(community_worker)
        response = client.post(
            reverse("cases:whistle"),
            {
                "org_unit": tree["community11"].pk,
                "matter": matters["doctor"].pk,
                "request_type": "help",
                "description": "独居老人需家庭医生上门",
                "assignee": "",
            },
        )
        case = Case.objects.get()
        assert response.status_code == 302 and case.assignee == tree["health"] and case.whistle

    def test_a_grid_matter_or_another_department_is_refused_on_the_page(
        self, client, tree, matters, community_worker, city, frozen
    ):
        client.force_login(community_worker)
        data = {
            "org_unit": tree["community11"].pk,
            "request_type": "help",
            "description": "楼道堆放垃圾",
        }
        page = client.post(reverse("cases:whistle"), data | {"matter": matters["rubbish"].pk, "assignee": city.pk})
        assert page.status_code == 200
        page = client.post(
            reverse("cases:whistle"), data | {"matter": matters["lamp"].pk, "assignee": tree["health"].pk}
        )
        assert page.status_code == 200
        assert not Case.objects.exists()


class TestDispatchScope:
    def test_an_item_in_force_only_for_another_street_keeps_the_case_from_this_community(
        self, tree, matters, grid_worker, community_worker, outsider, city, frozen
    ):
        item = street_two_item(tree, city)
        sorting = Matter.objects.create(
            group=matters["grid_group"], code="G05", name="垃圾分类督导", department=city, work_item=item
        )
        case = report(grid_worker, tree["grid111"], sorting, text="垃圾分类桶旁混投")
        case = services.case_accept(actor=community_worker, case=case)
        for target in (tree["community11"], tree["grid111"]):
            with pytest.raises(DomainError) as refused:
                services.case_dispatch(actor=community_worker, case=case, assignee=target)
            assert refused.value.code == "department_matter"
            message = refused.value.message
            assert "协助生活垃圾分类宣传和督导" in message and "其他街道" in message and "城管局" in message
        case.refresh_from_db()
        assert case.state == State.ACCEPTED and case.assignee is None
        assert services.department_matter(case) == item
        # Point 7: each refusal is kept as an arrival at the community, though the case did not move.
        kept = CheckRecord.objects.order_by("id")
        assert [(r.channel, r.org, r.sender, r.item, r.kind, r.decision) for r in kept] == [
            ("dispatch", tree["community11"], tree["community11"], item, "task", "not_in_force")
        ] * 2
        assert "其他街道" in kept[0].reason
        with pytest.raises(DomainError, match="其他街道"):
            services.case_take_and_dispatch(actor=community_worker, case=case, assignee=tree["grid111"])
        assert CheckRecord.objects.count() == 3  # once, though two services refused it, the outer rolled back
        # In 第2街道, where the item is in force, the community's grid may take it.
        grid_worker_2 = User.objects.create_user(username="grid2", password="x", display_name="grid2")
        from jianfu.orgs import services as orgs

        orgs.membership_grant(actor=None, user=grid_worker_2, org=tree["grid211"], role="grid")
        there = report(grid_worker_2, tree["grid211"], sorting, text="垃圾分类桶旁混投")
        assert services.department_matter(there) is None
        there = services.case_take_and_dispatch(actor=outsider, case=there, assignee=tree["grid211"])
        assert there.state == State.DISPATCHED and not there.whistle


@pytest.fixture
def window_item(tree):
    return ServiceItem.objects.create(
        code="FW009",
        name="垃圾分类桶领取",
        group=ServiceGroup.CONVENIENCE,
        department=tree["civil_affairs"],
        time_limit_workdays=0,
        handled_at=HandledAt.WINDOW,
    )


def apply(actor, community, item):
    return services.service_apply(
        actor=actor, community=community, item=item, applicant_name="孙丽华", applicant_phone="13805741234"
    )


class TestServiceWindows:
    def test_an_item_handled_at_the_window_needs_an_item_in_force(
        self, tree, window_item, community_worker, resident, frozen
    ):
        for actor in (community_worker, resident):
            with pytest.raises(DomainError) as refused:
                apply(actor, tree["community11"], window_item)
            assert "垃圾分类桶领取" in refused.value.message and "申请准入" in refused.value.message
            assert "民政局" in refused.value.message  # where the applicant goes instead
        assert not Case.objects.exists() and not CaseEvent.objects.exists()

    def test_only_where_its_item_is_in_force(self, tree, window_item, community_worker, outsider, frozen):
        window_item.work_item = street_two_item(tree, tree["civil_affairs"])
        window_item.save()
        with pytest.raises(DomainError, match="其他街道"):
            apply(community_worker, tree["community11"], window_item)
        assert not Case.objects.exists()
        case = apply(outsider, tree["community21"], window_item)
        assert case.state == State.ACCEPTED and case.channel == "window"

    def test_an_item_the_department_handles_needs_none(self, tree, service_items, community_worker, frozen):
        assert service_items["dibao"].work_item is None
        case = apply(community_worker, tree["community11"], service_items["dibao"])
        assert case.state == State.ACCEPTED

    def test_the_office_moves_handling_to_the_windows_only_with_an_item_in_force(
        self, client, tree, service_items, frozen
    ):
        dibao = service_items["dibao"]
        admin = User.objects.create_superuser(username="root", password="x", display_name="root")
        client.force_login(admin)
        url = reverse("admin:cases_serviceitem_change", args=[dibao.pk])
        data = {
            "code": dibao.code,
            "name": dibao.name,
            "group": dibao.group,
            "department": dibao.department.pk,
            "materials": json.dumps(dibao.materials),
            "steps": json.dumps(dibao.steps),
            "time_limit_workdays": dibao.time_limit_workdays,
            "legal_basis": "",
            "handled_at": HandledAt.WINDOW,
            "work_item": "",
            "active": "on",
        }
        page = client.post(url, data)
        assert page.status_code == 200 and "申请准入" in page.content.decode()
        dibao.refresh_from_db()
        assert dibao.handled_at == HandledAt.DEPARTMENT
        negative = WorkItem.objects.create(
            code="N-1", name="居民财产证明", kind=ItemKind.CERTIFICATE, category=Category.NEGATIVE,
            department=tree["civil_affairs"], year=2025,
        )  # fmt: skip
        page = client.post(url, data | {"work_item": negative.pk})
        assert page.status_code == 200 and "负面清单" in page.content.decode()
        relief = WorkItem.objects.create(
            code="D-024", name="协助做好最低生活保障、特困人员供养和临时救助", kind=ItemKind.TASK,
            category=Category.ASSIST, funding_yuan=5000, department=tree["civil_affairs"], year=2025,
        )  # fmt: skip
        assert client.post(url, data | {"work_item": relief.pk}).status_code == 302
        dibao.refresh_from_db()
        assert dibao.handled_at == HandledAt.WINDOW and dibao.work_item == relief
        entry = AuditEntry.objects.get(action="service_item.save", object_id=str(dibao.pk))
        assert entry.before["handled_at"] == "department" and entry.after["work_item_id"] == relief.pk
        detail = client.get(reverse("cases:service", args=[dibao.code])).content.decode()
        assert "协助做好最低生活保障、特困人员供养和临时救助" in detail
