"""What the public portal shows of the monitor: the headline figures, baseline year against this
year, for a district or one community, and the burden index year by year."""

from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind

from . import selectors
from .indicators import HEADLINE


def public_figures(org: Org) -> dict | None:
    district = org if org.kind == OrgKind.DISTRICT else Org.objects.get(pk=org.district_id)
    years = selectors.years_with_figures(district)
    if not years:
        return None
    year = clock.today().year if clock.today().year in years else years[-1]
    summary = selectors.summary(org, year)
    if not summary.months:
        return None
    return {
        "summary": summary,
        "rows": [summary.row(k) for k in HEADLINE],
        "by_year": [(y, selectors.totals(org, y, summary.months)["burden_index"]) for y in years],
    }
