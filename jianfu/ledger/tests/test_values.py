"""Values kept once: roll-ups by deltas, corrections audited, imports all or nothing, derived figures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.audit.models import AuditEntry
from jianfu.core.errors import DomainError
from jianfu.core.tabular import ImportRejected, read_table, xlsx_bytes
from jianfu.ledger import selectors, services, values
from jianfu.ledger.models import Aggregate, DataElement, PeriodType, Value, ValueType
from jianfu.ledger.services import Entry
from jianfu.orgs.models import Role
from jianfu.orgs.services import membership_grant
from jianfu.registry.models import Address, Gender, Person, PersonTag, Tag

from .conftest import element


@pytest.fixture
def second_community_worker(tree, community_worker):
    membership_grant(actor=None, user=community_worker, org=tree["community12"], role=Role.COMMUNITY)
    membership_grant(actor=None, user=community_worker, org=tree["community21"], role=Role.COMMUNITY)
    community_worker._jianfu_memberships = None
    return community_worker


def test_grid_values_roll_up_to_community_street_and_district_as_by_hand(tree, clerk, second_community_worker, item):
    worker, health = second_community_worker, tree["health"]
    checks = element(clerk, health, "FIRE_CHECKS", "防火检查次数", level="grid")
    rate = element(clerk, health, "VISIT_RATE", "走访覆盖率", level="grid", value_type="decimal", aggregation="average")
    duty = element(clerk, health, "HAS_DUTY", "是否设值班电话", level="grid", value_type="boolean", aggregation="count")
    typed = {
        "grid111": ("3", "80", "是"),
        "grid112": ("5", "100", "否"),
        "grid121": ("7", "90", "是"),
        "grid211": ("11", "60", "是"),
    }
    for grid, (n, pct, yes) in typed.items():
        org = tree[grid]
        services.values_save(
            actor=worker,
            period="2026-03",
            entries=[Entry(checks, org, n), Entry(rate, org, pct), Entry(duty, org, yes)],
        )
    # By hand: community11 = 3 + 5; street1 = 3 + 5 + 7; district = 3 + 5 + 7 + 11.
    assert selectors.figure(checks, tree["community11"], "2026-03") == 8
    assert selectors.figure(checks, tree["street1"], "2026-03") == 15
    assert selectors.figure(checks, tree["district"], "2026-03") == 26
    assert selectors.figure(rate, tree["community11"], "2026-03") == Decimal("90.00")
    assert selectors.figure(rate, tree["district"], "2026-03") == Decimal("82.50")
    assert selectors.figure(duty, tree["street1"], "2026-03") == 2
    assert selectors.figure(duty, tree["district"], "2026-03") == 3

    # A correction moves every level at once, and is audited with the old value.
    services.values_save(actor=worker, period="2026-03", entries=[Entry(checks, tree["grid112"], "6")])
    assert selectors.figure(checks, tree["community11"], "2026-03") == 9
    assert selectors.figure(checks, tree["district"], "2026-03") == 27
    correction = AuditEntry.objects.filter(action="ledger.value_correct").get()
    assert correction.before == {"value": "5"} and correction.after == {"value": "6"}
    assert Value.objects.get(element=checks, org=tree["grid112"]).history.count() == 2

    # Kept by deltas, equal to a rebuild from scratch and to a raw SQL SUM.
    kept = {(a.element_id, a.org_id, a.period): (a.total, a.count) for a in Aggregate.objects.all()}
    values.rebuild(tree["district"])
    rebuilt = {(a.element_id, a.org_id, a.period): (a.total, a.count) for a in Aggregate.objects.all()}
    assert kept == rebuilt
    assert selectors.raw_sum(checks, tree["district"], "2026-03") == 27
    assert [(o.code, n) for o, n in selectors.breakdown(checks, tree["street1"], "2026-03")] == [
        ("S1C1", 9),
        ("S1C2", 7),
    ]


def test_as_of_values_roll_up_the_latest_value_of_each_unit(tree, clerk, second_community_worker):
    worker = second_community_worker
    area = element(clerk, tree["health"], "ROOM_M2", "社区活动用房面积", period_type=PeriodType.AS_OF)
    services.values_save(actor=worker, period="2026-01-15", entries=[Entry(area, tree["community11"], "300")])
    services.values_save(actor=worker, period="2026-02-01", entries=[Entry(area, tree["community12"], "250")])
    assert selectors.figure(area, tree["street1"], "2026-03") == 550
    services.values_save(actor=worker, period="2026-03-10", entries=[Entry(area, tree["community11"], "420")])
    assert selectors.figure(area, tree["street1"], "2026-03") == 670
    assert selectors.figure(area, tree["community11"], "2026-02") == 300
    assert selectors.figure(area, tree["community11"], "2026-03") == 420


def test_as_of_values_imported_roll_up_like_typed_ones(tree, clerk, community_worker):
    area = element(clerk, tree["health"], "ROOM_M2", "社区活动用房面积", period_type=PeriodType.AS_OF)
    community = tree["community11"]
    rows = [HEADER, ["ROOM_M2", "S1C1", "2026-01-15", "300"], ["ROOM_M2", "S1C1", "2026-03-10", "420"]]
    result = services.values_import(actor=community_worker, community=community, table=read_table(_csv(rows, "utf-8")))
    assert result.created == 2
    assert selectors.figure(area, community, "2026-02") == 300
    assert (
        selectors.figure(area, tree["street1"], "2026-03") == 420 == selectors.figure(area, tree["district"], "2026-04")
    )
    rows = [HEADER, ["ROOM_M2", "S1C1", "2026-03-10", "450"]]  # a correction of the latest value moves the totals
    again = services.values_import(actor=community_worker, community=community, table=read_table(_csv(rows, "utf-8")))
    assert (again.created, again.updated) == (0, 1)
    assert selectors.figure(area, tree["district"], "2026-04") == 450
    assert AuditEntry.objects.filter(action="ledger.value_correct").count() == 1


def _csv(rows: list[list[str]], encoding: str) -> SimpleUploadedFile:
    text = "\n".join(",".join(r) for r in rows)
    return SimpleUploadedFile("values.csv", text.encode(encoding))


HEADER = ["数据元编码", "组织编码", "期间", "值"]


@pytest.mark.parametrize("kind", ["gbk-csv", "xlsx"])
def test_an_import_with_one_bad_cell_changes_nothing_and_names_row_and_column(tree, clerk, community_worker, kind):
    health = tree["health"]
    checks = element(clerk, health, "FIRE_CHECKS", "防火检查次数", level="grid")
    lectures = element(clerk, health, "LECTURES", "健康讲座场次")
    rows = [
        HEADER,
        ["FIRE_CHECKS", "S1C1G1", "2026-03", "4"],
        ["FIRE_CHECKS", "S1C1G2", "2026-03", "五"],
        ["LECTURES", "S1C1", "2026-03", "2"],
    ]
    upload = _csv(rows, "gbk") if kind == "gbk-csv" else SimpleUploadedFile("v.xlsx", xlsx_bytes(rows[0], rows[1:]))
    with pytest.raises(ImportRejected) as rejected:
        services.values_import(actor=community_worker, community=tree["community11"], table=read_table(upload))
    [problem] = rejected.value.errors
    assert (problem.row, problem.column) == (3, "值") and "五" in problem.message
    assert not Value.objects.exists() and not Aggregate.objects.exists()

    rows[2][3] = "5"
    upload = _csv(rows, "gbk") if kind == "gbk-csv" else SimpleUploadedFile("v.xlsx", xlsx_bytes(rows[0], rows[1:]))
    result = services.values_import(actor=community_worker, community=tree["community11"], table=read_table(upload))
    assert result.created == 3
    assert selectors.figure(checks, tree["community11"], "2026-03") == 9
    assert selectors.figure(lectures, tree["district"], "2026-03") == 2


def test_an_import_cannot_reach_another_community(tree, clerk, community_worker):
    element(clerk, tree["health"], "LECTURES", "健康讲座场次")
    upload = _csv([HEADER, ["LECTURES", "S2C1", "2026-03", "2"]], "utf-8")
    with pytest.raises(ImportRejected) as rejected:
        services.values_import(actor=community_worker, community=tree["community11"], table=read_table(upload))
    assert rejected.value.errors[0].column == "组织编码"


def test_values_are_checked_against_their_element(tree, clerk, community_worker):
    community = tree["community11"]
    kinds = element(
        clerk,
        tree["health"],
        "CARE",
        "照料需求",
        value_type=ValueType.OPTION,
        options=["无", "部分", "完全"],
        aggregation="none",
    )
    count = element(clerk, tree["health"], "LECTURES", "健康讲座场次")
    with pytest.raises(DomainError) as refused:
        services.values_save(
            actor=community_worker,
            period="2026-03",
            entries=[
                Entry(kinds, community, "很多"),
                Entry(count, community, "1.5"),
                Entry(count, tree["grid111"], "1"),
            ],
        )
    assert len(refused.value.errors) == 3
    assert not Value.objects.exists()


@pytest.fixture
def registry(tree, clerk):
    """Six people in community11; two aged 80+ living alone, one of whom moved in only in April."""
    address = Address.objects.create(
        grid=tree["grid111"],
        community=tree["community11"],
        org_path=tree["grid111"].path,
        area="幸福小区",
        key="x",
        label="幸福小区1幢",
    )
    alone = Tag.objects.create(code="elderly_alone", name="独居老人", department=tree["civil_affairs"])
    people = []
    for i, birth in enumerate(
        [dt.date(1940, 1, 1), dt.date(1944, 5, 1), dt.date(1990, 1, 1), dt.date(2000, 1, 1), dt.date(1960, 1, 1)]
    ):
        people.append(
            Person.objects.create(
                name=f"居民{i}",
                gender=Gender.FEMALE,
                birth_date=birth,
                address=address,
                grid=tree["grid111"],
                community=tree["community11"],
                org_path=tree["grid111"].path,
            )
        )
    for p in people[:2]:
        PersonTag.objects.create(person=p, tag=alone, since=dt.date(2025, 1, 1))
    return {"people": people, "alone": alone, "address": address}


def test_derived_elements_are_computed_from_the_registry_and_its_history(tree, clerk, registry, frozen):
    over80_alone = element(
        clerk,
        tree["health"],
        "ALONE_80",
        "80岁以上独居老人数",
        derivation={"measure": "people", "age_min": 80, "tags": ["elderly_alone"]},
    )
    households = element(clerk, tree["health"], "RES_HH", "实有住户数", derivation={"measure": "resident_households"})
    with pytest.raises(DomainError):
        services.values_save(actor=clerk, period="2026-03", entries=[Entry(over80_alone, tree["community11"], "3")])
    assert selectors.figure(over80_alone, tree["community11"], "2026-04") == 2  # today: live tables
    assert selectors.figure(over80_alone, tree["district"], "2026-04") == 2
    assert selectors.figure(households, tree["street1"], "2026-04") == 1
    # The history knows that nobody lived here before the records were made.
    assert selectors.figure(over80_alone, tree["community11"], "2025-12") == 0
    with pytest.raises(DomainError):
        services.element_create(
            actor=clerk,
            department=tree["health"],
            code="BAD",
            name="x",
            value_type="integer",
            period_type="monthly",
            derivation={"measure": "people", "tags": ["nope"]},
        )


def test_creating_an_element_shows_similar_existing_ones_first(tree, clerk):
    from jianfu.ledger.matching import similar_elements

    element(clerk, tree["health"], "FIRE_CHECKS", "防火检查次数", definition="网格员每月对九小场所开展防火检查的次数")
    element(clerk, tree["health"], "LECTURES", "健康讲座场次")
    hits = similar_elements(tree["district"].pk, "九小场所防火检查次数")
    assert hits and hits[0][0].code == "FIRE_CHECKS"
    assert all(e.code != "LECTURES" for e, _score in hits)


def test_the_element_form_shows_similar_elements_before_making_a_new_one(tree, clerk, client):
    element(clerk, tree["health"], "FIRE_CHECKS", "防火检查次数", definition="网格员每月对九小场所开展防火检查的次数")
    client.force_login(clerk)
    form = {
        "element-code": "NINE_SMALL_CHECKS",
        "element-name": "九小场所防火检查次数",
        "element-definition": "",
        "element-unit": "次",
        "element-value_type": "integer",
        "element-level": "grid",
        "element-period_type": "monthly",
        "element-aggregation": "sum",
    }
    response = client.post("/ledger/elements/", form)
    assert response.status_code == 200
    assert b'data-testid="similar"' in response.content and "FIRE_CHECKS" in response.content.decode()
    assert not DataElement.objects.filter(code="NINE_SMALL_CHECKS").exists()
    response = client.post("/ledger/elements/", form | {"confirm": "1"})
    assert response.status_code == 302
    assert DataElement.objects.get(code="NINE_SMALL_CHECKS").created_by == clerk


def test_a_large_import_is_written_in_bulk_and_agrees_with_aggregates_rebuilt_from_scratch(
    tree, clerk, community_worker, django_assert_max_num_queries
):
    community = tree["community11"]
    checks = element(clerk, tree["health"], "FIRE_CHECKS", "防火检查次数", level="grid")
    lectures = element(clerk, tree["health"], "LECTURES", "健康讲座场次")
    rate = element(
        clerk, tree["health"], "VISIT_RATE", "走访覆盖率", level="grid", value_type="decimal", aggregation="average"
    )
    grids = ["S1C1G1", "S1C1G2"]
    rows = [HEADER]
    for month in range(1, 13):
        period = f"2025-{month:02d}"
        rows += [["FIRE_CHECKS", g, period, str(month + i)] for i, g in enumerate(grids)]
        rows += [["VISIT_RATE", g, period, str(50 + month)] for g in grids]
        rows.append(["LECTURES", "S1C1", period, str(month % 3)])
    services.values_save(actor=community_worker, period="2025-01", entries=[Entry(checks, tree["grid111"], "99")])
    before_audit = AuditEntry.objects.count()

    # The number of queries does not grow with the rows (12 months × 5 values here).
    with django_assert_max_num_queries(40):
        result = services.values_import(
            actor=community_worker, community=community, table=read_table(_csv(rows, "utf-8"))
        )
    assert (result.created, result.updated, result.unchanged) == (59, 1, 0)
    assert Value.objects.count() == 60 and Value.history.filter(history_type="+").count() == 60
    # One entry for the import, one for the corrected value (99 → 1).
    assert AuditEntry.objects.count() == before_audit + 2
    assert selectors.figure(checks, community, "2025-03") == 3 + 4
    assert selectors.figure(checks, tree["district"], "2025-01") == 1 + 2
    assert selectors.figure(rate, tree["street1"], "2025-12") == Decimal("62.00")
    assert selectors.figure(lectures, tree["district"], "2025-12") == 0
    kept = sorted(Aggregate.objects.values_list("element_id", "org_id", "period", "total", "count"))
    values.rebuild(tree["district"])
    rebuilt = sorted(Aggregate.objects.values_list("element_id", "org_id", "period", "total", "count"))
    assert [k for k in kept if k[4]] == [r for r in rebuilt if r[4]]

    # The same file again changes nothing.
    again = services.values_import(actor=community_worker, community=community, table=read_table(_csv(rows, "utf-8")))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 60)
