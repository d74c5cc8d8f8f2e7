from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.accounts.models import User
from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.supplies.models import DonationKind, DonorKind, Item, ItemKind, Store
from tongzhou.volunteers.models import Post


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


class DonationForm(StyledForm):
    donor_name = forms.CharField(label=_("Donor"), max_length=100)
    donor_kind = forms.ChoiceField(label=_("Donor is a"), choices=DonorKind.choices)
    anonymous = forms.BooleanField(label=_("Anonymous in the public ledger"), required=False)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("What was given"), choices=DonationKind.choices)
    received_on = forms.DateField(
        label=_("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    store = IdChoiceField(label=_("Into store"), queryset=Store.objects.none(), required=False)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    description = forms.CharField(label=_("Service given"), max_length=200, required=False)

    def __init__(self, *args: Any, stores: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores  # type: ignore[attr-defined]


class GoodsLineForm(StyledForm):
    item = forms.CharField(label=_("Item"), required=False, widget=forms.Select())
    quantity = forms.CharField(label=_("Quantity"), max_length=20, required=False)
    lot_code = forms.CharField(label=_("Lot"), max_length=30, required=False)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.choices = [("", "—")] + [
            (str(item.pk), f"{item.name}（{item.unit}）") for item in Item.objects.order_by("kind", "name")
        ]


GoodsLineFormSet = forms.formset_factory(GoodsLineForm, extra=4, max_num=20)


class HandOutForm(StyledForm):
    """A worker's goods, or a post's day kit (each gate: 20 masks, 2 bottles of sanitizer)."""

    recipient = IdChoiceField(label=_("Recipient"), queryset=User.objects.none())
    post = IdChoiceField(label=_("Post"), queryset=Post.objects.none(), required=False)

    def __init__(self, *args: Any, recipients: Any = None, posts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if recipients is not None:
            self.fields["recipient"].queryset = recipients  # type: ignore[attr-defined]
        if posts is not None:
            self.fields["post"].queryset = posts  # type: ignore[attr-defined]
        items = Item.objects.order_by("kind", "name")
        for n in range(1, HANDOUT_LINES + 1):
            self.fields[f"item{n}"] = IdChoiceField(label=_("Item"), queryset=items, required=False)
            self.fields[f"quantity{n}"] = forms.CharField(label=_("Quantity"), max_length=20, required=False)
            self.fields[f"item{n}"].widget.attrs["class"] = "form-select"
            self.fields[f"quantity{n}"].widget.attrs["class"] = "form-control"

    def lines(self) -> list[tuple[Any, str]]:
        return [
            (self.cleaned_data[f"item{n}"], self.cleaned_data[f"quantity{n}"])
            for n in range(1, HANDOUT_LINES + 1)
            if self.cleaned_data.get(f"item{n}")
        ]


HANDOUT_LINES = 3


class RequisitionForm(StyledForm):
    """A store asks the street's warehouse: up to REQUISITION_LINES items, and why."""

    store = IdChoiceField(label=_("For store"), queryset=Store.objects.none())
    reason = forms.CharField(label=_("Why"), max_length=300)

    def __init__(self, *args: Any, stores: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores  # type: ignore[attr-defined]
        choices = [("", "—")] + [(str(i.pk), f"{i.name}（{i.unit}）") for i in Item.objects.order_by("kind", "name")]
        for n in range(1, REQUISITION_LINES + 1):
            self.fields[f"item{n}"] = forms.CharField(label=_("Item"), required=False, widget=forms.Select())
            self.fields[f"item{n}"].widget.choices = choices
            self.fields[f"quantity{n}"] = forms.CharField(label=_("Quantity"), max_length=20, required=False)
            self.fields[f"item{n}"].widget.attrs["class"] = "form-select"
            self.fields[f"quantity{n}"].widget.attrs["class"] = "form-control"

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"item{n}"], self[f"quantity{n}"]) for n in range(1, REQUISITION_LINES + 1)]

    def lines(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"item{n}"], self.cleaned_data[f"quantity{n}"])
            for n in range(1, REQUISITION_LINES + 1)
            if self.cleaned_data.get(f"item{n}") or self.cleaned_data.get(f"quantity{n}")
        ]


REQUISITION_LINES = 5


class NoteForm(StyledForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ItemForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    unit = forms.CharField(label=_("Unit"), max_length=10)
    pack_size = forms.IntegerField(label=_("Units per pack"), min_value=1, max_value=100000, initial=1)
    counted = forms.BooleanField(label=_("Counted in whole units"), required=False, initial=True)
    expiry_matters = forms.BooleanField(label=_("Has an expiry date"), required=False)


class MinimumForm(StyledForm):
    item = IdChoiceField(label=_("Item"), queryset=Item.objects.order_by("kind", "name"))
    quantity = forms.CharField(label=_("Minimum"), max_length=20)
