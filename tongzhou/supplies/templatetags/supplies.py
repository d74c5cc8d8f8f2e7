from decimal import Decimal

from django import template

from tongzhou.supplies.services.quantities import plain_quantity

register = template.Library()


@register.filter
def qty(value: Decimal | int | None) -> str:
    """A quantity without trailing zeros: 3.000 -> 3, 2.500 -> 2.5."""
    return "" if value is None else plain_quantity(Decimal(value))
