from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzhou.core.forms import StyledForm
from tongzhou.core.permissions import Role


class AuditFilterForm(forms.Form):
    """The audit page's filters, from the query string: a bad one is ignored, the others apply."""

    action = forms.CharField(required=False, max_length=100)
    actor = forms.CharField(required=False, max_length=150)
    day = forms.DateField(required=False)


class GrantForm(StyledForm):
    """Give a role at one place (the place comes from the page). With a password, a new account is
    made; without one, an existing account the granter may add is given the role."""

    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    display_name = forms.CharField(label=_("Name (for a new user)"), max_length=100, required=False)
    password = forms.CharField(
        label=_("Password (for a new user)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters. Leave empty to add an existing account."),
    )

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the roles the granter may give here are offered (the service enforces it too).
        cast(forms.ChoiceField, self.fields["role"]).choices = [(role.value, role.label) for role in roles]


class RevealForm(StyledForm):
    purpose = forms.CharField(label=_("Purpose"), max_length=200, min_length=4)
