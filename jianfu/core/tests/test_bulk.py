"""Bulk inserts give keys, stamp dates, and on PostgreSQL leave planner statistics that know the rows."""

import datetime as dt

import pytest
from django.db import connection

from jianfu.core import bulk
from jianfu.core.models import CalendarOverride

pytestmark = pytest.mark.django_db


def days(first: dt.date, n: int) -> list[CalendarOverride]:
    return [CalendarOverride(date=first + dt.timedelta(days=i), is_workday=i % 7 == 5) for i in range(n)]


def test_insert_gives_keys_and_writes_every_row():
    made = days(dt.date(2040, 1, 1), 300)
    bulk.insert(made)
    assert all(o.pk for o in made) and len({o.pk for o in made}) == 300
    stored = CalendarOverride.objects.filter(date__year=2040)
    assert stored.count() == 300 and stored.filter(is_workday=True).count() == sum(o.is_workday for o in made)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_a_table_a_bulk_insert_grew_is_analysed_and_a_small_addition_is_not():
    def known() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [CalendarOverride._meta.db_table])
            return cursor.fetchone()[0]

    bulk.insert(days(dt.date(2040, 1, 1), 400))
    assert known() == 400  # analysed at once, not when autovacuum comes by
    bulk.insert(days(dt.date(2042, 1, 1), 30))  # under autovacuum's own threshold: left to it
    assert known() == 400
