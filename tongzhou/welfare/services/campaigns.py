"""Condolence campaigns, their gifts and visits."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.images import photo_kind, without_metadata
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place
from tongzhou.supplies.models import Item, Store
from tongzhou.supplies.services.ledger import stock_issue
from tongzhou.supplies.services.quantities import plain_quantity, quantity_parse
from tongzhou.volunteers.models import Volunteer
from tongzhou.welfare.audit import WelfareAudit
from tongzhou.welfare.models import (
    Campaign,
    CampaignTarget,
    Visit,
)


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    place: Place,
    name: str,
    organisation: Organisation,
    targets: Iterable[tuple[Volunteer, int]],
    thanks_text: str = "",
    target: str = CampaignTarget.GATE_DUTY,
    target_number: int = 0,
    request: HttpRequest | None = None,
) -> Campaign:
    """A condolence campaign at `place` with the people it targets (each with the count that says
    why, as campaign_targets gives them), and which kind of target chose them."""
    require(actor, Perm.WELFARE_MANAGE, place.path)
    if not name.strip():
        raise ValidationError({"name": _("A name of 1 to 100 characters is required.")})
    campaign = Campaign.objects.create(
        name=name.strip()[:100],
        organisation=organisation,
        place=place,
        place_path=place.path,
        thanks_text=thanks_text.strip(),
        created_by=actor,
        target=target,
        target_number=target_number,
    )
    Visit.objects.bulk_create(
        [Visit(campaign=campaign, volunteer=v, why_count=count) for v, count in targets],
        ignore_conflicts=True,
    )
    audit_log(action=WelfareAudit.CAMPAIGN_CREATED, actor=actor, obj=campaign, place_path=place.path, request=request)
    return campaign


@dataclass(frozen=True)
class Gift:
    """Goods handed over at a visit, out of a store: the item and how many."""

    store: Store
    item: Item
    quantity: Any


def visit_gift_issue(*, actor: User, visit: Visit, given: str, gift: Gift | None = None) -> None:
    """What was given at a visit. Goods out of a store are issued through the supplies ledger (one
    batch of issued entries, first-expiring lot first, never below zero), on the welfare officer's
    own authority over the store's place; the visit keeps the batch and says what it was. Words
    alone (`given`) are kept as they are, for what no store holds."""
    words = given.strip()
    if gift is not None:
        batch = uuid.uuid4()
        try:
            stock_issue(
                actor=actor,
                store=gift.store,
                item=gift.item,
                quantity=gift.quantity,
                note=visit.campaign.name,
                batch=batch,
                perm=Perm.WELFARE_MANAGE,
            )
        except ValidationError as error:
            raise ValidationError({"quantity": error.messages}) from None
        issued = quantity_parse(gift.item, gift.quantity)
        what = f"{gift.item.name} {plain_quantity(issued)} {gift.item.unit}"
        words = f"{what}; {words}" if words else what
        visit.gift_batch = batch
    visit.given = words[:200]


@transaction.atomic
def visit_record(
    *,
    actor: User,
    visit: Visit,
    visited_by: str,
    given: str = "",
    note: str = "",
    gift: Gift | None = None,
    photo: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Visit:
    """A visit done: who went, what was given (through `visit_gift_issue`), a note, a photo (JPEG,
    PNG or WebP, its type read from the bytes, redrawn without EXIF); the campaign's thank-you
    message goes to the person after the commit."""
    campaign = visit.campaign
    require(actor, Perm.WELFARE_MANAGE, campaign.place_path)
    visit = Visit.objects.select_for_update().select_related("volunteer", "campaign").get(pk=visit.pk)
    if visit.visited_at is not None:
        raise ValidationError(_("This visit is recorded already."))
    if not visited_by.strip():
        raise ValidationError({"visited_by": _("Say who went.")})
    extension, photo_type = photo_kind(photo, field="photo") if photo is not None else ("", "")
    visit_gift_issue(actor=actor, visit=visit, given=given, gift=gift)
    if photo is not None:
        visit.photo_type = photo_type
        visit.photo.save(f"photo.{extension}", without_metadata(photo), save=False)
    visit.visited_at = timezone.now()
    visit.visited_by = visited_by.strip()[:200]
    visit.note = note.strip()
    visit.recorded_by = actor
    visit.save(
        update_fields=[
            "visited_at",
            "visited_by",
            "given",
            "gift_batch",
            "note",
            "recorded_by",
            "photo",
            "photo_type",
            "updated_at",
        ]
    )
    if campaign.thanks_text:
        phone, text, scope = visit.volunteer.phone, campaign.thanks_text, campaign.place_path
        transaction.on_commit(lambda: send_message(to=phone, text=text, scope=scope, kind="welfare"))
    audit_log(
        action=WelfareAudit.VISIT_RECORDED, actor=actor, obj=visit, place_path=campaign.place_path, request=request
    )
    return visit
