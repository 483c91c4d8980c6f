"""Faults in the middle of a write: the database connection dies inside a service's transaction, and
the worker process is killed inside an import. Afterwards nothing of the interrupted write is in the
database, the audit chain verifies, and the site goes on working. Transactional tests: what is
checked is what other sessions see once the interrupted one is gone."""

import datetime as dt
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.urls import reverse

from jianfu.audit.models import AuditEntry, AuditHead
from jianfu.audit.services import verify
from jianfu.core.crypto import generate_key, id_check_char
from jianfu.core.tabular import read_table
from jianfu.orgs import services as org_services
from jianfu.orgs.models import Org
from jianfu.registry.models import Address, Person

pytestmark = pytest.mark.django_db(transaction=True)

ORG_FILE = (
    "编码,名称,类型,上级编码\n"
    "S3,第三街道,街道,D\n"
    "S3C1,新华社区,社区,S3\n"
    "S3C2,东苑社区,社区,S3\n"
    "S3C1G1,新华社区第一网格,网格,S3C1\n"
    "S3C2G1,东苑社区第一网格,网格,S3C2\n"
).encode("gbk")


def libpq_params() -> dict:
    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"], "port": s["PORT"]}
    return {k: v for k, v in params.items() if v}


def database_url() -> str:
    """The test database, for another process."""
    s, q = connection.settings_dict, urllib.parse.quote
    auth = q(s["USER"], safe="") + (f":{q(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{q(s['HOST'] or 'localhost', safe='')}:{s['PORT'] or 5432}/{s['NAME']}"


def backend_gone(pid: int, timeout: float = 10) -> bool:
    """Wait until the server has ended the session `pid` (and so rolled back its transaction)."""
    with psycopg.connect(**libpq_params(), autocommit=True) as other:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if other.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0] == 0:
                return True
            time.sleep(0.05)
    return False


def kill_our_connection() -> None:
    """PostgreSQL: another session terminates ours, as a failover or an administrator would.
    SQLite has no server: the next statement fails the way a lost disk or file would make it fail."""
    if connection.vendor == "postgresql":
        pid = connection.connection.info.backend_pid
        with psycopg.connect(**libpq_params(), autocommit=True) as other:
            assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]
    else:
        raise OperationalError("disk I/O error")


def test_a_connection_killed_inside_an_import_leaves_nothing_and_the_site_recovers(client, office, monkeypatch):
    client.force_login(office)
    orgs_before = Org.objects.count()
    head = AuditHead.objects.get()
    created = []
    org_create = org_services.org_create

    def org_create_then_lose_the_connection(**kwargs):
        org = org_create(**kwargs)  # the row and its audit entry are written inside the import's transaction
        created.append(org.code)
        if len(created) == 3:
            kill_our_connection()
        return org

    monkeypatch.setattr(org_services, "org_create", org_create_then_lose_the_connection)
    upload = io.BytesIO(ORG_FILE)
    upload.name = "orgs.csv"

    with pytest.raises(OperationalError):  # the request fails with a 500 …
        client.post(reverse("orgs:import_orgs"), {"file": upload})

    assert len(created) == 3
    assert Org.objects.count() == orgs_before
    assert not Org.objects.filter(code__startswith="S3").exists()
    assert AuditHead.objects.get().seq == head.seq and AuditEntry.objects.count() == head.seq
    assert verify().ok
    # … and the next requests work: a page, and the same import without the fault.
    monkeypatch.setattr(org_services, "org_create", org_create)
    assert client.get(reverse("orgs:list")).status_code == 200
    upload.seek(0)
    assert client.post(reverse("orgs:import_orgs"), {"file": upload}).status_code == 302
    assert Org.objects.filter(code__startswith="S3").count() == 5
    assert verify().ok


# The import runs in its own process, as a web or task worker would, and holds at its first progress
# line (1 000 people written, inside the transaction) so that the kill always lands mid-import.
IMPORT_SCRIPT = """
import sys
import django

django.setup()
from django.db import connection
from jianfu.core.tabular import read_table
from jianfu.orgs.models import User
from jianfu.registry.importing import import_people_steps

actor = User.objects.get(username=sys.argv[2])
with open(sys.argv[1], "rb") as f:
    table = read_table(f)
pid = connection.connection.info.backend_pid if connection.vendor == "postgresql" else 0
for stage, done, total in import_people_steps(actor=actor, table=table, filename="people.csv"):
    print(stage, done, total, pid, flush=True)
    if stage == "write":
        sys.stdin.readline()
print("finished", flush=True)
"""


def people_csv(path: Path, rows: int) -> None:
    lines = ["姓名,身份证号,网格编码,现住址"]
    for i in range(rows):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=i // 500)
        first17 = f"330282{birth:%Y%m%d}{i % 500:03d}"
        lines.append(f"居民{i},{first17}{id_check_char(first17)},S1C1G1,幸福小区{i // 40 + 1}幢{i % 40 + 101}室")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_worker_killed_mid_import_leaves_no_rows_and_the_chain_verifies(office, tmp_path):
    csv_path = tmp_path / "people.csv"
    people_csv(csv_path, 2500)
    assert len(read_table(csv_path.open("rb")).rows) == 2500
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "jianfu.settings", "JIANFU_PII_KEYS": generate_key()}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = database_url()
    else:
        # The test database lives in memory; the worker gets a file copy, as in an SQLite deployment.
        db_file = tmp_path / "jianfu.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(db_file) as copy:
            connection.connection.backup(copy)
        env["DATABASE_URL"] = f"sqlite:///{db_file}"
    head, addresses = AuditHead.objects.get(), Address.objects.count()
    worker = subprocess.Popen(
        [sys.executable, "-c", IMPORT_SCRIPT, str(csv_path), office.username],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        for line in worker.stdout:
            lines.append(line.split())
            if lines[-1][0] in ("write", "finished"):
                break
        assert lines[-1][:3] == ["write", "1000", "2500"], (lines, worker.stderr.read() if lines else "")
        pid = int(lines[-1][3])
        if connection.vendor == "postgresql":
            with psycopg.connect(**libpq_params(), autocommit=True) as other:
                state, xid = other.execute(
                    "SELECT state, backend_xid FROM pg_stat_activity WHERE pid = %s", [pid]
                ).fetchone()
            assert state == "idle in transaction" and xid is not None  # it has written and not committed
        else:
            with pytest.raises(sqlite3.OperationalError, match="locked"):  # it holds the write lock
                sqlite3.connect(db_file, timeout=0, isolation_level=None).execute("BEGIN IMMEDIATE")
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stdout.close()
        worker.stderr.close()
        worker.stdin.close()

    if connection.vendor == "postgresql":
        assert backend_gone(pid)
    else:
        with sqlite3.connect(db_file) as copy:  # opening the file after the crash recovers the last commit
            copy.backup(connection.connection)
    assert Person.objects.count() == 0
    assert Person.history.count() == 0
    assert Address.objects.count() == addresses
    assert AuditHead.objects.get().seq == head.seq
    result = verify()
    assert result.ok and result.checked == head.seq
