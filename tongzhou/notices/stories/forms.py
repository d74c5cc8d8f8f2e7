from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import StyledForm
from tongzhou.notices.forms import PlaceChoiceField
from tongzhou.places.models import Place


class StoryForm(StyledForm):
    place = PlaceChoiceField(label=_("Published for"), queryset=Place.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20000)

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PlaceChoiceField, self.fields["place"]).queryset = places


class PhotoForm(StyledForm):
    image = forms.FileField(label=_("Photo (JPEG, PNG or WebP, at most 5 MB)"))
    credit = forms.CharField(label=_("Photographer"), max_length=100)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"


class ConsentForm(StyledForm):
    note = forms.CharField(label=_("How it was given"), max_length=200)
