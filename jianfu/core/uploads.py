"""What every import page does with the outcome of an importer: nothing written on failure, every
bad row listed, a Chinese message either way."""

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
