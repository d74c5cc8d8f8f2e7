"""The catalogue of items, stores, minimum levels and lots."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.places.models import Place
from tongzhou.supplies.audit import SuppliesAudit
from tongzhou.supplies.models import (
    Item,
    Lot,
    MinimumLevel,
    Store,
    StoreKind,
)
from tongzhou.supplies.services.checks import _shortage_check
from tongzhou.supplies.services.quantities import _require_somewhere, quantity_parse


@transaction.atomic
def item_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    unit: str,
    pack_size: int = 1,
    counted: bool = True,
    expiry_matters: bool = False,
) -> Item:
    """Add an item to the street's catalogue (shared by every store). Needs SUPPLIES_MANAGE."""
    if actor is not None:
        _require_somewhere(actor, Perm.SUPPLIES_MANAGE)
    item = Item(
        name=name.strip(),
        kind=kind,
        unit=unit.strip(),
        pack_size=pack_size,
        counted=counted,
        expiry_matters=expiry_matters,
    )
    item.full_clean()
    item.save()
    audit_log(action=SuppliesAudit.ITEM_CREATED, actor=actor, obj=item)
    return item


@transaction.atomic
def store_create(*, actor: User | None, place: Place, name: str, kind: str) -> Store:
    """A store at `place`. Needs SUPPLIES_MANAGE there."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, place.path)
    if kind not in StoreKind.values:
        raise ValidationError({"kind": _("Choose a kind of store.")})
    store = Store(place=place, place_path=place.path, name=name.strip(), kind=kind)
    store.full_clean()
    store.save()
    audit_log(action=SuppliesAudit.STORE_CREATED, actor=actor, obj=store, place_path=place.path)
    return store


@transaction.atomic
def minimum_set(*, actor: User | None, store: Store, item: Item, quantity: Any) -> MinimumLevel:
    """Set (or change) the minimum level of `item` in `store`; checks for a shortage at once."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, store.place_path)
    value = quantity_parse(item, quantity)
    level, _created = MinimumLevel.objects.update_or_create(store=store, item=item, defaults={"quantity": value})
    audit_log(
        action=SuppliesAudit.MINIMUM_SET,
        actor=actor,
        obj=store,
        place_path=store.place_path,
        details={"item": item.pk, "minimum": str(value)},
    )
    _shortage_check(store=store, item=item, actor=actor)
    return level


def lot_for(*, item: Item, code: str, expires_on: date | None) -> Lot:
    """The lot `code` of `item`, made on first receipt; a known lot keeps its expiry date (a
    different date for the same code is an error naming the field)."""
    code = code.strip() or (expires_on.isoformat() if expires_on else "-")
    if item.expiry_matters and expires_on is None:
        raise ValidationError({"expires_on": _("%(item)s needs an expiry date.") % {"item": item.name}})
    lot, _created = Lot.objects.get_or_create(item=item, code=code, defaults={"expires_on": expires_on})
    if expires_on is not None and lot.expires_on != expires_on:
        raise ValidationError(
            {"expires_on": _("Lot %(code)s expires on %(date)s.") % {"code": code, "date": lot.expires_on}}
        )
    return lot
