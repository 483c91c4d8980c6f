"""XLSForm surveys (the standard behind ODK and KoboToolbox), read with pyxform.

pyxform checks the form and its messages are passed on as they are ("[row : 3] …"); where pyxform
names no row, the row of the offending survey line is added, so a clerk can find it in Excel.
"""

import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pyxform import xls2xform
from pyxform.errors import PyXFormError

from jianfu.core.errors import DomainError
from jianfu.core.tabular import check_xlsx

# A survey and its choices fit in far fewer rows than a data import; openpyxl, which pyxform reads
# with, keeps every cell of them in memory.
MAX_SURVEY_ROWS = 20_000

# Question types that ask a person nothing: metadata, notes and calculations.
SILENT_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "note",
    "calculate",
    "hidden",
    "start-geopoint",
}
VALUE_TYPES = {
    "integer": "integer",
    "decimal": "decimal",
    "range": "decimal",
    "date": "date",
    "select one": "option",
    "select_one": "option",
    "text": "text",
}


@dataclass
class Question:
    name: str
    label: str
    type: str
    path: str
    options: list[str]

    @property
    def value_type(self) -> str:
        return VALUE_TYPES.get(self.type, "text")


@dataclass
class Survey:
    title: str
    form_id: str
    version: str
    questions: list[Question]


def _label(value, language: str = "") -> str:
    if isinstance(value, dict):
        for key in value:
            if "zh" in key.lower() or "chinese" in key.lower() or "中文" in key:
                return str(value[key])
        if language and language in value:
            return str(value[language])
        return str(next(iter(value.values()), ""))
    return str(value or "")


def _row_of(data: bytes, message: str) -> str:
    """pyxform says "Unknown question type 'x'." without a row: find the survey row holding 'x'."""
    quoted = re.search(r"'([^']+)'", message)
    if not quoted:
        return ""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True)["survey"]
    except (KeyError, OSError, ValueError):
        return ""
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(str(c).strip() == quoted.group(1) for c in row if c is not None):
            return f"[row : {number}] "
    return ""


def read(data: bytes) -> Survey:
    """The survey's questions, or DomainError with pyxform's message naming the row."""
    if data[:2] != b"PK":
        raise DomainError(_("An XLSForm is an Excel (.xlsx) file with a “survey” sheet."))
    check_xlsx(data, max_rows=MAX_SURVEY_ROWS)  # zip bombs and oversized sheets, before pyxform opens it
    try:
        result = xls2xform.convert(xlsform=io.BytesIO(data), validate=False)
    except PyXFormError as exc:
        message = str(exc)
        if "[row :" not in message:
            message = _row_of(data, message) + message
        raise DomainError(_("The XLSForm was refused: %(error)s") % {"error": message}, code="xlsform") from exc
    except Exception as exc:  # pyxform raises plain errors on broken workbooks
        raise DomainError(_("The XLSForm could not be read: %(error)s") % {"error": exc}, code="xlsform") from exc
    form = result._pyxform
    language = form.get("default_language", "")
    questions: list[Question] = []

    def walk(children, prefix: str) -> None:
        for child in children:
            kind = child.get("type", "")
            name = child.get("name", "")
            if kind in ("group", "repeat"):
                if name != "meta":
                    walk(child.get("children", []), f"{prefix}{name}/")
                continue
            if kind in SILENT_TYPES:
                continue
            options = [_label(c.get("label"), language) or c.get("name", "") for c in child.get("choices", [])]
            questions.append(Question(name, _label(child.get("label"), language), kind, prefix + name, options))

    walk(form.get("children", []), "")
    return Survey(
        title=_label(form.get("title")) or form.get("name", ""),
        form_id=str(form.get("id_string", "")),
        version=str(form.get("version", "") or ""),
        questions=questions,
    )
