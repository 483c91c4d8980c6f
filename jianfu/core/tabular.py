"""Reading and writing the tables people keep in Excel: .xlsx, and CSV in UTF-8 or GBK."""

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from python_calamine import CalamineError, CalamineWorkbook

from .errors import DomainError

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 200_000


@dataclass
class Row:
    number: int  # as Excel shows it: the header is row 1
    values: dict[str, str]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row}
        if self.column:
            where += _(", column “%(column)s”") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(DomainError):
    """Raised inside the import transaction so that nothing is written; carries every bad row."""

    code = "import_rejected"

    def __init__(self, errors: list[RowError]):
        super().__init__(_("The file was not imported: %(count)s problem(s) found.") % {"count": len(errors)})
        self.errors = errors


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; GBK files as Excel in China saves them otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DomainError(_("The CSV file is neither UTF-8 nor GBK encoded.")) from exc


@dataclass
class Table:
    header: list[str]
    rows: list[Row]

    def require(self, columns: list[str]) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise DomainError(_("Missing column(s): %(columns)s") % {"columns": "、".join(missing)})


def read_table(uploaded) -> Table:
    """The first sheet (xlsx) or a CSV file, rows keyed by the header row."""
    data = uploaded.read() if hasattr(uploaded, "read") else bytes(uploaded)
    if data[:2] == b"PK":
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            matrix = [[_cell_text(c) for c in r] for r in sheet.iter_rows()]
        except (CalamineError, ValueError, IndexError) as exc:
            raise DomainError(_("The Excel file could not be read: %(error)s") % {"error": exc}) from exc
    else:
        text = decode_csv(data)
        matrix = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    if not matrix or not any(matrix[0]):
        raise DomainError(_("The file is empty or has no header row."))
    if len(matrix) > MAX_ROWS + 1:
        raise DomainError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    header = [h.strip() for h in matrix[0]]
    rows = []
    for number, cells in enumerate(matrix[1:], start=2):
        if not any(cells):
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
        rows.append(Row(number=number, values=values))
    return Table(header=header, rows=rows)


FORMULA_START = ("=", "+", "-", "@")


def _as_text(sheet, value):
    """Text that Excel would run as a formula (=, +, -, @ first) is written as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def xlsx_bytes(headers: list[str], rows, *, title: str = "Sheet1") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append([_as_text(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attachment_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A download with a Chinese file name that every browser keeps (RFC 5987)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(filename: str, headers: list[str], rows, *, title: str = "Sheet1") -> HttpResponse:
    return attachment_response(xlsx_bytes(headers, rows, title=title), filename, XLSX_MIME)


def xlsx_file_response(filename: str, headers: list[str], rows, *, title: str = "Sheet1") -> FileResponse:
    """For exports of any size: rows (an iterator) go to a temporary file in openpyxl's write-only
    mode — memory stays flat at 100 000+ rows — and the file is streamed back in chunks."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append([_as_text(sheet, v) for v in row])
    spool = tempfile.TemporaryFile()
    book.save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
