"""The annual report's part on what arrived (issue 21): the leak rate of the district, its streets and
each month, the departments and streets that sent the most unapproved work, and the hours from what
arrived next to the catalog's estimate. Read through monitor.selectors, as the dashboard does."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jianfu.orgs.models import Org

from . import selectors


@dataclass
class ArrivalFigures:
    now: selectors.Leak = field(default_factory=selectors.Leak)
    then: selectors.Leak = field(default_factory=selectors.Leak)
    streets: list[tuple[Org, selectors.Leak]] = field(default_factory=list)
    months: dict[int, list[selectors.Leak]] = field(default_factory=dict)
    departments: list[selectors.Leak] = field(default_factory=list)
    senders_streets: list[selectors.Leak] = field(default_factory=list)


def figures(district: Org, base: int, year: int, months: list[int], streets: list[Org]) -> ArrivalFigures:
    """Four queries."""
    leaks = selectors.leak_children(district, year, months)
    departments, senders_streets = selectors.leakers(district, year, months)
    by_month = selectors.leak_by_month(district, [base, year])
    return ArrivalFigures(
        now=selectors.leak_over(by_month[year], months),
        then=selectors.leak_over(by_month[base], months),
        streets=[(s, leaks.get(s.pk, selectors.Leak())) for s in streets],
        months=by_month,
        departments=departments,
        senders_streets=senders_streets,
    )


def _rate(leak: selectors.Leak, none: str) -> str:
    return none if leak.rate is None else f"{leak.rate}%"


def blocks(report) -> list:
    from .report import NONE, Block, Table, fmt, grouped, months_text

    a: ArrivalFigures = report.arrivals
    item_hours = report.summary.row("item_hours")
    header = [
        pgettext("burden report", "Indicator"),
        _("Baseline %(year)s") % {"year": report.baseline_year},
        _("This year %(year)s") % {"year": report.year},
    ]
    rows = [
        [_("Arrivals"), grouped(a.then.arrivals), grouped(a.now.arrivals)],
        [_("Unapproved arrivals"), grouped(a.then.uncovered), grouped(a.now.uncovered)],
        [_("Leak rate"), _rate(a.then, NONE), _rate(a.now, NONE)],
        [_("Worker-hours from what arrived"), grouped(a.then.hours), grouped(a.now.hours)],
        [_("Worker-hours estimated from the catalog"), fmt(item_hours.baseline), fmt(item_hours.current)],
    ]
    leak_header = [
        pgettext("burden report", "Street or town"),
        _("Arrivals"),
        _("Unapproved arrivals"),
        _("Leak rate"),
        _("Worker-hours from what arrived"),
    ]
    street_rows = [
        [s.name, grouped(x.arrivals), grouped(x.uncovered), _rate(x, NONE), grouped(x.hours)] for s, x in a.streets
    ]
    month_header = [pgettext("burden report", "Year")] + [_("M%(n)s") % {"n": m} for m in range(1, 13)]
    month_rows = [[str(y)] + [_rate(x, NONE) for x in a.months[y]] for y in sorted(a.months)]
    sender_header = [_("Sender"), _("Arrivals"), _("Unapproved arrivals"), _("Leak rate")]
    sender_rows = [
        [x.org.name, grouped(x.arrivals), grouped(x.uncovered), _rate(x, NONE)]
        for x in a.departments + a.senders_streets
    ]
    out = [
        Block("heading", text=_("What arrived and the leak rate"), level=3),
        Block(
            "paragraph",
            text=_(
                "Every work order, report request, case dispatched, certificate asked for, check and refusal "
                "that reached the communities in %(months)s counts as one arrival, approved or not; the leak "
                "rate is the share that no item in force covered."
            )
            % {"months": months_text(report.months)},
        ),
        Block("table", table=Table(header, rows, name="leak")),
        Block("table", table=Table(leak_header, street_rows, name="leak-streets")),
        Block("table", table=Table(month_header, month_rows, name="leak-months")),
    ]
    if sender_rows:
        out += [
            Block("heading", text=_("Departments and streets that sent the most unapproved work"), level=3),
            Block("table", table=Table(sender_header, sender_rows, name="leakers")),
        ]
    return out
