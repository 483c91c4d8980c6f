import datetime as dt
import io
import re

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from jianfu.catalog import services
from jianfu.catalog.models import CatalogEntry, Category
from jianfu.core.errors import PermissionDenied
from jianfu.core.pagecache import CSRF_PLACEHOLDER

YEAR = 2026


@pytest.fixture
def published(items, office, tree):
    return services.catalog_publish(actor=office, district=tree["district"], year=YEAR)


def test_publishing_freezes_the_items_in_force(published, items, office, tree):
    assert sorted(published.entries.values_list("code", flat=True)) == ["I1", "I2", "I3"]  # not the negative list
    items["elderly"].name = "改名后的台账"
    items["elderly"].save()
    assert published.entries.get(code="I1").name == "独居老人关爱服务台账"
    later = services.catalog_publish(actor=office, district=tree["district"], year=YEAR)
    diff = services.catalog_diff(published, later)
    assert [c["entry"].code for c in diff["changed"]] == ["I1"] and not diff["added"] and not diff["removed"]


def test_diff_lists_added_and_removed(published, items, office, tree):
    items["fire"].category = Category.CANCELLED
    items["fire"].save()
    later = services.catalog_publish(actor=office, district=tree["district"], year=YEAR)
    diff = services.catalog_diff(published, later)
    assert [e.code for e in diff["removed"]] == ["I2"]
    diff_back = services.catalog_diff(later, published)
    assert [e.code for e in diff_back["added"]] == ["I2"]


def test_only_the_office_publishes(items, tree, clerk):
    with pytest.raises(PermissionDenied):
        services.catalog_publish(actor=clerk, district=tree["district"], year=YEAR)


def test_the_public_page_needs_no_login_and_filters(client, published):
    body = client.get(f"/catalog/{YEAR}/").content.decode()
    assert "独居老人关爱服务台账" in body and "消防安全隐患排查" in body
    body = client.get(f"/catalog/{YEAR}/", {"kind": "inspection"}).content.decode()
    assert "消防安全隐患排查" in body and "独居老人关爱服务台账" not in body
    body = client.get(f"/catalog/{YEAR}/", {"q": "独居"}).content.decode()
    assert "独居老人关爱服务台账" in body and "消防安全隐患排查" not in body
    assert client.get("/catalog/").status_code == 302


def test_anonymous_visitors_share_one_rendered_page_each_with_a_working_csrf_token(published, items, office, tree):
    url = f"/catalog/{YEAR}/"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    rendered = first.get(url)
    served = second.get(url)
    assert rendered.templates and not served.templates  # the second visitor's page came from memory
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode())[1] for r in (rendered, served)
    ]
    assert tokens[0] != tokens[1] and CSRF_PLACEHOLDER not in served.content.decode()
    switched = second.post("/i18n/setlang/", {"language": "en", "next": url, "csrfmiddlewaretoken": tokens[1]})
    assert switched.status_code == 302  # the cached page's form passes the CSRF check
    english = second.get(url)
    assert english.templates and 'lang="en"' in english.content.decode()  # another language, another page
    # A new version is another page: nothing stale.
    items["elderly"].name = "独居老人关爱服务台账（新版）"
    items["elderly"].save()
    services.catalog_publish(actor=office, district=tree["district"], year=YEAR)
    assert "（新版）" in Client().get(url).content.decode()
    # Searches, filters, other spellings of the address and logged-in visitors are rendered for them.
    assert Client().get(url, {"q": "独居"}).templates and Client().get(url, {"q": "独居"}).templates
    assert Client().get(url, {"kind": "ledger"}).templates and Client().get(url, {"kind": "ledger"}).templates
    assert Client().get(url + "?&").templates and Client().get(url + "?&&").templates
    d = tree["district"].code
    assert Client().get(url, {"d": d}).templates and not Client().get(url, {"d": d}).templates
    office_client = Client()
    office_client.force_login(office)
    assert office_client.get(url).templates and office_client.get(url).templates


def test_only_anonymous_pages_take_the_remembered_version(published, items, office, tree):
    from django.core.cache import caches

    from jianfu.catalog import selectors

    code = tree["district"].code
    assert selectors.public_version(code, YEAR, remember=True) == published  # now remembered
    newer = services.catalog_publish(actor=office, district=tree["district"], year=YEAR)
    # Another worker process still remembers the older one for a few seconds …
    caches["fragments"].set(f"catalog-version:{code}:{YEAR}:0", published)
    assert selectors.public_version(code, YEAR, remember=True) == published
    # … but the office (and every signed-in visitor, and the exports) read the database.
    assert selectors.public_version(code, YEAR) == newer
    assert Client().get(f"/catalog/{YEAR}/", {"v": "99999999999999999999"}).status_code == 200  # not a number: latest
    assert Client().get(f"/catalog/{YEAR}/", {"v": "²"}).status_code == 200


def test_exports_open_with_the_same_item_count_as_the_page(client, published):
    count = CatalogEntry.objects.filter(version=published).count()
    xlsx = client.get(f"/catalog/{YEAR}/export.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == count
    docx = Document(io.BytesIO(client.get(f"/catalog/{YEAR}/export.docx").content))
    docx_rows = sum(len(t.rows) - 1 for t in docx.tables)
    assert docx_rows == count
    pdf = PdfReader(io.BytesIO(client.get(f"/catalog/{YEAR}/export.pdf").content))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert all(code in text for code in ("I1", "I2", "I3")) and "独居老人关爱服务台账" in text


def test_the_catalog_api_returns_the_published_items(client, published):
    data = client.get(f"/api/v1/catalog/{YEAR}/").json()
    assert data["count"] == 3 and data["year"] == YEAR
    item = next(i for i in data["items"] if i["code"] == "I2")
    assert item["kind"] == "inspection" and item["department"] == "卫健局"
    assert item["hours_per_month"] == "4.33" and item["temporary"] is False
    assert set(item) >= {
        "code",
        "name",
        "kind",
        "category",
        "department",
        "legal_basis",
        "funding_yuan",
        "hours_per_month",
        "temporary",
        "valid_until",
    }
    assert client.get("/api/v1/catalog/1999/").status_code == 404


def test_temporary_items_leave_the_next_publication_after_expiry(items, office, tree, frozen):
    items["elderly"].temporary, items["elderly"].valid_until = True, dt.date(2026, 3, 31)
    items["elderly"].save()
    assert (
        services.catalog_publish(actor=office, district=tree["district"], year=YEAR).entries.filter(code="I1").exists()
    )
    frozen(dt.date(2026, 4, 1))
    assert (
        not services.catalog_publish(actor=office, district=tree["district"], year=YEAR)
        .entries.filter(code="I1")
        .exists()
    )


def test_the_openapi_schema_validates(client, db):
    from openapi_spec_validator import validate

    schema = client.get("/api/schema/").json()
    validate(schema)
    assert {"/api/v1/catalog/{year}/", "/api/v1/lists/", "/api/v1/lists/{code}/"} <= set(schema["paths"])


def test_the_plaque_page_answers_on_29_february(client, office, tree):
    """Its default comparison date is two years back: 2028-02-29 → 2026-02-28, not a crash."""
    import time_machine

    with time_machine.travel("2028-02-29T12:00+08:00", tick=False):
        client.force_login(office)
        page = client.get("/plaques/")
    assert page.status_code == 200 and 'value="2026-02-28"' in page.content.decode()


def _campaign_rows(*extra_columns: str) -> list[str]:
    header = "编码,名称,类型,责任部门,经费（元/年）,经费渠道,频次,每次工时"
    row = "C9,文明社区创建,创建评比,卫健局,3000,市财政专项,每年,16"
    return [",".join([header, *extra_columns[:2]]), ",".join([row, *extra_columns[2:]])]


def test_an_approved_campaign_without_a_higher_basis_cannot_enter_through_the_list_import(lists, office, tree, frozen):
    from jianfu.catalog.models import BasisLevel, WorkItem
    from jianfu.catalog.spreadsheets import import_list
    from jianfu.core.tabular import ImportRejected, read_table

    def run(rows):
        table = read_table(io.BytesIO("\n".join(rows).encode("utf-8")))
        return import_list(actor=office, item_list=lists["assist"], district=tree["district"], table=table)

    with pytest.raises(ImportRejected) as caught:
        run(_campaign_rows())
    assert [e.column for e in caught.value.errors] == ["依据层级"]
    assert "除中央和市委市政府有明确要求外，其他一律取消" in caught.value.errors[0].message
    with pytest.raises(ImportRejected) as caught:  # a district's own paper is no higher basis
        run(_campaign_rows("依据层级", "依据文件名称和文号", "区", "《某区创建方案》"))
    assert [e.column for e in caught.value.errors] == ["依据层级"]
    assert not WorkItem.objects.filter(code="C9").exists()
    document = "《慈溪市文明社区创建三年行动方案》（慈党办〔2026〕5号）"
    result = run(_campaign_rows("依据层级", "依据文件名称和文号", "市", document))
    assert result.created == 1
    item = WorkItem.objects.get(code="C9")
    assert (item.basis_level, item.basis_document) == (BasisLevel.MUNICIPAL, document)
    # A cancelled campaign (the negative list, cancelled items) needs no basis: it does not enter.
    negative = import_list(
        actor=office,
        item_list=lists["negative"],
        district=tree["district"],
        table=read_table(io.BytesIO("\n".join(_campaign_rows()).replace("C9", "C8").encode("utf-8"))),
    )
    assert negative.created == 1


def test_the_list_export_carries_the_higher_basis(client, lists, office, tree, frozen):
    from jianfu.catalog.spreadsheets import LIST_COLUMNS, import_list
    from jianfu.core.tabular import read_table

    document = "《绿色社区创建行动方案》（建城〔2020〕68号）"
    rows = _campaign_rows("依据层级", "依据文件名称和文号", "中央", document)
    table = read_table(io.BytesIO("\n".join(rows).encode("utf-8")))
    import_list(actor=office, item_list=lists["assist"], district=tree["district"], table=table)
    client.force_login(office)
    response = client.get("/lists/assist/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert header == LIST_COLUMNS and row["依据层级"] == "中央" and row["依据文件名称和文号"] == document


def test_a_campaign_item_in_force_needs_a_higher_basis_whoever_creates_it(tree, frozen):
    from django.core.exceptions import ValidationError

    from jianfu.catalog.models import BasisLevel, Category, ItemKind, WorkItem

    item = WorkItem(
        code="C7",
        name="平安社区创建",
        kind=ItemKind.CAMPAIGN,
        category=Category.ASSIST,
        department=tree["health"],
        year=YEAR,
        funding_yuan=3000,
    )
    with pytest.raises(ValidationError, match="除中央和市委市政府有明确要求外"):
        item.full_clean()
    item.basis_level, item.basis_document = BasisLevel.PROVINCIAL, "《浙江省平安建设条例》"
    item.full_clean()


def test_the_published_catalog_carries_the_higher_basis_and_leaves_out_a_campaign_without_one(
    client, items, office, tree
):
    """Issue 19, point 3: a campaign or inspection is published with the level and document that
    require it; one without (entered around the workflow) is not in force, so not in the catalog."""
    from jianfu.access.tests.conftest import make_item
    from jianfu.catalog.models import ItemKind, WorkItem

    WorkItem.objects.filter(pk=make_item("I9", "卫生社区创建评比", tree["health"], kind=ItemKind.CAMPAIGN).pk).update(
        basis_level="", basis_document=""
    )
    version = services.catalog_publish(actor=office, district=tree["district"], year=YEAR)
    assert not version.entries.filter(code="I9").exists()
    fire = version.entries.get(code="I2")
    assert (fire.basis_level, fire.basis_document) == ("provincial", "《浙江省消防条例》")
    assert "省" in fire.basis and "《浙江省消防条例》" in fire.basis
    assert "《浙江省消防条例》" in client.get(f"/catalog/{YEAR}/").content.decode()
    api = client.get(f"/api/v1/catalog/{YEAR}/").json()
    [row] = [i for i in api["items"] if i["code"] == "I2"]
    assert (row["basis_level"], row["basis_document"]) == ("provincial", "《浙江省消防条例》")
    sheet = load_workbook(io.BytesIO(client.get(f"/catalog/{YEAR}/export.xlsx").content)).active
    assert any("《浙江省消防条例》" in str(c.value) for row in sheet.iter_rows() for c in row)
