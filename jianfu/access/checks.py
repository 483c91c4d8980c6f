"""The rules an application must meet at submission, each naming the rule it enforces."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from jianfu.core import workdays
from jianfu.core.similarity import fold

from .models import Application


@dataclass
class Refusal:
    code: str
    rule: str


def application_text(application: Application) -> str:
    return fold("\n".join([application.name, application.description, application.reason]))


def forbidden_work(application: Application) -> Refusal | None:
    text = application_text(application)
    for rule in settings.JIANFU["FORBIDDEN_WORK"]:
        if re.search(rule["pattern"], text):
            return Refusal(rule["code"], rule["rule"])
    return None


def higher_basis(application: Application) -> Refusal | None:
    """A creation/evaluation campaign or an assessment/inspection needs the explicit request of the
    central, provincial or municipal level (seed 001): the catalog's one rule, asked at submission,
    adjustment and approval."""
    rule = application.higher_basis_refusal()  # jianfu.catalog.models.higher_basis_refusal
    return Refusal("campaign_without_higher_basis", rule) if rule else None


def submission_problems(application: Application, today) -> list[str]:
    """Problems that keep an application in draft (the applicant fixes them)."""
    problems = []
    basis = higher_basis(application)
    if basis:
        problems.append(basis.rule)
    if application.category == "duty" and not application.legal_basis.strip():
        problems.append(_("A lawful-duty item needs its legal basis (law, regulation or rule and article)."))
    if application.temporary:
        if application.valid_until is None:
            problems.append(_("A temporary item needs an expiry date."))
    else:
        ahead = settings.JIANFU["APPLY_AHEAD_WORKDAYS"]
        earliest = workdays.add_workdays(today, ahead)
        if application.start_date < earliest:
            problems.append(
                _("Apply at least %(days)s working days before the work starts: the earliest start is %(date)s.")
                % {"days": ahead, "date": earliest.isoformat()}
            )
    if application.hours_per_occurrence <= 0:
        problems.append(_("Estimate the worker-hours each occurrence takes a community."))
    return problems
