"""Telling every household: a message with the building's slot, and ticks at the door."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core import pii
from tongzhou.core.access import require, scope_of
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.scope import subtree_q
from tongzhou.people.services import personal_link_token
from tongzhou.places.models import Household, Place
from tongzhou.testing.models import (
    DoorAnswer,
    Notification,
    Round,
    RoundStatus,
    round_samples,
)

# Telling every household: a message with the building's slot, and ticks at the door.


def round_notify(*, actor: User, round_: Round, site_url: str) -> int:
    """Text every resident of the round's area within the actor's places who has a phone and is not
    sampled yet: the building's slot and site, and the link to their own testing page. Their
    households count as notified. Returns how many messages were sent."""
    from tongzhou.testing.selectors import eligible, slot_finder

    require(actor, Perm.TESTING_PLAN, round_.place_path)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("The round is closed."))
    scope = scope_of(actor, Perm.TESTING_PLAN)
    sampled = round_samples(round_).filter(retest=False).values("person_id")
    people = list(
        eligible(round_).filter(scope.q("place_path")).exclude(pk__in=sampled).exclude(phone_index="").order_by("pk")
    )
    slot_of = slot_finder(round_)
    now = timezone.now()
    households: dict[int, str] = {}
    for person in people:
        slot = slot_of(person.place_path)
        token = personal_link_token(person)
        url = site_url.rstrip("/") + reverse("portal:testing", args=[token])
        if slot is not None:
            text = _("%(round)s: please come to %(site)s on %(day)s, %(starts)s–%(ends)s. Your page: %(url)s") % {
                "round": round_.name,
                "site": slot.site.name,
                "day": f"{slot.day:%m-%d}",
                "starts": f"{slot.starts:%H:%M}",
                "ends": f"{slot.ends:%H:%M}",
                "url": url,
            }
        else:
            text = _("%(round)s: your community will tell you when and where. Your page: %(url)s") % {
                "round": round_.name,
                "url": url,
            }
        send_message(to=person.phone, text=text, secrets=(token,), scope=person.place_path, kind="testing")
        households[person.household_id] = person.place_path
    with transaction.atomic():
        known = set(
            Notification.objects.filter(round=round_, household_id__in=list(households)).values_list(
                "household_id", flat=True
            )
        )
        Notification.objects.filter(round=round_, household_id__in=known).update(messaged_at=now)
        Notification.objects.bulk_create(
            [
                Notification(round=round_, household_id=h, place_path=path, messaged_at=now)
                for h, path in households.items()
                if h not in known
            ],
            ignore_conflicts=True,
        )
    return len(people)


def household_door_mark(*, actor: User, round_: Round, household: Household, answer: str) -> Notification:
    """A building lead or volunteer at the door: told, or nobody answered."""
    require(actor, Perm.TESTING_SAMPLE, household.place.path)
    if answer not in DoorAnswer.values:
        raise ValidationError({"answer": _("Told, or no answer.")})
    notification, _created = Notification.objects.update_or_create(
        round=round_,
        household=household,
        defaults={"place_path": household.place.path, "door": answer, "door_at": timezone.now(), "door_by": actor},
    )
    return notification


def personal_link_resend(*, round_: Round, building: Place, phone: str, site_url: str) -> int:
    """Text a resident of `building` their own testing page again, asked from the building's public
    page: only to `phone`, and only when it is a phone registered in the building (a stranger
    typing a number learns nothing and can only send its owner their own link). Returns how many
    links were sent (a shared family phone gets one per member, at most five)."""
    from tongzhou.testing.selectors import eligible

    if round_.status == RoundStatus.CLOSED:
        return 0
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) != 11:
        return 0
    people = list(
        eligible(round_)
        .filter(subtree_q(building.path, "place_path"), phone_index__in=pii.blind_index_candidates(digits))
        .order_by("pk")[:5]
    )
    for person in people:
        token = personal_link_token(person)
        url = site_url.rstrip("/") + reverse("portal:testing", args=[token])
        text = _("%(round)s: your own page, %(name)s: %(url)s") % {
            "round": round_.name,
            "name": mask_name(person.name),
            "url": url,
        }
        send_message(to=person.phone, text=text, secrets=(token,), scope=person.place_path, kind="testing")
    return len(people)
