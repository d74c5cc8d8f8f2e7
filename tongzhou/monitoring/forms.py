from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import StyledForm
from tongzhou.monitoring.models import CheckMethod, Need, OrderAction, OrderKind, Reason, RiskLevel, Symptom
from tongzhou.monitoring.services import MAX_TEXT

DATE = forms.DateInput(attrs={"type": "date"})


class KeyPersonForm(StyledForm):
    reason = forms.ChoiceField(label=_("Why"), choices=Reason.choices)
    risk_area = forms.CharField(label=_("Risk area (which)"), max_length=100, required=False)
    arrived_on = forms.DateField(label=_("Arrived or exposed on"), required=False, widget=DATE)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)
    evidence = forms.CharField(
        label=_("Evidence"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrderForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrderKind.choices)
    facility = forms.CharField(label=_("Facility (centralized isolation)"), max_length=100, required=False)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE, initial=timezone.localdate)
    check_times = forms.CharField(
        label=_("Check times"),
        max_length=60,
        initial=", ".join(settings.TONGZHOU_CHECK_TIMES),
        help_text=_("Times of day, e.g. 08:00, 20:00. The planned end follows the policy for the kind."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT, required=False)
    evidence = forms.CharField(
        label=_("Evidence"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChangeForm(StyledForm):
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[
            (OrderAction.RELEASED, _("Release")),
            (OrderAction.EXTENDED, _("Extend")),
            (OrderAction.SHORTENED, _("Shorten (needs a second approver)")),
            (OrderAction.TRANSFERRED, _("Transferred (hospital, facility)")),
            (OrderAction.LOST, _("Lost to follow-up")),
        ],
    )
    planned_end_on = forms.DateField(label=_("New planned end"), required=False, widget=DATE)
    facility = forms.CharField(label=_("Transferred to"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Releasing before the planned end or shortening needs evidence and a second approver."),
    )


def _yes(value: str) -> bool:
    return value == "yes"


class CheckForm(StyledForm):
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"), choices=Symptom.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    # Two big buttons, not a checkbox the size of a fingertip's corner.
    household_unwell = forms.TypedChoiceField(
        label=_("Someone in the household is unwell"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=_yes,
        initial="no",
        required=False,
        empty_value=False,  # type: ignore[arg-type]  # missing means no
        widget=forms.RadioSelect,
    )
    household_notes = forms.CharField(label=_("Household members' health"), max_length=MAX_TEXT, required=False)
    needs = forms.MultipleChoiceField(
        label=_("Needs"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


NOT_REACHED = "not_reached"


class StaffCheckForm(CheckForm):
    method = forms.ChoiceField(
        label=_("How"),
        choices=[
            (CheckMethod.PHONE, CheckMethod.PHONE.label),
            (CheckMethod.VISIT, CheckMethod.VISIT.label),
            (NOT_REACHED, _("Phone not answered")),
        ],
        widget=forms.RadioSelect,
        initial=CheckMethod.PHONE,
    )

    field_order = ["method"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["temperature"].required = False
        self.fields["temperature"].help_text = _("Not needed when the phone was not answered.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") != NOT_REACHED and data.get("temperature") is None and "temperature" not in self.errors:
            self.add_error("temperature", _("This field is required."))
        return data
