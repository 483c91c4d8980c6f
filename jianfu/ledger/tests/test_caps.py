"""Issue 20, point 7: the cap on report templates in force (只报一次) is each district's own setting,
made by its access office: 5 until the office sets another number. No source document gives a
number (they ask that ledgers and report forms be cut back: 001 「社区会议、纸质工作台账减少了50%」,
000 「考核台账多达47套」), so the help text and every refusal say it is the office's setting."""

import pytest

from jianfu.audit.models import AuditEntry
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.ledger import services
from jianfu.ledger.models import DistrictReportCap, TemplateCap
from jianfu.orgs import services as orgs
from jianfu.orgs.models import OrgKind, Role, User

SEED_001 = "社区会议、纸质工作台账减少了50%"
SEED_000 = "考核台账多达47套"


def _template(clerk, department, item, name, elements):
    return services.template_create(
        actor=clerk, department=department, item=item, name=name, period_type="monthly", elements=elements
    )


def _publish(clerk, department, item, name, elements):
    version = _template(clerk, department, item, name, elements).versions.get()
    return services.version_publish(actor=clerk, version=version)


@pytest.fixture
def elsewhere(db, tree):
    """A second district with one department and its office."""
    district = orgs.org_create(actor=None, code="E", name="另一区", kind=OrgKind.DISTRICT)
    department = orgs.org_create(actor=None, code="E-WJ", name="另一区卫健局", kind=OrgKind.DEPARTMENT, parent=district)
    office = User.objects.create_user(username="office-e", password="Test-pass-2026")
    orgs.membership_grant(actor=None, user=office, org=district, role=Role.OFFICE)
    return {"district": district, "department": department, "office": office}


def test_a_district_allows_five_templates_per_department_until_its_office_sets_another_number(tree, clerk, ten, item):
    health, district = tree["health"], tree["district"]
    assert services.district_cap(district) == 5
    assert services.cap_for(health) == 5
    assert not DistrictReportCap.objects.exists()
    elements = list(ten.values())
    for n in range(5):
        _publish(clerk, health, item, f"报表{n}", elements[n : n + 1])
    sixth = _template(clerk, health, item, "第六张报表", elements[5:6])
    with pytest.raises(DomainError) as refused:
        services.version_publish(actor=clerk, version=sixth.versions.get())
    assert refused.value.code == "over_cap"
    assert "5" in refused.value.message and "测试区" in refused.value.message
    assert "001" not in refused.value.message  # no seed is cited for a number no seed gives


def test_the_office_sets_three_and_the_fourth_template_is_refused_naming_three(tree, office, clerk, ten, item):
    health, district = tree["health"], tree["district"]
    setting = services.district_cap_set(actor=office, district=district, max_templates=3, reason="区减负办决定")
    assert setting.max_templates == 3 and services.cap_for(health) == 3
    elements = list(ten.values())
    for n in range(3):
        _publish(clerk, health, item, f"报表{n}", elements[n : n + 1])
    fourth = _template(clerk, health, item, "第四张报表", elements[3:4])
    with pytest.raises(DomainError) as refused:
        services.version_publish(actor=clerk, version=fourth.versions.get())
    assert refused.value.code == "over_cap"
    assert "3" in refused.value.message and "5" not in refused.value.message
    assert "测试区" in refused.value.message and "卫健局" in refused.value.message
    # Audited, with the setting's own history.
    entry = AuditEntry.objects.get(action="ledger.district_cap_set")
    assert entry.org_id == district.pk and entry.after["max_templates"] == 3 and entry.before["max_templates"] == 5
    assert entry.reason == "区减负办决定"
    services.district_cap_set(actor=office, district=district, max_templates=4)
    assert [h.max_templates for h in setting.history.order_by("history_date", "history_id")] == [3, 4]
    assert setting.history.first().history_user == office
    assert services.cap_for(health) == 4


def test_another_district_keeps_five(tree, office, elsewhere):
    services.district_cap_set(actor=office, district=tree["district"], max_templates=3)
    assert services.cap_for(tree["health"]) == 3
    assert services.district_cap(elsewhere["district"]) == 5
    assert services.cap_for(elsewhere["department"]) == 5


def test_only_the_districts_office_sets_its_cap(tree, office, clerk, reviewer, elsewhere):
    for actor in (clerk, reviewer, elsewhere["office"]):
        with pytest.raises(PermissionDenied):
            services.district_cap_set(actor=actor, district=tree["district"], max_templates=9)
    with pytest.raises(DomainError):  # the district's setting is made on the district, not a department
        services.district_cap_set(actor=office, district=tree["health"], max_templates=4)
    assert not DistrictReportCap.objects.exists()
    assert not AuditEntry.objects.filter(action="ledger.district_cap_set").exists()


@pytest.mark.parametrize("number", [0, -1, 2.5, "4"])
def test_the_cap_is_a_positive_whole_number(tree, office, number):
    with pytest.raises(DomainError) as refused:
        services.district_cap_set(actor=office, district=tree["district"], max_templates=number)
    assert refused.value.code == "invalid"
    assert services.district_cap(tree["district"]) == 5


@pytest.mark.parametrize(("number", "unusual"), [(1, True), (2, True), (3, False), (5, False), (6, True), (40, True)])
def test_a_number_outside_three_to_five_is_kept_with_a_warning(tree, office, number, unusual):
    services.district_cap_set(actor=office, district=tree["district"], max_templates=number)
    assert services.district_cap(tree["district"]) == number
    assert services.cap_unusual(number) is unusual


def test_a_departments_own_cap_overrides_the_districts_until_the_office_clears_it(tree, office, clerk, ten, item):
    health = tree["health"]
    services.district_cap_set(actor=office, district=tree["district"], max_templates=3)
    services.cap_set(actor=office, department=health, max_templates=1)
    assert services.cap_for(health) == 1 and services.cap_for(tree["civil_affairs"]) == 3
    _publish(clerk, health, item, "卫生健康月报", [ten["CLINICS"]])
    second = _template(clerk, health, item, "第二张报表", [ten["DOCTORS"]])
    with pytest.raises(DomainError) as refused:
        services.version_publish(actor=clerk, version=second.versions.get())
    assert "1" in refused.value.message and "卫健局" in refused.value.message
    services.cap_set(actor=office, department=health, max_templates=None)
    assert not TemplateCap.objects.filter(department=health).exists()
    assert services.cap_for(health) == 3
    services.version_publish(actor=clerk, version=second.versions.get())


# ------------------------------------------------------------------------------------ the page


def test_the_office_sets_the_districts_cap_on_the_caps_page_and_sees_its_history(tree, office, client):
    client.force_login(office)
    page = client.get("/ledger/caps/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="district-cap"' in body and SEED_001 in body and SEED_000 in body
    response = client.post(
        "/ledger/caps/", {"district": tree["district"].pk, "max_templates": "3", "reason": "试行"}, follow=True
    )
    assert response.redirect_chain == [("/ledger/caps/", 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert services.district_cap(tree["district"]) == 3
    response = client.post("/ledger/caps/", {"district": tree["district"].pk, "max_templates": "8"}, follow=True)
    assert services.district_cap(tree["district"]) == 8
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert response.context["page"].paginator.count == 2
    assert [h.max_templates for h in response.context["history"]] == [8, 3]
    assert 'data-testid="cap-history"' in response.content.decode()
    response = client.post("/ledger/caps/", {"district": tree["district"].pk, "max_templates": "0"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert services.district_cap(tree["district"]) == 8


def test_a_clerk_cannot_open_or_change_the_caps_page(tree, clerk, client, elsewhere):
    client.force_login(clerk)
    assert client.get("/ledger/caps/").status_code == 403
    response = client.post("/ledger/caps/", {"district": tree["district"].pk, "max_templates": "9"})
    assert response.status_code == 403
    client.force_login(elsewhere["office"])
    response = client.post("/ledger/caps/", {"district": tree["district"].pk, "max_templates": "9"})
    assert response.status_code == 404
    assert services.district_cap(tree["district"]) == 5


def test_the_department_row_left_blank_follows_the_district(tree, office, client):
    health = tree["health"]
    client.force_login(office)
    client.post("/ledger/caps/", {"department": health.pk, "max_templates": "2"})
    assert services.cap_for(health) == 2
    client.post("/ledger/caps/", {"department": health.pk, "max_templates": ""})
    assert services.cap_for(health) == 5 and not TemplateCap.objects.exists()


# ------------------------------------------------------------------------------------- the API


def test_the_api_reads_and_sets_the_districts_cap(tree, office, clerk, client, elsewhere):
    url = "/api/v1/ledger/cap/D/"
    client.force_login(office)
    got = client.get(url).json()
    assert got["district"] == "D" and got["max_templates"] == 5 and got["set_by_office"] is False
    assert got["default"] == 5 and got["history"] == []
    answer = client.post(url, {"max_templates": 3, "reason": "试行"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["max_templates"] == 3 and answer.json()["set_by_office"] is True
    assert answer.json()["warning"] == ""
    answer = client.post(url, {"max_templates": 7}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["warning"]  # kept, with a warning
    assert [h["max_templates"] for h in answer.json()["history"]] == [7, 3]
    for bad in (0, -2, 2.5, "x"):
        refused = client.post(url, {"max_templates": bad}, content_type="application/json")
        assert refused.status_code == 400 and refused.json()["code"]
    assert services.district_cap(tree["district"]) == 7
    # another district keeps 5
    client.force_login(elsewhere["office"])
    assert client.get("/api/v1/ledger/cap/E/").json()["max_templates"] == 5
    assert client.post(url, {"max_templates": 9}, content_type="application/json").status_code in (403, 404)
    # a clerk reads it but cannot change it
    client.force_login(clerk)
    assert client.get(url).json()["max_templates"] == 7
    refused = client.post(url, {"max_templates": 9}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert services.district_cap(tree["district"]) == 7


def test_a_clerk_sees_the_cap_the_department_works_under_on_the_templates_page(tree, office, clerk, client):
    services.district_cap_set(actor=office, district=tree["district"], max_templates=3)
    client.force_login(clerk)
    response = client.get("/ledger/templates/")
    assert response.status_code == 200 and 'data-testid="template-cap"' in response.content.decode()
    [(department, used, rule)] = response.context["caps"]
    assert (department, used, rule.number, rule.set_by_office) == (tree["health"], 0, 3, True)
