from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.core.scope import Scope
from tongzhou.people.idnumbers import IdType
from tongzhou.people.importers import ResidentImporter
from tongzhou.people.models import ResidencyType, Tag
from tongzhou.people.selectors import household_places
from tongzhou.places.models import Place, PlaceKind
from tongzhou.places.selectors import natural_key


class RegisterFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, room, last 4 digits of the phone, or a full ID number"), "type": "search"}
        ),
    )
    residency = forms.ChoiceField(
        label=_("Residency"), required=False, choices=[("", _("All residencies")), *ResidencyType.choices]
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False, choices=[("", _("All tags")), *Tag.choices])


def address_label(place: Place) -> str:
    chain = [place, place.parent, place.parent.parent if place.parent else None]
    if place.kind == PlaceKind.BUILDING:
        chain = chain[:2]
    return " ".join(p.name for p in reversed(chain) if p is not None)


class PersonForm(StyledForm):
    name = forms.CharField(label=_("Full name"), max_length=50)
    id_type = forms.ChoiceField(label=_("Document type"), choices=IdType.choices)
    # An ID card number may end in X and passports carry letters: a text keyboard, no autocorrect.
    id_number = forms.CharField(
        label=_("Document number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    place = IdChoiceField(label=_("Building or unit"), queryset=Place.objects.none(), sort_key=natural_key)
    room = forms.CharField(label=_("Room"), max_length=20)
    residency_type = forms.ChoiceField(
        label=_("Residency"), choices=ResidencyType.choices, initial=ResidencyType.PERMANENT
    )
    tags = forms.MultipleChoiceField(
        label=_("Tags"), choices=Tag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scope: Scope, masked: dict[str, str] | None = None, **kwargs: Any) -> None:
        """`masked` (editing): the stored ID and phone numbers, masked. Those fields then start
        empty with the masked value as a hint; left empty, the stored value stays."""
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = household_places(scope).select_related("parent__parent")  # type: ignore[attr-defined]
        self.fields["place"].label_from_instance = address_label  # type: ignore[attr-defined]
        self.fields["tags"].widget.attrs["class"] = "form-check-input"
        self.masked = masked
        if masked is not None:
            keep = _("Leave empty to keep the stored number.")
            for name in ("id_number", "phone"):
                self.fields[name].required = False
                self.fields[name].initial = ""
                self.initial.pop(name, None)
                if masked.get(name):
                    self.fields[name].widget.attrs["placeholder"] = masked[name]
                    self.fields[name].help_text = keep
            if masked.get("phone"):
                self.fields["remove_phone"] = forms.BooleanField(label=_("Remove the phone number"), required=False)


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))
    place = IdChoiceField(label=_("Import into"), queryset=Place.objects.none())
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: import no row unless every row is good"), required=False
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.filter(  # type: ignore[attr-defined]
            scope.q(), kind__in=ResidentImporter.place_kinds
        ).order_by("path")


class ExportForm(StyledForm):
    real_values = forms.BooleanField(label=_("Real names, ID and phone numbers (needs a purpose)"), required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("real_values") and len((data.get("purpose") or "").strip()) < 4:
            self.add_error("purpose", _("State the purpose (at least 4 characters)."))
        return data


class MoveForm(StyledForm):
    action = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            ("move", _("Moved to another household")),
            ("move_out", _("Moved out of the area")),
            ("merge", _("Another record is the same person: merge it into this one")),
        ],
    )
    place = IdChoiceField(
        label=_("New building or unit"), queryset=Place.objects.none(), required=False, sort_key=natural_key
    )
    room = forms.CharField(label=_("New room"), max_length=20, required=False)
    on = forms.DateField(label=_("Moved out on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    duplicate = forms.IntegerField(
        label=_("Number of the duplicate record"),
        required=False,
        help_text=_("The number at the end of the other record's address bar."),
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = household_places(scope).select_related("parent__parent")  # type: ignore[attr-defined]
        self.fields["place"].label_from_instance = address_label  # type: ignore[attr-defined]
