import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Func, Q, QuerySet
from django.utils import timezone

from tongzhou.core import pii
from tongzhou.core.access import get_for_user
from tongzhou.core.models import AuditEvent
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope, subtree_q
from tongzhou.people.models import Organisation, Person, PersonalLink
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.places.selectors import ADDRESS_KINDS, street_addresses

SEARCH_CAP = 5000


def name_grams(text: str) -> list[str]:
    """What a name containing `text` must have among its characters and pairs of adjacent
    characters (people migration 0006's tz_name_grams): the pairs of `text`, or its one character."""
    if len(text) == 1:
        return [text]
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


class NameHasGrams(Func):
    """True where the name's characters and pairs include those of `text`: on PostgreSQL the
    GIN index `person_name_grams` answers it, so a district's name search reads the names that can
    match instead of the whole register. Only a pre-filter: the LIKE beside it stays the rule.
    Other engines have no such index, and it is true there."""

    output_field = BooleanField()

    def __init__(self, field: str, text: str) -> None:
        super().__init__(field)
        self.grams = name_grams(text)

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        return "(1 = 1)", []

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        return f"tz_name_grams({column}) @> %s::text[]", [*params, self.grams]


def register(
    scope: Scope,
    *,
    text: str = "",
    place: Place | None = None,
    residency: str = "",
    tag: str = "",
    include_moved_out: bool = False,
) -> QuerySet[Person]:
    """The residents in `scope`, in address order. `text` is matched as: 4 digits -> the end of the
    phone; 11 digits -> the whole phone (blind index); a document number -> exact (blind index);
    anything else -> part of the name, a room number, or part of a compound's or building's name."""
    qs = Person.objects.filter(scope.q("place_path"), merged_into__isnull=True)
    if not include_moved_out:
        qs = qs.filter(moved_out_on__isnull=True)
    text = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d{4}", text):
        qs = qs.filter(phone_last4=text)
    elif re.fullmatch(r"1\d{10}", text):
        qs = qs.filter(phone_index__in=pii.blind_index_candidates(text))
    elif re.fullmatch(r"[0-9A-Za-z]{8,18}", text):
        qs = qs.filter(id_index__in=pii.blind_index_candidates(text.upper()))
    elif text:
        # Part of the name: by its characters' index on PostgreSQL, then exactly by LIKE.
        where = Q(NameHasGrams("name", text), name__contains=text)
        # A room number (it has a digit): the households in scope first, so that each part of the
        # condition can be read by index (a subquery would be tested row by row, and a join to
        # places_household would let PostgreSQL hash every household of the city).
        if re.search(r"\d", text):
            rooms = Household.objects.filter(scope.q("place__path"), room=text).values_list("id", flat=True)
            where |= Q(household__in=list(rooms[:SEARCH_CAP]))
        # An address: a compound or building named like the text.
        for path in Place.objects.filter(scope.q(), kind__in=ADDRESS_KINDS, name__contains=text).values_list(
            "path", flat=True
        )[:20]:
            where |= subtree_q(path, "place_path")
        qs = qs.filter(where)
    if place is not None:
        qs = qs.filter(subtree_q(place.path, "place_path"))
    if residency:
        qs = qs.filter(residency_type=residency)
    if tag:
        qs = qs.filter(tags__tag=tag)
    return qs.select_related("household").prefetch_related("tags").order_by("place_path", "name", "id")


def matching_page(people: QuerySet[Person], page: int | str | None, per_page: int) -> Page[Person]:
    """A page of a text search in one pass over the register: the ids of up to SEARCH_CAP matches
    in register order, then the page's rows by id. A LIKE search can use no index, so counting and
    paging separately would read the whole register twice."""
    ids: list[int] = list(people.values_list("id", flat=True)[:SEARCH_CAP])
    result = Paginator(ids, per_page).get_page(page)
    page_ids = list(result.object_list)
    rows = Person.objects.filter(pk__in=page_ids).select_related("household").prefetch_related("tags").in_bulk()
    return Page([rows[pk] for pk in page_ids], result.number, result.paginator)  # type: ignore[arg-type]


def addresses(people: Iterable[Person]) -> dict[int, str]:
    """`{person id: "泰安巷3号院 1栋 1单元 701"}` for a page of residents, in one query."""
    people = list(people)
    streets = street_addresses(p.place_path for p in people)
    return {person.pk: f"{streets[person.place_path]} {person.household.room}" for person in people}


def person_history(person: Person) -> QuerySet[AuditEvent]:
    """Who viewed or changed this record (and the records merged into it), newest first."""
    ids = [str(person.pk), *(str(pk) for pk in Person.objects.filter(merged_into=person).values_list("pk", flat=True))]
    return AuditEvent.objects.filter(object_type="people.person", object_id__in=ids).order_by("-created_at", "-id")


def household_places(scope: Scope) -> QuerySet[Place]:
    """Buildings and units in scope, the places a household belongs to."""
    return Place.objects.filter(scope.q(), kind__in=[PlaceKind.BUILDING, PlaceKind.UNIT]).order_by("path")


def household_members(household: Household) -> QuerySet[Person]:
    """The current residents of a household (moved-out and merged records left out)."""
    return Person.objects.filter(household=household, moved_out_on__isnull=True, merged_into__isnull=True).order_by(
        "name"
    )


# Accessors: 404 outside the user's places exactly as for a record that does not exist.


def get_person_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Person:
    return get_for_user(
        Person.objects.select_related("household__place"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
        write=write,
    )


def live_personal_links() -> QuerySet[PersonalLink]:
    """Personal links that still open a resident's pages: not revoked, replaced or expired."""
    made_after = timezone.now() - timedelta(days=settings.TONGZHOU_PERSONAL_LINK_DAYS)
    return PersonalLink.objects.filter(revoked_at__isnull=True, created_at__gt=made_after)


def person_active_links(person: Person) -> QuerySet[PersonalLink]:
    """The person's links that still open their pages (shown on the staff's record page)."""
    return live_personal_links().filter(person=person)


def organisation_choices() -> list[tuple[int, str]]:
    """Every organisation as (id, "name (kind, street)") for a sign-up picker, by name."""
    return [
        (org.pk, f"{org.name} ({org.get_kind_display()}, {org.place.name})")
        for org in Organisation.objects.select_related("place").order_by("name", "id")[:2000]
    ]
