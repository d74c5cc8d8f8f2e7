from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.assistance.models import Category, HelpRequest, Purchase, Status, Urgency
from tongzhou.assistance.services import MAX_NOTE, MAX_RECEIPT_BYTES, MAX_SUMMARY
from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.core.scope import Scope
from tongzhou.people.forms import address_label
from tongzhou.people.selectors import household_places
from tongzhou.places.models import Place


class IntakeForm(StyledForm):
    """A phone call in seconds: the caller found by the last phone digits (a resident chosen from
    the matches), or a caller not in the register with their building and room."""

    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Phone to call back"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    place = IdChoiceField(label=_("Building or unit"), queryset=Place.objects.none(), required=False)
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("What is needed"),
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Whoever takes the request reads this: write the need, not the resident's health or isolation."),
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = household_places(scope).select_related("parent__parent")  # type: ignore[attr-defined]
        self.fields["place"].label_from_instance = address_label  # type: ignore[attr-defined]


class CategoryFilterForm(StyledForm):
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )


class DeskFilterForm(CategoryFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("", _("All statuses")), *Status.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class MoveForm(StyledForm):
    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(StyledForm):
    assignee = forms.ChoiceField(label=_("Give the job to"))

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.pk, f"{u} ({u.username})") for u in candidates]  # type: ignore[attr-defined]


class PurchaseForm(StyledForm):
    items = forms.CharField(label=_("Items bought"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.DecimalField(label=_("Money advanced (yuan)"), min_value=0, max_digits=9, decimal_places=2)
    receipt = forms.FileField(
        label=_("Photo of the receipt"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
    )

    def clean_receipt(self) -> Any:
        receipt = self.cleaned_data.get("receipt")
        if receipt is not None and receipt.size > MAX_RECEIPT_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB."))
        return receipt


class ResidentRequestForm(StyledForm):
    category = forms.ChoiceField(label=_("What do you need?"), choices=Category.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    summary = forms.CharField(label=_("Tell us more"), max_length=MAX_SUMMARY, widget=forms.Textarea(attrs={"rows": 3}))


class PurchaseReceivedForm(forms.Form):
    """The resident marks one purchase of their request received: `purchase` must be one of it."""

    purchase = IdChoiceField(queryset=Purchase.objects.none())

    def __init__(self, *args: Any, help_request: HelpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purchase"].queryset = Purchase.objects.filter(help_request=help_request)  # type: ignore[attr-defined]


class FeedbackForm(StyledForm):
    rating = forms.TypedChoiceField(
        label=_("How did it go?"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=MAX_NOTE, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
