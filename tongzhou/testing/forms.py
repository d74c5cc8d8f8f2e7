from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.core.scope import Scope
from tongzhou.places.models import Place
from tongzhou.testing.models import POOL_SIZES, Coverage, DoorAnswer, ExemptReason, Lab
from tongzhou.testing.services import ROUND_PLACE_KINDS

DATE = forms.DateInput(attrs={"type": "date"})
_pool_label = lazy(lambda k: gettext("%(k)d-in-1") % {"k": k}, str)


class RoundForm(StyledForm):
    place = IdChoiceField(label=_("Area"), queryset=Place.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100, initial=_("Nucleic acid screening"))
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    pool_size = forms.TypedChoiceField(
        label=_("Samples per tube"),
        coerce=int,
        choices=[(k, _("single tube") if k == 1 else _pool_label(k)) for k in POOL_SIZES],
        initial=10,
    )
    coverage = forms.ChoiceField(label=_("Who"), choices=Coverage.choices)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today
        self.fields["place"].queryset = Place.objects.filter(  # type: ignore[attr-defined]
            scope.q(), kind__in=ROUND_PLACE_KINDS
        ).order_by("path")


class SearchForm(forms.Form):
    # A name, the last 4 phone digits, an ID number, or a scanned pass (its signed code).
    q = forms.CharField(max_length=200, required=False)
    place = forms.IntegerField(min_value=1, max_value=2**62, required=False)


class SampleForm(StyledForm):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    barcode = forms.CharField(
        label=_("Tube barcode"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True})
    )


class ExemptForm(StyledForm):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    reason = forms.ChoiceField(label=_("Reason"), choices=ExemptReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ResultsUploadForm(StyledForm):
    file = forms.FileField(label=_("The lab's file (.xlsx or .csv)"))
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: import no row unless every row is good"), required=False
    )


class SealForm(StyledForm):
    code = forms.CharField(label=_("Box code"), max_length=40)
    lab = IdChoiceField(label=_("Laboratory"), queryset=Lab.objects.none())
    barcodes = forms.CharField(
        label=_("Tubes (scan one per line)"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, labs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class HandOverForm(StyledForm):
    box = forms.CharField(label=_("Box code"), max_length=40)
    courier = forms.CharField(label=_("Courier"), max_length=50)


class ReceiveForm(StyledForm):
    box = forms.CharField(label=_("Box code"), max_length=40)
    counted = forms.IntegerField(label=_("Tubes counted at the lab"), min_value=0, max_value=10_000)


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SiteForm(StyledForm):
    place = IdChoiceField(label=_("Where"), queryset=Place.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    per_hour = forms.IntegerField(label=_("People sampled an hour"), min_value=1, max_value=2000, initial=120)
    opens = forms.TimeField(label=_("Opens"), widget=TIME, initial="08:00")
    closes = forms.TimeField(label=_("Closes"), widget=TIME, initial="18:00")

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class SlotForm(forms.Form):
    slot = forms.IntegerField(min_value=1, max_value=2**62)
    starts = forms.TimeField()
    ends = forms.TimeField()


class PlanForm(forms.Form):
    site = forms.IntegerField(min_value=1, max_value=2**62)


class BuildingForm(forms.Form):
    building = forms.IntegerField(min_value=1, max_value=2**62)


class DoorForm(forms.Form):
    household = forms.IntegerField(min_value=1, max_value=2**62)
    answer = forms.ChoiceField(choices=DoorAnswer.choices)


class PhoneForm(StyledForm):
    phone = forms.RegexField(
        label=_("Your mobile number"),
        regex=r"^\s*1\d{2}[\s-]?\d{4}[\s-]?\d{4}\s*$",
        max_length=20,
        error_messages={"invalid": _("Type the 11 digits of a mobile number.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
