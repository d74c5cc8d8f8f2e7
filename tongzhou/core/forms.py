from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes, so templates can render fields plainly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs.setdefault("class", css)


def form_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where it names one of the form's
    fields, on the form as a whole otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
