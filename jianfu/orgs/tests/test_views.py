import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jianfu.orgs.models import Org


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_anonymous_visitors_are_sent_to_login(client, tree):
    for url in (reverse("orgs:list"), reverse("orgs:detail", args=["S1C1"]), reverse("orgs:export_orgs")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_community_list_shows_only_what_the_user_reaches(as_user, street_worker):
    body = as_user(street_worker).get(reverse("orgs:list")).content.decode()
    assert "街道1社区1" in body and "街道1社区2" in body
    assert "街道2社区1" not in body


def test_htmx_search_returns_only_the_table(as_user, office):
    response = as_user(office).get(reverse("orgs:list"), {"q": "社区2"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="community-table"' in body
    assert "街道1社区2" in body and "街道1社区1" not in body


def test_an_org_outside_reach_is_404_not_403(as_user, community_worker):
    client = as_user(community_worker)
    assert client.get(reverse("orgs:detail", args=["S1C1G2"])).status_code == 200
    assert client.get(reverse("orgs:detail", args=["S2C1"])).status_code == 404
    assert client.get(reverse("orgs:detail", args=["nonexistent"])).status_code == 404


def test_import_pages_are_for_the_office_only(as_user, community_worker, office):
    client = as_user(community_worker)
    assert client.get(reverse("orgs:import_orgs")).status_code == 403
    assert client.get(reverse("orgs:export_users")).status_code == 403
    client = as_user(office)
    assert client.get(reverse("orgs:import_orgs")).status_code == 200


def test_uploading_a_bad_file_lists_every_bad_row(as_user, office):
    text = "编码,名称,类型,上级编码\nN1,新社区,社区,S1\nN2,,社区,S1\nN3,错社区,社区,NOPE\n"
    upload = io.BytesIO(text.encode("gbk"))
    upload.name = "orgs.csv"
    response = as_user(office).post(reverse("orgs:import_orgs"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行" in body and "第 4 行" in body and "NOPE" in body
    assert not Org.objects.filter(code="N1").exists()


def test_uploading_a_good_file_imports_it(as_user, office):
    upload = io.BytesIO("编码,名称,类型,上级编码\nN1,新社区,社区,S1\n".encode())
    upload.name = "orgs.csv"
    response = as_user(office).post(reverse("orgs:import_orgs"), {"file": upload}, follow=True)
    assert "新增 1" in response.content.decode()
    assert Org.objects.get(code="N1").parent.code == "S1"


def test_uploading_another_file_type_is_refused(as_user, office):
    upload = io.BytesIO(b"%PDF-1.4")
    upload.name = "orgs.pdf"
    response = as_user(office).post(reverse("orgs:import_orgs"), {"file": upload})
    assert response.status_code == 200 and ".xlsx" in response.content.decode()


def test_export_holds_exactly_the_reachable_orgs(as_user, street_worker):
    response = as_user(street_worker).get(reverse("orgs:export_orgs"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert codes == sorted(["S1", "S1C1", "S1C1G1", "S1C1G2", "S1C2", "S1C2G1", "S1C2G2"])


def test_user_export_lists_roles_in_the_import_format(as_user, office, grid_worker):
    response = as_user(office).get(reverse("orgs:export_users"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("用户名", "姓名", "角色", "组织编码")
    assert ("grid", "grid", "网格员", "S1C1G1") in [r[:4] for r in rows]
