"""Duty posts and the shift templates that make a roster's shifts."""

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import subtree_q
from tongzhou.places.models import Place
from tongzhou.volunteers.models import (
    Duty,
    Post,
    Shift,
    ShiftTemplate,
    Skill,
)


@transaction.atomic
def post_create(*, actor: User, place: Place, name: str, duty: str, skills: Iterable[str] = ()) -> Post:
    require(actor, Perm.VOLUNTEERS_MANAGE, place.path)
    errors: dict[str, str] = {}
    if not name.strip() or len(name.strip()) > 100:
        errors["name"] = _("A name of 1 to 100 characters is required.")
    if duty not in Duty.values:
        errors["duty"] = _("Choose a duty.")
    if set(skills) - set(Skill.values):
        errors["skills"] = _("Unknown skill.")
    if errors:
        raise ValidationError(errors)
    return Post.objects.create(
        place=place,
        place_path=place.path,
        name=name.strip(),
        duty=duty,
        skills=sorted(set(skills)),
        check_token=secrets.token_urlsafe(16),
    )


@transaction.atomic
def template_create(
    *, actor: User, post: Post, starts: time, ends: time, min_people: int, max_people: int, weekdays: Iterable[int]
) -> ShiftTemplate:
    require(actor, Perm.VOLUNTEERS_MANAGE, post.place_path)
    days = sorted(set(weekdays))
    errors: dict[str, str] = {}
    if not 1 <= min_people <= max_people <= 50:
        errors["max_people"] = _("Between 1 and 50 people, the maximum not below the minimum.")
    if not days or any(d not in range(7) for d in days):
        errors["weekdays"] = _("Choose the weekdays.")
    if starts == ends:
        errors["ends"] = _("A shift ends at another time than it starts.")
    if errors:
        raise ValidationError(errors)
    return ShiftTemplate.objects.create(
        post=post, starts=starts, ends=ends, min_people=min_people, max_people=max_people, weekdays=days
    )


def _shifts_from_templates(place: Place, starts_on: date, ends_on: date) -> int:
    """Create the shifts of the period from the posts' templates (existing ones are kept)."""
    shifts = []
    for template in ShiftTemplate.objects.filter(subtree_q(place.path, "post__place_path")).select_related("post"):
        day = starts_on
        while day <= ends_on:
            if day.weekday() in template.weekdays:
                start = timezone.make_aware(datetime.combine(day, template.starts))
                end_day = day + timedelta(days=1) if template.ends <= template.starts else day
                shifts.append(
                    Shift(
                        post=template.post,
                        place_path=template.post.place_path,
                        start=start,
                        end=timezone.make_aware(datetime.combine(end_day, template.ends)),
                        min_people=template.min_people,
                        max_people=template.max_people,
                    )
                )
            day += timedelta(days=1)
    return len(Shift.objects.bulk_create(shifts, ignore_conflicts=True))


@transaction.atomic
def shifts_add(
    *, actor: User, post: Post, spans: Iterable[tuple[datetime, datetime]], min_people: int, max_people: int
) -> int:
    """One-off shifts of a post (a testing site's hours on the round's days), beside the weekly
    templates; a shift already there at the same start is kept. Returns how many were added."""
    require(actor, Perm.VOLUNTEERS_MANAGE, post.place_path)
    if not 1 <= min_people <= max_people <= 50:
        raise ValidationError({"max_people": _("Between 1 and 50 people, the maximum not below the minimum.")})
    shifts = []
    for start, end in spans:
        if end <= start:
            raise ValidationError({"end": _("A shift ends after it starts.")})
        shifts.append(
            Shift(
                post=post,
                place_path=post.place_path,
                start=start,
                end=end,
                min_people=min_people,
                max_people=max_people,
            )
        )
    return len(Shift.objects.bulk_create(shifts, ignore_conflicts=True))
