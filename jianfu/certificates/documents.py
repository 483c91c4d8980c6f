"""The printable certificate: a PDF (WeasyPrint, Noto CJK fonts) carrying the serial, the verification
code and a QR code that holds the public verification URL."""

import base64
import io
from urllib.parse import urlencode

import segno
from django.template.loader import render_to_string
from django.urls import reverse

from jianfu.core.crypto import mask_id_number

from .models import Certificate


def verify_path(certificate: Certificate) -> str:
    return f"{reverse('certificates:verify', args=[certificate.serial])}?{urlencode({'code': certificate.code})}"


def qr_png(url: str) -> bytes:
    """A QR code for the URL (error correction M: survives a fold or a stamp across a corner)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def to_pdf(certificate: Certificate, request) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, needed only for PDFs

    url = request.build_absolute_uri(verify_path(certificate))
    person = certificate.person
    context = {
        "certificate": certificate,
        "verify_url": url,
        "qr": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode(),
        "id_number": mask_id_number(person.id_number) if person.id_number else "",
    }
    html = render_to_string("certificates/certificate_print.html", context)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
