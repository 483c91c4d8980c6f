"""`{% load numbers %}{{ households|grouped }}` → 2,260; `{{ rate|grouped:1 }}` → 1,234.5.

Django's humanize intcomma does not group in zh-hans (the locale has no thousands separator); see
jianfu.core.numbers. Years, codes and ids are not figures: leave them unfiltered.
"""

from django import template

from jianfu.core.numbers import grouped as _grouped

register = template.Library()


@register.filter
def grouped(value, places=None):
    if places in (None, ""):
        return _grouped(value)
    try:
        return _grouped(value, int(places))
    except (TypeError, ValueError):
        return _grouped(value)
