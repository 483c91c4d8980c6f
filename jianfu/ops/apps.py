from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The top layer, installed in production: what spans every module — the hourly timers, backup and
    restore, the official holiday schedule (entering it moves the open deadlines of four modules) and
    the context each page gets. The domain apps never import it (pyproject.toml, [tool.importlinter])."""

    name = "jianfu.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        from . import permissions  # noqa: F401  (registers core.enter_calendar for {% has_perm %})
