"""Reading and writing the tables people keep in Excel: .xlsx, and CSV in UTF-8 or GBK."""

import csv
import datetime as dt
import faulthandler
import io
import logging
import marshal
import os
import signal
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from python_calamine import CalamineError, CalamineWorkbook

from .errors import DomainError

logger = logging.getLogger(__name__)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 200_000
# What an .xlsx may unpack to. Sheets compress about tenfold, so a full 20 MB upload of ordinary rows
# stays below it; a zip bomb (a few kB that inflate to gigabytes) does not.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# What the .xlsx reader may take on top of this process: calamine is native code, and a crafted sheet
# of a few kB (one cell at A1, one at XFD1048576) makes it allocate 550 GB and abort the process.
READ_MEMORY_BYTES = 1024 * 1024 * 1024
# Well under gunicorn's 120 s timeout, so a sheet that keeps the reader busy is refused cleanly
# instead of the worker being killed mid-request.
READ_SECONDS = 60
# Bytes no text CSV holds: C0 controls other than tab, line feed and carriage return.
CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 13})
# Files that are not tables, by their first bytes, and what to call them in the refusal.
NOT_A_TABLE = {
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"%PDF": "PDF",
    b"MZ": "EXE",
    b"\x7fELF": "ELF",
    b"\xd0\xcf\x11\xe0": "XLS/DOC",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7z",
    b"\x1f\x8b": "GZIP",
}


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


def upload_limit() -> int:
    """The largest upload an import reads (20 MB): settings give it as FILE_UPLOAD_MAX_MEMORY_SIZE, and
    Django itself limits only form fields, not files."""
    return settings.FILE_UPLOAD_MAX_MEMORY_SIZE


def check_upload_size(uploaded) -> None:
    """Refuse an upload over the limit before anything reads it."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > upload_limit():
        raise _too_big(upload_limit())


def read_upload(uploaded) -> bytes:
    """The bytes of an uploaded file (or of bytes, or of a file object), refused when over the limit."""
    check_upload_size(uploaded)
    data = uploaded.read() if hasattr(uploaded, "read") else bytes(uploaded)
    if len(data) > upload_limit():
        raise _too_big(upload_limit())
    return data


def _too_big(limit: int) -> DomainError:
    return DomainError(
        _("The file is larger than %(mb)s MB; split it into smaller files.") % {"mb": limit // (1024 * 1024)},
        code="too_large",
    )


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; GBK files as Excel in China saves them otherwise."""
    if len(data.translate(None, CONTROL_BYTES)) != len(data):
        # UTF-16 (Excel's "Unicode text") and binary files: they would decode as UTF-8 with NULs in
        # every other place. Neither UTF-8 nor GBK uses these bytes inside a character.
        raise DomainError(
            _(
                "The file contains NUL or other control bytes: it is not a CSV file in UTF-8 or GBK "
                "(a UTF-16 file must be saved again as CSV UTF-8)."
            ),
            code="bad_encoding",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DomainError(_("The CSV file is neither UTF-8 nor GBK encoded."), code="bad_encoding") from exc


@dataclass
class Table:
    header: list[str]
    rows: list[Row]

    def require(self, columns: list[str]) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise DomainError(_("Missing column(s): %(columns)s") % {"columns": "、".join(missing)})


def read_table(uploaded) -> Table:
    """The first sheet (xlsx) or a CSV file, rows keyed by the header row. Refused, with what is wrong,
    when it is too big, not a table, damaged or a zip bomb, or has more than MAX_ROWS rows."""
    data = read_upload(uploaded)
    if data[:2] == b"PK":
        check_xlsx(data)
        matrix = _read_xlsx(data)
    else:
        for magic, kind in NOT_A_TABLE.items():
            if data.startswith(magic):
                raise DomainError(
                    _("The file is a %(kind)s file, not a table: upload an .xlsx or .csv file.") % {"kind": kind},
                    code="not_a_table",
                )
        matrix = _read_csv(decode_csv(data))
    if not matrix or not any(matrix[0]):
        raise DomainError(_("The file is empty or has no header row."))
    header = [h.strip() for h in matrix[0]]
    rows = []
    for number, cells in enumerate(matrix[1:], start=2):
        if not any(cells):
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
        rows.append(Row(number=number, values=values))
    return Table(header=header, rows=rows)


def _too_many_rows(max_rows: int = MAX_ROWS) -> DomainError:
    return DomainError(_("The file has more than %(max)s rows.") % {"max": max_rows}, code="too_many_rows")


def _read_csv(text: str) -> list[list[str]]:
    matrix = []
    try:
        for cells in csv.reader(io.StringIO(text)):
            if len(matrix) > MAX_ROWS:
                raise _too_many_rows()
            matrix.append([c.strip() for c in cells])
    except csv.Error as exc:
        raise DomainError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc
    return matrix


def check_xlsx(data: bytes, *, max_rows: int = MAX_ROWS) -> None:
    """Refuse, before any spreadsheet library sees it, an .xlsx that is not a zip, uses an unusual
    compression, unpacks to more than MAX_UNPACKED_BYTES (measured by inflating, not by the sizes the
    zip declares, which a bomb can fake) or has a sheet of more than max_rows rows."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DomainError(_("The file is damaged or is not an .xlsx file.")) from exc
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise _unpacks_too_big()
    unpacked = 0
    for member in members:
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DomainError(_("The file is damaged or is not an .xlsx file."))
        rows = 0
        is_sheet = member.filename.startswith("xl/worksheets/")
        for chunk in _inflate(data, member):
            unpacked += len(chunk)
            if unpacked > MAX_UNPACKED_BYTES:
                raise _unpacks_too_big()
            if is_sheet:
                # Each row ends with </row> (or </x:row> with a prefix): a bound counted at C speed.
                rows += chunk.count(b"</row>") + chunk.count(b":row>")
                if rows > max_rows + 1:
                    raise _too_many_rows(max_rows)


def _unpacks_too_big() -> DomainError:
    return DomainError(
        _("The Excel file unpacks to more than %(mb)s MB: it is not an ordinary table.")
        % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)},
        code="too_large",
    )


def _inflate(data: bytes, member: zipfile.ZipInfo, chunk: int = 1 << 20):
    """The member's bytes as they really inflate, in chunks: what a reader will get, whatever sizes the
    zip's headers claim. Damaged data is refused."""
    damaged = DomainError(_("The file is damaged or is not an .xlsx file."))
    offset = member.header_offset
    local = data[offset : offset + 30]
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise damaged
    name_length = int.from_bytes(local[26:28], "little")
    extra_length = int.from_bytes(local[28:30], "little")
    start = offset + 30 + name_length + extra_length
    raw = data[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        yield raw
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        while True:
            out = inflater.decompress(raw, chunk)
            raw = inflater.unconsumed_tail
            if out:
                yield out
            elif inflater.eof or not raw:
                break
    except zlib.error as exc:
        raise damaged from exc
    if not inflater.eof:
        raise damaged


def _read_xlsx(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text. calamine runs in a short-lived child process with a memory and
    CPU limit: whatever a crafted file makes it do, this process only learns that the file was refused."""
    result = _in_child(lambda: _sheet_rows(data), memory=READ_MEMORY_BYTES, seconds=READ_SECONDS)
    if result is None or result[0] == "too_large":
        raise DomainError(
            _("The Excel file is too large or too complex to read: its cells spread over too many rows or columns."),
            code="too_large",
        )
    kind, value = result
    if kind == "too_many_rows":
        raise _too_many_rows()
    if kind == "error":
        raise DomainError(_("The Excel file could not be read: %(error)s") % {"error": value})
    return value


def _sheet_rows(data: bytes) -> tuple[str, object]:
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        matrix = []
        for r in sheet.iter_rows():
            if len(matrix) > MAX_ROWS:
                return "too_many_rows", None
            matrix.append([_cell_text(c) for c in r])
    except (CalamineError, ValueError, IndexError) as exc:
        return "error", str(exc)
    except MemoryError:
        return "too_large", None
    return "ok", matrix


def _in_child(work, *, memory: int, seconds: int):
    """work() in a forked child allowed `memory` more bytes of address space and `seconds` of CPU and of
    elapsed time; its result (plain data) comes back through a pipe. None when the child ran out of
    any of them and died."""
    if not hasattr(os, "fork"):
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, touches no database connection, runs no exit handlers
        status = 1
        try:
            os.close(read_end)
            # A native crash prints a backtrace about the file, not about this program.
            faulthandler.disable()
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            _limit_child(memory, seconds)
            # Wall-clock time as well as CPU: on a busy machine the reader must still end before gunicorn's timeout.
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(seconds)
            payload = marshal.dumps(work())
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as inp:
        payload = inp.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        logger.warning("the spreadsheet reader stopped (wait status %s): the file was refused", status)
        return None
    return marshal.loads(payload)


def _limit_child(memory: int, seconds: int) -> None:
    import resource

    try:
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        current = None
    for limit, value in ((resource.RLIMIT_AS, current and current + memory), (resource.RLIMIT_CPU, seconds)):
        if value:
            _, hard = resource.getrlimit(limit)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(limit, (value, hard))


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
