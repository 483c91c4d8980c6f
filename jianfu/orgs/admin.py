from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from jianfu.audit import services as audit

from .models import Membership, Org, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["org"]


@admin.register(User)
class JianfuUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("jianfu", {"fields": ["display_name"]}),)
    list_display = ["username", "display_name", "is_active", "is_superuser"]
    search_fields = ["username", "display_name"]
    inlines = [MembershipInline]

    # Changes made here are audited like any other change.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = sorted(set(form.changed_data) - {"password"}) + (
            ["password"] if "password" in form.changed_data else []
        )
        audit.record(
            action="user.admin_change" if change else "user.admin_create",
            actor=request.user,
            obj=obj,
            after={"changed": fields},
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for m in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
            audit.record(
                action="membership.admin_save",
                actor=request.user,
                obj=m,
                org=m.org,
                after={"user": m.user.username, "org": m.org.code, "role": m.role},
            )
        for m in formset.deleted_objects:
            audit.record(
                action="membership.admin_delete",
                actor=request.user,
                org=m.org,
                before={"user": m.user.username, "org": m.org.code, "role": m.role},
            )


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    """Browsing only: the tree changes through the office's import and services, which audit it."""

    list_display = ["code", "name", "kind", "parent", "registered_households", "resident_households"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
