"""Figures as people read them: thousands separated by commas (202,000 · 2,260), in every language.

Django's own grouping follows the locale, and zh-hans has none (its THOUSAND_SEPARATOR is empty, so
humanize's intcomma prints 202000); statistical tables in Chinese group by three with commas, so pages,
prints, charts and the Word/PDF report all use `grouped`. Decimals stay as the figure has them:
Decimal("31.10") reads 31.10, unless `places` asks for a fixed number of them.
"""

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")


def grouped(value, places: int | None = None):
    """`value` with thousands separators; anything that is not a number comes back unchanged
    (None, "–", a name), so it can follow `default_if_none` or `floatformat` in a template."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        text = value.strip()
        if not NUMERIC.match(text):
            return value
        number = Decimal(text)
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return value
        number = Decimal(repr(value))  # 31.1 reads 31.1, not 31.10000000000000142
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return value
        number = value
    else:
        return value
    if places is not None:
        try:
            number = number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            return value
    if number == 0:
        number = abs(number)  # never "-0.0"
    return format(number, ",f")
