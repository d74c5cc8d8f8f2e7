"""Quantities of an item as entered and as shown, and the permission check every write shares."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tongzhou.core.access import scope_of
from tongzhou.core.permissions import Perm
from tongzhou.supplies.models import (
    EntryKind,
    Item,
)

MAX_QUANTITY = Decimal("100000000")
# What counts as used in the public ledger: issued, less what came back.
USED = (EntryKind.ISSUED, EntryKind.RETURNED)


def quantity_parse(item: Item, raw: Any, *, field_name: str = "quantity") -> Decimal:
    """A positive quantity of `item`: whole units for a counted item, at most 3 decimals for a
    measured one. ValidationError naming `field_name` otherwise."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("Enter a number.")}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({field_name: _("Enter a quantity greater than zero.")})
    if value >= MAX_QUANTITY:
        raise ValidationError({field_name: _("This quantity is too large.")})
    if item.counted and value != value.to_integral_value():
        raise ValidationError(
            {field_name: _("%(item)s is counted in whole %(unit)s.") % {"item": item.name, "unit": item.unit}}
        )
    if value != value.quantize(Decimal("0.001")):
        raise ValidationError({field_name: _("At most 3 decimal places.")})
    return value


def _require_somewhere(actor: Any, perm: Perm) -> None:
    if scope_of(actor, perm).is_empty:
        raise PermissionDenied


def plain_quantity(value: Decimal) -> str:
    """3.000 -> 3, 2.500 -> 2.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
