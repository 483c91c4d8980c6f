"""The demo district's monitor: figures for the baseline year and this year, computed from every
other module's demo records (nothing typed in)."""

from jianfu.core import clock
from jianfu.orgs.models import Org

from . import services


def load(district: Org) -> dict[str, int]:
    year = clock.today().year
    rows = services.refresh(district, [year - 1, year])
    return {"community months": rows}
