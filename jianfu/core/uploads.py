"""What every import page does with the outcome of an importer: nothing written on failure, every
bad row listed, a Chinese message either way. And what a stored upload must be: what its name says."""

import os

from django.contrib import messages
from django.utils.translation import gettext as _

from .errors import DomainError
from .tabular import ImportRejected, RowError


def run_import(request, call) -> tuple[object, list[RowError]]:
    """(what call() returned, []) or (None, the rejected rows); failures become messages."""
    try:
        return call(), []
    except ImportRejected as exc:
        messages.error(request, exc.message)
        return None, exc.errors
    except DomainError as exc:
        messages.error(request, exc.message)
        return None, []


def report_imported(request, result) -> None:
    messages.success(
        request,
        _("Imported: %(created)s added, %(updated)s changed, %(unchanged)s unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )


# What files of a type begin with. A stored file whose first bytes contradict its name (a program
# renamed .pdf, a PDF renamed .jpg) is refused: whoever opens it later trusts the name.
SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF8",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
}


def check_file_type(upload) -> None:
    """Refuse an upload whose content is not what its name says (see SIGNATURES; .webp and .heic by
    their container, .csv and .txt by holding no NUL byte). Other names are not judged here."""
    name = upload.name or ""
    suffix = os.path.splitext(name.lower())[1]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if suffix in SIGNATURES:
        ok = head.startswith(SIGNATURES[suffix])
    elif suffix == ".webp":
        ok = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    elif suffix == ".heic":
        ok = head[4:8] == b"ftyp"
    elif suffix in (".csv", ".txt"):
        ok = b"\x00" not in head
    else:
        ok = True
    if not ok:
        raise DomainError(
            _("The content of “%(name)s” does not match its name: it is not a %(kind)s file.")
            % {"name": name, "kind": suffix.lstrip(".").upper()},
            code="wrong_type",
        )
