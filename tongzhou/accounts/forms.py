from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import StyledForm
from tongzhou.core.permissions import ROLE_RANK, Role


class GrantForm(StyledForm):
    """Give a role at one place (the place comes from the page). A new username creates the user."""

    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    display_name = forms.CharField(label=_("Name (for a new user)"), max_length=100, required=False)
    password = forms.CharField(
        label=_("Password (for a new user)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters. Leave empty when the user already exists."),
    )

    def __init__(self, *args: Any, max_rank: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only roles not above the granter's own are offered (the service enforces it too).
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label) for value, label in Role.choices if ROLE_RANK[value] <= max_rank
        ]


class RevealForm(StyledForm):
    purpose = forms.CharField(label=_("Purpose"), max_length=200, min_length=4)
