import io

import pytest
from openpyxl import Workbook, load_workbook

from jianfu.core.errors import DomainError
from jianfu.core.tabular import read_table, xlsx_bytes

CSV_TEXT = "编码,名称,户数\nA1,古塘社区,2800\n\nA2,旦苑社区,438\n"


def test_it_reads_utf8_csv_with_and_without_bom():
    for data in (CSV_TEXT.encode(), CSV_TEXT.encode("utf-8-sig")):
        table = read_table(io.BytesIO(data))
        assert table.header == ["编码", "名称", "户数"]
        assert [r.values["名称"] for r in table.rows] == ["古塘社区", "旦苑社区"]


def test_it_reads_gbk_csv_and_keeps_excel_row_numbers():
    table = read_table(io.BytesIO(CSV_TEXT.encode("gbk")))
    assert [(r.number, r.values["编码"]) for r in table.rows] == [(2, "A1"), (4, "A2")]


def test_it_reads_xlsx_numbers_as_plain_text():
    book = Workbook()
    book.active.append(["编码", "户数", "面积"])
    book.active.append(["A1", 2800, 412.5])
    out = io.BytesIO()
    book.save(out)
    table = read_table(io.BytesIO(out.getvalue()))
    assert table.rows[0].values == {"编码": "A1", "户数": "2800", "面积": "412.5"}


def test_it_refuses_an_empty_file_and_a_broken_xlsx():
    with pytest.raises(DomainError):
        read_table(io.BytesIO(b""))
    with pytest.raises(DomainError):
        read_table(io.BytesIO(b"PK\x03\x04 not really a zip"))


def test_missing_columns_are_named():
    table = read_table(io.BytesIO("编码\nA1\n".encode()))
    with pytest.raises(DomainError, match="名称"):
        table.require(["编码", "名称"])


def test_export_opens_in_openpyxl():
    data = xlsx_bytes(["编码", "名称"], [["A1", "古塘社区"]], title="组织")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["编码", "名称"], ["A1", "古塘社区"]]


def test_the_sheet_reader_is_stopped_by_the_clock_as_well_as_by_cpu_time():
    """A reader that waits (a stalled disk, a machine too busy to give it CPU) must still end in time."""
    import time

    from jianfu.core.tabular import _in_child

    started = time.monotonic()
    assert _in_child(lambda: time.sleep(30) or [], memory=64 * 1024 * 1024, seconds=1) is None
    assert time.monotonic() - started < 10
    assert _in_child(lambda: [["编码", "名称"]], memory=64 * 1024 * 1024, seconds=5) == [["编码", "名称"]]
