from functools import cache

from django.apps import apps
from django.contrib.auth.backends import ModelBackend


@cache
def model_permission_names() -> frozenset[str]:
    """Every "app.codename" Django makes a Permission row for: the only names ModelBackend can grant."""
    names = set()
    for model in apps.get_models():
        meta = model._meta
        names.update(f"{meta.app_label}.{action}_{meta.model_name}" for action in meta.default_permissions)
        names.update(f"{meta.app_label}.{codename}" for codename, _name in meta.permissions)
    return frozenset(names)


class ModelPermissionBackend(ModelBackend):
    """Django's backend (passwords, model permissions for the admin) that is not asked about the
    project's rule-based permissions (orgs/permissions.py and each app's): it could never grant them,
    and asking loaded the user's model permissions, two queries on every page with a menu."""

    def has_perm(self, user_obj, perm, obj=None):
        return perm in model_permission_names() and super().has_perm(user_obj, perm, obj)
