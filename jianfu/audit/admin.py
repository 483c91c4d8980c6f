from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is appended by services, never edited by hand."""

    list_display = ["seq", "at", "actor_name", "role", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_name", "action", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
