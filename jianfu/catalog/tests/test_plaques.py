"""Plaques and wall material (issue 20, point 5): beyond the three standing plaques nothing goes up in a
community without an approved work-body item in force that covers it; taking one down needs a reason;
pages and API register, take down and list them, paged with their totals."""

import datetime as dt
from decimal import Decimal

import pytest

from jianfu.audit.models import AuditEntry
from jianfu.catalog import plaques
from jianfu.catalog.machines import PLAQUE
from jianfu.catalog.models import Category, Frequency, ItemKind, Plaque, PlaqueKind, WorkItem
from jianfu.core import workflow
from jianfu.core.errors import DomainError, InvalidTransition, PermissionDenied
from jianfu.orgs.services import token_issue

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def body_item(tree, code, name, *, streets=(), **fields) -> WorkItem:
    item = WorkItem.objects.create(
        code=code,
        name=name,
        kind=fields.pop("kind", ItemKind.BODY),
        category=fields.pop("category", Category.DUTY),
        department=fields.pop("department", tree["civil_affairs"]),
        year=fields.pop("year", TODAY.year),
        legal_basis="《中华人民共和国城市居民委员会组织法》第四条",
        frequency=Frequency.YEARLY,
        hours_per_occurrence=Decimal(2),
        **fields,
    )
    if streets:
        item.scope_streets.set(streets)
    return item


@pytest.fixture
def standing(tree, frozen):
    """社区 1-1 with its three standing plaques up, registered without an item (they need none)."""
    community = tree["community11"]
    for name in plaques.STANDING:
        plaques.plaque_register(actor=None, community=community, name=name, hung_on=dt.date(2020, 1, 6))
    return community


@pytest.fixture
def practice(tree):
    """An approved work body of street 1 only: 新时代文明实践站."""
    return body_item(tree, "B1", "社区新时代文明实践站", streets=[tree["street1"]])


def register(actor, community, name, **kw) -> Plaque:
    return plaques.plaque_register(actor=actor, community=community, name=name, **kw)


# ------------------------------------------------------------------------------------------ the rule


def test_a_fourth_plaque_without_an_item_is_refused(standing, community_worker):
    with pytest.raises(DomainError) as refused:
        register(community_worker, standing, "社区老年协会")
    assert refused.value.code == "not_approved"
    assert "社区党组织" in refused.value.message  # the rule: the three standing plaques, by name
    assert Plaque.objects.filter(community=standing).count() == 3
    assert not AuditEntry.objects.filter(action="plaque.register", actor=community_worker).exists()


def test_wall_material_without_an_item_is_refused_too(standing, community_worker):
    for kind in (PlaqueKind.WALL, PlaqueKind.RULE):
        with pytest.raises(DomainError):
            register(community_worker, standing, "社区禁毒工作制度", kind=kind)
    # A standing plaque's name is no pass for wall material.
    with pytest.raises(DomainError):
        register(community_worker, standing, "社区工作站", kind=PlaqueKind.WALL)


def test_a_backdated_plaque_without_an_item_is_refused(standing, community_worker):
    with pytest.raises(DomainError):
        register(community_worker, standing, "社区老年协会", hung_on=dt.date(2012, 1, 10))


def test_a_plaque_with_a_covering_item_goes_up_through_the_kernel(standing, practice, community_worker):
    plaque = register(community_worker, standing, "社区新时代文明实践站", item=practice)
    assert plaque.item == practice and plaque.department == practice.department and plaque.hung_on == TODAY
    assert PLAQUE.state_of(plaque) == "up"
    entry = AuditEntry.objects.get(action="plaque.register", object_id=str(plaque.pk))
    assert entry.actor == community_worker and entry.org == standing and entry.role == "community"
    assert entry.after["item"] == "B1" and entry.after["state"] == "up"
    assert workflow.available(PLAQUE, community_worker, plaque) == ["remove"]


def test_wall_material_with_a_covering_item_goes_up(standing, practice, street_worker):
    posted = register(street_worker, standing, "文明实践站活动制度", kind=PlaqueKind.RULE, item=practice)
    assert posted.kind == PlaqueKind.RULE
    assert AuditEntry.objects.get(action="plaque.register", object_id=str(posted.pk)).role == "street"


def test_an_item_of_another_street_does_not_cover(tree, practice, frozen, outsider):
    with pytest.raises(DomainError) as refused:
        register(outsider, tree["community21"], "社区新时代文明实践站", item=practice)
    assert "街道2社区1" in refused.value.message  # the gate's scope refusal names the community
    assert not Plaque.objects.filter(community=tree["community21"]).exists()


def test_an_item_of_another_kind_or_year_or_cancelled_does_not_cover(tree, standing, community_worker):
    ledger = body_item(tree, "L1", "社区文明实践台账", kind=ItemKind.LEDGER)
    last_year = body_item(tree, "B0", "社区科普站", year=TODAY.year - 1)
    cancelled = body_item(tree, "B9", "社区统计工作站", category=Category.CANCELLED)
    for item in (ledger, last_year, cancelled):
        with pytest.raises(DomainError) as refused:
            register(community_worker, standing, item.name, item=item)
        assert refused.value.code == "not_approved"


def test_the_standing_plaques_go_up_without_an_item_but_not_twice(tree, frozen, community_worker):
    community = tree["community11"]
    plaque = register(community_worker, community, "社区居民委员会")
    assert plaque.item is None and plaques.is_standing(plaque.kind, plaque.name)
    with pytest.raises(DomainError):
        register(community_worker, community, "社区居民委员会")


def test_only_the_office_the_street_and_the_community_register(tree, practice, frozen, outsider, clerk, grid_worker):
    community = tree["community11"]
    for actor in (outsider, clerk, grid_worker):
        with pytest.raises(PermissionDenied):
            register(actor, community, "社区新时代文明实践站", item=practice)


def test_a_plaque_cannot_be_dated_in_the_future(standing, practice, community_worker):
    with pytest.raises(DomainError):
        register(
            community_worker, standing, "社区新时代文明实践站", item=practice, hung_on=TODAY + dt.timedelta(days=1)
        )


# ------------------------------------------------------------------------------------------ removal


def test_removal_needs_a_reason_and_is_recorded(standing, practice, community_worker, office):
    plaque = register(community_worker, standing, "社区新时代文明实践站", item=practice)
    with pytest.raises(DomainError) as refused:
        plaques.plaque_remove(actor=community_worker, plaque=plaque, reason="  ")
    assert refused.value.code == "reason_required"
    removed = plaques.plaque_remove(actor=office, plaque=plaque, reason="事项取消，摘牌")
    assert removed.removed_on == TODAY and removed.removal_reason == "事项取消，摘牌"
    entry = AuditEntry.objects.get(action="plaque.remove", object_id=str(plaque.pk))
    assert entry.reason == "事项取消，摘牌" and entry.before["state"] == "up" and entry.after["state"] == "removed"
    assert [e.action for e in plaques.history(removed)] == ["plaque.register", "plaque.remove"]
    with pytest.raises(InvalidTransition):
        plaques.plaque_remove(actor=office, plaque=removed, reason="再次摘除")


def test_only_those_who_keep_the_plaques_take_one_down(standing, outsider, resident):
    plaque = Plaque.objects.filter(community=standing).first()
    for actor in (outsider, resident):
        assert workflow.available(PLAQUE, actor, plaque) == []
        with pytest.raises(PermissionDenied):
            plaques.plaque_remove(actor=actor, plaque=plaque, reason="清理")
    assert Plaque.objects.get(pk=plaque.pk).removed_on is None


# ------------------------------------------------------------------------------------------ pages


def test_a_community_registers_and_lists_its_plaques_on_its_page(client, standing, practice, community_worker):
    client.force_login(community_worker)
    url = f"/plaques/{standing.code}/"
    refused = client.post(url, {"kind": "plaque", "name": "社区老年协会", "item": ""})
    assert refused.status_code == 200 and Plaque.objects.filter(community=standing).count() == 3
    assert '<select name="item"' in refused.content.decode()
    answer = client.post(url, {"kind": "plaque", "name": "社区新时代文明实践站", "item": practice.pk})
    assert answer.status_code == 302
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "社区新时代文明实践站" in body and "B1" in body
    assert page.context["page"].paginator.count == 4
    assert 'data-testid="total"' in body


def test_the_community_page_is_paged_with_its_total(client, standing, community_worker):
    Plaque.objects.bulk_create(
        Plaque(community=standing, kind=PlaqueKind.WALL, name=f"公开栏{i}", department=standing, hung_on=TODAY)
        for i in range(30)
    )
    client.force_login(community_worker)
    first = client.get(f"/plaques/{standing.code}/", {"kind": "wall"})
    assert first.context["page"].paginator.count == 30 and len(first.context["page"].object_list) == 25
    second = client.get(f"/plaques/{standing.code}/", {"kind": "wall", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_a_plaque_is_taken_down_on_its_page_with_a_reason(client, standing, street_worker):
    plaque = Plaque.objects.get(community=standing, name="社区工作站")
    client.force_login(street_worker)
    url = f"/plaques/{standing.code}/{plaque.pk}/"
    assert 'data-testid="remove-form"' in client.get(url).content.decode()
    client.post(url, {"reason": ""})
    assert Plaque.objects.get(pk=plaque.pk).removed_on is None
    assert client.post(url, {"reason": "迁址重挂"}).status_code == 302
    assert Plaque.objects.get(pk=plaque.pk).removal_reason == "迁址重挂"
    history = client.get(url).content.decode()
    assert 'data-action="plaque.remove"' in history and "迁址重挂" in history


def test_another_communitys_plaques_are_not_found(client, standing, outsider, resident):
    plaque = Plaque.objects.filter(community=standing).first()
    client.force_login(outsider)
    assert client.get(f"/plaques/{standing.code}/").status_code == 404
    assert client.post(f"/plaques/{standing.code}/{plaque.pk}/", {"reason": "清理"}).status_code == 404
    client.force_login(resident)  # reads the community's plaques, keeps none
    assert client.get(f"/plaques/{standing.code}/").status_code == 200
    assert client.post(f"/plaques/{standing.code}/{plaque.pk}/", {"reason": "清理"}).status_code == 403
    assert client.post(f"/plaques/{standing.code}/", {"kind": "plaque", "name": "社区工作站"}).status_code == 403


def test_the_before_after_page_reads_the_records(client, standing, practice, community_worker, office):
    old = register(None, standing, "社区老年协会", hung_on=dt.date(2020, 1, 6))
    plaques.plaque_remove(actor=None, plaque=old, reason="清理", removed_on=dt.date(2025, 12, 31))
    register(community_worker, standing, "文明实践站活动制度", kind=PlaqueKind.RULE, item=practice)
    register(None, standing, "旧制度", kind=PlaqueKind.RULE, hung_on=dt.date(2020, 1, 6))  # found, no item
    client.force_login(office)
    page = client.get("/plaques/", {"before": "2025-06-01"})
    row = next(r for r in page.context["rows"] if r["community"] == standing)
    assert (row["before"], row["now"], row["wall_before"], row["wall_now"], row["unapproved"]) == (4, 3, 1, 2, 1)
    assert page.context["totals"]["now"] == 3 and page.context["page"].paginator.count == 4
    assert f'href="/plaques/{standing.code}/"' in page.content.decode()


# -------------------------------------------------------------------------------------------- API


@pytest.fixture
def api(client):
    def call(user, method, path, body=None):
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(actor=None, user=user)}"}
        send = getattr(client, method)
        if body is None:
            return send(f"/api/v1/plaques/{path}", **bearer)
        return send(f"/api/v1/plaques/{path}", body, content_type="application/json", **bearer)

    return call


def test_the_api_registers_refuses_lists_and_takes_down(api, tree, standing, practice, community_worker):
    refused = api(community_worker, "post", "", {"community": standing.code, "name": "社区老年协会"})
    assert refused.status_code == 400 and refused.json()["code"] == "not_approved"
    other = api(community_worker, "post", "", {"community": "S2C1", "name": "社区新时代文明实践站", "item": "B1"})
    assert other.status_code == 404
    made = api(
        community_worker, "post", "", {"community": standing.code, "kind": "wall", "name": "实践站公开栏", "item": "B1"}
    )
    assert made.status_code == 201, made.content
    assert made.json()["item"] == "B1" and made.json()["state"] == "up" and made.json()["actions"] == ["remove"]
    listed = api(community_worker, "get", f"?community={standing.code}&limit=2")
    assert listed.status_code == 200
    assert listed.json()["count"] == 4 and len(listed.json()["items"]) == 2 and listed.json()["limit"] == 2
    assert api(community_worker, "get", "?kind=wall").json()["count"] == 1
    pk = made.json()["id"]
    assert api(community_worker, "post", f"{pk}/remove/", {"reason": ""}).status_code == 400
    removed = api(community_worker, "post", f"{pk}/remove/", {"reason": "活动结束"})
    assert removed.status_code == 200 and removed.json()["removal_reason"] == "活动结束"
    assert api(community_worker, "post", f"{pk}/remove/", {"reason": "再次"}).status_code == 409
    assert api(community_worker, "get", "?state=removed").json()["count"] == 1


def test_the_api_shows_another_community_nothing(api, standing, outsider):
    plaque = Plaque.objects.filter(community=standing).first()
    assert api(outsider, "get", f"{plaque.pk}/").status_code == 404
    assert api(outsider, "post", f"{plaque.pk}/remove/", {"reason": "清理"}).status_code == 404
    assert api(outsider, "get", "").json()["count"] == 0
    assert api(outsider, "get", f"?community={standing.code}").status_code == 404
