from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.places.models import Place, PlaceKind
from tongzhou.supplies.models import Item, PerBasis, Store

DISTRIBUTION_LINES = 4


class PlaceChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.kind == PlaceKind.BUILDING and obj.parent is not None:
            return f"{obj.parent.name} {obj.name}"
        return f"{obj.name}（{obj.get_kind_display()}）"


class DistributionForm(StyledForm):
    """A household distribution: for which place, out of which store, and up to
    DISTRIBUTION_LINES items, each per household or per person."""

    name = forms.CharField(label=_("Name"), max_length=100)
    place = PlaceChoiceField(label=_("For the households of"), queryset=Place.objects.none())
    store = IdChoiceField(label=_("From store"), queryset=Store.objects.none())

    def __init__(self, *args: Any, places: Any = None, stores: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]
        if stores is not None:
            self.fields["store"].queryset = stores  # type: ignore[attr-defined]
        choices = [("", "—")] + [(str(i.pk), f"{i.name}（{i.unit}）") for i in Item.objects.order_by("kind", "name")]
        for n in range(1, DISTRIBUTION_LINES + 1):
            self.fields[f"item{n}"] = forms.CharField(label=_("Item"), required=False, widget=forms.Select())
            self.fields[f"item{n}"].widget.choices = choices
            self.fields[f"quantity{n}"] = forms.CharField(label=_("Quantity"), max_length=20, required=False)
            self.fields[f"per{n}"] = forms.CharField(label=_("Per"), required=False, widget=forms.Select())
            self.fields[f"per{n}"].widget.choices = PerBasis.choices
            self.fields[f"item{n}"].widget.attrs["class"] = "form-select"
            self.fields[f"per{n}"].widget.attrs["class"] = "form-select"
            self.fields[f"quantity{n}"].widget.attrs["class"] = "form-control"

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"item{n}"], self[f"quantity{n}"], self[f"per{n}"]) for n in range(1, DISTRIBUTION_LINES + 1)]

    def lines(self) -> list[tuple[str, str, str]]:
        return [
            (
                self.cleaned_data[f"item{n}"],
                self.cleaned_data[f"quantity{n}"],
                self.cleaned_data.get(f"per{n}") or PerBasis.HOUSEHOLD,
            )
            for n in range(1, DISTRIBUTION_LINES + 1)
            if self.cleaned_data.get(f"item{n}") or self.cleaned_data.get(f"quantity{n}")
        ]
