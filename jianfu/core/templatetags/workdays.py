"""`{% load workdays %}{% workday_estimate due %}`: "按周末估算" after a deadline whose year has no
official holiday schedule yet (jianfu.core.workdays.is_estimate). One query per page at most, for the
first such deadline; none for the years the calendar package knows."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jianfu.core import workdays

register = template.Library()


@register.simple_tag(takes_context=True)
def workday_estimate(context, due) -> str:
    if not due or not workdays.is_estimate(due, request=context.get("request")):
        return ""
    return format_html(
        ' <small class="workday-estimate" data-testid="workday-estimate" title="{}">{}</small>',
        _("This year's official holidays are not entered yet: the deadline counts weekends only."),
        _("estimated from weekends"),
    )
