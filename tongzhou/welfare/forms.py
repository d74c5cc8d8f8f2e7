from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.core.permissions import Role
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place
from tongzhou.supplies.models import Item, Store
from tongzhou.volunteers.models import Duty
from tongzhou.welfare.models import CampaignTarget, ClaimStatus, Coverage, Plan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    place = IdChoiceField(label=_("Place"), queryset=Place.objects.none())
    sponsor = IdChoiceField(label=_("Sponsor"), queryset=Organisation.objects.none())
    contribution = forms.DecimalField(
        label=_("Contribution per person (yuan)"), min_value=0, max_digits=8, decimal_places=2
    )
    starts_on = forms.DateField(label=_("Covers from"), widget=DATE)
    ends_on = forms.DateField(label=_("Covers until"), widget=DATE)
    waiting_days = forms.IntegerField(label=_("Waiting period (观察期), days"), min_value=0, max_value=365, initial=7)
    places_total = forms.IntegerField(label=_("Budget: number of places"), min_value=1, max_value=1_000_000)
    eligible_roles = forms.MultipleChoiceField(
        label=_("Roles that may be enrolled"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    eligible_duties = forms.MultipleChoiceField(
        label=_("Posts that may be enrolled"), choices=Duty.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, places: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["sponsor"].queryset = organisations  # type: ignore[attr-defined]
        for coverage, label in Coverage.choices:
            self.fields[f"benefit_{coverage}"] = forms.DecimalField(
                label=_("Benefit: %(coverage)s (yuan)") % {"coverage": label},
                required=False,
                min_value=Decimal("0.01"),
                max_digits=10,
                decimal_places=2,
            )

    def benefits(self) -> dict[str, Decimal]:
        return {
            coverage: self.cleaned_data[f"benefit_{coverage}"]
            for coverage in Coverage.values
            if self.cleaned_data.get(f"benefit_{coverage}")
        }


class MemberForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=10_000)
    id_number = forms.CharField(label=_("ID card number"), max_length=30)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    organisation = IdChoiceField(label=_("Member unit"), queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class UploadForm(StyledForm):
    file = forms.FileField(label=_("The unit's staff list (.xlsx or .csv)"))
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: import no row unless every row is good"), required=False, initial=True
    )


class ProposalForm(forms.Form):
    min_hours = forms.DecimalField(label=_("At least hours"), min_value=0, max_digits=6, decimal_places=1, initial=24)
    days = forms.IntegerField(label=_("In the last days"), min_value=1, max_value=366, initial=30)


class ClaimForm(StyledForm):
    coverage = forms.ChoiceField(label=_("What happened"), choices=Coverage.choices)
    event_on = forms.DateField(label=_("Date of the event"), widget=DATE)
    description = forms.CharField(label=_("Describe it"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(
        label=_("Amount claimed (yuan)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    assignment = forms.TypedChoiceField(label=_("The shift that day"), coerce=int, empty_value=None, required=False)
    isolation_order = forms.TypedChoiceField(label=_("Isolation order"), coerce=int, empty_value=None, required=False)
    help_request = forms.TypedChoiceField(label=_("Help request"), coerce=int, empty_value=None, required=False)

    def __init__(
        self, *args: Any, assignments: Any = (), orders: Any = (), help_requests: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (
                a.pk,
                f"{a.shift.post.name} {a.shift.start:%m-%d %H:%M}"
                + (f" ✓ {a.checked_in_at:%H:%M}" if a.checked_in_at else ""),
            )
            for a in assignments
        ]
        self.fields["isolation_order"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (o.pk, f"{o.get_kind_display()} {o.starts_on:%Y-%m-%d}–{o.planned_end_on:%Y-%m-%d}") for o in orders
        ]
        self.fields["help_request"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (h.pk, f"{h.get_category_display()} {h.created_at:%Y-%m-%d}") for h in help_requests
        ]
        # Only the facts the system holds for the claimant: no order or request, no field.
        for name, facts in (("isolation_order", orders), ("help_request", help_requests)):
            if not facts:
                del self.fields[name]


class ClaimMoveForm(StyledForm):
    to = forms.ChoiceField(choices=ClaimStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
    public_notice = forms.BooleanField(label=_("List it in the public notice (公示)"), required=False)


class VisitForm(StyledForm):
    visited_by = forms.CharField(label=_("Who went"), max_length=200)
    given = forms.CharField(label=_("What was given"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
    # A gift out of a store, issued through the supplies ledger (all three, or none).
    store = IdChoiceField(label=_("From store"), queryset=Store.objects.none(), required=False)
    item = IdChoiceField(label=_("Gift"), queryset=Item.objects.none(), required=False)
    quantity = forms.CharField(label=_("How many"), max_length=20, required=False)
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP, at most 5 MB)"), required=False)

    def __init__(self, *args: Any, stores: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores  # type: ignore[attr-defined]
        self.fields["item"].queryset = items  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        gift = [data.get("store"), data.get("item"), (data.get("quantity") or "").strip()]
        if any(gift) and not all(gift):
            raise forms.ValidationError(_("A gift from a store needs the store, the item and how many."))
        return data


class CampaignForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    organisation = IdChoiceField(label=_("By"), queryset=Organisation.objects.none())
    place = IdChoiceField(label=_("Place"), queryset=Place.objects.none())
    target = forms.ChoiceField(
        label=_("Targets"), choices=CampaignTarget.choices, initial=CampaignTarget.GATE_DUTY, required=False
    )
    days = forms.IntegerField(
        label=_("On duty at a gate in the last days"), min_value=1, max_value=60, initial=7, required=False
    )
    nights = forms.IntegerField(
        label=_("Overnight watches in a row, at least"), min_value=1, max_value=60, initial=5, required=False
    )
    thanks_text = forms.CharField(
        label=_("Thank-you message"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, places: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data["target"] = data.get("target") or CampaignTarget.GATE_DUTY
        if target == CampaignTarget.GATE_DUTY and not data.get("days"):
            self.add_error("days", _("Say how many days."))
        if target == CampaignTarget.NIGHTS_IN_A_ROW and not data.get("nights"):
            self.add_error("nights", _("Say how many nights."))
        return data

    def target_number(self) -> int:
        """The number that goes with the target: days of gate duty or nights in a row."""
        data = self.cleaned_data
        if data["target"] == CampaignTarget.GATE_DUTY:
            return int(data["days"])
        if data["target"] == CampaignTarget.NIGHTS_IN_A_ROW:
            return int(data["nights"])
        return 0


class UnitContactForm(StyledForm):
    """The welfare officer makes a member unit's own account."""

    organisation = IdChoiceField(label=_("Member unit"), queryset=Organisation.objects.none())
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Name of the contact"), max_length=100, required=False)
    password = forms.CharField(label=_("Initial password"), max_length=128, widget=forms.PasswordInput)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class UnitMemberForm(StyledForm):
    """A member unit's contact enrolls one of the unit's members."""

    plan = IdChoiceField(label=_("Plan"), queryset=Plan.objects.none())
    name = forms.CharField(label=_("Name"), max_length=10_000)
    id_number = forms.CharField(label=_("ID card number"), max_length=30)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    post_label = forms.CharField(label=_("Post"), max_length=100, required=False)

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]


class InvoicePaidForm(StyledForm):
    note = forms.CharField(label=_("Payment note (bank reference)"), max_length=200, required=False)
