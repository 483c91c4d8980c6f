"""Parsing typed values, checking them against their element, and keeping aggregates by deltas."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from jianfu.orgs.models import Org

from .models import LATEST, Aggregate, Aggregation, DataElement, PeriodType, Value, ValueType

YES = {"是", "yes", "y", "true", "1", "有"}
NO = {"否", "no", "n", "false", "0", "无"}


def parse(element: DataElement, raw: str) -> tuple[str, Decimal | None]:
    """(text as stored, number for roll-ups) or ValueError with a Chinese message."""
    text = (raw or "").strip()
    if not text:
        raise ValueError(_("A value is required."))
    number: Decimal | None = None
    kind = element.value_type
    if kind in (ValueType.INTEGER, ValueType.DECIMAL):
        try:
            number = Decimal(text.replace(",", "").replace("，", ""))
        except InvalidOperation as exc:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from exc
        if not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
        if kind == ValueType.INTEGER and number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
        if element.min_value is not None and number < element.min_value:
            raise ValueError(
                _("%(value)s is below the least allowed value %(min)s.") % {"value": text, "min": element.min_value}
            )
        if element.max_value is not None and number > element.max_value:
            raise ValueError(
                _("%(value)s is above the greatest allowed value %(max)s.") % {"value": text, "max": element.max_value}
            )
        text = str(number.normalize()) if kind == ValueType.DECIMAL else str(int(number))
        if "E" in text:
            text = format(number, "f")
    elif kind == ValueType.BOOLEAN:
        lowered = text.lower()
        if lowered in YES:
            text, number = "是", Decimal(1)
        elif lowered in NO:
            text, number = "否", Decimal(0)
        else:
            raise ValueError(_("Answer 是 or 否."))
    elif kind == ValueType.DATE:
        try:
            text = dt.date.fromisoformat(text.replace("/", "-")).isoformat()
        except ValueError as exc:
            raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}) from exc
    elif kind == ValueType.OPTION:
        if text not in element.options:
            raise ValueError(
                _("“%(value)s” is not one of: %(options)s") % {"value": text, "options": "、".join(element.options)}
            )
    elif len(text) > 500:
        raise ValueError(_("At most 500 characters."))
    return text, number


def contribution(element: DataElement, number: Decimal | None) -> Decimal | None:
    """What one value adds to the totals above it (None: the element does not roll up)."""
    if element.aggregation == Aggregation.NONE or number is None:
        return None
    if element.aggregation == Aggregation.COUNT:
        return Decimal(1) if number else Decimal(0)
    return number


def ancestor_ids(org: Org) -> list[int]:
    """Every org above `org` in the tree (grid → community → street → district)."""
    return [int(pk) for pk in org.path.strip("/").split("/")[:-1]]


def _bump(element_id: int, org_id: int, period: str, d_total: Decimal, d_count: int) -> None:
    rows = Aggregate.objects.filter(element_id=element_id, org_id=org_id, period=period)
    if rows.update(total=F("total") + d_total, count=F("count") + d_count):
        return
    try:
        with transaction.atomic():
            Aggregate.objects.create(element_id=element_id, org_id=org_id, period=period, total=d_total, count=d_count)
    except IntegrityError:  # created meanwhile by another writer
        rows.update(total=F("total") + d_total, count=F("count") + d_count)


def apply_delta(element: DataElement, org: Org, period: str, before: Decimal | None, after: Decimal | None) -> None:
    """Move every aggregate above `org` from a value's old contribution to its new one."""
    old, new = contribution(element, before), contribution(element, after)
    d_total = (new or Decimal(0)) - (old or Decimal(0))
    d_count = (new is not None) - (old is not None)
    if not d_total and not d_count:
        return
    for org_id in ancestor_ids(org):
        _bump(element.pk, org_id, period, d_total, d_count)


def apply_deltas(changes: list[tuple[DataElement, Org, str, Decimal | None, Decimal | None]]) -> None:
    """apply_delta for many values at once (element, org, period, before, after): one upsert per
    thousand aggregates, in key order so that concurrent imports lock rows in the same order."""
    sums: dict[tuple[int, int, str], list] = defaultdict(lambda: [Decimal(0), 0])
    for element, org, period, before, after in changes:
        old, new = contribution(element, before), contribution(element, after)
        d_total = (new or Decimal(0)) - (old or Decimal(0))
        d_count = (new is not None) - (old is not None)
        if not d_total and not d_count:
            continue
        for org_id in ancestor_ids(org):
            cell = sums[(element.pk, org_id, period)]
            cell[0] += d_total
            cell[1] += d_count
    rows = [(e, o, p, t, c) for (e, o, p), (t, c) in sorted(sums.items()) if t or c]
    if not rows:
        return
    table = connection.ops.quote_name(Aggregate._meta.db_table)
    upsert = (
        " ON CONFLICT (element_id, org_id, period) DO UPDATE SET"
        f" total = {table}.total + excluded.total, count = {table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (element_id, org_id, period, total, count)"
                " SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::numeric[], %s::integer[])"
                + upsert,
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            cursor.execute(
                f"INSERT INTO {table} (element_id, org_id, period, total, count) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
                + upsert,
                [x for e, o, p, t, c in chunk for x in (e, o, p, str(t), c)],
            )


def latest(element: DataElement, org: Org) -> Value | None:
    return Value.objects.filter(element=element, org=org).order_by("-period").first()


def aggregate_period(element: DataElement, period: str) -> str:
    return LATEST if element.period_type == PeriodType.AS_OF else period


def rollup(element: DataElement, total: Decimal, count: int) -> Decimal | None:
    if not count and element.aggregation != Aggregation.SUM:
        return None
    if element.aggregation == Aggregation.AVERAGE:
        return (total / count).quantize(Decimal("0.01"))
    return total


@transaction.atomic
def rebuild(district: Org) -> int:
    """Recompute every aggregate of a district from its values (repair and bulk loads only;
    normal writes keep aggregates by deltas)."""
    elements = {e.pk: e for e in DataElement.objects.filter(district=district)}
    Aggregate.objects.filter(element_id__in=elements).delete()
    sums: dict[tuple[int, int, str], list] = defaultdict(lambda: [Decimal(0), 0])
    rows = Value.objects.filter(element_id__in=elements).values_list("element_id", "org_path", "period", "number")
    latest_as_of: dict[tuple[int, str], tuple[str, Decimal | None]] = {}
    for element_id, org_path, period, number in rows.iterator(chunk_size=5000):
        element = elements[element_id]
        if element.period_type == PeriodType.AS_OF:
            key = (element_id, org_path)
            if key not in latest_as_of or latest_as_of[key][0] < period:
                latest_as_of[key] = (period, number)
            continue
        _add(sums, element, org_path, period, number)
    for (element_id, org_path), (_period, number) in latest_as_of.items():
        _add(sums, elements[element_id], org_path, LATEST, number)
    Aggregate.objects.bulk_create(
        [Aggregate(element_id=e, org_id=o, period=p, total=t, count=c) for (e, o, p), (t, c) in sums.items()],
        batch_size=2000,
    )
    return len(sums)


def _add(sums, element, org_path: str, period: str, number) -> None:
    value = contribution(element, number)
    if value is None:
        return
    for org_id in [int(pk) for pk in org_path.strip("/").split("/")[:-1]]:
        cell = sums[(element.pk, org_id, period)]
        cell[0] += value
        cell[1] += 1


def latest_periods(element_ids, org_ids, up_to: str) -> dict[tuple[int, int], str]:
    """For as-of elements: the latest period key ≤ up_to per (element, org)."""
    rows = (
        Value.objects.filter(element_id__in=element_ids, org_id__in=org_ids, period__lte=up_to)
        .values_list("element_id", "org_id")
        .annotate(last=Max("period"))
    )
    return {(e, o): last for e, o, last in rows}
