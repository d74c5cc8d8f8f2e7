from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import IdChoiceField, StyledForm
from tongzhou.notices import audiences
from tongzhou.places.models import Place
from tongzhou.volunteers.models import Team

# ISO dates whatever the language: a date input reads only yyyy-mm-dd.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PlaceChoiceField(IdChoiceField):
    """Places indented by their depth under the street."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u3000" * max(0, obj.depth - 4) + obj.name


class NoticeForm(StyledForm):
    place = PlaceChoiceField(label=_("For the people of"), queryset=Place.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DATE)
    audience = forms.ChoiceField(label=_("Send to"))
    audience_ref = forms.ChoiceField(label=_("Tag"), required=False)
    team = IdChoiceField(
        label=_("Volunteer team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("(every volunteer of the place)"),
        help_text=_("For “Volunteers”: only the members of this team."),
    )

    def __init__(self, *args: Any, places: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PlaceChoiceField, self.fields["place"]).queryset = places
        cast(IdChoiceField, self.fields["team"]).queryset = teams
        cast(forms.ChoiceField, self.fields["audience"]).choices = audiences.available()
        cast(forms.ChoiceField, self.fields["audience_ref"]).choices = audiences.tag_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end is before the start."))
        return data


class AcknowledgeForm(StyledForm):
    household = forms.TypedChoiceField(label=_("Your room"), coerce=int)

    def __init__(self, *args: Any, rooms: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["household"]).choices = [("", "—"), *rooms]


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("Attach a file (PDF or image, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )
