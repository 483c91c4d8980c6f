from django.contrib import admin

from .models import CatalogVersion, ItemList, Plaque, WorkItem


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browsing only: changes go through the services, which check permission and audit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "category", "department", "year", "temporary", "valid_until"]
    list_filter = ["category", "kind", "year"]
    search_fields = ["code", "name"]


@admin.register(ItemList)
class ItemListAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "category"]


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReadOnlyAdmin):
    list_display = ["year", "number", "district", "published_at"]


@admin.register(Plaque)
class PlaqueAdmin(ReadOnlyAdmin):
    list_display = ["community", "name", "department", "item", "hung_on", "removed_on"]
    list_filter = ["removed_on"]
