import io

import pytest
from openpyxl import Workbook

from jianfu.audit.models import AuditEntry
from jianfu.core.errors import PermissionDenied
from jianfu.core.tabular import ImportRejected, read_table
from jianfu.orgs import spreadsheets
from jianfu.orgs.models import Membership, Org, Role, User

HEADER = "编码,名称,类型,上级编码,在册户数,实住户数,人口,办公和活动用房面积,专职工作人员,社区类型,成员单位\n"
GOOD_ROWS = (
    "S3,第三街道,街道,D,,,,,,,\n"
    "S3C1,新华社区,社区,S3,1520,1400,4100,608.5,5,商品房区,\n"
    "S3C1G1,新华社区第一网格,网格,S3C1,,400,,,,,\n"
    "S3C2,东苑社区,社区,S3,900,820,2400,200,3,回迁房区,\n"
)
BAD_ROW = "S3C3,西苑社区,社区,S9,abc,800,2300,150,3,别墅区,\n"


def gbk_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("gbk"))


def snapshot():
    return list(Org.objects.order_by("code").values_list("code", "name", "path", "registered_households"))


def test_a_gbk_csv_with_one_bad_row_changes_nothing_and_names_the_row(tree, office):
    before, audit_before = snapshot(), AuditEntry.objects.count()
    with pytest.raises(ImportRejected) as caught:
        spreadsheets.import_orgs(actor=office, table=read_table(gbk_file(HEADER + GOOD_ROWS + BAD_ROW)))
    errors = caught.value.errors
    assert {e.row for e in errors} == {6}
    messages = " ".join(str(e) for e in errors)
    assert "S9" in messages and "abc" in messages and "别墅区" in messages
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before


def test_a_clean_gbk_csv_imports_and_importing_it_again_changes_nothing(tree, office):
    result = spreadsheets.import_orgs(actor=office, table=read_table(gbk_file(HEADER + GOOD_ROWS)))
    assert (result.created, result.updated) == (4, 0)
    community = Org.objects.get(code="S3C1")
    assert community.parent.code == "S3" and community.is_within(tree["district"])
    assert community.registered_households == 1520 and str(community.office_space_m2) == "608.5"
    assert Org.objects.get(code="S3C1G1").path.startswith(community.path)
    assert AuditEntry.objects.filter(action="org.create", actor=office).count() == 4
    again = spreadsheets.import_orgs(actor=office, table=read_table(gbk_file(HEADER + GOOD_ROWS)))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_children_may_come_before_their_parent_in_the_file(tree, office):
    rows = GOOD_ROWS.splitlines(keepends=True)
    spreadsheets.import_orgs(actor=office, table=read_table(gbk_file(HEADER + "".join(reversed(rows)))))
    assert Org.objects.get(code="S3C1G1").parent.code == "S3C1"


def test_an_xlsx_import_updates_figures_and_moves_a_community(tree, office):
    book = Workbook()
    book.active.append(spreadsheets.ORG_COLUMNS)
    book.active.append(["S1C1", "街道1社区1", "社区", "S2", 1234, 1200, 3300, 500, 6, "", ""])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    result = spreadsheets.import_orgs(actor=office, table=read_table(data))
    assert result.updated == 1
    moved = Org.objects.get(code="S1C1")
    assert moved.parent.code == "S2" and moved.registered_households == 1234
    assert Org.objects.get(code="S1C1G1").path.startswith(tree["street2"].path)


def test_duplicate_codes_and_wrong_parent_kinds_are_reported(tree, office):
    text = HEADER + "X1,甲社区,社区,S1,,,,,,,\nX1,乙社区,社区,S1,,,,,,,\nX2,丙网格,网格,S1,,,,,,,\n"
    with pytest.raises(ImportRejected) as caught:
        spreadsheets.import_orgs(actor=office, table=read_table(io.BytesIO(text.encode())))
    assert sorted(e.row for e in caught.value.errors) == [3, 4]


def test_only_the_office_imports(tree, street_worker):
    with pytest.raises(PermissionDenied):
        spreadsheets.import_orgs(actor=street_worker, table=read_table(gbk_file(HEADER + GOOD_ROWS)))


def test_export_then_import_is_a_round_trip(tree, office):
    from jianfu.core.tabular import xlsx_bytes

    data = xlsx_bytes(spreadsheets.ORG_COLUMNS, spreadsheets.export_org_rows(Org.objects.order_by("path")))
    result = spreadsheets.import_orgs(actor=office, table=read_table(io.BytesIO(data)))
    assert result.created == 0 and result.updated == 0 and result.unchanged == Org.objects.count()


USERS = "用户名,姓名,角色,组织编码,初始密码\nwang,王网格,网格员,S1C1G1,\nli,李社工,社区工作者,S1C2,Strong-pass-2026\n"


def test_users_import_gives_roles_and_refuses_misplaced_roles(tree, office):
    bad = USERS + "zhao,赵居民,居民,S1,\n"
    with pytest.raises(ImportRejected) as caught:
        spreadsheets.import_users(actor=office, table=read_table(gbk_file(bad)))
    assert [e.row for e in caught.value.errors] == [4]
    assert not User.objects.filter(username__in=["wang", "li", "zhao"]).exists()

    result = spreadsheets.import_users(actor=office, table=read_table(gbk_file(USERS)))
    assert result.created == 2
    assert Membership.objects.get(user__username="wang").role == Role.GRID
    assert not User.objects.get(username="wang").has_usable_password()
    assert User.objects.get(username="li").check_password("Strong-pass-2026")
