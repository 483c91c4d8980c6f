from django.contrib import admin

from jianfu.catalog.admin import ReadOnlyAdmin

from .models import Application, Meeting, ViolationReport


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "department", "state", "submitted_on", "decision_due"]
    list_filter = ["state", "category", "kind"]
    search_fields = ["number", "name"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "held_on", "district"]


@admin.register(ViolationReport)
class ViolationReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "department", "state", "arrived_on"]
    list_filter = ["state"]
