from django.contrib import admin

from jianfu.catalog.admin import ReadOnlyAdmin

from .models import Deliberation


@admin.register(Deliberation)
class DeliberationAdmin(ReadOnlyAdmin):
    """Read-only: records change only through the services, which check permission and audit."""

    list_display = ["held_on", "kind", "community", "subject", "participants", "published_at"]
    list_filter = ["kind"]
    search_fields = ["subject"]
