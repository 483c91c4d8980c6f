"""What every stage of the generator shares: the row writer (COPY on PostgreSQL, executemany on
SQLite), primary keys handed out in advance, stage progress, the working-day calendar, fixed times.

Rows are written as plain tuples in the order of the columns named, with primary keys the
generator chose itself: no model instance, no save(), no signal, no validation. The generator
builds rows that already satisfy the models' invariants (codes, paths, unique and check
constraints); the tests check that they do.
"""

import datetime as dt
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import islice

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from jianfu.core.crypto import EncryptedCharField

from .. import sizes

TZ = timezone.get_fixed_timezone(8 * 60)  # Asia/Shanghai has had no DST since 1991
SQLITE_BATCH = 5_000


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment of `day` in Beijing time (aware), independent of the active time zone."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


NOW = at(sizes.TODAY, 18)


def rng_for(seed: int, stage: str) -> random.Random:
    """One independent, reproducible stream per stage (string seeds hash with SHA-512, not hash())."""
    return random.Random(f"{seed}:{stage}")


_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID from rng as 32 hex digits — what SQLite stores and PostgreSQL accepts —
    at a fifth of the cost of a uuid.UUID (millions of ballot scores)."""
    return f"{(rng.getrandbits(128) & _VERSION_MASK) | _VERSION_BITS:032x}"


def apportion(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights that sum exactly to total (largest remainder)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))[: total - sum(parts)]:
        parts[i] += 1
    return parts


def spread(total: int, buckets: int) -> list[int]:
    """total split into `buckets` near-equal integers, the larger ones first."""
    return apportion(total, [1.0] * buckets)


def _adapter(field: models.Field) -> Callable | None:
    """How a Python value goes into the database driver for this column."""
    if field.is_relation:  # a foreign key is stored as the key it points to
        field = field.target_field
    if isinstance(field, EncryptedCharField):  # personal data never goes in clear
        return field.get_prep_value
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
    if connection.vendor != "sqlite":
        return None
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else connection.ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if isinstance(field, models.UUIDField):
        return lambda v: v if v is None or isinstance(v, str) else v.hex
    return None


class Writer:
    """Writes rows fast and counts them per table; hands out primary keys before the rows exist."""

    # Long COPYs say how far they got every this many rows.
    REPORT_EVERY = 250_000

    def __init__(self, out: Callable[[str], None] | None = None):
        self.out = out or (lambda _text: None)
        self.counts: Counter[str] = Counter()
        self._next: dict[type[models.Model], int] = {}
        self.written: list[type[models.Model]] = []
        self._analyzed: set[type[models.Model]] = set()
        self._indexes: dict[type[models.Model], list[tuple[str, str]]] = {}
        self._foreign_keys: list[tuple[str, list[tuple[str, str]]]] = []

    def ids(self, model: type[models.Model], n: int) -> range:
        """`n` fresh primary keys for model, reserved in order."""
        if model not in self._next:
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX({pk}) FROM {table}")
                self._next[model] = (cursor.fetchone()[0] or 0) + 1
        first = self._next[model]
        self._next[model] = first + n
        return range(first, first + n)

    def write(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple], *, big: bool = False) -> int:
        """Insert rows (tuples in the order of `columns`, attnames) into model's table.

        `big` (PostgreSQL): load the table as bulk loads should — its foreign keys and secondary
        indexes are dropped first; the indexes are built again right after the COPY (one sort
        instead of a million insertions), the foreign keys are added back, and so validated in one
        pass each, by restore_foreign_keys() at the end of the run, inside the same transaction."""
        stripped = big and connection.vendor == "postgresql" and self._strip(model)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        adapters = [(i, a) for i, a in ((i, _adapter(fields[c])) for i, c in enumerate(columns)) if a]
        if adapters:
            rows = (_adapt(row, adapters) for row in rows)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(fields[c].column) for c in columns)
        count = 0
        if connection.vendor == "postgresql":
            raw = connection.connection  # psycopg 3, inside Django's transaction
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
                    count += 1
                    if not count % self.REPORT_EVERY:
                        self.out(f"  … {model._meta.db_table}：{count:,} 行")
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            iterator = iter(rows)
            with connection.cursor() as cursor:
                while batch := list(islice(iterator, SQLITE_BATCH)):
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    if not count % self.REPORT_EVERY:
                        self.out(f"  … {model._meta.db_table}：{count:,} 行")
        if stripped:
            self._reindex(model)
        self.counts[model._meta.db_table] += count
        if model not in self.written:
            self.written.append(model)
        return count

    def _strip(self, model: type[models.Model]) -> bool:
        if model in self._indexes:
            return False
        table = model._meta.db_table
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        self._indexes[model] = indexes
        self._foreign_keys.append((table, foreign_keys))
        return True

    def _reindex(self, model: type[models.Model]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in self._indexes[model]:
                cursor.execute(definition)

    def restore_foreign_keys(self) -> None:
        """Add back the foreign keys dropped for bulk loads; each is validated against all rows."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, foreign_keys in self._foreign_keys:
                for name, definition in foreign_keys:
                    cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        self._foreign_keys = []

    def analyze(self) -> None:
        """Planner statistics for the tables written so far. The whole run is one transaction, so
        autovacuum sees none of it: without this, the monitor's queries over a million fresh rows
        are planned as if the tables were empty."""
        if connection.vendor != "postgresql":
            return
        fresh = [m for m in self.written if m not in self._analyzed]
        with connection.cursor() as cursor:
            for model in fresh:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self._analyzed.update(fresh)

    def reset_sequences(self) -> None:
        """PostgreSQL's id sequences follow the keys written here, so later inserts do not collide."""
        if connection.vendor != "postgresql" or not self.written:
            return
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), self.written):
                cursor.execute(statement)


def _adapt(row: tuple, adapters: list[tuple[int, Callable]]) -> tuple:
    row = list(row)
    for i, adapt in adapters:
        row[i] = adapt(row[i])
    return tuple(row)


class Progress:
    """Prints each stage as it starts and ends, with the rows it wrote and the seconds it took."""

    def __init__(self, writer: Writer, out: Callable[[str], None]):
        self.writer, self.out = writer, out
        self.stages: list[dict] = []
        self.started = time.monotonic()

    def stage(self, name: str):
        return _Stage(self, name)


class _Stage:
    def __init__(self, progress: Progress, name: str):
        self.progress, self.name = progress, name

    def __enter__(self):
        self.before = sum(self.progress.writer.counts.values())
        self.start = time.monotonic()
        self.progress.out(f"▶ {self.name} …")
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        rows = sum(self.progress.writer.counts.values()) - self.before
        seconds = time.monotonic() - self.start
        self.progress.stages.append({"stage": self.name, "rows": rows, "seconds": round(seconds, 2)})
        rate = f"，{rows / seconds:,.0f} 行/秒" if seconds > 0.05 and rows else ""
        self.progress.out(f"✓ {self.name}：{rows:,} 行，{seconds:.1f} 秒{rate}")
        return False

    def note(self, text: str) -> None:
        self.progress.out(f"  {self.name}：{text}")
