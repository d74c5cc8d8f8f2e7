from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import figures


class WordsForm(forms.Form):
    key_work = forms.CharField(
        label=_("key work"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    difficulties = forms.CharField(
        label=_("difficulties"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    requests = forms.CharField(
        label=_("requests to the street"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )


class AdjustmentForm(forms.Form):
    figure = forms.ChoiceField(label=_("figure"))
    delta = forms.DecimalField(label=_("change"), max_digits=10, decimal_places=1)
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["figure"].choices = [(f.key, f.label) for f in figures()]  # type: ignore[attr-defined]
