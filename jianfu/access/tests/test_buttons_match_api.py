"""Issue #18: on the demo district, for each demo role, the action buttons of an application's page are
exactly the actions the API says the caller may take (`actions`), and an action the API does not
list is refused (403/409) with nothing changed.

The API takes submit and withdraw; the page's other buttons (review, consultation, decision,
adjustment, fast track) have no endpoint. They are checked against the machine's `available` too."""

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from jianfu.access.api import API_ACTIONS
from jianfu.access.machines import APPLICATION
from jianfu.access.models import Application
from jianfu.audit.models import AuditEntry
from jianfu.core import workflow
from jianfu.orgs.models import User

pytestmark = pytest.mark.django_db

ROLES = ["office", "reviewer", "clerk", "street", "community", "grid", "resident"]
READ_NONE = {"grid", "resident"}  # no application reaches a grid or a resident
PER_STATE = 2
# The decision form records one of three decisions; the edit link (not a button) adjusts.
DECIDE = {"approve", "approve_with_changes", "reject"}


@pytest.fixture(scope="module", autouse=True)
def demo(demo_module):
    return demo_module


class Buttons(HTMLParser):
    """The workflow actions an application page's buttons post: each submit button posts to its
    `formaction` or its form's `action`, /access/<number>/<action>/."""

    def __init__(self, number: str):
        super().__init__()
        # /access/<number>/<action>/, or /access/<number>/opinion/<id>/ (a consulted one's answer).
        self.pattern = re.compile("^" + re.escape(reverse("access:detail", args=[number])) + r"([a-z_]+)/(?:(\d+)/)?$")
        self.form_action = None
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form_action = a.get("action")
        elif tag == "button" and a.get("type", "submit") == "submit" and self.form_action is not None:
            match = self.pattern.match(a.get("formaction") or self.form_action)
            if match is None:
                return
            name = match.group(1)
            if name == "opinion" and match.group(2):
                self.found.add("give_opinion")
            elif match.group(2):
                return
            elif name == "decide":
                self.found |= DECIDE
            elif name == "confirm_adjustment" and a.get("value") == "0":
                self.found.add("refuse_adjustment")
            elif name in APPLICATION.actions:
                self.found.add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form_action = None


def page_buttons(html: str, number: str) -> set[str]:
    parser = Buttons(number)
    parser.feed(html)
    return parser.found


def sample() -> list[Application]:
    """A few demo applications of every state."""
    by_state = defaultdict(list)
    for application in Application.objects.select_related("department").order_by("number"):
        if len(by_state[application.state]) < PER_STATE:
            by_state[application.state].append(application)
    return [a for group in by_state.values() for a in group]


def footprint(application: Application) -> tuple:
    application.refresh_from_db()
    return (
        application.state,
        application.transitions.count(),
        AuditEntry.objects.filter(object_id=str(application.pk), action__startswith="application.").count(),
    )


def test_the_demo_has_applications_in_the_states_the_api_acts_on():
    states = {a.state for a in sample()}
    assert {"draft", "returned", "submitted", "approved", "withdrawn"} <= states


@pytest.mark.parametrize("username", ROLES)
def test_the_page_shows_exactly_the_actions_the_api_accepts(client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    seen = refused = 0
    for application in sample():
        number = application.number
        page = client.get(reverse("access:detail", args=[number]))
        api = client.get(f"/api/v1/applications/{number}/")
        assert page.status_code == api.status_code, (username, number)
        if api.status_code == 404:
            continue
        assert api.status_code == 200
        seen += 1
        buttons = page_buttons(page.content.decode(), number)
        actions = api.json()["actions"]
        assert buttons & set(API_ACTIONS) == set(actions), (username, number, application.state)
        # The page's other buttons come from the same call; the edit link adjusts, and only a
        # temporary item is offered the fast track.
        expected = set(workflow.available(APPLICATION, user, application)) - {"adjust"}
        if not application.temporary:
            expected.discard("fast_track")
        assert buttons == expected, (username, number, application.state)
        for action in set(API_ACTIONS) - set(actions):
            before = footprint(application)
            answer = client.post(
                f"/api/v1/applications/{number}/{action}/", {"reason": "试一下"}, content_type="application/json"
            )
            assert answer.status_code in (403, 409), (username, number, action, answer.content)
            assert footprint(application) == before
            refused += 1
    if username in READ_NONE:
        assert seen == 0
    else:
        assert seen and refused, username


def test_the_list_carries_the_same_actions_as_each_application(client):
    clerk = User.objects.get(username="clerk")
    client.force_login(clerk)
    listed = {row["number"]: row["actions"] for row in client.get("/api/v1/applications/").json()}
    for application in sample():
        assert listed[application.number] == client.get(f"/api/v1/applications/{application.number}/").json()["actions"]
    assert any("submit" in actions for actions in listed.values())
    assert any(actions == ["withdraw"] for actions in listed.values())
