"""Hostile uploads against every upload endpoint: files over the limit, of the wrong type, damaged,
zip bombs and text in neither UTF-8 nor GBK are refused with a message that names the problem, no
page fails and nothing is written.

The bombs are built in memory in milliseconds: a block of sheet XML is deflated once with a full
flush, which makes its compressed bytes independent of what came before, and repeated. Their CRCs
are left at zero: the guards refuse them before any reader checks one."""

import datetime as dt
import html
import io
import os
import random
import resource
import struct
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from jianfu.access import services as access
from jianfu.cases.models import GroupKind, Matter, MatterGroup
from jianfu.catalog.models import Category, Frequency, ItemKind, ItemList
from jianfu.core import tabular
from jianfu.core.errors import DomainError
from jianfu.evaluation import services as evaluation
from jianfu.evaluation.models import Direction, Scale

MB = 1024 * 1024
LIMIT = 1 * MB  # the upload limit the endpoint tests run with (20 MB in production)

# ------------------------------------------------------------------------------------ hostile files

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="xl/workbook.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    b'<Relationship Id="rId2" Target="sharedStrings.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"
SST_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


@dataclass
class Part:
    """A zip member as raw deflate: a head, a block repeated `times`, a tail."""

    name: str
    head: bytes
    block: bytes = b""
    times: int = 0
    tail: bytes = b""
    claims: int | None = None  # the uncompressed size the headers state, if not the true one

    def deflated(self) -> tuple[bytes, int, int]:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        out = [compressor.compress(self.head), compressor.flush(zlib.Z_FULL_FLUSH)]
        if self.times:
            repeated = compressor.compress(self.block) + compressor.flush(zlib.Z_FULL_FLUSH)
            out.append(repeated * self.times)
        out.append(compressor.compress(self.tail) + compressor.flush())
        size = len(self.head) + len(self.block) * self.times + len(self.tail)
        crc = zlib.crc32(self.head + self.tail) if not self.times else 0
        return b"".join(out), size, crc


def zip_of(parts: list[Part]) -> bytes:
    """A zip file written by hand, so that a member may claim any size."""
    body, directory = io.BytesIO(), io.BytesIO()
    for part in parts:
        data, size, crc = part.deflated()
        claims = size if part.claims is None else part.claims
        name = part.name.encode()
        offset = body.tell()
        sizes = (crc, len(data), claims, len(name))  # deflated (8), no flags, times or extra fields
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, *sizes, 0) + name + data)
        directory.write(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, *sizes, 0, 0, 0, 0, 0, offset)
        )
        directory.write(name)
    start, size = body.tell(), directory.tell()
    body.write(directory.getvalue())
    body.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), size, start, 0))
    return body.getvalue()


def workbook(sheet: Part, strings: Part | None = None) -> bytes:
    return zip_of(
        [
            Part("[Content_Types].xml", CONTENT_TYPES),
            Part("_rels/.rels", RELS),
            Part("xl/workbook.xml", WORKBOOK),
            Part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            strings or Part("xl/sharedStrings.xml", SST_HEAD + b"<si><t>x</t></si></sst>"),
            sheet,
        ]
    )


def rows_bomb() -> bytes:
    """1 520 000 rows (38 MB of XML) in about 100 kB."""
    block = b"<row><c><v>1</v></c></row>" * 40_000
    return workbook(Part("xl/worksheets/sheet1.xml", SHEET_HEAD, block, 38, SHEET_TAIL))


def strings_bomb(*, claims: int | None = None) -> bytes:
    """One shared string of 256 MB in about 270 kB; `claims` makes the zip lie about its size."""
    head = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    sheet = Part("xl/worksheets/sheet1.xml", SHEET_HEAD + head + SHEET_TAIL)
    strings = Part("xl/sharedStrings.xml", SST_HEAD + b"<si><t>", b"a" * MB, 256, b"</t></si></sst>", claims)
    return workbook(sheet, strings)


def span_bomb() -> bytes:
    """Two cells, A1 and XFD1048576: 1.9 kB that calamine would spread over 550 GB and abort."""
    cells = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook(Part("xl/worksheets/sheet1.xml", SHEET_HEAD + cells + SHEET_TAIL))


GOOD_XLSX = tabular.xlsx_bytes(["编码", "名称"], [["S9", "新社区"]])
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def garbage_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", random.Random(3).randbytes(2000))
    return out.getvalue()


def oversized_csv() -> bytes:
    return "编码,名称\n".encode() + b"S9,x\n" * (LIMIT // 5 + 1)


def _t(message: str, **values) -> str:
    """What the page says, in the language the pages are served in."""
    with translation.override("zh-hans"):
        return gettext(message) % values if values else gettext(message)


DAMAGED = "The file is damaged or is not an .xlsx file."
ENCODING = "The CSV file is neither UTF-8 nor GBK encoded."
CONTROL = (
    "The file contains NUL or other control bytes: it is not a CSV file in UTF-8 or GBK "
    "(a UTF-16 file must be saved again as CSV UTF-8)."
)
TOO_COMPLEX = "The Excel file is too large or too complex to read: its cells spread over too many rows or columns."


def table_files() -> list[tuple[str, str, bytes, str]]:
    """(what, file name, content, the message that names the problem) for every table import."""
    not_a_table = "The file is a %(kind)s file, not a table: upload an .xlsx or .csv file."
    return [
        (
            "over the limit",
            "名单.csv",
            oversized_csv(),
            _t("The file is larger than %(mb)s MB; split it into smaller files.", mb=1),
        ),
        ("a PNG named .xlsx", "名单.xlsx", PNG, _t(not_a_table, kind="PNG")),
        ("a PDF named .xlsx", "名单.xlsx", PDF, _t(not_a_table, kind="PDF")),
        ("a program named .csv", "名单.csv", EXE, _t(not_a_table, kind="EXE")),
        ("a truncated .xlsx", "名单.xlsx", GOOD_XLSX[: len(GOOD_XLSX) // 2], _t(DAMAGED)),
        ("PK and garbage", "名单.xlsx", b"PK\x03\x04" + random.Random(5).randbytes(3000), _t(DAMAGED)),
        (
            "a zip of something else",
            "名单.xlsx",
            garbage_zip(),
            _t("The Excel file could not be read: %(error)s", error="Cannot detect file format"),
        ),
        (
            "a bomb of 1.5 million rows",
            "名单.xlsx",
            rows_bomb(),
            _t("The file has more than %(max)s rows.", max=200000),
        ),
        (
            "a bomb of 256 MB of text",
            "名单.xlsx",
            strings_bomb(),
            _t("The Excel file unpacks to more than %(mb)s MB: it is not an ordinary table.", mb=200),
        ),
        ("a bomb of two far cells", "名单.xlsx", span_bomb(), _t(TOO_COMPLEX)),
        ("UTF-16 without BOM", "名单.csv", "编码,名称\nS9,新社区\n".encode("utf-16-le"), _t(CONTROL)),
        ("random bytes", "名单.csv", random.Random(11).randbytes(4096), _t(CONTROL)),
        ("Latin-1", "名单.csv", "编码,名称\nS9,".encode() + "Café".encode("latin-1") + b"\n", _t(ENCODING)),
        ("a NUL in a cell", "名单.csv", "编码,名称\nS9,新\x00社区\n".encode(), _t(CONTROL)),
        ("a program", "setup.exe", EXE, _t("Upload an .xlsx or .csv file.")),
    ]


# ------------------------------------------------------------------------------- read_table itself


def test_an_upload_over_20_mb_is_refused_before_it_is_read():
    assert tabular.upload_limit() == 20 * MB
    upload = SimpleUploadedFile("名单.csv", b"a" * (20 * MB + 1))
    with pytest.raises(DomainError) as refused:
        tabular.read_table(upload)
    assert refused.value.code == "too_large" and "20" in refused.value.message
    assert upload.tell() == 0  # not read


@pytest.mark.parametrize(
    "bomb, code",
    [
        (rows_bomb, "too_many_rows"),
        (strings_bomb, "too_large"),
        (lambda: strings_bomb(claims=1000), "too_large"),  # headers claim 1 kB: the real inflation counts
        (span_bomb, "too_large"),
    ],
    ids=["rows", "shared strings", "shared strings, lying headers", "two far cells"],
)
def test_a_zip_bomb_is_refused_within_a_small_memory_bound(bomb, code):
    data = bomb()
    assert len(data) < 300_000
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    tracemalloc.start()
    try:
        with pytest.raises(DomainError) as refused:
            tabular.read_table(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == code
    assert peak < 16 * MB, f"{peak / MB:.1f} MB traced"
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert grown < 64 * 1024, f"peak resident memory grew by {grown / 1024:.0f} MB"


def test_the_reader_still_reads_ordinary_workbooks_and_csv():
    table = tabular.read_table(GOOD_XLSX)
    assert table.header == ["编码", "名称"] and table.rows[0].values == {"编码": "S9", "名称": "新社区"}
    big = tabular.xlsx_bytes(["n"], ([str(i)] for i in range(5000)))
    assert len(tabular.read_table(big).rows) == 5000
    assert tabular.read_table("编码,名称\nS9,新社区\n".encode("gbk")).rows[0].values["名称"] == "新社区"
    assert tabular.read_table("\ufeff编码,名称\r\nS9,新社区\r\n".encode()).rows[0].values["编码"] == "S9"


def test_an_unreadable_csv_is_a_refusal_not_an_error():
    """csv raised its own error for a field over its size limit, which no view caught."""
    with pytest.raises(DomainError) as refused:
        tabular.read_table(b'a,b\n"' + b"x" * 200_000 + b'",1\n')
    assert "CSV" in refused.value.message


# ----------------------------------------------------------------------------------- the endpoints


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(tree, office, clerk, community_worker, grid_worker):
    district, health = tree["district"], tree["health"]
    ItemList.objects.create(code="duty", name="依法履职事项清单", category="duty")
    campaign = evaluation.campaign_create(
        actor=office,
        title="2026年度评议",
        direction=Direction.DEPARTMENT,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        opens_on=dt.date(2026, 12, 1),
        closes_on=dt.date(2026, 12, 20),
        scale=Scale.FIVE,
    )
    application = access.application_create(
        actor=clerk,
        department=health,
        name="社区健康教育讲座登记",
        kind=ItemKind.LEDGER,
        category=Category.DUTY,
        description="每季度一次健康讲座并登记参加人数",
        legal_basis="《基本医疗卫生与健康促进法》",
        frequency=Frequency.QUARTERLY,
        occurrences_per_year=Decimal(4),
        hours_per_occurrence=Decimal("2"),
        start_date=dt.date(2027, 6, 1),
    )
    group = MatterGroup.objects.create(
        district=district, code="A", name="城市管理类", kind=GroupKind.WHISTLE, order=1, resolve_workdays=3
    )
    matter = Matter.objects.create(group=group, code="A02", name="路灯损坏", department=health)
    return {
        "tree": tree,
        "campaign": campaign,
        "application": application,
        "matter": matter,
        "users": {"office": office, "clerk": clerk, "community": community_worker, "grid": grid_worker},
    }


@dataclass
class Endpoint:
    name: str
    user: str
    url: object  # world -> str
    file_field: str = "file"
    data: object = field(default_factory=lambda: lambda w: {})  # world -> the other fields of the form


TABLE_ENDPOINTS = [
    Endpoint("orgs: organisations", "office", lambda w: reverse("orgs:import_orgs")),
    Endpoint("orgs: users", "office", lambda w: reverse("orgs:import_users")),
    Endpoint("catalog: a list", "office", lambda w: reverse("catalog:list_import", args=["duty"])),
    Endpoint("certificates: baseline", "office", lambda w: reverse("certificates:baseline_import")),
    Endpoint(
        "evaluation: year-end scores", "office", lambda w: reverse("evaluation:year_end", args=[w["campaign"].pk])
    ),
    Endpoint("ledger: values", "community", lambda w: reverse("ledger:import")),
    Endpoint("registry: people", "office", lambda w: reverse("registry:import") + "?what=people"),
    Endpoint("registry: houses", "community", lambda w: reverse("registry:import") + "?what=houses"),
]


def _counts() -> dict[str, int]:
    """Rows of every table but those a sign-in writes (sessions, axes' access log)."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in ("sessions", "axes")
    }


def _stored_files(settings) -> list[str]:
    root = str(settings.MEDIA_ROOT)
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files] if os.path.isdir(root) else []


def _post(client, endpoint: Endpoint, world: dict, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content)
    response = client.post(endpoint.url(world), endpoint.data(world) | {endpoint.file_field: upload}, follow=True)
    for url, status in response.redirect_chain:
        assert status < 500, url
    assert response.status_code == 200, (endpoint.name, name, response.status_code)
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("endpoint", TABLE_ENDPOINTS, ids=lambda e: e.name)
def test_every_table_import_refuses_hostile_files_and_writes_nothing(endpoint, world, client, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    client.force_login(world["users"][endpoint.user])
    assert client.get(endpoint.url(world)).status_code == 200
    before = _counts()
    for what, name, content, message in table_files():
        page = _post(client, endpoint, world, name, content)
        assert message in page, f"{endpoint.name}, {what}: the page does not say “{message}”"
    assert _counts() == before, f"{endpoint.name}: a refused file wrote something"
    assert not _stored_files(settings)


def test_the_survey_upload_refuses_hostile_files_and_writes_nothing(world, client, settings):
    """XLSForms go through pyxform and openpyxl, which keep every cell in memory: the same guards run
    first, with a lower row limit."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    client.force_login(world["users"]["clerk"])
    endpoint = Endpoint("ledger: surveys", "clerk", lambda w: reverse("ledger:surveys"))
    xlsform = "An XLSForm is an Excel (.xlsx) file with a “survey” sheet."
    files = [
        (
            "over the limit",
            "问卷.xlsx",
            b"PK" + b"x" * LIMIT,
            _t("The file is larger than %(mb)s MB; split it into smaller files.", mb=1),
        ),
        ("a PNG named .xlsx", "问卷.xlsx", PNG, _t(xlsform)),
        ("a truncated .xlsx", "问卷.xlsx", GOOD_XLSX[: len(GOOD_XLSX) // 2], _t(DAMAGED)),
        ("a bomb of 1.5 million rows", "问卷.xlsx", rows_bomb(), _t("The file has more than %(max)s rows.", max=20000)),
        (
            "a bomb of 256 MB of text",
            "问卷.xlsx",
            strings_bomb(),
            _t("The Excel file unpacks to more than %(mb)s MB: it is not an ordinary table.", mb=200),
        ),
        ("UTF-16 text", "问卷.xlsx", "type,name\n".encode("utf-16"), _t(xlsform)),
    ]
    before = _counts()
    for what, name, content, message in files:
        page = _post(client, endpoint, world, name, content)
        assert message in page, f"surveys, {what}: the page does not say “{message}”"
    page = _post(client, endpoint, world, "问卷.xlsx", span_bomb())  # openpyxl reads it sparsely: pyxform's refusal
    assert _t("The XLSForm was refused: %(error)s", error="")[:8] in page
    assert _counts() == before
    assert not _stored_files(settings)


def _mismatch(name: str, kind: str) -> str:
    return _t("The content of “%(name)s” does not match its name: it is not a %(kind)s file.", name=name, kind=kind)


def test_attachments_evidence_and_photos_refuse_wrong_types_and_oversized_files(world, client, settings, monkeypatch):
    monkeypatch.setattr(access, "ATTACHMENT_MAX_BYTES", LIMIT)
    settings.JIANFU = settings.JIANFU | {"CASES": settings.JIANFU.get("CASES", {}) | {"PHOTO_MAX_BYTES": LIMIT}}
    tree = world["tree"]
    attach = Endpoint("access: attachment", "clerk", lambda w: reverse("access:attach", args=[w["application"].number]))
    evidence = Endpoint(
        "access: violation evidence",
        "community",
        lambda w: reverse("access:refuse"),
        file_field="evidence",
        data=lambda w: {"department": tree["health"].pk, "what": "要求社区报送健康台账", "arrived_on": "2026-03-02"},
    )
    photo = Endpoint(
        "cases: photo",
        "grid",
        lambda w: reverse("cases:report"),
        file_field="photo",
        data=lambda w: {
            "org_unit": tree["grid111"].pk,
            "matter": w["matter"].pk,
            "request_type": "help",
            "description": "路灯不亮",
        },
    )
    big = b"%PDF-1.7\n" + b"0" * LIMIT
    cases = [
        (attach, "方案.pdf", big, _t("An attachment may be at most 10 MB.")),
        (attach, "setup.exe", EXE, _t("Attach PDF, Word, Excel, CSV, text or image files.")),
        (attach, "方案.pdf", EXE, _mismatch("方案.pdf", "PDF")),
        (attach, "表格.xlsx", PNG, _mismatch("表格.xlsx", "XLSX")),
        (attach, "说明.txt", "Read me: 说明".encode("utf-16-le"), _mismatch("说明.txt", "TXT")),
        (evidence, "截图.pdf", big, _t("An attachment may be at most 10 MB.")),
        (evidence, "setup.exe", EXE, _t("Attach PDF, Word, Excel, CSV, text or image files.")),
        (evidence, "截图.png", PDF, _mismatch("截图.png", "PNG")),
        (photo, "现场.jpg", JPEG + b"0" * LIMIT, _t("A photo may be at most 10 MB.")),
        (photo, "setup.exe", EXE, _t("A photo must be a JPEG, PNG, WebP, HEIC or GIF image.")),
        (photo, "现场.jpg", PDF, _mismatch("现场.jpg", "JPG")),
        (photo, "现场.png", EXE, _mismatch("现场.png", "PNG")),
    ]
    before = _counts()
    for endpoint, name, content, message in cases:
        client.force_login(world["users"][endpoint.user])
        page = _post(client, endpoint, world, name, content)
        assert message in page, f"{endpoint.name}, {name}: the page does not say “{message}”"
    assert _counts() == before
    assert not _stored_files(settings)
    # The same endpoints take a real file of the right kind.
    client.force_login(world["users"]["grid"])
    _post(client, photo, world, "现场.jpg", JPEG)
    client.force_login(world["users"]["clerk"])
    _post(client, attach, world, "方案.pdf", PDF)
    assert world["application"].attachments.count() == 1 and len(_stored_files(settings)) == 2
