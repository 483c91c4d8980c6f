from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from jianfu.audit import services as audit
from jianfu.core.errors import DomainError

from . import services
from .models import Membership, Org, User


class MembershipForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if data.get("org") is not None and data.get("role"):
            try:
                services.check_role(data["org"], data["role"])
            except DomainError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class MembershipInline(admin.TabularInline):
    """Roles are given and taken through the services (their rules, their audit entries)."""

    model = Membership
    form = MembershipForm
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
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        # What the admin's change message lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            if not inline.has_changed() and inline not in formset.deleted_forms:
                continue
            if inline.instance.pk:
                old = Membership.objects.get(pk=inline.instance.pk)
                services.membership_revoke(actor=request.user, membership=old)
                formset.deleted_objects.append(old)
            if inline not in formset.deleted_forms and inline.cleaned_data.get("org"):
                data = inline.cleaned_data
                granted = services.membership_grant(actor=request.user, user=user, org=data["org"], role=data["role"])
                formset.new_objects.append(granted)


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
