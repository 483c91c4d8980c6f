"""(c) Bulk import of a ledger file, rows per second, against PostgreSQL COPY of the same rows.

A community worker imports a CSV of monthly values for its community and grids (periods the scale
data left empty) through the app's own path: read_table → ledger.services.values_import (every row
checked, values written with history, aggregates moved, audited). The bound is COPY of the same
rows, ids already resolved, into the same table with the same indexes. Both run inside a
transaction that is rolled back, so the scale data stays as generated."""

import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import figure, peak_rss_mb, setup_django, write  # noqa: E402

setup_django()
START_RSS = peak_rss_mb()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from jianfu.core import clock  # noqa: E402
from jianfu.core.tabular import read_table  # noqa: E402
from jianfu.ledger import services  # noqa: E402
from jianfu.ledger.models import DataElement, ElementState, Level, PeriodType, Value, ValueType  # noqa: E402
from jianfu.orgs.models import Membership, Org, OrgKind, Role  # noqa: E402

TARGET = 0.30  # issue #11: import at least 30 % of COPY speed
WANTED_ROWS = 20_000
PERIODS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]


def community_and_worker() -> tuple[Org, object]:
    for membership in Membership.objects.filter(role=Role.COMMUNITY).select_related("org", "user").order_by("pk"):
        org = membership.org
        community = (
            org
            if org.kind == OrgKind.COMMUNITY
            else Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=org.path).order_by("path").first()
        )
        if community is not None and Org.objects.filter(parent=community, kind=OrgKind.GRID).exists():
            return community, membership.user
    raise SystemExit("no community worker with grids in the scale data; run generate_scale --scale city")


community, worker = community_and_worker()
grids = list(Org.objects.filter(parent=community, kind=OrgKind.GRID).order_by("code"))
elements = DataElement.objects.filter(
    Q(min_value__isnull=True) | Q(min_value__lte=0),
    Q(max_value__isnull=True) | Q(max_value__gte=100),
    district_id=community.district_id,
    period_type=PeriodType.MONTHLY,
    derivation={},
    state=ElementState.ACTIVE,
    value_type__in=[ValueType.INTEGER, ValueType.DECIMAL],
).order_by("pk")
rows: list[tuple[DataElement, Org, str, str]] = []
n = 0
for element in elements.iterator():
    units = grids if element.level == Level.GRID else [community]
    if Value.objects.filter(element=element, org__in=units, period__in=PERIODS).exists():
        continue
    for unit in units:
        for period in PERIODS:
            n += 1
            rows.append((element, unit, period, str((n * 7919) % 97)))
    if len(rows) >= WANTED_ROWS:
        break
if not rows:
    raise SystemExit("no empty periods to import into")

text = io.StringIO()
writer = csv.writer(text)
writer.writerow(["数据元编码", "组织编码", "期间", "值"])
writer.writerows((e.code, o.code, p, v) for e, o, p, v in rows)
upload = text.getvalue().encode("utf-8")

copy_text = io.StringIO()
copy_writer = csv.writer(copy_text)
now = clock.now().isoformat()
for e, o, p, v in rows:
    copy_writer.writerow([e.pk, o.pk, o.path, p, v, v, "imported", worker.pk, now])
copy_data = copy_text.getvalue()
COPY_SQL = (
    "COPY ledger_value (element_id, org_id, org_path, period, text, number, source, entered_by_id, entered_at) "
    "FROM STDIN WITH (FORMAT csv)"
)


class Rollback(Exception):
    pass


def run_import() -> float:
    try:
        with transaction.atomic():
            start = time.perf_counter()
            result = services.values_import(actor=worker, community=community, table=read_table(upload))
            elapsed = time.perf_counter() - start
            assert result.created == len(rows), result
            raise Rollback
    except Rollback:
        return elapsed


def run_copy() -> float:
    try:
        with transaction.atomic():
            raw = connection.connection
            start = time.perf_counter()
            with raw.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
                copy.write(copy_data)
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        return elapsed


run_copy()  # warm the table and index pages for both
imports = sorted(run_import() for _ in range(3))
copies = sorted(run_copy() for _ in range(3))
import_rate, copy_rate = len(rows) / imports[1], len(rows) / copies[1]
figures = [
    figure(
        f"ledger import of {len(rows)} rows", round(import_rate), "rows/s", round(copy_rate), "COPY", TARGET, "higher"
    ),
    figure("peak memory", peak_rss_mb(), "MiB", START_RSS, "a Django process that has only started", None, "lower"),
]
write(
    "ledger_import",
    figures,
    rows=len(rows),
    community=community.code,
    grids=len(grids),
    import_seconds=[round(t, 3) for t in imports],
    copy_seconds=[round(t, 3) for t in copies],
)
