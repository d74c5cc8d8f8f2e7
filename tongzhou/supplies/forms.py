from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.supplies.models import Item, Store


class IssueForm(StyledForm):
    item = IdChoiceField(label=_("Item"), queryset=Item.objects.order_by("kind", "name"))
    quantity = forms.CharField(label=_("Quantity"), max_length=20)
    note = forms.CharField(label=_("Used for"), max_length=200, required=False)


class ReceiveForm(StyledForm):
    item = IdChoiceField(label=_("Item"), queryset=Item.objects.order_by("kind", "name"))
    quantity = forms.CharField(label=_("Quantity"), max_length=20)
    lot_code = forms.CharField(label=_("Lot"), max_length=50, required=False)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("From"), max_length=200, required=False)


class TransferForm(StyledForm):
    item = IdChoiceField(label=_("Item"), queryset=Item.objects.order_by("kind", "name"))
    quantity = forms.CharField(label=_("Quantity"), max_length=20)
    destination = IdChoiceField(label=_("To store"), queryset=Store.objects.none())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, destinations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if destinations is not None:
            self.fields["destination"].queryset = destinations  # type: ignore[attr-defined]


class ReverseForm(StyledForm):
    note = forms.CharField(label=_("Why"), max_length=200)
