"""A rule's refusal (DomainError) becomes a message in one place: the middleware for any view, the
`refusals` block for form views that keep what was typed; the API answers JSON (api.main)."""

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from jianfu.core.errors import InvalidTransition, PermissionDenied
from jianfu.core.views import refusals


def act(request):
    raise InvalidTransition("该申请当前为“已批准”，现在不能撤回。")


def form(request):
    typed = request.POST.get("subject", "")
    with refusals(request) as outcome:
        raise PermissionDenied("只有本社区工作人员可以登记。")
    shown = " ".join(str(m) for m in messages.get_messages(request))
    return HttpResponse(f"{outcome.ok}|{typed}|{shown}")


urlpatterns = [path("act/", act), path("form/", form), path("", include("jianfu.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_a_refused_post_goes_back_to_its_page_with_the_message(client, community_worker):
    client.force_login(community_worker)
    response = client.post("/act/", HTTP_REFERER="http://testserver/access/7/")
    assert response.status_code == 302 and response["Location"] == "http://testserver/access/7/"
    shown = [str(m) for m in messages.get_messages(response.wsgi_request)]
    assert shown == ["该申请当前为“已批准”，现在不能撤回。"]


def test_a_refused_post_from_elsewhere_or_a_get_shows_the_message_with_its_status(client, community_worker):
    client.force_login(community_worker)
    response = client.post("/act/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 409
    assert "该申请当前为“已批准”，现在不能撤回。" in response.content.decode()
    assert client.get("/act/").status_code == 409


def test_a_form_view_keeps_what_was_typed_and_shows_the_refusal(client, community_worker):
    client.force_login(community_worker)
    response = client.post("/form/", {"subject": "加装电梯听证会"})
    assert response.content.decode() == "False|加装电梯听证会|只有本社区工作人员可以登记。"
