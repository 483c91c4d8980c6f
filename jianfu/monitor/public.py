"""What the public portal shows of the monitor: the headline figures, baseline year against this
year, for a district or one community, and the burden index year by year."""

from django.utils.translation import gettext as _

from jianfu.core import clock
from jianfu.core.charts import Chart, Series
from jianfu.orgs.models import Org, OrgKind

from . import selectors, services
from .indicators import BY_KEY, HEADLINE


def public_figures(org: Org) -> dict | None:
    district = org if org.kind == OrgKind.DISTRICT else Org.objects.get(pk=org.district_id)
    years = selectors.years_with_figures(district)
    if not years:
        return None
    if services.refresh_dirty(district):
        years = selectors.years_with_figures(district)
    year = clock.reporting_year() if clock.reporting_year() in years else years[-1]
    summary = selectors.summary(org, year)
    if not summary.months:
        return None
    trend = selectors.trend(org, years, ["burden_index"])["burden_index"]
    chart = Chart(
        "burden-trend",
        _("Burden index by month"),
        "line",
        selectors.month_labels(),
        [Series(str(y), trend[y]) for y in years],
        unit=str(BY_KEY["burden_index"].unit),
        label=_("Month"),
    )
    if org.kind == OrgKind.COMMUNITY:
        # The community's own leak rate only: no sender is named where the public reads it.
        by_month = selectors.leak_by_month(org, [summary.baseline_year, year])
        leak = {
            "now": selectors.leak_over(by_month[year], summary.months),
            "then": selectors.leak_over(by_month[summary.baseline_year], summary.months),
        }
    else:
        leak = None
    return {
        "summary": summary,
        "leak": leak,
        "rows": [summary.row(k) for k in HEADLINE],
        "by_year": selectors.by_year(org, years, summary.months, "burden_index"),
        "chart": chart,
    }
