from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.supplies.models import Donation, Store


class FundForm(StyledForm):
    place = forms.ChoiceField(label=_("Held at"))
    name = forms.CharField(label=_("Name"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)

    def __init__(self, *args: Any, places: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(str(p.pk), p.name) for p in places]  # type: ignore[attr-defined]


class PutInForm(StyledForm):
    donation = IdChoiceField(label=_("Money donation"), queryset=Donation.objects.none())

    def __init__(self, *args: Any, donations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if donations is not None:
            field = self.fields["donation"]
            field.queryset = donations  # type: ignore[attr-defined]
            field.label_from_instance = lambda d: f"{d.received_on:%Y-%m-%d} {d.donor.name} ¥{d.amount}"  # type: ignore[attr-defined]


class GrantForm(StyledForm):
    applicant = forms.CharField(label=_("Applicant"), max_length=100)
    funder = forms.CharField(label=_("Asked from"), max_length=100)
    amount_asked = forms.CharField(label=_("Amount asked (yuan)"), max_length=20)
    applied_on = forms.DateField(label=_("Applied on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)


class GrantAnswerForm(StyledForm):
    decision = forms.ChoiceField(label=_("Answer"), choices=[("approve", _("Approved")), ("refuse", _("Refused"))])
    amount_approved = forms.CharField(label=_("Amount approved (yuan)"), max_length=20, required=False)
    answered_on = forms.DateField(
        label=_("Answered on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note (needed when refused)"), max_length=200, required=False)


class PurchaseForm(StyledForm):
    supplier = forms.CharField(label=_("Supplier"), max_length=100)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    bought_on = forms.DateField(label=_("Bought on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    store = IdChoiceField(label=_("Into store"), queryset=Store.objects.none())
    invoice = forms.FileField(
        label=_("Invoice photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, stores: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores  # type: ignore[attr-defined]
