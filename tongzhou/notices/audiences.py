"""Who a notice reaches: a place subtree intersected with a kind of people. Residents come from the
register; staff and volunteers from the roles; other modules add kinds through `register` (key
persons under isolation are monitoring's to list)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from tongzhou.accounts.models import RoleAssignment
from tongzhou.core.permissions import Role
from tongzhou.core.scope import subtree_q
from tongzhou.notices.models import Audience
from tongzhou.people.models import Person, PersonTag, Tag
from tongzhou.places.models import Household, PlaceKind
from tongzhou.volunteers.models import ApplicationStatus, Team


@dataclass(frozen=True)
class Contact:
    """One person to tell: a name, a number ('' when none), and their household if a resident. A
    resident's number comes as the register stores it instead (`sealed_phone`: encrypted, with its
    blind index and last four digits), so that a send to a whole street passes it to the outbox
    without decrypting and re-encrypting a number per resident."""

    name: str
    phone: str
    household_id: int | None = None
    sealed_phone: str = ""
    phone_index: str = ""
    phone_last4: str = ""

    @property
    def reachable(self) -> bool:
        return bool(self.phone or self.sealed_phone)


@dataclass(frozen=True)
class HouseholdSpot:
    household_id: int
    building_id: int
    path: str


# Kinds other modules provide: audience value -> (place path, ref) -> contacts.
providers: dict[str, Callable[[str, str], list[Contact]]] = {}


def register(audience: str, provider: Callable[[str, str], list[Contact]]) -> None:
    providers[audience] = provider


def available() -> list[tuple[str, Any]]:
    built_in = {Audience.RESIDENTS, Audience.HOUSEHOLDS, Audience.TAG, Audience.VOLUNTEERS, Audience.STAFF}
    return [(value, label) for value, label in Audience.choices if value in built_in or value in providers]


def tag_choices() -> list[tuple[str, Any]]:
    return [("", _("(no tag)")), *Tag.choices]


def _residents(path: str) -> Iterator[Contact]:
    # Cast: the stored token as it is, not decrypted by the field.
    rows = (
        Person.objects.filter(subtree_q(path, "place_path"), merged_into__isnull=True, moved_out_on__isnull=True)
        .annotate(sealed=Cast("phone", TextField()))
        .order_by("place_path", "household_id", "id")
        .values_list("name", "household_id", "sealed", "phone_index", "phone_last4")
    )
    for name, household, sealed, index, last4 in rows.iterator(chunk_size=5000):
        yield Contact(name, "", household, sealed or "", index if sealed else "", last4 if sealed else "")


def contacts(audience: str, path: str, ref: str = "") -> list[Contact]:
    """Everyone the audience names under `path`, in address order."""
    if audience == Audience.RESIDENTS:
        return list(_residents(path))
    if audience == Audience.HOUSEHOLDS:
        first: dict[int | None, Contact] = {}
        for c in _residents(path):
            if c.reachable and c.household_id not in first:
                first[c.household_id] = c
        return list(first.values())
    if audience == Audience.TAG:
        tagged = PersonTag.objects.filter(tag=ref).values("person_id")
        rows = (
            Person.objects.filter(
                subtree_q(path, "place_path"), pk__in=tagged, merged_into__isnull=True, moved_out_on__isnull=True
            )
            .only("name", "phone", "household_id")
            .order_by("place_path", "id")
        )
        return [Contact(p.name, p.phone or "", p.household_id) for p in rows]
    if audience == Audience.VOLUNTEERS and ref:
        return _team_members(path, ref)
    if audience in (Audience.STAFF, Audience.VOLUNTEERS):
        roles = (
            [str(Role.VOLUNTEER)]
            if audience == Audience.VOLUNTEERS
            else [str(r) for r in Role.values if r not in (Role.VOLUNTEER, Role.CHECKPOINT_GUARD)]
        )
        assignments = (
            RoleAssignment.objects.filter(subtree_q(path, "place__path"), role__in=roles, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
        )
        users = {ra.user_id: ra.user for ra in assignments}
        return [Contact(u.display_name or u.username, u.phone or "") for u in users.values()]
    provider = providers.get(audience)
    return provider(path, ref) if provider else []


def team_in(path: str, ref: str) -> Team | None:
    """The volunteer team `ref` (its id) when it is set up at `path` or under it, else None."""
    if not ref.isdigit():
        return None
    return Team.objects.filter(subtree_q(path, "place_path"), pk=int(ref)).first()


def _team_members(path: str, ref: str) -> list[Contact]:
    """The approved volunteers of one team (set up in the subtree), wherever they live."""
    team = team_in(path, ref)
    if team is None:
        return []
    members = team.members.filter(status=ApplicationStatus.APPROVED).order_by("name", "id")
    return [Contact(v.name, v.phone or "") for v in members]


def households(audience: str, path: str, contacts_found: list[Contact]) -> list[HouseholdSpot]:
    """The households whose reach the notice reports: every household of the subtree for the
    whole register (those without a number are the door-to-door list), else the households of
    the residents it names."""
    if audience in (Audience.RESIDENTS, Audience.HOUSEHOLDS):
        rows = Household.objects.filter(subtree_q(path, "place__path"))
    else:
        ids = {c.household_id for c in contacts_found if c.household_id}
        if not ids:
            return []
        rows = Household.objects.filter(pk__in=ids)
    fields = ("pk", "place_id", "place__kind", "place__parent_id", "place__path")
    return [
        HouseholdSpot(household_id=pk, building_id=parent if kind == PlaceKind.UNIT and parent else place, path=path)
        for pk, place, kind, parent, path in rows.order_by("place__path", "room").values_list(*fields)
    ]
