"""The refusal receipt a community sends back: on A4 as a PDF, and behind a public link the sender
opens on a phone — the receipt number and a check code derived from it (no login, nothing stored).
The public receipt shows what the sender may see: the work, the rule and the way in (apply for
access); not who reported it, nor the community (see `ViolationReport`), nor the office's decision."""

import base64
import io
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import CheckRecord, ViolationReport
from .overlap import FORBIDDEN

_SALT = "jianfu.access.receipt"


def check_code(number: str) -> str:
    """Twelve hex digits that only the server can derive from the receipt number."""
    return salted_hmac(_SALT, number).hexdigest()[:12]


def code_matches(number: str, code: str) -> bool:
    return constant_time_compare(check_code(number), (code or "").strip().lower())


def public_path(report: ViolationReport) -> str:
    return f"{reverse('access:public_receipt')}?{urlencode({'n': report.number, 'c': check_code(report.number)})}"


def qr_data_uri(url: str) -> str:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=6, border=4)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def context(report: ViolationReport, request, *, public: bool) -> dict:
    """What the receipt says; `public`: for the sender (no community, no reporter)."""
    url = request.build_absolute_uri(public_path(report))
    record = (
        CheckRecord.objects.filter(report=report).select_related("item", "item__department").order_by("-id").first()
    )
    rules = {rule.code: rule for rule in FORBIDDEN}
    return {
        "report": report,
        "record": record,
        "rule": rules.get(record.rule) if record else None,
        "public": public,
        "public_url": url,
        "qr": qr_data_uri(url),
        "code": check_code(report.number),
    }


def to_pdf(report: ViolationReport, request, *, public: bool) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, needed only for PDFs

    html = render_to_string("access/receipt_print.html", context(report, request, public=public))
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
