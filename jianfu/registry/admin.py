from django.contrib import admin

from jianfu.audit import services as audit

from .models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """The office keeps the tag vocabulary; each tag belongs to a department and the approved item
    that lets it read who carries the tag. Changes are audited like any other."""

    list_display = ["code", "name", "department", "item"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["department"]
    raw_id_fields = ["item"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            action="tag.change" if change else "tag.create",
            actor=request.user,
            obj=obj,
            after={"code": obj.code, "name": obj.name, "department": obj.department_id, "item": obj.item_id},
        )

    def has_delete_permission(self, request, obj=None):
        return False  # tags in use are ended on people (until), never deleted
