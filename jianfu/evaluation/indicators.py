"""Objective indicators: figures the system already holds that feed a campaign's score next to the
evaluators' opinions. Each is a function registered under a stable code.

Interface for other apps (the cases app registers its whistle rates from its AppConfig.ready())::

    from jianfu.evaluation import indicators

    indicators.register(
        "whistle_response",
        label=gettext_lazy("Whistle response rate"),
        description=gettext_lazy("Share of whistles the department answered within the time limit."),
        directions={"department"},
        compute=whistle_response_scores,
    )

``compute(campaign, targets)`` receives the campaign (its ``period_start``/``period_end`` say which
records count) and the list of its ``Target`` rows (``target.org`` is the department or community,
``target.worker`` the worker), and returns ``{target.pk: score}`` with a score from 0 to 100 — higher
is better — or ``None`` when the target has no data, in which case the indicator is left out of that
target's score and the other weights are scaled up. It must answer for all targets with a few
set-based queries, never one query per target. A score is only ever one weighted term: no indicator
can veto (一票否决 is abolished, seed 001).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

Compute = Callable[[object, list], dict[int, Decimal | None]]


@dataclass(frozen=True)
class ObjectiveIndicator:
    code: str
    label: str
    description: str
    directions: frozenset[str]
    compute: Compute


_REGISTRY: dict[str, ObjectiveIndicator] = {}


def register(code: str, *, label, description, directions: Iterable[str], compute: Compute) -> ObjectiveIndicator:
    """Add (or replace, when an app reloads) the indicator under ``code``."""
    indicator = ObjectiveIndicator(code, label, description, frozenset(directions), compute)
    _REGISTRY[code] = indicator
    return indicator


def get(code: str) -> ObjectiveIndicator | None:
    return _REGISTRY.get(code)


def available(direction: str) -> list[ObjectiveIndicator]:
    return sorted((i for i in _REGISTRY.values() if direction in i.directions), key=lambda i: i.code)


def label(code: str) -> str:
    indicator = get(code)
    return str(indicator.label) if indicator else code


# ------------------------------------------------------------------------------------ from access

# Points lost per confirmed violation report in the campaign's period; the score never goes below 0.
VIOLATION_PENALTY = 20
REPORT_PENALTY = 25
CERTIFICATE_PENALTY = 25
# How a confirmed report shows that the work was a report/ledger request or a certificate demand,
# when the access check matched no catalog item of that kind (text folded to simplified first).
REPORT_WORDS = re.compile(
    r"报表|统计表|台账|填报|报送[^，。；]{0,12}(表|数据|名单|情况)|上报[^，。；]{0,12}(表|数据|台账)"
)
CERTIFICATE_WORDS = re.compile(r"证明|盖章|盖公章|开具")


def _confirmed_reports(campaign, targets):
    from jianfu.access.models import ViolationReport, ViolationState

    return ViolationReport.objects.filter(
        state=ViolationState.CONFIRMED,
        department_id__in=[t.org_id for t in targets],
        arrived_on__gte=campaign.period_start,
        arrived_on__lte=campaign.period_end,
    ).select_related("matched_item")


def _is_report_request(report) -> bool:
    from jianfu.catalog.models import ItemKind
    from jianfu.core.similarity import fold

    if report.matched_item is not None and report.matched_item.kind in {ItemKind.LEDGER, ItemKind.SURVEY}:
        return True
    return bool(REPORT_WORDS.search(fold(report.what)))


def _is_certificate_demand(report) -> bool:
    from jianfu.catalog.models import ItemKind
    from jianfu.core.similarity import fold

    if report.matched_item is not None and report.matched_item.kind == ItemKind.CERTIFICATE:
        return True
    return bool(CERTIFICATE_WORDS.search(fold(report.what)))


def _penalised(targets, reports, penalty: int) -> dict[int, Decimal]:
    counts: dict[int, int] = {}
    for report in reports:
        counts[report.department_id] = counts.get(report.department_id, 0) + 1
    return {t.pk: Decimal(max(0, 100 - penalty * counts.get(t.org_id, 0))) for t in targets}


def confirmed_violations(campaign, targets) -> dict[int, Decimal | None]:
    return _penalised(targets, _confirmed_reports(campaign, targets), VIOLATION_PENALTY)


def unapproved_report_requests(campaign, targets) -> dict[int, Decimal | None]:
    reports = [r for r in _confirmed_reports(campaign, targets) if _is_report_request(r)]
    return _penalised(targets, reports, REPORT_PENALTY)


def certificates_outside_list(campaign, targets) -> dict[int, Decimal | None]:
    reports = [r for r in _confirmed_reports(campaign, targets) if _is_certificate_demand(r)]
    return _penalised(targets, reports, CERTIFICATE_PENALTY)


register(
    "confirmed_violations",
    label=_("Confirmed violation reports"),
    description=_("100 minus 20 points for each violation report against the department the office confirmed."),
    directions={"department", "street"},
    compute=confirmed_violations,
)
register(
    "unapproved_report_requests",
    label=_("Report requests sent without approval"),
    description=_(
        "100 minus 25 points for each confirmed report of a form, ledger or statistics request sent without approval."
    ),
    directions={"department"},
    compute=unapproved_report_requests,
)
register(
    "certificates_outside_list",
    label=_("Certificates demanded outside the list"),
    description=_("100 minus 25 points for each confirmed report of a certificate or stamp demanded outside the list."),
    directions={"department"},
    compute=certificates_outside_list,
)
