from django import template

from jianfu.core.crypto import mask_name, mask_phone

register = template.Library()


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value)


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value) if value else ""


@register.filter
def percent(value) -> str:
    """A Decimal fraction as a percentage with one decimal; a dash without a denominator."""
    return "—" if value is None else f"{value * 100:.1f}%"
