"""The named cast every test uses: a small district with two streets, and one person per role."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine

from jianfu.core.models import MonitoredYear
from jianfu.orgs import services
from jianfu.orgs.models import OrgKind, Role, User

CHROMIUM = os.environ.get("JIANFU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    """`JIANFU_TEST_NOW=2027-01-04T09:00+08:00 make test` runs the whole suite on that date: the
    clock moves on from there in every test process (and in the browser, see `page`)."""
    travel_to = os.environ.get("JIANFU_TEST_NOW")
    if travel_to:
        traveller = time_machine.travel(travel_to, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture
def tree(db):
    """区 → 2 streets → 2 communities each → 2 grids each, plus two departments."""
    mk = services.org_create
    district = mk(actor=None, code="D", name="测试区", kind=OrgKind.DISTRICT)
    orgs = {"district": district}
    for s in (1, 2):
        street = mk(actor=None, code=f"S{s}", name=f"第{s}街道", kind=OrgKind.STREET, parent=district)
        orgs[f"street{s}"] = street
        for c in (1, 2):
            community = mk(
                actor=None,
                code=f"S{s}C{c}",
                name=f"街道{s}社区{c}",
                kind=OrgKind.COMMUNITY,
                parent=street,
                registered_households=1000 * s + 100 * c,
                resident_households=900 * s + 100 * c,
                population=2800 * s,
                office_space_m2=Decimal("300"),
                staff_count=4,
            )
            orgs[f"community{s}{c}"] = community
            for g in (1, 2):
                orgs[f"grid{s}{c}{g}"] = mk(
                    actor=None, code=f"S{s}C{c}G{g}", name=f"街道{s}社区{c}网格{g}", kind=OrgKind.GRID, parent=community
                )
    orgs["civil_affairs"] = mk(
        actor=None, code="MZ", name="民政局", kind=OrgKind.DEPARTMENT, parent=district, is_member_unit=True
    )
    orgs["health"] = mk(actor=None, code="WJ", name="卫健局", kind=OrgKind.DEPARTMENT, parent=district)
    return orgs


@pytest.fixture
def monitored():
    """The monitor holds figures for a district's years, so source changes mark their months."""

    def track(district, years=range(2020, 2031)):
        MonitoredYear.objects.bulk_create([MonitoredYear(district=district.pk, year=y) for y in years])

    return track


def _person(username: str, role: str | None = None, org=None, **extra) -> User:
    user = User.objects.create_user(username=username, password="Test-pass-2026", display_name=username, **extra)
    if role:
        services.membership_grant(actor=None, user=user, org=org, role=role)
    return user


@pytest.fixture
def office(tree):
    return _person("office", Role.OFFICE, tree["district"])


@pytest.fixture
def reviewer(tree):
    return _person("reviewer", Role.REVIEWER, tree["civil_affairs"])


@pytest.fixture
def clerk(tree):
    return _person("clerk", Role.CLERK, tree["health"])


@pytest.fixture
def street_worker(tree):
    return _person("street", Role.STREET, tree["street1"])


@pytest.fixture
def community_worker(tree):
    return _person("community", Role.COMMUNITY, tree["community11"])


@pytest.fixture
def grid_worker(tree):
    return _person("grid", Role.GRID, tree["grid111"])


@pytest.fixture
def resident(tree):
    return _person("resident", Role.RESIDENT, tree["community11"])


@pytest.fixture
def outsider(tree):
    """A community worker of the other street."""
    return _person("outsider", Role.COMMUNITY, tree["community21"])


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


_demo_media = None  # where the module-loaded demo district keeps its uploaded files


@pytest.fixture(autouse=True)
def _fresh_fragments():
    """Rendered page pieces and search indexes are keyed by primary keys, which a rolled-back test
    hands out again."""
    from django.core.cache import caches

    from jianfu.ledger import matching

    caches["fragments"].clear()
    matching._cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path, request):
    """Uploaded files go to a temporary folder, not the developer's var/media; tests on the
    module-loaded demo district read the demo's own files."""
    if "demo_module" in request.fixturenames and _demo_media is not None:
        settings.MEDIA_ROOT = _demo_media
    else:
        settings.MEDIA_ROOT = tmp_path / "media"


_sqlite_demo_copy = None  # the loaded demo district, kept in memory once per test process


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo district loaded once for a module of read-only tests, flushed afterwards. On SQLite
    the first load is copied with SQLite's backup API and later modules restore the copy, which takes
    a second instead of a full `load_demo`."""
    import io
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    global _sqlite_demo_copy, _demo_media
    name = str(connection.settings_dict["NAME"])
    if "mode=memory" not in name and not Path(name).name.startswith("test_"):
        # pytest-django sets up no test database when no test of the run asks for one.
        raise RuntimeError(f"demo_module would load the demo into {name}: let a test of the module use `db`.")
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite" and _sqlite_demo_copy is not None:
            connection.ensure_connection()
            _sqlite_demo_copy.backup(connection.connection)
        else:
            _demo_media = tmp_path_factory.mktemp("demo-media")
            try:
                with override_settings(MEDIA_ROOT=_demo_media):
                    call_command("load_demo", stdout=io.StringIO())
            except Exception:
                # A failed load must not leave half a demo for the next module's tests.
                call_command("flush", "--noinput", stdout=io.StringIO())
                raise
            if connection.vendor == "sqlite":
                _sqlite_demo_copy = sqlite3.connect(":memory:", check_same_thread=False)
                connection.connection.backup(_sqlite_demo_copy)
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", stdout=io.StringIO())
        ContentType.objects.clear_cache()
