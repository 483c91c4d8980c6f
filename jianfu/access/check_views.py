"""The "这能派吗?" page's form, and the refusal receipt the sender opens by its link (no login)."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from jianfu.core.tabular import attachment_response
from jianfu.orgs.models import Org, OrgKind, Role
from jianfu.orgs.permissions import roots

from . import receipts
from .forms import CheckForm
from .models import ViolationReport
from .permissions import reporting_community


class DemandCheckForm(CheckForm):
    """The demand, and (for a street worker) the community it is checked for."""

    community = forms.ModelChoiceField(
        label=_("for which community (its street and type decide the approved scope)"),
        queryset=Org.objects.none(),
        required=False,
    )

    def __init__(self, *args, street: Org | None = None, **kwargs):
        """`street`: a street worker checks for one of the street's communities (or for the street)."""
        super().__init__(*args, **kwargs)
        if street is None:
            del self.fields["community"]
        else:
            self.fields["community"].queryset = Org.objects.filter(kind=OrgKind.COMMUNITY, parent=street).order_by(
                "code"
            )


def checking_place(user) -> tuple[Org | None, Org | None]:
    """(community, street) of a worker who checks: a community or grid worker checks for their
    community; a street worker for the street, choosing a community when they wish."""
    community = reporting_community(user)
    if community is not None:
        return community, None
    streets = roots(user, {Role.STREET})
    return None, (streets[0] if streets else None)


class ReceiptLookupForm(forms.Form):
    n = forms.CharField(label=_("receipt number"), max_length=20)
    c = forms.CharField(label=_("check code"), max_length=20)


@require_GET
def public_receipt(request):
    """The receipt as its sender sees it, from the link or QR code on it: number + check code."""
    form = ReceiptLookupForm(request.GET if "n" in request.GET else None)
    report = None
    if form.is_valid():
        number = form.cleaned_data["n"].strip().upper()
        if receipts.code_matches(number, form.cleaned_data["c"]):
            report = ViolationReport.objects.select_related("department").filter(number=number).first()
        if report is None:
            return render(request, "access/receipt_public.html", {"form": form, "not_found": True}, status=404)
        if request.GET.get("format") == "pdf":
            return pdf_response(report, request, public=True)
    context = receipts.context(report, request, public=True) if report else {}
    return render(request, "access/receipt_public.html", {"form": form, **context})


def pdf_response(report: ViolationReport, request, *, public: bool) -> HttpResponse:
    return attachment_response(
        receipts.to_pdf(report, request, public=public), f"拒收回执-{report.number}.pdf", "application/pdf"
    )
