"""Sampling sites (each with its keep-order post for the volunteers' roster) and their time slots."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.places.models import Place
from tongzhou.testing.models import (
    Round,
    Site,
    Slot,
)
from tongzhou.volunteers.models import Duty
from tongzhou.volunteers.services import post_create, shifts_add

# Sampling sites and their time slots, building by building.

SLOT_STEP = 10  # minutes: slots are planned in steps of ten minutes


@dataclass(frozen=True)
class SiteData:
    place: Place
    name: str
    per_hour: int
    opens: time
    closes: time


def site_create(*, actor: User, round_: Round, data: SiteData) -> Site:
    """A sampling site of the round, and its "keep order" post with a shift on each day of the
    round during its hours (2 to 4 volunteers), for the volunteers' roster."""
    require(actor, Perm.TESTING_PLAN, round_.place_path)
    errors: dict[str, str] = {}
    if not data.place.path.startswith(round_.place_path):
        errors["place"] = _("The site is in the round's area.")
    if not data.name.strip():
        errors["name"] = _("Required.")
    if not 1 <= data.per_hour <= 2000:
        errors["per_hour"] = _("Between 1 and 2,000 people an hour.")
    if data.closes <= data.opens:
        errors["closes"] = _("The site closes after it opens.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        post = post_create(actor=actor, place=data.place, name=data.name.strip(), duty=Duty.TESTING_ORDER)
        days = [round_.starts_on + timedelta(days=n) for n in range((round_.ends_on - round_.starts_on).days + 1)]
        spans = [
            (
                timezone.make_aware(datetime.combine(day, data.opens)),
                timezone.make_aware(datetime.combine(day, data.closes)),
            )
            for day in days
        ]
        shifts_add(actor=actor, post=post, spans=spans, min_people=2, max_people=4)
        return Site.objects.create(
            round=round_,
            place=data.place,
            place_path=data.place.path,
            name=data.name.strip(),
            per_hour=data.per_hour,
            opens=data.opens,
            closes=data.closes,
            post=post,
        )


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def slots_plan(*, actor: User, site: Site, buildings: list[tuple[Place, int]]) -> list[Slot]:
    """Plan the site's slots anew: each building in turn (with its head count) gets the time its
    people need at the site's rate, in steps of ten minutes, from the opening of the first day;
    a building that does not fit before closing starts the next day (the last day takes the rest).
    Staff edit single slots afterwards."""
    require(actor, Perm.TESTING_PLAN, site.place_path)
    round_ = site.round
    opens, closes = _minutes(site.opens), _minutes(site.closes)
    day, cursor = round_.starts_on, opens
    slots = []
    for building, people in buildings:
        if people <= 0:
            continue
        need = max(SLOT_STEP, -(-people * 60 // site.per_hour))
        need = -(-need // SLOT_STEP) * SLOT_STEP
        if cursor + need > closes and cursor > opens and day < round_.ends_on:
            day, cursor = day + timedelta(days=1), opens
        end = min(cursor + need, 24 * 60 - 1)
        slots.append(
            Slot(site=site, building=building, day=day, starts=_time(cursor), ends=_time(end), expected=people)
        )
        cursor = end
    with transaction.atomic():
        Slot.objects.filter(site=site).delete()
        Slot.objects.bulk_create(slots)
    return slots


def slot_change(*, actor: User, slot: Slot, starts: time, ends: time) -> Slot:
    require(actor, Perm.TESTING_PLAN, slot.site.place_path)
    if ends <= starts:
        raise ValidationError({"ends": _("A slot ends after it starts.")})
    slot.starts, slot.ends = starts, ends
    slot.save(update_fields=["starts", "ends"])
    return slot
