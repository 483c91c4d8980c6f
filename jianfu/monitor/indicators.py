"""The indicators the monitor shows, each a column of CommunityMonth.

A *level* (items in force, plaques hung) is something a community carries every month: a year's
figure is its mean over the months, and above a community the mean per community. A *flow*
(requests, certificates issued, hours) happens in a month: a year's figure is the sum over the
months, and above a community the sum over the communities.

Burden index (per community and month): 100 × the weighted mean, over the index indicators k with
a baseline, of x_k / b_k, where b_k is the district's mean per community and month in the baseline
year. So 100 is the average community of the baseline year; 50 is half its burden. Weights come
from JIANFU["BURDEN_INDEX_WEIGHTS"] (all 1 by default).

Residents' self-governance (hearings, forums, dialogues, consultations; seeds 001 and 004) is not
burden: it enters neither these indicators nor the index, and is counted apart (monitor.selfgov)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    unit: str | Promise
    group: str  # "burden" or "service"
    level: bool  # True: carried each month (mean); False: happens in a month (sum)
    in_index: bool = False
    decimals: int = 0


ITEMS = _("items")
HOURS = _("hours")

INDICATORS: list[Indicator] = [
    Indicator("items_total", _("Work items carried"), ITEMS, "burden", True),
    Indicator("items_task", _("Work tasks"), ITEMS, "burden", True, in_index=True),
    Indicator("items_ledger", _("Ledger sets"), ITEMS, "burden", True, in_index=True),
    Indicator("items_survey", _("Surveys"), ITEMS, "burden", True, in_index=True),
    Indicator("items_campaign", _("Creation and evaluation campaigns"), ITEMS, "burden", True, in_index=True),
    Indicator("items_inspection", _("Assessments and inspections"), ITEMS, "burden", True, in_index=True),
    Indicator("items_platform", _("Platforms and apps to use"), ITEMS, "burden", True, in_index=True),
    Indicator("items_body", _("Work bodies required"), ITEMS, "burden", True),
    Indicator("items_certificate", _("Certificate kinds to stamp"), ITEMS, "burden", True),
    Indicator("items_meeting", _("Meeting items"), ITEMS, "burden", True),
    Indicator("plaques", _("Plaques hung"), _("plaques"), "burden", True, in_index=True),
    # Whole meetings called by departments and streets (monitor.compute.whole_meetings); residents'
    # own hearings, forums and dialogues are not burden (monitor.selfgov).
    Indicator("meetings", _("Meetings to attend"), _("meetings"), "burden", False, in_index=True),
    Indicator("report_requests", _("Report requests received"), _("requests"), "burden", False),
    Indicator("fields_asked", _("Report fields asked"), _("fields"), "burden", False),
    Indicator("fields_prefilled", _("Report fields filled automatically"), _("fields"), "burden", False),
    Indicator("fields_typed", _("Report fields typed"), _("fields"), "burden", False),
    Indicator("certificates_issued", _("Certificates stamped"), _("certificates"), "burden", False, in_index=True),
    Indicator("item_hours", _("Worker-hours on delegated work"), HOURS, "burden", False, in_index=True, decimals=1),
    Indicator("ledger_hours", _("Worker-hours typing reports"), HOURS, "burden", False, decimals=1),
    Indicator("whistles", _("Whistles blown"), _("whistles"), "service", False),
    Indicator("events_closed", _("Reported matters closed"), _("matters"), "service", False),
    Indicator("services_closed", _("One-window services done"), _("cases"), "service", False),
    Indicator("service_hours", _("Worker-hours serving residents"), HOURS, "service", False, decimals=1),
    Indicator("worker_hours", _("Estimated worker-hours"), HOURS, "burden", False, decimals=1),
    Indicator("burden_index", _("Burden index"), _("points"), "burden", True, decimals=1),
]

BY_KEY = {i.key: i for i in INDICATORS}
# The headline set: what the dashboards, the portal and the annual report show first.
HEADLINE = [
    "items_total",
    "items_ledger",
    "items_campaign",
    "items_survey",
    "items_platform",
    "plaques",
    "meetings",
    "certificates_issued",
    "fields_typed",
    "worker_hours",
    "burden_index",
]
# The heat table's columns: the headline set.
HEAT = HEADLINE


def index_weights() -> dict[str, Decimal]:
    configured = settings.JIANFU.get("BURDEN_INDEX_WEIGHTS") or {}
    return {i.key: Decimal(str(configured.get(i.key, 1))) for i in INDICATORS if i.in_index}
