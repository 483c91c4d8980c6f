from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "jianfu.monitor"
    label = "monitor"
    verbose_name = _("Burden monitor")

    def ready(self):
        from . import permissions  # noqa: F401
