"""Rules across elements, e.g. RESIDENT_HOUSEHOLDS <= REGISTERED_HOUSEHOLDS + MIGRANT_HOUSEHOLDS.
A side is element codes and numbers joined by + and -; a rule whose elements are not all in the
report is not checked."""

import operator
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from jianfu.core.errors import DomainError

from .models import ValidationRule

OPERATORS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}
_TERM = re.compile(r"\s*([+-]?)\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?)\s*")


def terms(side: str) -> list[tuple[int, str]]:
    """[(sign, code or number)] or DomainError for a side that is not codes and numbers."""
    found, pos = [], 0
    side = side.strip()
    while pos < len(side):
        match = _TERM.match(side, pos)
        if not match or (found and not match.group(1)):
            raise DomainError(_("“%(side)s” is not codes and numbers joined by + and -.") % {"side": side})
        found.append((-1 if match.group(1) == "-" else 1, match.group(2)))
        pos = match.end()
    if not found:
        raise DomainError(_("A side of the rule is empty."))
    return found


def _evaluate(side: str, totals: dict[str, Decimal | None]) -> Decimal | None:
    total = Decimal(0)
    for sign, term in terms(side):
        try:
            number = Decimal(term)
        except InvalidOperation:
            number = totals.get(term.upper())
            if number is None:
                return None
        total += sign * number
    return total


def check(district_id: int, totals: dict[str, Decimal | None]) -> list[str]:
    """Every rule of the district broken by these totals, as Chinese messages with the numbers."""
    problems = []
    for rule in ValidationRule.objects.filter(district_id=district_id).order_by("pk"):
        left, right = _evaluate(rule.left, totals), _evaluate(rule.right, totals)
        if left is None or right is None:
            continue
        if not OPERATORS[rule.operator](left, right):
            problems.append(
                _("%(message)s (%(left)s = %(lvalue)s, %(right)s = %(rvalue)s)")
                % {"message": rule.message, "left": rule.left, "lvalue": left, "right": rule.right, "rvalue": right}
            )
    return problems
