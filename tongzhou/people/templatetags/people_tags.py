"""What the people module shows on other modules' pages, so that they need not import it."""

from typing import Any

from django import template

from tongzhou.core.access import scope_of
from tongzhou.core.permissions import Perm
from tongzhou.people.selectors import household_members
from tongzhou.places.models import Household

register = template.Library()


@register.inclusion_tag("people/_household_members.html", takes_context=True)
def household_members_list(context: dict[str, Any], household: Household) -> dict[str, Any]:
    """The residents of `household`, for a user who may see residents there; nothing otherwise."""
    user = context["request"].user
    visible = scope_of(user, Perm.PEOPLE_VIEW).contains(household.place.path)
    return {"members": household_members(household) if visible else None}
