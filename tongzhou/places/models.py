from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.models import PathField, TimeStampedModel


class PlaceKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    COMPOUND = "compound", _("Compound")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit")


# The five upper levels carry the official 12-digit statistical code, at these lengths.
OFFICIAL_CODE_LENGTH: dict[str, int] = {
    PlaceKind.PROVINCE: 2,
    PlaceKind.CITY: 4,
    PlaceKind.DISTRICT: 6,
    PlaceKind.STREET: 9,
    PlaceKind.COMMUNITY: 12,
}
OFFICIAL_KINDS = tuple(OFFICIAL_CODE_LENGTH)

# What community staff may create under a place of each kind.
CHILD_KINDS: dict[str, tuple[str, ...]] = {
    PlaceKind.COMMUNITY: (PlaceKind.GRID, PlaceKind.COMPOUND),
    PlaceKind.GRID: (PlaceKind.COMPOUND,),
    PlaceKind.COMPOUND: (PlaceKind.BUILDING,),
    PlaceKind.BUILDING: (PlaceKind.UNIT,),
}
# Households hang off these.
HOUSEHOLD_PARENT_KINDS = (PlaceKind.BUILDING, PlaceKind.UNIT)


class Place(TimeStampedModel):
    """A node of the one place tree, from province down to a building's unit.

    `path` is the chain of segments from the root (`/52/5201/520102/520102029/520102029004/`):
    official codes on the upper levels, a short random segment below. It never changes once
    written, so the subtree of a place is always the range of paths that start with its path.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices)
    code = models.CharField(_("official code"), max_length=12, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = PathField(_("path"), unique=True)
    # A committee's duty phone, printed on its notices (set by an administrator in /admin/).
    phone = models.CharField(_("duty phone"), max_length=32, blank=True, db_default="")
    depth = models.PositiveSmallIntegerField(_("depth"))

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        # Serves the children list, ordered by code then name, without a sort or a scan by code.
        indexes = [models.Index(fields=["parent", "code", "name"], name="place_children_order")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=OFFICIAL_KINDS) | models.Q(code__isnull=False),
                name="place_official_kind_has_code",
            ),
            models.CheckConstraint(condition=models.Q(path__endswith="/"), name="place_path_ends_with_separator"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_official(self) -> bool:
        return self.kind in OFFICIAL_KINDS

    @property
    def child_kinds(self) -> tuple[str, ...]:
        return CHILD_KINDS.get(self.kind, ())

    @property
    def holds_households(self) -> bool:
        return self.kind in HOUSEHOLD_PARENT_KINDS


class Household(TimeStampedModel):
    """A household is a room of a building (in one of its units, when it has units)."""

    place = models.ForeignKey(
        Place, verbose_name=_("building or unit"), on_delete=models.PROTECT, related_name="households"
    )
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=20)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["place", "floor", "room"]
        constraints = [models.UniqueConstraint(fields=["place", "room"], name="household_room_unique_in_place")]

    def __str__(self) -> str:
        return self.room
