import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection

from jianfu.audit.models import AuditEntry
from jianfu.core.crypto import id_check_char, mask_id_number
from jianfu.core.errors import PermissionDenied
from jianfu.core.tabular import ImportRejected, read_table
from jianfu.orgs.models import Org, Role, User
from jianfu.orgs.services import membership_grant
from jianfu.registry import importing, selectors, services
from jianfu.registry.models import Person, PersonTag


@pytest.fixture
def registry(demo_module, db):
    return Org.objects.get(code="330282")


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def test_gutang_and_danyuan_reproduce_seed_002(registry):
    gutang = selectors.figures(Org.objects.get(name="古塘社区"))
    danyuan = selectors.figures(Org.objects.get(name="旦苑社区"))
    assert (gutang["registered_households"], gutang["resident_households"]) == (2800, 1500)
    assert (danyuan["registered_households"], danyuan["resident_households"]) == (438, 2260)
    assert gutang["living_elsewhere"] > 0 and danyuan["registered_elsewhere"] > 0


@pytest.mark.parametrize("name", ["古塘社区", "旦苑社区", "古塘街道", "慈溪市", "古塘社区第一网格"])
def test_derived_counts_equal_sql_aggregates(registry, name):
    org = Org.objects.get(name=name)
    on = dt.date(2026, 6, 30)
    figures = selectors.figures(org, on)
    like = org.path + "%"
    ((people, male, resident_households),) = sql(
        "SELECT COUNT(*), SUM(CASE WHEN gender = 'M' THEN 1 ELSE 0 END), COUNT(DISTINCT address_id) "
        "FROM registry_person WHERE org_path LIKE %s",
        [like],
    )
    assert (figures["people"], figures["male"], figures["resident_households"]) == (
        people,
        male or 0,
        resident_households,
    )
    bands = dict(figures["age_bands"])
    (old,) = sql(
        "SELECT COUNT(*) FROM registry_person WHERE org_path LIKE %s AND birth_date <= %s", [like, dt.date(1946, 6, 30)]
    )[0]
    (young,) = sql(
        "SELECT COUNT(*) FROM registry_person WHERE org_path LIKE %s AND birth_date > %s", [like, dt.date(2008, 6, 30)]
    )[0]
    assert (bands["80+"], bands["0-17"]) == (old, young)
    assert sum(bands.values()) == people
    tags = dict(
        sql(
            "SELECT t.code, COUNT(*) FROM registry_persontag pt JOIN registry_tag t ON t.id = pt.tag_id "
            "JOIN registry_person p ON p.id = pt.person_id WHERE p.org_path LIKE %s AND pt.until IS NULL GROUP BY t.code",
            [like],
        )
    )
    assert figures["tags"] == tags
    (registered,) = sql(
        "SELECT COUNT(DISTINCT p.hukou_household) FROM registry_person p JOIN orgs_org o ON o.id = p.hukou_community_id "
        "WHERE o.path LIKE %s AND p.hukou_household <> ''",
        [like],
    )[0]
    assert figures["registered_households"] == registered
    (rented,) = sql(
        "SELECT COUNT(*) FROM registry_house h JOIN registry_address a ON a.id = h.address_id WHERE a.org_path LIKE %s AND h.use = 'rented'",
        [like],
    )[0]
    assert figures["rented_houses"] == rented


def test_the_raw_table_holds_no_id_number_or_phone_in_clear(registry):
    person = Person.objects.exclude(phone="").first()
    rows = sql("SELECT id_number, phone FROM registry_person")
    assert rows
    id_shape, phone_shape = re.compile(r"\d{17}[\dX]"), re.compile(r"1[3-9]\d{9}")
    for id_value, phone in rows:
        assert not id_shape.search(id_value) and not phone_shape.search(phone or "")
    assert person.id_number not in str(rows) and person.phone not in str(rows)
    history = sql("SELECT id_number, phone FROM registry_historicalperson")
    assert person.id_number not in str(history)


@pytest.fixture
def civil_clerk(registry):
    user = User.objects.create_user(username="mzclerk", password="x-Long-pass-1")
    membership_grant(actor=None, user=user, org=Org.objects.get(name="市民政局"), role=Role.CLERK)
    return user


def test_a_department_without_an_approved_item_for_dibao_sees_no_dibao_people(registry, civil_clerk):
    health_clerk = User.objects.get(username="clerk")  # 市卫生健康局: no tag of its own
    assert selectors.people_for_user(health_clerk).count() == 0
    assert selectors.people_for_user(health_clerk, tag="dibao").count() == 0
    dibao = PersonTag.objects.filter(tag__code="dibao", until__isnull=True).values_list("person_id", flat=True)
    seen = selectors.people_for_user(civil_clerk, tag="dibao")
    assert seen.count() == len(set(dibao)) > 0
    # 民政局 owns 低保 and 独居老人, nothing else: no one without those tags is visible.
    visible = set(selectors.people_for_user(civil_clerk).values_list("pk", flat=True))
    tagged = set(
        PersonTag.objects.filter(tag__department__name="市民政局", until__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    assert visible == tagged


def test_a_department_loses_sight_when_its_item_is_no_longer_in_force(registry, civil_clerk):
    from jianfu.registry.models import Tag

    tag = Tag.objects.get(code="dibao")
    tag.item.category = "cancelled"
    tag.item.save()
    assert selectors.people_for_user(civil_clerk, tag="dibao").count() == 0


def test_revealing_a_full_id_number_is_audited_with_the_reason(registry):
    community = User.objects.get(username="community")
    person = Person.objects.filter(community__name="古塘社区").first()
    value = services.person_reveal(actor=community, person=person, field="id_number", reason="办理低保复核")
    assert value == person.id_number and mask_id_number(value) != value
    entry = AuditEntry.objects.filter(action="pii.read").latest("seq")
    assert (entry.actor, entry.reason, entry.object_id, entry.after) == (
        community,
        "办理低保复核",
        str(person.pk),
        {"field": "id_number"},
    )
    outsider = User.objects.get(username="street2")  # 浒山街道
    with pytest.raises(PermissionDenied):
        services.person_reveal(actor=outsider, person=person, field="id_number", reason="好奇")


def test_pages_show_masked_values_only(client, registry):
    client.force_login(User.objects.get(username="community"))
    person = Person.objects.filter(community__name="古塘社区").exclude(phone="").first()
    body = client.get(f"/registry/people/{person.pk}/").content.decode()
    assert person.id_number not in body and person.phone not in body and mask_id_number(person.id_number) in body
    response = client.post(
        f"/registry/people/{person.pk}/reveal/id_number/", {"reason": "入户核查"}, HTTP_HX_REQUEST="true"
    )
    assert person.id_number in response.content.decode()
    assert client.post(f"/registry/people/{person.pk}/reveal/id_number/", {"reason": ""}).status_code == 400


def _people_csv(rows: list[list[str]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(importing.PEOPLE_COLUMNS)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("gbk"))


def _ten_thousand(grid: Org) -> list[list[str]]:
    rows = []
    for i in range(10_000):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000)
        body = f"330281{birth:%Y%m%d}{(i // 20000) * 2 + i % 2:03d}"  # 余姚: not the demo's 慈溪 numbers
        number = body + id_check_char(body)
        rows.append(
            [
                f"测试{i}",
                "女" if i % 2 == 0 else "男",
                birth.isoformat(),
                number,
                f"139{i:08d}",
                grid.code,
                f"测试新村{i // 60 + 1}幢{i % 60 // 20 + 1}单元{i % 20 + 101}室",
                "户主",
                "",
                "",
                "外省",
            ]
        )
    return rows


def test_a_gbk_file_of_10000_people_with_three_bad_rows_changes_nothing_then_imports_once(registry):
    office = User.objects.get(username="office")
    grid = Org.objects.get(name="古塘社区第一网格")
    rows = _ten_thousand(grid)
    good = [list(r) for r in rows]
    rows[99][3] = "33028219900101123"  # one digit short (row 101 in the file)
    rows[4999][5] = "NOGRID"  # row 5001
    rows[9997][4] = "12345"  # row 9999
    before = Person.objects.count()
    with pytest.raises(ImportRejected) as caught:
        importing.import_people(actor=office, table=read_table(_people_csv(rows)))
    assert sorted({e.row for e in caught.value.errors}) == [101, 5001, 9999]
    assert Person.objects.count() == before
    preview = importing.import_people(actor=office, table=read_table(_people_csv(good)), dry_run=True)
    assert preview.created == 10_000 and Person.objects.count() == before
    result = importing.import_people(actor=office, table=read_table(_people_csv(good)))
    assert result.created == 10_000 and Person.objects.count() == before + 10_000
    again = importing.import_people(actor=office, table=read_table(_people_csv(good)))
    assert (again.created, again.updated, again.unchanged, again.new_addresses) == (0, 0, 10_000, 0)


def test_houses_and_units_import_all_or_nothing_and_dedup(registry):
    from jianfu.registry.models import House, Unit

    office = User.objects.get(username="office")
    grid = Org.objects.get(name="古塘社区第一网格")
    houses = "网格编码,地址,用途,建筑面积\n{g},测试苑1栋2单元301室,出租,88.5\n{g},测试苑１幢２單元３０１,出租,88.5\n{g},测试苑1幢2单元302,自住,90\n"
    result = importing.import_houses(
        actor=office, table=read_table(io.BytesIO(houses.format(g=grid.code).encode("gbk")))
    )
    assert (result.created, result.unchanged) == (2, 1)  # 301 written twice, two ways: one house
    assert House.objects.get(address__label="测试苑1幢2单元301室").use == "rented"
    units = "网格编码,地址,单位名称,类型,统一社会信用代码,联系人,联系电话\n{g},测试苑商铺1,测试便利店,商铺,91330282MA2AAAAA1X,王,13812345678\n{g},测试苑商铺2,测试面馆,饭店,91330282MA2AAAAA2X,李,\n"
    with pytest.raises(ImportRejected) as caught:
        importing.import_units(actor=office, table=read_table(io.BytesIO(units.format(g=grid.code).encode("gbk"))))
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "类型")]
    fixed = units.replace("饭店", "商铺")
    assert (
        importing.import_units(actor=office, table=read_table(io.BytesIO(fixed.format(g=grid.code).encode()))).created
        == 2
    )
    assert (
        importing.import_units(actor=office, table=read_table(io.BytesIO(fixed.format(g=grid.code).encode()))).unchanged
        == 2
    )
    assert Unit.objects.get(credit_code="91330282MA2AAAAA1X").contact_phone == "13812345678"


def test_a_large_import_streams_its_progress_and_its_outcome(client, registry):
    client.force_login(User.objects.get(username="office"))
    grid = Org.objects.get(name="古塘社区第一网格")
    upload = _people_csv(_ten_thousand(grid)[:3000])
    upload.name = "people.csv"
    response = client.post("/registry/import/?what=people", {"file": upload, "preview": "1"})
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.count("<progress") >= 4 and 'value="3000" max="3000"' in body
    assert "预览" in body and "3000" in body and body.rstrip().endswith("</html>")
    assert Person.objects.filter(name="测试0").count() == 0  # a preview writes nothing
