from django.contrib import admin

from .models import CalendarOverride, HolidaySchedule


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    """Read-only here: a schedule is entered on its page (/calendar/), which also writes its days,
    recomputes the open deadlines and records the change in the audit trail."""

    list_display = ["year", "notice_title", "notice_number", "entered_by", "entered_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
