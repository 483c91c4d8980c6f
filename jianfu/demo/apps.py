from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo district 慈溪 for development and the tests: `manage.py load_demo`. Only this app
    imports the domain apps' demo rows, and production does not install it. No models, no pages."""

    name = "jianfu.demo"
    label = "demo"
    verbose_name = _("Demo data")
