from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.people.selectors import organisation_choices
from tongzhou.places.models import Place, PlaceKind
from tongzhou.places.selectors import street_addresses
from tongzhou.volunteers.models import Duty, Skill, SlotKind, TeamKind

WEEKDAY_NAMES = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
SLOT_CHOICES = [
    (f"{weekday}-{kind}", format_lazy("{} {}", WEEKDAY_NAMES[weekday], label))
    for weekday in range(7)
    for kind, label in ((SlotKind.DAY, _("day")), (SlotKind.NIGHT, _("night")))
]


class SignupForm(StyledForm):
    name = forms.CharField(label=_("Full name"), max_length=10_000)  # the length is the service's to judge
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=30, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
    )
    id_number = forms.CharField(label=_("ID card number"), max_length=30)
    community = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organisation = forms.TypedChoiceField(
        label=_("Your work unit, union, party organisation or company"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    party_member = forms.BooleanField(label=_("Party member"), required=False)
    veteran = forms.BooleanField(label=_("Veteran"), required=False)
    skills = forms.MultipleChoiceField(
        label=_("Skills"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    slots = forms.MultipleChoiceField(
        label=_("When you can serve each week"),
        choices=SLOT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    blackout_dates = forms.CharField(
        label=_("Dates you cannot serve"),
        required=False,
        max_length=1000,
        help_text=_("For example 2026-12-24, 2026-12-31"),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the street office keeps these data to organize the volunteer service, "
            "and deletes them when I leave."
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("None")), *organisation_choices()]  # type: ignore[attr-defined]

    def clean_blackout_dates(self) -> list[date]:
        text = self.cleaned_data.get("blackout_dates") or ""
        dates = []
        for item in text.replace("，", ",").replace(" ", ",").split(","):
            if not item.strip():
                continue
            try:
                dates.append(date.fromisoformat(item.strip()))
            except ValueError:
                raise forms.ValidationError(_("“%(value)s” is not a date like 2026-12-24.") % {"value": item}) from None
        return dates

    def slot_pairs(self) -> list[tuple[int, str]]:
        return [(int(value.split("-")[0]), value.split("-")[1]) for value in self.cleaned_data.get("slots", [])]


class VetForm(StyledForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason for rejection"), max_length=1000, required=False)


class TeamForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    organizing_unit = forms.CharField(label=_("Organizing unit"), max_length=100, required=False)
    place = IdChoiceField(label=_("Place"), queryset=Place.objects.none())

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class PostForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    duty = forms.ChoiceField(label=_("Duty"), choices=Duty.choices)
    place = IdChoiceField(label=_("Place"), queryset=Place.objects.none())
    skills = forms.MultipleChoiceField(
        label=_("Required skills"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = places.select_related("parent")
        field = self.fields["place"]
        field.queryset = places  # type: ignore[attr-defined]
        field.label_from_instance = place_label(list(places))  # type: ignore[attr-defined]


def place_label(places: list[Place]) -> Callable[[Place], str]:
    """A picker's label that tells the three "1栋" apart: the compound and building ("泰安巷3号院
    1栋"), a grid with its community. One query for the lot."""
    addresses = street_addresses(p.path for p in places)

    def label(place: Place) -> str:
        if addresses.get(place.path):
            return addresses[place.path]
        if place.kind == PlaceKind.GRID and place.parent is not None:
            return f"{place.parent.name} {place.name}"
        return place.name

    return label


class TemplateForm(StyledForm):
    starts = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(
        label=_("Ends"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("An end before the start is the next morning (19:00–07:00)."),
    )
    min_people = forms.IntegerField(label=_("Minimum people"), min_value=1, max_value=50, initial=1)
    max_people = forms.IntegerField(label=_("Maximum people"), min_value=1, max_value=50, initial=2)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        coerce=int,
        choices=list(enumerate(WEEKDAY_NAMES)),
        initial=list(range(7)),
        widget=forms.CheckboxSelectMultiple,
    )


class RosterForm(StyledForm):
    place = IdChoiceField(label=_("Place"), queryset=Place.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class ChangeRequestForm(StyledForm):
    kind = forms.ChoiceField(label=_("Request"), choices=[("drop", _("Drop this shift"))])
    reason = forms.CharField(label=_("Reason"), max_length=500)
