"""Cases through the JSON API with a bearer token: the caller's cases, reporting, acting, errors."""

import pytest

from jianfu.orgs.services import token_issue

from ..models import Case

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(actor=None, user=user)}"}


def test_a_grid_worker_reports_and_the_department_answers_through_the_api(
    client, tree, matters, grid_worker, community_worker, city, city_clerk, outsider
):
    created = client.post(
        "/api/v1/cases/",
        {"org_unit": tree["grid111"].code, "matter": "A02", "description": "路灯不亮", "request_type": "complaint"},
        content_type="application/json",
        **auth(grid_worker),
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert created.json()["state"] == "reported" and Case.objects.get().channel == "api"

    # As on the page: whoever may accept a reported case dispatches it in one go (issue #18: page and
    # API agree); the history keeps both moves.
    response = client.post(
        f"/api/v1/cases/{number}/dispatch/",
        {"assignee": "CG", "reason": "请维修"},
        content_type="application/json",
        **auth(community_worker),
    )
    assert response.status_code == 200, response.content
    assert response.json()["whistle"] is True and response.json()["assignee"] == "CG"

    listed = client.get("/api/v1/cases/", {"state": "dispatched"}, **auth(city_clerk)).json()
    assert [c["number"] for c in listed] == [number]
    respond = client.post(f"/api/v1/cases/{number}/respond/", {}, content_type="application/json", **auth(city_clerk))
    assert respond.json()["responded_on_time"] is True

    forbidden = client.post(
        f"/api/v1/cases/{number}/resolve/", {"reason": "x"}, content_type="application/json", **auth(community_worker)
    )
    assert forbidden.status_code == 403 and forbidden.json()["message"]
    detail = client.get(f"/api/v1/cases/{number}/", **auth(grid_worker)).json()
    assert [e["action"] for e in detail["events"]] == ["report", "accept", "dispatch", "respond"]
    assert client.get(f"/api/v1/cases/{number}/", **auth(outsider)).status_code == 404
    assert client.get("/api/v1/cases/").status_code == 401
