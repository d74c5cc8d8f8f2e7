"""Reads of publicity stories. Staff pages are scoped (404 outside the user's places); the public
pages show published stories of one street only, and photos of published stories only."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tongzhou.core.access import get_for_user, id_or_404, scope_of
from tongzhou.notices.models import NamingConsent, Story, StoryApproval, StoryPhoto, StoryStatus
from tongzhou.notices.stories.permissions import STORIES_APPROVE, STORIES_WRITE, STORY_PLACE_KINDS
from tongzhou.people.models import Person
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import Volunteer


def stories_for_user(user: Any) -> QuerySet[Story]:
    """Stories of the places where the user writes or approves them."""
    condition = scope_of(user, STORIES_WRITE).q("place_path") | scope_of(user, STORIES_APPROVE).q("place_path")
    return (
        Story.objects.filter(condition).select_related("place", "street", "created_by").order_by("-created_at", "-id")
    )


def story_approvals_waiting_for(user: Any) -> QuerySet[StoryApproval]:
    return (
        StoryApproval.objects.filter(scope_of(user, STORIES_APPROVE).q("place_path"), status="pending")
        .exclude(requested_by=user)
        .select_related("story", "story__place", "requested_by")
    )


def get_story_for_user(*, user: Any, pk: Any, perm: Any = STORIES_WRITE, write: bool = False) -> Story:
    return get_for_user(
        Story.objects.select_related("place", "street", "created_by"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
        write=write,
    )


def get_story_for_reader(*, user: Any, pk: Any) -> Story:
    """A story for those who write stories at its place or approve them there, else 404."""
    try:
        return get_story_for_user(user=user, pk=pk)
    except Http404:
        return get_story_for_user(user=user, pk=pk, perm=STORIES_APPROVE)


def places_for_stories(user: Any) -> QuerySet[Place]:
    return Place.objects.filter(scope_of(user, STORIES_WRITE).q("path"), kind__in=STORY_PLACE_KINDS).order_by("path")


def people_named(ids: set[int], user: Any) -> dict[int, Person]:
    """The register entries a finding may be (in the user's places), for recording consent."""
    rows = Person.objects.filter(scope_of(user, STORIES_WRITE).q("place_path"), pk__in=ids).select_related(
        "household", "household__place"
    )
    return {p.pk: p for p in rows}


def get_person_for_consent(*, user: Any, pk: Any) -> Person:
    return get_for_user(Person.objects.all(), user=user, pk=pk, perm=STORIES_WRITE, path_field="place_path")


def consents_named(ids: set[int], user: Any) -> dict[int, list[NamingConsent]]:
    """Consents in force that staff recorded for the register entries a finding may be (in the
    user's places), by person, for withdrawing them."""
    rows = NamingConsent.objects.filter(
        scope_of(user, STORIES_WRITE).q("place_path"),
        person_id__in=ids,
        volunteer__isnull=True,
        withdrawn_at__isnull=True,
    ).select_related("given_by")
    found: dict[int, list[NamingConsent]] = {}
    for consent in rows.order_by("pk"):
        found.setdefault(consent.person_id or 0, []).append(consent)
    return found


def get_consent_for_user(*, user: Any, pk: Any) -> NamingConsent:
    """A consent in force recorded by staff, in the user's places (STORIES_WRITE), else 404."""
    return get_for_user(
        NamingConsent.objects.filter(withdrawn_at__isnull=True, volunteer__isnull=True),
        user=user,
        pk=pk,
        perm=STORIES_WRITE,
        path_field="place_path",
        write=True,
    )


def own_volunteer(user: Any) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first() if user.is_authenticated else None


def own_consents(volunteer: Volunteer) -> list[NamingConsent]:
    return list(NamingConsent.objects.filter(volunteer=volunteer, withdrawn_at__isnull=True).order_by("pk"))


def consents_for(ids: set[int]) -> set[int]:
    return set(
        NamingConsent.objects.filter(person_id__in=ids, withdrawn_at__isnull=True).values_list("person_id", flat=True)
    )


# The public pages: no log-in.


def street_by_code(code: str) -> Place:
    if not code.isascii() or not code.isdigit():
        raise Http404
    street = Place.objects.filter(code=code, kind=PlaceKind.STREET).first()
    if street is None:
        raise Http404
    return street


def published_stories(street: Place) -> QuerySet[Story]:
    return (
        Story.objects.filter(street=street, status=StoryStatus.PUBLISHED)
        .select_related("place")
        .order_by("-published_at", "-id")
    )


def published_story(street: Place, pk: Any) -> Story:
    story = published_stories(street).filter(pk=id_or_404(pk)).first()
    if story is None:
        raise Http404
    return story


def photos_of(story: Story) -> list[StoryPhoto]:
    return list(story.photos.order_by("created_at", "id"))


def published_photo(street: Place, story_pk: Any, photo_pk: Any) -> StoryPhoto:
    photo = (
        StoryPhoto.objects.filter(
            pk=id_or_404(photo_pk),
            story_id=id_or_404(story_pk),
            story__street=street,
            story__status=StoryStatus.PUBLISHED,
        )
        .select_related("story")
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def get_photo_for_user(*, user: Any, story: Story, pk: Any) -> StoryPhoto:
    """A photo of a story the user already opened (scoped by that story)."""
    photo = StoryPhoto.objects.filter(story=story, pk=id_or_404(pk)).select_related("story").first()
    if photo is None:
        raise Http404
    return photo
