"""Permission matrix (issue #11): every role of another organisation, tried against every object.

Two organisation trees: the demo district 慈溪, whose objects are the targets, and a sibling district
矩阵区 with one person for every role (plus a signed-in user with no role and an anonymous visitor).
Inside 慈溪, the sibling community 旦苑, the other street 浒山 and another department try 古塘社区's
objects. Every HTML page that takes an object is tried with GET and POST, every such API endpoint
with its method and a bearer token, and each must refuse (403/404, 405 for the method a view does
not take, the login page or 401 for an anonymous visitor), never answer 200 with the other
organisation's data, never fail with a 5xx, and change nothing: not one row written (the
connection's write counter), and if one was, the row counts, newest updated_at, audit head and
numbering counters are compared with the module's snapshot to say what. The rules predicates are
asked too, and every list and export is searched for the other organisation's identifiers.

The targets, the cast and the table of probes are in tests/permission_targets.py; a URL name that
takes an argument and is neither probed nor exempt (with a reason) fails the coverage test.
"""

import io
import json
from urllib.parse import quote_plus

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rules.permissions import permissions as registered_permissions

from jianfu.monitor import services as monitor_services
from jianfu.orgs.models import Role, User

from . import permission_targets as T

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Session rows come and go with every sign-in; django-axes logs attempts. Neither is the target's state.
VOLATILE_TABLES = {"django_session"}


# ------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def test_database(django_db_setup):
    """Never build (or flush) the matrix anywhere but in a test database."""
    name = str(connection.settings_dict["NAME"])
    assert "memory" in name or name.startswith("test_"), f"not a test database: {name}"


@pytest.fixture(scope="module")
def world(test_database, demo_module, django_db_blocker):
    """The demo district, the sibling district and the extra targets, built once for the module.
    Every test runs in a transaction rolled back afterwards, so each starts from this state."""
    with django_db_blocker.unblock():
        built = T.build_world()
        # The targets built above are arrivals the monitor counts: bring its figures up to date now,
        # or the first page that reads them (whoever asks) would recompute the marked months.
        monitor_services.refresh_dirty()
        built.baseline = _snapshot()
        # One session per actor, kept for the module: signing in again for every test costs more
        # than most probes.
        for key, pk in built.users.items():
            client = Client()
            client.force_login(User.objects.get(pk=pk))
            built.sessions[key] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return built


@pytest.fixture
def w(world, db):
    yield world
    # Roll back without Django's end-of-test foreign-key check: on SQLite it reads the whole demo
    # district after every test, which costs more than the test (the probes write nothing, and
    # whatever they did write is rolled back).
    transaction.set_rollback(True)


# ------------------------------------------------------------------------------------------- helpers


def _tables():
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and meta.db_table not in VOLATILE_TABLES:
            if not meta.db_table.startswith("axes_"):
                yield model


def _snapshot() -> dict:
    """Row counts of every table, the newest updated_at where there is one, the audit chain's head
    and the numbering counters — in one query."""
    q = connection.ops.quote_name
    parts, labels = [], []
    for model in _tables():
        table = q(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        labels.append(f"{model._meta.label}: rows")
        try:
            column = model._meta.get_field("updated_at").column
        except FieldDoesNotExist:
            continue
        parts.append(f"(SELECT MAX({q(column)}) FROM {table})")
        labels.append(f"{model._meta.label}: updated_at")
    head = q(apps.get_model("audit.AuditHead")._meta.db_table)
    sequence = q(apps.get_model("core.Sequence")._meta.db_table)
    parts += [f"(SELECT MAX(seq) FROM {head})", f"(SELECT MAX(hash) FROM {head})"]
    parts.append(f"(SELECT COALESCE(SUM(value), 0) FROM {sequence})")
    labels += ["audit head: seq", "audit head: hash", "numbering counters"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        values = cursor.fetchone()
    return dict(zip(labels, [str(v) for v in values], strict=True))


def _writes() -> int:
    """Rows written so far on this connection, rolled back or not: SQLite's total_changes(), and on
    PostgreSQL the current transaction's inserts, updates and deletes. Any write by a refused request
    moves it; a moved counter is then explained by comparing the full snapshot with the module's."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables")
        else:
            return 0
        return int(cursor.fetchone()[0])


def _changes(world, writes_before: int) -> list[str]:
    """Nothing may change: rows written, and (to say what) the snapshot compared with the module's."""
    if connection.vendor in ("sqlite", "postgresql") and _writes() == writes_before:
        return []
    now = _snapshot()
    changed = [f"{k}: {world.baseline[k]} → {now[k]}" for k in now if now[k] != world.baseline.get(k)]
    if connection.vendor in ("sqlite", "postgresql"):
        changed.insert(0, f"{_writes() - writes_before} row(s) written")
    return changed


def _client(world, actor: str, *, token: bool = False) -> Client:
    if actor == T.ANONYMOUS:
        return Client()
    if token:
        return Client(headers={"authorization": f"Bearer {world.tokens[actor]}"})
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


def _body(response) -> str:
    # Reading a streamed body to its end closes it the test client's way. (Closing it again here
    # would fire request_finished, and Django would close the database connection mid-test.)
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith(XLSX_MIME) and raw[:2] == b"PK":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        )
    if kind.startswith(("text/", "application/json", "application/xml")):
        return raw.decode(errors="replace")
    return ""  # PDFs and files: compressed, nothing to search


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def _marker_set(actor: str) -> str:
    return "local" if actor in T.LOCAL_ACTORS else "district"


def _leaks(world, body: str, sets) -> list[str]:
    return [m for key in sets for m in world.markers.get(key, []) if m and m in body]


def _send(client, method: str, url: str, data: dict | None = None, *, as_json: bool = False):
    """The response, or the exception a 5xx would have been."""
    try:
        if method == "GET":
            return client.get(url), None
        if as_json:
            return client.post(url, json.dumps(data or {}), content_type="application/json"), None
        return client.post(url, data or {}), None
    except Exception as exc:  # a 5xx: the test client re-raises what the view raised
        return None, f"{method} {url} → 5xx ({type(exc).__name__}: {exc})"


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _named_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


# ------------------------------------------------------------------------------------- coverage


def test_every_url_taking_an_argument_is_in_the_matrix():
    names = {}
    for name, pattern in _named_patterns():
        names[name] = pattern
    probed = {p.url for p in T.HTML_PROBES}
    missing = [
        name
        for name, pattern in names.items()
        if pattern.pattern.regex.groupindex
        and name.split(":")[0] not in T.EXEMPT_NAMESPACES
        and not name.startswith("api:")
        and name not in probed
        and name not in T.EXEMPT_URLS
    ]
    assert not missing, (
        f"add these URL names to tests/permission_targets.py (a probe, or exempt with a reason): {missing}"
    )
    stale = (probed | set(T.EXEMPT_URLS)) - set(names)
    assert not stale, f"no such URL names any more: {stale}"
    assert all(T.EXEMPT_URLS.values()), "every exempt URL needs its reason"


def test_every_api_endpoint_taking_an_argument_is_in_the_matrix():
    api = {name: p for name, p in _named_patterns() if name.startswith("api:")}
    probed = {p.name for p in T.API_PROBES}
    missing = [name for name, p in api.items() if p.pattern.regex.groupindex and name not in probed | set(T.EXEMPT_API)]
    assert not missing, f"add these API endpoints to tests/permission_targets.py: {missing}"
    assert not (probed | set(T.EXEMPT_API)) - set(api)


def test_every_object_permission_is_asked():
    assert get_resolver().url_patterns  # imports every app's views, hence its permissions module
    object_perms = {name for name, pred in registered_permissions.items() if pred.num_args == 2}
    assert object_perms - set(T.PERM_TARGETS) == set(), "add the new object permission to PERM_TARGETS"
    assert set(T.PERM_TARGETS) - object_perms == set(), "PERM_TARGETS names a permission that is gone"


def test_every_role_is_in_the_cast():
    assert {role for _key, role, _org in T.X_ROLES} == set(Role.values)
    assert {T.NOBODY, T.ANONYMOUS} <= set(T.DISTRICT_ACTORS)


# ------------------------------------------------------------------------------------- HTML pages

HTML_CASES = [(actor, probe) for probe in T.HTML_PROBES for actor in probe.actors]


@pytest.mark.parametrize(("actor", "probe"), HTML_CASES, ids=[f"{a}-{p.id}" for a, p in HTML_CASES])
def test_a_page_refuses_another_organisations_object(w, actor, probe):
    client = _client(w, actor)
    query = probe.query(w) if probe.query else ""
    urls = [reverse(probe.url, kwargs=kwargs) + query for kwargs in probe.urls(w)]
    assert urls, f"{probe.id}: the demo holds no target for it any more"
    writes = _writes()
    problems = []
    for url in urls:
        # GET and POST both; the method the view does not take must answer 405 (or refuse).
        for method in ("GET", "POST") if probe.other_method else probe.methods:
            data = probe.post(w) if probe.post and method == "POST" else {}
            response, error = _send(client, method, url, data)
            if error:
                problems.append(error)
                continue
            status = response.status_code
            body = _body(response)
            if status >= 500:
                problems.append(f"{method} {url} → {status}")
            elif status == 405:
                if method in probe.methods:
                    problems.append(f"{method} {url} → 405: the probe never reaches the view (fix its methods)")
            elif method not in probe.methods and probe.public:
                problems.append(f"{method} {url} → {status}: a public page that takes {method}?")
            elif probe.public:
                if status != 200:
                    problems.append(f"{method} {url} → {status}: a public page should answer")
            elif actor == T.ANONYMOUS and _to_login(response):
                pass
            elif status not in probe.allow:
                problems.append(f"{method} {url} → {status}, not a refusal")
            sets = probe.forbidden if probe.public else (_marker_set(actor), *probe.forbidden)
            if leaked := _leaks(w, body, sets):
                problems.append(f"{method} {url} → {status} shows {leaked[:5]}")
    problems += _changes(w, writes)
    assert not problems, f"{actor} × {probe.id}:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------- API

API_CASES = [(actor, probe) for probe in T.API_PROBES for actor in probe.actors]


@pytest.mark.parametrize(("actor", "probe"), API_CASES, ids=[f"{a}-{p.id}" for a, p in API_CASES])
def test_the_api_refuses_another_organisations_object(w, actor, probe):
    client = _client(w, actor, token=True)
    paths = probe.paths(w)
    assert paths, f"{probe.id}: no target"
    writes = _writes()
    problems = []
    for path in paths:
        body = probe.body(w) if probe.body else None
        response, error = _send(client, probe.method, path, body, as_json=True)
        if error:
            problems.append(error)
            continue
        text = _body(response)
        # A signed-in actor answered 401 would mean the token failed and the probe tried nothing.
        if response.status_code not in probe.allow or (response.status_code == 401 and actor != T.ANONYMOUS):
            problems.append(f"{probe.method} {path} → {response.status_code}: {text[:200]}")
        sets = ("district",) if actor == T.B_COMMUNITY else (_marker_set(actor),)
        if actor != T.B_COMMUNITY and (leaked := _leaks(w, text, sets)):
            problems.append(f"{probe.method} {path} shows {leaked[:5]}")
    problems += _changes(w, writes)
    assert not problems, f"{actor} × {probe.id}:\n" + "\n".join(problems)


# -------------------------------------------------------------------------------- rules predicates


@pytest.mark.parametrize("actor", T.ALL_ACTORS)
def test_no_object_permission_reaches_another_organisation(w, actor):
    user = AnonymousUser() if actor == T.ANONYMOUS else User.objects.get(pk=w.users[actor])
    granted = []
    for perm, (targets, next_door_too) in T.PERM_TARGETS.items():
        if actor in T.LOCAL_ACTORS and not next_door_too:
            continue
        objects = targets(w)
        if actor in T.DISTRICT_ACTORS and perm in T.PERM_TARGETS_DISTRICT_EXTRA:
            objects += T.PERM_TARGETS_DISTRICT_EXTRA[perm](w)
        assert objects, f"{perm}: no target"
        for obj in objects:
            try:
                if user.has_perm(perm, obj):
                    granted.append(f"{perm} on {obj!r}")
            except Exception as exc:  # a predicate must answer False, not fail (a 5xx in a template)
                granted.append(f"{perm} on {obj!r} raises {type(exc).__name__}: {exc}")
    assert not granted, f"{actor} is granted:\n" + "\n".join(granted)


# ------------------------------------------------------------------------------ lists and exports

# Pages without an argument that show everyone the same public content.
PUBLIC_PAGES = {
    "home",
    "healthz",
    "login",
    "logout",
    "set_language",
    "catalog:home",
    "catalog:diff",
    "catalog:lists",
    "catalog:publish",
    "certificates:check",
    "certificates:verify_form",
    "evaluation:vote",
    "evaluation:vote_submit",
    "evaluation:public",
    "cases:rates",
    "cases:services",
    "cases:query",
    "portal:home",
    "portal:deliberations",
}


# Lists with a search box are searched for the other organisation's own identifier: sharper (a leak
# cannot hide on a later page) and cheaper (a street's whole year of cases need not be exported).
SEARCHED = {
    "cases:dashboard": "?q={case}",
    "cases:export": "?q={case}",
    "registry:people": "?q={person}",
    "portal:records": "?q={record}",
    "portal:records_export": "?q={record}",
}


def _list_pages() -> list[str]:
    return sorted(
        name
        for name, pattern in _named_patterns()
        if not pattern.pattern.regex.groupindex
        and name.split(":")[0] not in T.EXEMPT_NAMESPACES
        and not name.startswith("api:")
        and name not in PUBLIC_PAGES
    )


@pytest.mark.parametrize("actor", T.ALL_ACTORS)
def test_lists_and_exports_show_nothing_of_another_organisation(w, actor):
    """Every page and export without an argument, and the API's lists, for each actor: the other
    organisation's identifiers (numbers, serials, names) must not appear."""
    sets = (_marker_set(actor),)
    problems = []
    client = _client(w, actor)
    first = {key: (w.markers[key] or [""])[0] for key in ("person", "records")}
    search = {"case": w.b["cases"][0], "person": first["person"], "record": first["records"]}
    for name in _list_pages():
        url = reverse(name) + SEARCHED.get(name, "").format(**search)
        response, error = _send(client, "GET", url)
        if error:
            problems.append(error)
            continue
        if response.status_code >= 500:
            problems.append(f"{url} → {response.status_code}")
        body = _body(response)
        for term in search.values():  # the search box and its links show what was searched for
            for echo in (f'value="{term}"', f"q={term}", f"q={quote_plus(term)}"):
                body = body.replace(echo, "")
        if leaked := _leaks(w, body, sets):
            problems.append(f"{url} → {response.status_code} shows {leaked[:5]}")
    api = _client(w, actor, token=True)
    for path in T.API_LISTS:
        response, error = _send(api, "GET", path)
        if error:
            problems.append(error)
        elif leaked := _leaks(w, _body(response), sets):
            problems.append(f"{path} → {response.status_code} shows {leaked[:5]}")
    assert not problems, f"{actor}:\n" + "\n".join(problems)


def test_an_office_reads_its_own_districts_audit_trail_only(w):
    """The audit log once showed every district's entries to any office (fixed in audit/views.py)."""
    body = _body(_client(w, "x-office").get(reverse("audit:log")))
    assert "矩阵社区" in body and "org.create" in body
    assert not _leaks(w, body, ("district",))
    # An office of the other district reads its own, and not the sibling district's. (The demo's
    # office account is a superuser, who reads everything.)
    from jianfu.orgs.models import Org
    from jianfu.orgs.services import membership_grant

    office = User.objects.create(username="pm-b-office", display_name="慈溪准入办")
    membership_grant(actor=None, user=office, org=Org.objects.get(code=w.b["district"]), role=Role.OFFICE)
    own = Client()
    own.force_login(office)
    body = _body(own.get(reverse("audit:log")))
    assert "古塘社区" in body and "矩阵" not in body
