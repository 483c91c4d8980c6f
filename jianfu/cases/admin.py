"""The office configures whistle categories, matters and service items here."""

from django import forms
from django.contrib import admin

from . import services
from .models import HandledAt, Matter, MatterGroup, ServiceItem


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


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "name",
            "group",
            "department",
            "materials",
            "steps",
            "time_limit_workdays",
            "legal_basis",
            "handled_at",
            "work_item",
            "active",
        ]

    def clean(self):
        """Handing an item's handling to community windows needs a list item in force (非准不入)."""
        data = super().clean()
        if data.get("handled_at") == HandledAt.WINDOW and data.get("department") is not None:
            reason = services.window_handover_refusal(data.get("work_item"), data["department"])
            if reason:
                self.add_error("work_item", reason)
        return data


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    form = ServiceItemForm
    list_display = ["code", "name", "group", "department", "time_limit_workdays", "handled_at", "work_item", "active"]
    list_filter = ["group", "handled_at", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["work_item"]

    def save_model(self, request, obj, form, change):
        services.service_item_save(actor=request.user, item=obj)
