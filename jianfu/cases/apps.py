from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jianfu.cases"
    label = "cases"
    verbose_name = _("Whistles and service cases")

    def ready(self):
        from . import indicators

        indicators.register()
