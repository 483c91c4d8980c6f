"""Every ledger list exports to .xlsx, written row by row to a temporary file and streamed back."""

from django.utils.translation import gettext as _

from jianfu.core.tabular import xlsx_file_response

from . import derived, periods
from .models import TemplateField


def _number(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def elements_xlsx(qs):
    headers = [
        _("Code"),
        _("Name"),
        _("Definition"),
        _("Unit"),
        _("Value type"),
        _("Reporting level"),
        _("Period type"),
        _("Roll-up"),
        _("Derived from the base registry"),
        _("Owning department"),
        _("State"),
    ]
    rows = (
        [
            e.code,
            e.name,
            e.definition,
            e.unit,
            e.get_value_type_display(),
            e.get_level_display(),
            e.get_period_type_display(),
            e.get_aggregation_display(),
            derived.describe(e.derivation) if e.derived else "",
            e.department.name,
            e.get_state_display(),
        ]
        for e in qs.iterator(chunk_size=2000)
    )
    return xlsx_file_response(_("data-elements.xlsx"), headers, rows, title=_("Data elements"))


def breakdown_xlsx(element, org, period: str, children):
    headers = [_("Organisation code"), _("Organisation"), element.name]
    rows = [[c.code, c.name, _number(n)] for c, n in children]
    return xlsx_file_response(f"{element.code}-{org.code}-{period}.xlsx", headers, rows, title=element.code)


def template_xlsx(template, submissions):
    """Every submission of every version; columns are the union of all versions' fields, so a field
    a later version dropped keeps its column and the values reported under the earlier one."""
    fields = (
        TemplateField.objects.filter(version__template=template)
        .select_related("element", "version")
        .order_by("version__number", "position")
    )
    columns: dict[str, str] = {}
    for f in fields:
        columns.setdefault(f.element.code, f.element.name)
    headers = [
        _("Request"),
        _("Period"),
        _("Version"),
        _("Community code"),
        _("Community"),
        _("State"),
        *columns.values(),
    ]
    rows = (
        [
            s.request.number,
            periods.label(s.request.period),
            s.request.version.number,
            s.community.code,
            s.community.name,
            s.get_state_display(),
            *[(s.data.get(code) or {}).get("value", "") for code in columns],
        ]
        for s in submissions.select_related("request__version", "community")
        .order_by("request__sent_on", "request__number", "community__path")
        .iterator(chunk_size=2000)
    )
    return xlsx_file_response(f"{template.name}.xlsx", headers, rows, title=template.name)


def submission_xlsx(submission, rows):
    headers = [_("Code"), _("Field"), _("Organisation"), _("Value"), _("Source")]
    out = []
    for row in rows:
        for org, cell in row.cells:
            source = _("Derived") if cell.derived else (_("Ledger") if cell.value else "")
            out.append([row.element.code, row.element.name, org.name, cell.text, source])
    name = f"{submission.request.number}-{submission.community.code}.xlsx"
    return xlsx_file_response(name, headers, out, title=submission.request.number)
