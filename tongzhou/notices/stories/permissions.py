"""Who writes and who approves stories: those who write notices to residents write stories of
the response; those who approve notices to a whole street approve them for the public page."""

from tongzhou.core.permissions import Perm
from tongzhou.places.models import PlaceKind

STORIES_WRITE = Perm.NOTICES_SEND
STORIES_APPROVE = Perm.NOTICES_APPROVE
# A story is published for a street or a place inside one (its street's public page shows it).
STORY_PLACE_KINDS = (PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
