from django.contrib import admin

from jianfu.catalog.admin import ReadOnlyAdmin

from .models import Certificate, CertificateRequest, CertificateType, SealUse


@admin.register(CertificateType)
class CertificateTypeAdmin(ReadOnlyAdmin):
    list_display = ["item", "within_duties", "retained", "notify_and_commit", "public_interest"]


@admin.register(CertificateRequest)
class CertificateRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "item", "community", "state", "requested_on", "decided_on"]
    list_filter = ["state", "channel"]
    search_fields = ["number"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    # The holder is left out of the list: personal data stays on the audited pages.
    list_display = ["serial", "item", "community", "issued_on", "by_commitment", "revoked_at"]
    search_fields = ["serial"]


@admin.register(SealUse)
class SealUseAdmin(ReadOnlyAdmin):
    list_display = ["used_on", "community", "document", "used_by", "revoked_at"]
