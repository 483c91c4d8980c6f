from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationsConfig(AppConfig):
    name = "jianfu.deliberations"
    label = "deliberations"
    verbose_name = _("Resident deliberations")
