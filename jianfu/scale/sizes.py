"""How much `manage.py generate_scale` writes at each scale — every size constant lives here.

| scale    | districts | streets | communities | grids  | departments | work items ¹     | data elements | ledger values ² | cases ³ | certificate requests | ballots ⁴ | monitor rows ⁵ |
|----------|-----------|---------|-------------|--------|-------------|------------------|---------------|-----------------|---------|----------------------|-----------|----------------|
| district | 1         | 15      | 200         | 1 200  | 60          | 800 (+903)       | 7 150         | 72 000          | 12 800  | 2 000                | 16 920    | 4 400          |
| city     | 14        | 210     | 3 500       | 20 000 | 1 000       | 11 200 (+12 659) | 100 100       | 1 260 000       | 224 000 | 35 000               | 359 567   | 77 000         |
| nation   | 2 850     | 28 500  | 120 000     | —      | —           | —                | —             | —               | —       | —                    | —         | 2 640 000      |

¹ items of 2026 (in force, or on the negative list: what overlap detection searches), in brackets the
  2025 stock (predecessors of 2026's items and the items cancelled at the end of 2025).
² `valued_elements` typed monthly elements × every community × the twelve months 2025-11 … 2026-10.
³ one-window service applications (199 500 at city scale) plus reported matters and whistles, with
  one history row per state change (≈ 1.27 million at city scale).
⁴ department evaluations: 95 % of the communities and streets rated every department of their district
  in 2025 (released) and 40 % have rated in the open 2026 campaign; four opinion scores per ballot.
⁵ CommunityMonth rows: every community × the 22 months 2025-01 … 2026-10.

A city is not an organisation of the tree (the tree's roots are districts, org_district_is_root):
the city scale is 14 sibling districts whose codes share the city's prefix (990101 … 990114).
The nation likewise: 2 850 districts under 31 provinces and their cities, which exist only as the
first two and four digits of the districts' codes (and in the summary JSON).

"tiny" and "tiny-nation" are the same shapes at a size the tests can run in seconds; they are
accepted by the command but not advertised.
"""

import datetime as dt
from dataclasses import dataclass

# The generated world stands on 31 October 2026, evening: nothing depends on the wall clock.
TODAY = dt.date(2026, 10, 31)
CURRENT_YEAR = 2026
BASELINE_YEAR = 2025
# Cases, certificates and monitor figures: 2025-01 … 2026-10. Ledger values: the last twelve months.
FIRST_DAY = dt.date(2025, 1, 1)
MONTHS = [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 11)]
VALUE_MONTHS = [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]
# Report requests: the periods each template was sent for (all in 2026, when its item is in force).
REQUEST_PERIODS = ["2026-05", "2026-09"]

# One password for every generated account, hashed once and reused (the demo's password).
PASSWORD = "Jianfu@2026"
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Sizes:
    name: str
    districts: int
    streets_per_district: int
    communities: int  # in all, spread evenly over the districts
    grids: int  # in all, spread over the communities by resident households (0: no grids)
    departments: int  # in all, spread evenly over the districts (0: none)
    full: bool = True  # False: the org tree and monitor figures only (the nation)
    items_per_district: int = 0  # 2026 work items per district
    elements_per_district: int = 0  # ledger data elements per district
    valued_elements: int = 0  # elements with a value for every community and month of VALUE_MONTHS
    templates_per_district: int = 0  # report templates, each sent for REQUEST_PERIODS
    fields_per_template: int = 0
    service_cases_per_community: int = 0  # one-window applications over MONTHS
    event_cases_per_community: int = 0  # reported matters and whistles over MONTHS
    service_items_per_district: int = 0
    certificate_requests_per_community: int = 0
    certificate_holders_per_community: int = 0  # registry people (and their addresses) the certificates name
    evaluation: bool = False
    provinces: int = 0  # nation: districts are grouped into provinces and cities by their codes
    districts_per_city: int = 0
    user_districts: int | None = None  # districts that get accounts (None: all)

    @property
    def streets(self) -> int:
        return self.districts * self.streets_per_district


SCALES: dict[str, Sizes] = {
    "district": Sizes(
        name="district",
        districts=1,
        streets_per_district=15,
        communities=200,
        grids=1_200,
        departments=60,
        items_per_district=800,
        elements_per_district=7_150,
        valued_elements=30,
        templates_per_district=6,
        fields_per_template=8,
        service_cases_per_community=57,
        event_cases_per_community=7,
        service_items_per_district=40,
        certificate_requests_per_community=10,
        certificate_holders_per_community=4,
        evaluation=True,
    ),
    "city": Sizes(
        name="city",
        districts=14,
        streets_per_district=15,
        communities=3_500,
        grids=20_000,
        departments=1_000,
        items_per_district=800,
        elements_per_district=7_150,
        valued_elements=30,
        templates_per_district=6,
        fields_per_template=8,
        service_cases_per_community=57,
        event_cases_per_community=7,
        service_items_per_district=40,
        certificate_requests_per_community=10,
        certificate_holders_per_community=4,
        evaluation=True,
    ),
    "nation": Sizes(
        name="nation",
        districts=2_850,
        streets_per_district=10,
        communities=120_000,
        grids=0,
        departments=0,
        full=False,
        provinces=31,
        districts_per_city=10,
        user_districts=1,
    ),
    # For the tests only: the same shapes, small.
    "tiny": Sizes(
        name="tiny",
        districts=2,
        streets_per_district=2,
        communities=12,
        grids=30,
        departments=12,
        items_per_district=40,
        elements_per_district=60,
        valued_elements=4,
        templates_per_district=2,
        fields_per_template=3,
        service_cases_per_community=6,
        event_cases_per_community=3,
        service_items_per_district=5,
        certificate_requests_per_community=3,
        certificate_holders_per_community=2,
        evaluation=True,
    ),
    "tiny-nation": Sizes(
        name="tiny-nation",
        districts=6,
        streets_per_district=2,
        communities=30,
        grids=0,
        departments=0,
        full=False,
        provinces=2,
        districts_per_city=2,
        user_districts=1,
    ),
}
PUBLIC_SCALES = ["district", "city", "nation"]
