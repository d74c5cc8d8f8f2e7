"""Text fields of the checkpoint forms, cleaned one way."""

from django.utils.translation import gettext as _


def _text(value: str, field: str, errors: dict[str, str], *, required: bool = True, limit: int = 2000) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(n)d characters.") % {"n": limit}
    return value
