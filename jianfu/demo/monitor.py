"""The demo district's monitor: figures for the baseline year and this year, computed from every
other module's demo records (nothing typed in)."""

from jianfu.monitor import services
from jianfu.orgs.models import Org

from . import years as demo_years


def load(district: Org) -> dict[str, int]:
    years = demo_years.years()
    rows = services.refresh(district, sorted({years.baseline, years.reform, years.current}))
    return {"community months": rows}
