"""Whistle rates as objective indicators of the two-way evaluation (a department's score counts how
it answered the communities' whistles, next to the opinions about it)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from jianfu.evaluation import indicators

from . import selectors


def _rate(attribute: str):
    def compute(campaign, targets) -> dict[int, Decimal | None]:
        rates = selectors.department_rates(campaign.district, campaign.period_end.year)
        by_department = {r.department.pk: getattr(r, attribute) for r in rates}
        return {
            t.pk: (by_department[t.org_id] * 100).quantize(Decimal("0.01"))
            if by_department.get(t.org_id) is not None
            else None
            for t in targets
        }

    return compute


def register() -> None:
    indicators.register(
        "whistle_response",
        label=_("Whistle response rate"),
        description=_("Share of the whistles dispatched to the department in the year that it answered in time."),
        directions={"department"},
        compute=_rate("response_rate"),
    )
    indicators.register(
        "whistle_resolution",
        label=_("Whistle resolution rate"),
        description=_("Share of the whistles dispatched to the department in the year that were resolved."),
        directions={"department"},
        compute=_rate("resolution_rate"),
    )
    indicators.register(
        "whistle_satisfaction",
        label=_("Whistle satisfaction rate"),
        description=_("Share of the rated whistles whose reporter was satisfied with the department's answer."),
        directions={"department"},
        compute=_rate("satisfaction_rate"),
    )
