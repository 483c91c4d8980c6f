"""The demo district under a real server on a loopback port: gunicorn with deploy/gunicorn.conf.py.
On PostgreSQL it runs the production settings behind the headers nginx sends; on SQLite (which the
production settings refuse) the default settings over a file copy of the test database.
A bounded load — 400 requests from 16 threads over public pages, the login page, the API and a
logged-in dashboard — must get no server error and finish within the time bound."""

import base64
import http.client
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.core.management.utils import get_random_secret_key
from django.db import connection

from jianfu.core import crypto
from jianfu.demo.orgs import DEMO_PASSWORD, DISTRICT
from jianfu.orgs.models import User
from jianfu.orgs.services import token_issue

pytestmark = pytest.mark.django_db

REQUESTS, THREADS, TIME_BOUND = 400, 16, 120.0
POSTGRES = connection.vendor == "postgresql"
CACHE_TABLE = "jianfu_cache"  # the production settings' shared cache


@dataclass
class Server:
    host: str
    port: int
    token: str
    log: Path

    def request(self, method: str, path: str, *, headers=None, body=None) -> tuple[int, dict, bytes, float]:
        """One request on a fresh connection, as nginx would send it: HTTPS said in X-Forwarded-Proto."""
        started = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIME_BOUND)
        try:
            conn.request(method, path, body=body, headers={"X-Forwarded-Proto": "https", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read(), time.monotonic() - started
        finally:
            conn.close()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def cookies(headers) -> dict[str, str]:
    return dict(h.split(";", 1)[0].split("=", 1) for h in headers.get_all("Set-Cookie") or [])


def log_in(server: Server, username: str, password: str, real_ip: str = "") -> tuple[int, dict, list[str]]:
    """Through the login form, with the CSRF cookie and token and the Origin a browser sends."""
    status, headers, body, _ = server.request("GET", "/accounts/login/")
    assert status == 200, server.log_tail()
    jar = cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    status, headers, _, _ = server.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Origin": f"https://{server.host}:{server.port}",
            **({"X-Real-IP": real_ip} if real_ip else {}),
        },
    )
    return status, jar | cookies(headers), headers.get_all("Set-Cookie") or []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database, for another process."""
    s, q = connection.settings_dict, urllib.parse.quote
    auth = q(s["USER"], safe="") + (f":{q(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{q(s['HOST'] or 'localhost', safe='')}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="module")
def server(demo_module, django_db_blocker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gunicorn")
    with django_db_blocker.unblock():
        token = token_issue(actor=None, user=User.objects.get(username="office"), name="load test")
        pii_key = base64.b64encode(crypto._keyring()[0].material).decode()  # the key the demo was written with
        if POSTGRES:
            call_command("createcachetable", CACHE_TABLE)  # as make serve-prod does
        else:
            connection.ensure_connection()
            with sqlite3.connect(tmp / "jianfu.sqlite3") as copy:
                connection.connection.backup(copy)
    port = free_port()
    env = os.environ | {
        "JIANFU_VAR_DIR": str(tmp),
        "JIANFU_PII_KEYS": pii_key,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "3",
    }
    if POSTGRES:
        for name in ("JIANFU_INSECURE_HTTP", "STATICFILES_BACKEND", "DJANGO_DEBUG"):
            env.pop(name, None)
        env |= {
            "DJANGO_SETTINGS_MODULE": "jianfu.settings_production",
            "DATABASE_URL": database_url(),
            "SECRET_KEY": get_random_secret_key(),
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        # Collect with the production manifest minus WhiteNoise's compression (≈20 s of CPU): the same
        # hashed names and staticfiles.json; WhiteNoise then serves the files uncompressed.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=env | {"STATICFILES_BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
            check=True,
        )
    else:
        env |= {"DJANGO_SETTINGS_MODULE": "jianfu.settings", "DATABASE_URL": f"sqlite:///{tmp / 'jianfu.sqlite3'}"}
    log = tmp / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server("127.0.0.1", port, token, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, server.log_tail()
            try:
                if server.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass  # not listening yet
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if POSTGRES:
            with django_db_blocker.unblock(), connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {CACHE_TABLE}")


@pytest.mark.skipif(not POSTGRES, reason="the production settings run on PostgreSQL only")
def test_gunicorn_serves_pages_and_static_files_with_the_production_settings(server):
    status, headers, _, _ = server.request("GET", "/", headers={"X-Forwarded-Proto": "http"})
    assert status == 301 and headers["Location"].startswith("https://")
    status, headers, body, _ = server.request("GET", "/")
    assert status == 200, server.log_tail()
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    script = re.search(rb'src="(/static/vendor/htmx\.min\.[0-9a-f]{12}\.js)"', body).group(1).decode()
    status, headers, body, _ = server.request("GET", script)
    assert status == 200 and b"htmx" in body[:500]
    assert "immutable" in headers["Cache-Control"]
    # Failed logins are counted per client address, taken from X-Real-IP sent by the local proxy.
    status, _, _ = log_in(server, "office", "wrong-password", real_ip="203.0.113.9")
    assert status == 200
    assert AccessAttempt.objects.filter(username="office", ip_address="203.0.113.9").exists()
    status, _, set_cookies = log_in(server, "office", DEMO_PASSWORD)
    session_cookie = next(c for c in set_cookies if c.startswith("sessionid="))
    assert status == 302 and "Secure" in session_cookie and "HttpOnly" in session_cookie


def test_a_bounded_load_gets_no_server_error(server):
    status, jar, _ = log_in(server, "office", DEMO_PASSWORD)
    assert status == 302, server.log_tail()
    session = {"Cookie": f"sessionid={jar['sessionid']}"}
    api = {"Authorization": f"Bearer {server.token}"}
    targets = [
        ("/catalog/", {}),
        ("/lists/", {}),
        ("/portal/", {}),
        ("/accounts/login/", {}),
        ("/api/v1/applications/", api),
        ("/api/v1/cases/", api),
        ("/api/v1/orgs/", api),
        ("/api/v1/ledger/elements/", api),
        ("/", session),
        (f"/monitor/{DISTRICT[0]}/", session),
        ("/access/", session),
    ]
    for n, (path, headers) in enumerate(targets):  # every target works on its own before the load
        status, response_headers, _, _ = server.request("GET", path, headers=headers)
        if status == 302 and path == "/catalog/":  # to this year's catalog
            path = urllib.parse.urlsplit(response_headers["Location"]).path
            targets[n] = (path, headers)
            status = server.request("GET", path, headers=headers)[0]
        assert status == 200, (path, status, server.log_tail())

    def hit(n: int) -> tuple[str, int, float]:
        path, headers = targets[n % len(targets)]
        status, _, _, seconds = server.request("GET", path, headers=headers)
        return path, status, seconds

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(hit, range(REQUESTS)))
    elapsed = time.monotonic() - started

    assert len(results) == REQUESTS
    errors = [(path, status) for path, status, _ in results if status >= 500]
    assert not errors, (errors[:10], server.log_tail())
    assert all(status == 200 for _, status, _ in results), {(p, s) for p, s, _ in results if s != 200}
    latencies = sorted(seconds for _, _, seconds in results)
    summary = f"{REQUESTS} requests in {elapsed:.1f} s; p50 {statistics.median(latencies):.3f} s, p95 {latencies[int(0.95 * REQUESTS)]:.3f} s"
    by_path = {}
    for path, _, seconds in results:
        by_path.setdefault(path, []).append(seconds)
    print(summary, {p: round(statistics.mean(v), 3) for p, v in by_path.items()})
    assert elapsed < TIME_BOUND and latencies[-1] < TIME_BOUND, summary


def test_the_production_settings_refuse_to_start_without_what_production_needs():
    good = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": "jianfu.example.gov.cn",
        "DATABASE_URL": "postgres://jianfu@127.0.0.1:5432/jianfu",
        "JIANFU_PII_KEYS": crypto.generate_key(),
    }
    refused = {
        "SECRET_KEY": {"SECRET_KEY": "short"},
        "ALLOWED_HOSTS": {"ALLOWED_HOSTS": ""},
        "PostgreSQL": {"DATABASE_URL": "sqlite:////tmp/jianfu.sqlite3"},
        "JIANFU_PII_KEYS": {"JIANFU_PII_KEYS": ""},
        "DJANGO_DEBUG": {"DJANGO_DEBUG": "1"},
        "JIANFU_INSECURE_HTTP": {"JIANFU_INSECURE_HTTP": "1"},
    }
    script = (
        "import jianfu.settings_production as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, 'jianfu.scale' in s.INSTALLED_APPS, s.STORAGES['staticfiles'])"
    )
    for named, change in [("", {})] + list(refused.items()):
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=good | change, capture_output=True, text=True
        )
        if not named:
            assert done.returncode == 0, done.stderr
            # No scale generator in production: it flushes databases and makes accounts with a known password.
            assert done.stdout.startswith("False True False") and "CompressedManifest" in done.stdout
        else:
            assert done.returncode != 0 and "ImproperlyConfigured" in done.stderr and named in done.stderr, named
