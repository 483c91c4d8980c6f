from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """Scale data for benchmarks: `manage.py generate_scale`. No models, no pages."""

    name = "jianfu.scale"
    label = "scale"
    verbose_name = "Scale data"
