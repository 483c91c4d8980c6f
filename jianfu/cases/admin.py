"""The office configures whistle categories, matters and service items here."""

from django.contrib import admin

from .models import Matter, MatterGroup, ServiceItem


class MatterInline(admin.TabularInline):
    model = Matter
    extra = 0
    fields = [
        "code",
        "name",
        "department",
        "work_item",
        "respond_minutes",
        "resolve_workdays",
        "public",
        "active",
        "order",
    ]
    autocomplete_fields = ["work_item"]


@admin.register(MatterGroup)
class MatterGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "respond_minutes", "respond_workdays", "resolve_workdays", "district"]
    list_filter = ["kind", "district"]
    inlines = [MatterInline]


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "department", "work_item", "public", "active"]
    list_filter = ["group", "public", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["work_item"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "department", "time_limit_workdays", "handled_at", "active"]
    list_filter = ["group", "handled_at", "active"]
    search_fields = ["code", "name"]
