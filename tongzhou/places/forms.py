from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import StyledForm
from tongzhou.places.models import PlaceKind
from tongzhou.places.services import MAX_FLOORS, MAX_ROOMS_PER_FLOOR, MAX_UNITS


class SearchForm(forms.Form):
    """The search box: text with no NUL character (PostgreSQL's text cannot hold one)."""

    q = forms.CharField(required=False, max_length=200, strip=False)


class PlaceForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(self, *args: Any, kinds: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [(k, PlaceKind(k).label) for k in kinds]


class BuildingForm(StyledForm):
    name = forms.CharField(label=_("Building name"), max_length=100, help_text=_("For example 3栋"))
    units = forms.IntegerField(
        label=_("Units"), min_value=0, max_value=MAX_UNITS, initial=1, help_text=_("0 when the building has no units")
    )
    floors = forms.IntegerField(label=_("Floors"), min_value=0, max_value=MAX_FLOORS, initial=6)
    rooms_per_floor = forms.IntegerField(
        label=_("Rooms per floor"), min_value=0, max_value=MAX_ROOMS_PER_FLOOR, initial=2
    )


class RenameForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
