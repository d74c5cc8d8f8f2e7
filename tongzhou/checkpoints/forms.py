from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.checkpoints.models import ControlLevel, Gate
from tongzhou.core.forms import IdMultipleChoiceField, StyledForm

LEVEL_WIDGET = forms.RadioSelect


class ControlForm(forms.Form):
    place = forms.TypedChoiceField(label=_("Place"), coerce=int)
    level = forms.ChoiceField(label=_("New level"), choices=ControlLevel.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The notice, the case report or the test result this rests on."),
    )
    planned_end = forms.DateTimeField(
        label=_("Planned end"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, places: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class GateForm(forms.Form):
    compound = forms.TypedChoiceField(label=_("Compound"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example 东门 or 消防通道."))
    opens = forms.TimeField(label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(
        label=_("Closes"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Leave both empty for a gate staffed day and night."),
    )

    def __init__(self, *args: Any, compounds: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = compounds  # type: ignore[attr-defined]


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("Device name"), max_length=100)
    gates = IdMultipleChoiceField(label=_("Gates"), queryset=Gate.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, gates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gates"].queryset = gates  # type: ignore[attr-defined]


class IssueForm(forms.Form):
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: valid until revoked."),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    reissue = forms.BooleanField(label=_("Issue a new pass"), required=False)


class VisitorForm(forms.Form):
    name = forms.CharField(label=_("Visitor's name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    reason = forms.CharField(label=_("Reason for the visit"), max_length=200)
    household = forms.TypedChoiceField(label=_("Household visited"), coerce=int)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, households: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = households  # type: ignore[attr-defined]


class PassageFilterForm(StyledForm):
    gate = forms.TypedChoiceField(label=_("Gate"), coerce=int, required=False, empty_value=None)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("All")), ("allowed", _("Allowed")), ("refused", _("Refused")), ("fever", _("Fever"))],
    )
    q = forms.CharField(label=_("Resident or room"), required=False, max_length=50)

    def __init__(self, *args: Any, gates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gate"].choices = [("", _("All gates")), *gates]  # type: ignore[attr-defined]
