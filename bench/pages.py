"""(a) Page latency under concurrent load: the public catalog page and the office's burden
dashboard at city scale, served by gunicorn (production settings shape, persistent database
connections), loaded by wrk with N connections; the bound is a bare Django view through the same
middleware on the same server, with the same cookies. (e) The workers' peak memory against their
memory after serving only the bare view."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BASE, figure, setup_django, write  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from jianfu.catalog.models import CatalogVersion  # noqa: E402
from jianfu.monitor.models import CommunityMonth  # noqa: E402
from jianfu.orgs.models import Membership, Org, Role  # noqa: E402

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
TARGET = 2.0  # issue #11: pages at most 2× the bare view
LUA = Path(__file__).with_name("wrk_report.lua")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def district_for_bench() -> Org:
    row = CommunityMonth.objects.values("district_id").annotate(n=Count("pk")).order_by("-n", "district_id").first()
    return Org.objects.get(pk=row["district_id"])


district = district_for_bench()
office = Membership.objects.filter(role=Role.OFFICE, org=district).select_related("user").order_by("pk").first()
if office is None:
    raise SystemExit(f"no office user for {district.code} in the scale data")
version = CatalogVersion.objects.filter(district=district).order_by("-year", "-number").first()
client = Client()
client.force_login(office.user)
session = client.cookies[settings.SESSION_COOKIE_NAME].value
cookie = f"{settings.SESSION_COOKIE_NAME}={session}; django_language=zh-hans"

port = free_port()
base = f"http://127.0.0.1:{port}"
env = dict(os.environ, PYTHONPATH=str(BASE))
server = subprocess.Popen(
    [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--worker-class=sync",
        "--access-logfile=-" if os.environ.get("BENCH_ACCESS_LOG") else "--access-logfile=/dev/null",
        "--log-level=warning",
    ],
    cwd=BASE,
    env=env,
    start_new_session=True,
)


def wait_ready() -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/bench/bare/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def worker_pids() -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(p) for p in children]


def worker_peak_mb() -> float:
    peaks = []
    for pid in worker_pids():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks), 1)


def load(path: str, with_cookie: bool) -> dict:
    """wrk against one URL; refuses to report a run where any response was not 2xx/3xx."""
    url = base + path
    check = urllib.request.Request(url, headers={"Cookie": cookie} if with_cookie else {})
    with urllib.request.urlopen(check, timeout=60) as response:
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}")
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout=30s", "-s", str(LUA)]
    if with_cookie:
        command += ["-H", f"Cookie: {cookie}"]
    # Warm each worker (templates, caches), then measure.
    subprocess.run([*command[:3], "-d3s", *command[4:], url], check=True, capture_output=True)
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    stats = json.loads(out.strip().splitlines()[-1])
    bad = stats["status_errors"] + stats["connect_errors"] + stats["read_errors"] + stats["timeouts"]
    if bad:
        raise SystemExit(f"{path}: {bad} failed responses under load: {stats}")
    stats["rps"] = round(stats["requests"] / (stats["duration_us"] / 1e6), 1)
    return stats


try:
    wait_ready()
    runs = {"bare": load("/bench/bare/", False), "bare, logged in": load("/bench/bare/", True)}
    bare_memory = worker_peak_mb()
    pages = {
        "public catalog page": (f"/catalog/{version.year}/?d={district.code}", False, "bare"),
        "office burden dashboard": (f"/monitor/{district.code}/", True, "bare, logged in"),
    }
    figures = []
    for name, (path, logged_in, bound) in pages.items():
        runs[name] = load(path, logged_in)
        for p in ("p50", "p95"):
            figures.append(
                figure(
                    f"{name} {p}",
                    runs[name][f"{p}_us"] / 1000,
                    "ms",
                    runs[bound][f"{p}_us"] / 1000,
                    f"the bare view ({bound})",
                    TARGET,
                    "lower",
                )
            )
    figures.append(
        figure(
            "worker peak memory",
            worker_peak_mb(),
            "MiB",
            bare_memory,
            "a worker that served only the bare view",
            None,
            "lower",
        )
    )
    write(
        "pages",
        figures,
        load={"tool": "wrk", "connections": CONNECTIONS, "seconds": SECONDS, "gunicorn_workers": WORKERS},
        district={"code": district.code, "name": district.name},
        runs=runs,
    )
finally:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
