"""Standards on the households that live there (issue 21, point 5).

Seed 002 (慈溪, 2009): 「按照每百户40平方米的标准要求,有24个社区的管理服务用房未达到标准」 and, on 人户分离,
「古塘社区……全社区在册户数约2800户,人户一致的只有1500户左右……旦苑社区……在册户数只有438户,实际业主住户数达
2260户」. A community serves the households living there as well as those registered there, so space,
staffing (one worker per 300 households) and community size judge on the larger of the two.

The registry figures that say who lives where (the public page's population, the ledger's 实有人口, 人在户不在
and 户在人不在) are counted per person, so a community's figure is the sum of its grids'."""

import io
import re
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from jianfu.ledger import derived
from jianfu.monitor import standards
from jianfu.orgs.models import Org
from jianfu.orgs.services import org_update
from jianfu.registry import selectors as registry_selectors
from jianfu.registry.models import Address, Gender, Person


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def refresh(org: Org) -> Org:
    return Org.objects.get(pk=org.pk)


def breach(standard: standards.Standard, org: Org) -> standards.Breach | None:
    return next((b for b in standard.breaches if b.org.pk == org.pk), None)


@pytest.fixture
def danyuan(tree):
    """街道1社区1 given 旦苑's figures: 175.2 m² and 2 workers meet the old rule on 438 registered households."""
    org_update(
        actor=None,
        org=tree["community11"],
        name="旦苑社区",
        registered_households=438,
        resident_households=2260,
        office_space_m2=Decimal("175.2"),
        staff_count=2,
    )
    return refresh(tree["community11"])


@pytest.fixture
def gutang(tree):
    org_update(
        actor=None,
        org=tree["community12"],
        name="古塘社区",
        registered_households=2800,
        resident_households=1500,
        office_space_m2=Decimal("1000"),
        staff_count=9,
    )
    return refresh(tree["community12"])


def test_danyuan_needs_space_and_workers_for_its_2260_resident_households(tree, danyuan):
    # By hand: 2 260 × 40 / 100 = 904.0 m² (175.2 m² on the 438 registered); ⌈2 260 / 300⌉ = ⌈7.53⌉ = 8
    # workers (⌈438 / 300⌉ = 2 on the registered).
    assert danyuan.standard_households == 2260
    assert danyuan.space_required_m2() == Decimal("904.0")
    assert danyuan.space_shortfall_m2() == Decimal("728.8")
    assert danyuan.staff_required() == 8 and danyuan.staff_shortfall() == 6
    space, staffing, size, _grids = standards.check(tree["district"])
    assert (breach(space, danyuan).figure, breach(space, danyuan).required, breach(space, danyuan).gap) == (
        Decimal("175.2"),
        Decimal("904.0"),
        Decimal("728.8"),
    )
    assert (breach(staffing, danyuan).required, breach(staffing, danyuan).gap) == (8, 6)
    assert breach(size, danyuan) is None  # 2 260 households: inside 1 500–4 500


def test_gutang_is_judged_on_its_2800_registered_households(tree, gutang):
    # By hand: 2 800 × 40 / 100 = 1 120.0 m², 120.0 short of 1 000; ⌈2 800 / 300⌉ = ⌈9.33⌉ = 10 workers, 1 short.
    space, staffing, size, _grids = standards.check(tree["district"])
    assert (breach(space, gutang).required, breach(space, gutang).gap) == (Decimal("1120.0"), Decimal("120.0"))
    assert (breach(staffing, gutang).required, breach(staffing, gutang).gap) == (10, 1)
    assert breach(size, gutang) is None


def test_community_size_judges_on_the_larger_figure(tree):
    # 1 400 registered but 1 600 living there: inside the 1 500–4 500 band; 1 400 and 1 300: 100 under it.
    org_update(actor=None, org=tree["community11"], registered_households=1400, resident_households=1600)
    org_update(actor=None, org=tree["community12"], registered_households=1400, resident_households=1300)
    size = standards.check(tree["district"])[2]
    assert breach(size, tree["community11"]) is None
    small = breach(size, tree["community12"])
    assert (small.figure, small.required, small.gap) == (1400, 1500, 100)


def test_the_breaches_are_those_raw_sql_finds_on_the_larger_household_figure(tree, danyuan, gutang):
    larger = (
        "CASE WHEN resident_households > registered_households THEN resident_households ELSE registered_households END"
    )
    rows = sql(
        f"SELECT id, {larger}, office_space_m2, staff_count FROM orgs_org WHERE kind = 'community' AND path LIKE %s",
        [tree["district"].path + "%"],
    )
    space_gaps, staff_gaps = {}, {}
    for pk, households, m2, staff in rows:
        need = Decimal(households) * 40 / 100
        if need > Decimal(str(m2)):
            space_gaps[pk] = need - Decimal(str(m2))
        workers = -(-households // 300)
        if workers > staff:
            staff_gaps[pk] = workers - staff
    space, staffing, _size, _grids = standards.check(tree["district"])
    assert {b.org.pk: b.gap for b in space.breaches} == space_gaps
    assert {b.org.pk: b.gap for b in staffing.breaches} == staff_gaps
    assert [b.gap for b in space.breaches] == sorted(space_gaps.values(), reverse=True)


def test_the_standards_page_shows_both_household_figures_and_bolds_the_one_judged(client, office, danyuan, gutang):
    client.force_login(office)
    body = client.get(reverse("monitor:standards", args=["D"])).content.decode()
    space = body.split('data-standard="space"')[1].split("</section>")[0]
    danyuan_row = next(r for r in space.split("<tr>") if "旦苑社区" in r)
    gutang_row = next(r for r in space.split("<tr>") if "古塘社区" in r)
    assert '<td data-testid="registered">438</td>' in danyuan_row
    assert '<td data-testid="resident"><strong data-judged>2,260</strong></td>' in danyuan_row
    assert "904.0" in danyuan_row and "728.8" in danyuan_row
    assert '<td data-testid="registered"><strong data-judged>2,800</strong></td>' in gutang_row
    assert '<td data-testid="resident">1,500</td>' in gutang_row


# ------------------------------------------------------------------------- registry figures agree


@pytest.fixture
def people(tree):
    """Six people of 街道1社区1 (and around it), each a case of where they live and where they are registered:
    A lives in grid 111, registered here; B lives in grid 111, registered in 街道1社区2; C lives in grid 112,
    registered nowhere in the district; D lives in grid 112, registered here; E is registered here and lives
    outside the district; F is registered here and lives in 街道1社区2 (grid 121)."""
    c11, c12 = tree["community11"], tree["community12"]

    def home(grid, key):
        return Address.objects.create(
            grid=grid, community=grid.parent, org_path=grid.path, area="幸福小区", key=key, label=key
        )

    a111, a112, a121 = home(tree["grid111"], "1幢101"), home(tree["grid112"], "2幢101"), home(tree["grid121"], "3幢101")
    cases = {
        "A": (a111, c11),
        "B": (a111, c12),
        "C": (a112, None),
        "D": (a112, c11),
        "E": (None, c11),
        "F": (a121, c11),
    }
    made = {}
    for n, (address, hukou) in cases.items():
        made[n] = Person.objects.create(
            name=f"居民{n}",
            gender=Gender.FEMALE,
            birth_date="1980-01-01",
            address=address,
            grid=address.grid if address else None,
            community=address.community if address else None,
            org_path=address.org_path if address else "",
            hukou_community=hukou,
            hukou_household=f"{hukou.code}-{n}" if hukou else "",
        )
    return made


def test_grid_figures_add_up_to_the_community_and_the_street(tree, people):
    separated = SimpleNamespace(pk=1, derivation={"measure": "people", "separated": True})
    today = derived.clock.today()

    def both(org):
        figures = registry_selectors.figures(org)
        ledger = int(derived.compute([separated], org, today)[1])
        (raw,) = sql(
            "SELECT COUNT(*) FROM registry_person WHERE org_path LIKE %s "
            "AND (hukou_community_id IS NULL OR hukou_community_id <> community_id)",
            [org.path + "%"],
        )[0]
        assert figures["registered_elsewhere"] == ledger == raw, org.name
        return figures["registered_elsewhere"], figures["living_elsewhere"]

    # By hand, 人在户不在: grid 111 has B, grid 112 has C, so 街道1社区1 has 2; 街道1社区2 has F; the street 3.
    # 户在人不在: 街道1社区1 has E and F, 街道1社区2 has B, the street 3; no one is registered in a grid.
    assert both(tree["grid111"]) == (1, 0)
    assert both(tree["grid112"]) == (1, 0)
    assert both(tree["community11"]) == (2, 2)
    assert both(tree["community12"]) == (1, 1)
    assert both(tree["street1"]) == (3, 3)


def test_the_public_page_shows_the_population_the_ledger_counts(client, tree, people):
    community = tree["community11"]
    assert community.population == 2800  # what the organisation tree was typed with
    people_here = SimpleNamespace(pk=7, derivation={"measure": "people"})  # the ledger's 实有人口数
    ledger = int(derived.compute([people_here], community, derived.clock.today())[7])
    ((raw,),) = sql("SELECT COUNT(*) FROM registry_person WHERE org_path LIKE %s", [community.path + "%"])
    body = client.get(reverse("portal:community", args=[community.code])).content.decode()
    shown = re.search(r'data-testid="population">([^<]+)<', body).group(1)
    # A, B (grid 111), C and D (grid 112) live here; E lives outside, F in 街道1社区2.
    assert int(shown.replace(",", "")) == ledger == raw == 4


def test_without_a_registry_the_public_page_shows_the_trees_figure(client, tree):
    community = tree["community21"]
    body = client.get(reverse("portal:community", args=[community.code])).content.decode()
    shown = re.search(r'data-testid="population">([^<]+)<', body).group(1)
    assert int(shown.replace(",", "")) == community.population == 5600


def test_the_standards_export_carries_both_household_figures(client, office, danyuan):
    """The Excel export of a standard shows what the page shows: registered and resident households
    beside the figure judged on (旦苑: 438 registered, 2 260 living there, 904 m² required)."""
    client.force_login(office)
    response = client.get(reverse("monitor:standards", args=["D"]), {"export": "space"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if "Registered households" in r or "在册户数" in r)
    danyuan_row = next(r for r in rows if r and r[0] == "旦苑社区")
    registered = header.index("Registered households" if "Registered households" in header else "在册户数")
    assert danyuan_row[registered : registered + 2] == [438, 2260]
    assert Decimal(str(danyuan_row[registered + 3])) == Decimal("904.0")
