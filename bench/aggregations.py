"""(b) Ledger aggregation and burden-dashboard queries against the raw SQL that computes the same
answer, on the scale data. Each pair is checked to agree before it is timed.

Run by bench/run.py (needs the PostgreSQL server and scale data it sets up)."""

import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import figure, ms, peak_rss_mb, percentile, setup_django, timings, write  # noqa: E402

setup_django()
START_RSS = peak_rss_mb()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from jianfu.ledger import selectors as ledger  # noqa: E402
from jianfu.ledger.models import Aggregation, DataElement, PeriodType, Value  # noqa: E402
from jianfu.monitor import selectors as monitor  # noqa: E402
from jianfu.monitor.indicators import INDICATORS  # noqa: E402
from jianfu.monitor.models import CommunityMonth  # noqa: E402
from jianfu.orgs.models import Org, OrgKind  # noqa: E402

REPEAT = 30
TARGET = 3.0  # issue #11: aggregations at most 3× the raw SQL


def sql(query: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def pair(name: str, orm, raw, same) -> list[dict]:
    """Time the app's function and the raw SQL (median of REPEAT), after checking they agree."""
    answer, expected = orm(), raw()
    if not same(answer, expected):
        raise SystemExit(f"{name}: the app and the raw SQL disagree: {str(answer)[:300]} … {str(expected)[:300]}")
    t_orm, t_raw = timings(orm, repeat=REPEAT), timings(raw, repeat=REPEAT)
    p50, raw50 = percentile(t_orm, 50), percentile(t_raw, 50)
    return [figure(name, ms(p50), "ms", ms(raw50), "the raw SQL", TARGET, "lower")]


def busiest_district() -> Org:
    row = CommunityMonth.objects.values("district_id").annotate(n=Count("pk")).order_by("-n", "district_id").first()
    return Org.objects.get(pk=row["district_id"])


district = busiest_district()
year = max(CommunityMonth.objects.filter(district=district).values_list("year", flat=True))
year = year - 1 if CommunityMonth.objects.filter(district=district, year=year).count() < 12 else year
months = list(range(1, 13))
figures: list[dict] = []

# ------------------------------------------------------------------ ledger roll-ups
element = (
    DataElement.objects.filter(
        district=district, aggregation=Aggregation.SUM, period_type=PeriodType.MONTHLY, derivation={}
    )
    .order_by("pk")
    .first()
)
period = Value.objects.filter(element=element).order_by("-period").values_list("period", flat=True).first()
if element is None or period is None:
    raise SystemExit("no summed monthly ledger values in the scale data; run generate_scale --scale city")


def raw_total():
    return sql(
        "SELECT COALESCE(SUM(number), 0) FROM ledger_value WHERE element_id = %s AND period = %s AND org_path LIKE %s",
        [element.pk, period, district.path + "%"],
    )[0][0]


figures += pair(
    f"ledger figure of a district ({element.code} {period})",
    lambda: ledger.figure(element, district, period),
    raw_total,
    lambda a, b: Decimal(a or 0) == Decimal(b),
)


def raw_by_street():
    rows = sql(
        "SELECT s.id, SUM(v.number) FROM orgs_org s JOIN ledger_value v ON v.org_path LIKE s.path || '%%' "
        "WHERE s.parent_id = %s AND v.element_id = %s AND v.period = %s GROUP BY s.id",
        [district.pk, element.pk, period],
    )
    return {pk: total for pk, total in rows}


figures += pair(
    "ledger breakdown of a district by street",
    lambda: {o.pk: v for o, v in ledger.breakdown(element, district, period) if v is not None},
    raw_by_street,
    lambda a, b: {k: Decimal(v) for k, v in a.items() if v} == {k: Decimal(v) for k, v in b.items() if v},
)

# ------------------------------------------------------------------ burden dashboard
columns = [i.key for i in INDICATORS]
level = {i.key: i.level for i in INDICATORS}
sums_sql = ", ".join(f"SUM({c})" for c in columns)


def as_figures(total_row, rows) -> dict:
    out = {}
    for key, total in zip(columns, total_row, strict=True):
        if total is None or not rows:
            out[key] = None
        else:
            out[key] = round(float(total) / rows, 1) if level[key] else round(float(total), 1)
    return out


def close(a: dict, b: dict) -> bool:
    return all((a[k] is None) == (b[k] is None) and (a[k] is None or abs(float(a[k]) - b[k]) <= 0.101) for k in b)


def raw_totals():
    [row] = sql(
        f"SELECT COUNT(*), {sums_sql} FROM monitor_communitymonth "
        "WHERE district_id = %s AND year = %s AND month = ANY(%s)",
        [district.pk, year, months],
    )
    return as_figures(row[1:], row[0])


figures += pair(
    f"burden totals of a district ({year})",
    lambda: monitor.totals(district, year, months),
    raw_totals,
    close,
)


def raw_communities():
    rows = sql(
        f"SELECT m.community_id, COUNT(*), {sums_sql} FROM monitor_communitymonth m "
        "WHERE m.district_id = %s AND m.year = %s AND m.month = ANY(%s) GROUP BY m.community_id",
        [district.pk, year, months],
    )
    names = dict(
        sql(
            "SELECT id, name FROM orgs_org WHERE parent_id IN (SELECT id FROM orgs_org WHERE parent_id = %s)",
            [district.pk],
        )
    )
    return {pk: (names.get(pk), as_figures(row[1:], row[0])) for pk, *row in rows}


def same_communities(a, b) -> bool:
    a = {o.pk: (o.name, v) for o, v in a}
    return a.keys() == b.keys() and all(a[k][0] == b[k][0] and close(a[k][1], b[k][1]) for k in b)


figures += pair(
    f"burden heat table: {CommunityMonth.objects.filter(district=district, year=year, month=1).count()} communities",
    lambda: monitor.communities(district, year, months),
    raw_communities,
    same_communities,
)

trend_keys = ["burden_index", "worker_hours", "items_total"]


def raw_trend():
    rows = sql(
        "SELECT year, month, COUNT(*), SUM(burden_index), SUM(worker_hours), SUM(items_total) "
        "FROM monitor_communitymonth WHERE district_id = %s AND year = ANY(%s) GROUP BY year, month",
        [district.pk, [year - 1, year]],
    )
    return {(y, m): (n, b, w, i) for y, m, n, b, w, i in rows}


def same_trend(a, b) -> bool:
    for (y, m), (_n, _b, w, _i) in b.items():
        got = a["worker_hours"].get(y, [None] * 12)[m - 1]
        if got is not None and abs(float(got) - float(w)) > 0.101:
            return False
    return True


figures += pair(
    "burden trend, two years by month",
    lambda: monitor.trend(district, [year - 1, year], trend_keys),
    raw_trend,
    same_trend,
)

peak = peak_rss_mb()
figures.append(figure("peak memory", peak, "MiB", START_RSS, "a Django process that has only started", None, "lower"))
write(
    "aggregations",
    figures,
    district={
        "code": district.code,
        "name": district.name,
        "communities": Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).count(),
    },
    repeat=REPEAT,
)
