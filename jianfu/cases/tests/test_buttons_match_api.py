"""Issue #18: on the demo district, for each demo role, the action buttons of a case's page are
exactly the actions the API says the caller may take (`actions`), and an action the API does not
list is refused (403/409) with nothing changed.

The API takes every move but "merge", which only the page offers (outside this check). The revisit
form posts to confirm/ and offers "not fixed: reopen" as a choice: that choice is the reopen action.
A reported case may be dispatched in one go (accepted, then dispatched), on the page as through the API."""

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse

from jianfu.audit.models import AuditEntry
from jianfu.cases import selectors, services
from jianfu.cases.api import ACTIONS
from jianfu.cases.machines import CASE
from jianfu.cases.models import Case, State
from jianfu.orgs.models import Org, User

pytestmark = pytest.mark.django_db

ROLES = ["office", "reviewer", "clerk", "street", "community", "grid", "resident"]
PER_STATE = 2
PAGE_ONLY = {"merge"}
REFUSALS_PER_CASE = 3  # of the API actions not listed, tried in turn (the test stays quick)


@pytest.fixture(scope="module", autouse=True)
def demo(demo_module):
    return demo_module


class Buttons(HTMLParser):
    """The workflow actions a case page's buttons post: each submit button posts to its form's
    `action`, /cases/<number>/<action>/; the revisit form's "reopen" choice is the reopen action."""

    def __init__(self, number: str):
        super().__init__()
        self.pattern = re.compile("^" + re.escape(reverse("cases:detail", args=[number])) + r"([a-z_]+)/$")
        self.form: str | None = None
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            match = self.pattern.match(a.get("action") or "")
            self.form = match.group(1) if match else None
        elif self.form is None:
            return
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.found.add(self.form)
        elif tag == "input" and a.get("name") == "confirm-solved" and a.get("value") == "reopen":
            self.found.add("reopen")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


def page_buttons(html: str, number: str) -> set[str]:
    parser = Buttons(number)
    parser.feed(html)
    return parser.found


def footprint(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.state,
        case.assignee_id,
        case.disputed,
        case.updated_at,
        case.events.count(),
        AuditEntry.objects.filter(action__startswith="case.").count(),
    )


def sample() -> list[Case]:
    """A few demo cases of every kind and state, those of 古塘社区 and of 卫健局 first."""
    community = Org.objects.get(name="古塘社区")
    department = Org.objects.get(name="市卫生健康局")
    ours = Case.objects.filter(org_path__startswith=community.path) | Case.objects.filter(assignee=department)
    by_state = defaultdict(list)
    for rows in (ours, Case.objects.all()):
        for case in rows.select_related("org_unit", "assignee").order_by("number"):
            group = by_state[case.kind, case.state]
            if len(group) < PER_STATE and case not in group:
                group.append(case)
    return [c for group in by_state.values() for c in group]


def refusal_payload() -> dict:
    department = Org.objects.filter(name="市卫生健康局").values_list("code", flat=True).get()
    return {"reason": "试一下", "assignee": department, "solved": True, "satisfaction": "satisfied"}


def compare(client, user: User, case: Case, *, try_refused: bool = True) -> tuple[int, int]:
    """Page buttons == API actions for this user and case; a few of the other API actions are
    refused (403/409) and change nothing. Returns (cases read, refusals tried)."""
    client.force_login(user)
    number = case.number
    page = client.get(reverse("cases:detail", args=[number]))
    api = client.get(f"/api/v1/cases/{number}/")
    assert page.status_code == api.status_code, (user.username, number)
    if api.status_code == 404:
        return 0, 0
    assert api.status_code == 200
    buttons = page_buttons(page.content.decode(), number)
    actions = api.json()["actions"]
    where = (user.username, number, case.kind, case.state)
    assert buttons - PAGE_ONLY == set(actions), where
    assert buttons <= set(selectors.case_actions(user, case)), where
    refused = 0
    if try_refused:
        others = sorted(set(ACTIONS) - set(actions))
        turn = case.pk % len(others) if others else 0
        for action in (others[turn:] + others[:turn])[:REFUSALS_PER_CASE]:
            before = footprint(case)
            answer = client.post(
                f"/api/v1/cases/{number}/{action}/", refusal_payload(), content_type="application/json"
            )
            assert answer.status_code in (403, 409), (*where, action, answer.content)
            assert footprint(case) == before, (*where, action)
            refused += 1
    return 1, refused


def test_the_demo_has_cases_in_several_states():
    states = {(c.kind, c.state) for c in sample()}
    assert {("event", "reported"), ("event", "responded"), ("event", "resolved"), ("service", "accepted")} <= states
    assert len(states) >= 10


@pytest.mark.parametrize("username", ROLES)
def test_the_page_shows_exactly_the_actions_the_api_accepts(client, username):
    user = User.objects.get(username=username)
    seen = refused = 0
    for case in sample():
        read, tried = compare(client, user, case)
        seen, refused = seen + read, refused + tried
    if username == "reviewer":
        assert seen == 0  # a reviewer of the lists reads no case
    elif username != "resident":
        assert seen and refused, username


def test_the_list_carries_the_same_actions_as_each_case(client):
    client.force_login(User.objects.get(username="community"))
    listed = {row["number"]: row["actions"] for row in client.get("/api/v1/cases/", {"state": "open"}).json()}
    assert listed and any(listed.values())
    for number in list(listed)[:5]:
        assert listed[number] == client.get(f"/api/v1/cases/{number}/").json()["actions"], number


def test_a_case_walked_through_the_api_shows_the_same_buttons_at_every_step(client):
    """A resident's report, moved through the API by whoever the API lists the action for; at every
    step every role's page offers exactly what the API lists."""
    users = {name: User.objects.get(username=name) for name in ROLES}
    department = Org.objects.get(name="市卫生健康局")
    grid = Org.objects.get(name="古塘社区第一网格")
    matter = selectors.matters_for(grid).first()
    case = services.case_report(
        actor=users["resident"], org_unit=grid, matter=matter, description="楼道灯坏了", address="古塘小区1幢"
    )
    steps = [
        ("community", "accept", {}),
        ("community", "dispatch", {"assignee": department.code, "reason": "请到场"}),
        ("clerk", "dispute", {"reason": "不属本部门职责"}),
        ("clerk", "return", {"reason": "退回重派"}),
        ("street", "dispatch", {"assignee": department.code, "reason": "请到场"}),
        ("clerk", "respond", {}),
        ("clerk", "resolve", {"reason": "已修复"}),
        ("resident", "reopen", {"reason": "还是不亮"}),
        ("clerk", "resolve", {"reason": "已更换灯具"}),
        ("resident", "confirm", {"solved": True, "satisfaction": "satisfied"}),
        ("community", "close", {}),
    ]
    seen_states = []
    for actor, action, payload in [*steps, (None, None, None)]:
        case.refresh_from_db()
        seen_states.append((case.state, case.disputed))
        for user in users.values():
            read, _ = compare(client, user, case, try_refused=False)
            if user.username in {"office", "street", "community", "grid", "resident"}:
                assert read, (user.username, case.state)  # over the place, or its reporter
        if actor is None:
            break
        client.force_login(users[actor])
        assert action in client.get(f"/api/v1/cases/{case.number}/").json()["actions"], (actor, action)
        answer = client.post(f"/api/v1/cases/{case.number}/{action}/", payload, content_type="application/json")
        assert answer.status_code == 200, (actor, action, answer.content)
    assert seen_states[0] == (State.REPORTED, False)
    assert (State.DISPATCHED, True) in seen_states and seen_states[-1] == (State.CLOSED, False)
    assert {s for s, _ in seen_states} >= {"reported", "accepted", "dispatched", "responded", "resolved", "reopened"}


def test_a_reported_case_is_dispatched_in_one_go_on_the_page_as_through_the_api(client):
    """Whoever may accept a reported case may also dispatch it at once (accepted, then dispatched:
    both moves in the history), and the page and the API offer and accept it alike."""
    dispatcher = User.objects.get(username="community")
    case = next(c for c in Case.objects.filter(state=State.REPORTED, kind="event") if CASE.may(dispatcher, c, "accept"))
    client.force_login(dispatcher)
    department = Org.objects.get(name="市卫生健康局")
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert page_buttons(page, case.number) >= {"accept", "dispatch"}
    assert "dispatch" in client.get(f"/api/v1/cases/{case.number}/").json()["actions"]

    def dispatched() -> None:
        case.refresh_from_db()
        assert case.state == State.DISPATCHED and case.assignee == department
        assert [e.action for e in case.events.all()][-2:] == ["accept", "dispatch"]

    through_the_api = transaction.savepoint()
    api = client.post(
        f"/api/v1/cases/{case.number}/dispatch/", {"assignee": department.code}, content_type="application/json"
    )
    assert api.status_code == 200 and api.json()["state"] == State.DISPATCHED
    dispatched()
    transaction.savepoint_rollback(through_the_api)
    case.refresh_from_db()
    assert case.state == State.REPORTED
    client.post(reverse("cases:action", args=[case.number, "dispatch"]), {"dispatch-assignee": department.pk})
    dispatched()
