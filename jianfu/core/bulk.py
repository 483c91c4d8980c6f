"""Bulk inserts at database speed for generated data and large imports: executemany on SQLite,
COPY on PostgreSQL. Django's bulk_create spends most of its time preparing each value and, on
SQLite, splits into batches of 999 parameters; this prepares values by field type once."""

import datetime as dt

from django.core.management.color import no_style
from django.db import connection, models

from . import clock
from .crypto import EncryptedCharField


def _adapter(field: models.Field):
    if isinstance(field, EncryptedCharField):
        return lambda v: field.get_prep_value(v)
    vendor = connection.vendor
    if isinstance(field, models.DateTimeField) and vendor == "sqlite":
        return lambda v: None if v is None else connection.ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField) and vendor == "sqlite":
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.DecimalField) and vendor == "sqlite":
        return lambda v: None if v is None else str(v)
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return None


def _reserve_ids(meta, count: int) -> list[int]:
    """Primary keys for new rows. PostgreSQL hands them out from the table's sequence, so concurrent
    imports never collide; SQLite serialises writers, so the next ids after the largest are free."""
    if not count:
        return []
    table, column = connection.ops.quote_name(meta.db_table), connection.ops.quote_name(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named first: looked up per row it took five times as long.
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [cursor.fetchone()[0], count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX({column}) FROM {table}")
        first = (cursor.fetchone()[0] or 0) + 1
    return list(range(first, first + count))


def analyze_if_grown(model: type[models.Model], added: int) -> None:
    """PostgreSQL plans from statistics that autovacuum refreshes only a while after a write. A table
    that a bulk insert grew past autovacuum's own threshold (50 rows and 10 %) is analysed now, so the
    next query in the same run does not plan for the empty table it was (a nested loop over 15 000
    ballots × 50 000 scores took minutes in the demo)."""
    if connection.vendor != "postgresql" or added <= 50:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        known = max(cursor.fetchone()[0], 0)  # -1: never analysed
        if added > 50 + 0.1 * known:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def insert(objs: list[models.Model], *, model: type[models.Model] | None = None) -> None:
    """Insert unsaved instances, giving them primary keys. Runs no save(), signals or validation:
    for data the caller built itself (demo and generated data), whose tables it analyses once it has
    grown them (analyze_if_grown), so not in a request that holds locks others wait for."""
    if not objs:
        return
    model = model or type(objs[0])
    meta = model._meta
    preset = any(obj.pk is not None for obj in objs)
    new_ids = iter(_reserve_ids(meta, sum(obj.pk is None for obj in objs)))
    for obj in objs:
        if obj.pk is None:
            obj.pk = next(new_ids)
        obj._state.adding = False
    fields = list(meta.concrete_fields)
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    if stamped:
        now = clock.wall_now()
        for obj in objs:
            for attname in stamped:
                if getattr(obj, attname) is None:
                    setattr(obj, attname, now)
    adapters = [_adapter(f) for f in fields]
    rows = []
    for obj in objs:
        row = []
        for field, adapt in zip(fields, adapters, strict=True):
            value = getattr(obj, field.attname)
            row.append(adapt(value) if adapt else value)
        rows.append(row)
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    if connection.vendor == "postgresql":
        raw = connection.connection  # psycopg 3
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if preset:
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                    cursor.execute(statement)
    else:
        placeholders = ", ".join(["%s"] * len(fields))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    analyze_if_grown(model, len(rows))


def insert_with_history(objs: list[models.Model], *, user=None, when: dt.datetime | None = None) -> None:
    """Insert and write each object's creation into its django-simple-history table."""
    insert(objs)
    history_model = type(objs[0]).history.model if objs else None
    if history_model is None:
        return
    when = when or clock.wall_now()
    own = {f.attname for f in type(objs[0])._meta.concrete_fields}
    history = []
    for obj in objs:
        record = history_model(
            history_date=when, history_type="+", history_user_id=getattr(user, "pk", None), history_change_reason=None
        )
        for attname in own:
            setattr(record, attname, getattr(obj, attname))
        history.append(record)
    insert(history)


def insert_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> list[int]:
    """Insert plain tuples (values already in database form for `columns`, attnames without the
    primary key) and return the new primary keys in order: for imports too large to build a model
    instance per row. Like insert(), runs no save(), signals or validation."""
    meta = model._meta
    ids = _reserve_ids(meta, len(rows))
    if not rows:
        return ids
    fields = [meta.pk.column, *(meta.get_field(c).column for c in columns)]
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in fields)
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})",
                [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
            )
    return ids
