from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.alerts.kinds import AlertKind
from tongzhou.alerts.services import MAX_NOTE
from tongzhou.core.forms import StyledForm


class AlertCloseForm(StyledForm):
    outcome = forms.ChoiceField(label=_("Outcome"))
    note = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, kind: AlertKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", _("Outcome") + "…"), *kind.outcomes]  # type: ignore[attr-defined]
