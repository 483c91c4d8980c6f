from django.contrib import admin

from jianfu.catalog.admin import ReadOnlyAdmin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["title", "direction", "state", "period_start", "period_end", "closes_on"]
    list_filter = ["direction", "state"]
    search_fields = ["title"]
