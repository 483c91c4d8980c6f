"""What the public portal shows of the monitor: the headline figures, baseline year against this
year, for a district or one community, and the burden index year by year."""

from django.utils.translation import gettext as _

from jianfu.core import clock
from jianfu.core.charts import Chart, Series
from jianfu.orgs.models import Org, OrgKind

from . import selectors
from .indicators import BY_KEY, HEADLINE


def public_figures(org: Org) -> dict | None:
    district = org if org.kind == OrgKind.DISTRICT else Org.objects.get(pk=org.district_id)
    years = selectors.years_with_figures(district)
    if not years:
        return None
    year = clock.today().year if clock.today().year in years else years[-1]
    summary = selectors.summary(org, year)
    if not summary.months:
        return None
    trend = selectors.trend(org, years, ["burden_index"])["burden_index"]
    chart = Chart(
        "burden-trend",
        _("Burden index by month"),
        "line",
        [f"{m}月" for m in range(1, 13)],
        [Series(str(y), trend[y]) for y in years],
        unit=str(BY_KEY["burden_index"].unit),
        label=_("Month"),
    )
    return {
        "summary": summary,
        "rows": [summary.row(k) for k in HEADLINE],
        "by_year": [(y, selectors.totals(org, y, summary.months)["burden_index"]) for y in years],
        "chart": chart,
    }
