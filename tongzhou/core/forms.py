from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from tongzhou.core.access import id_or_404


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


def _is_id(value: Any) -> bool:
    try:
        id_or_404(value)
    except Http404:
        return False
    return True


class _SortedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices sorted by `field.sort_key` of their labels (after the empty choice)."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        sort_key = self.field.sort_key  # type: ignore[attr-defined]
        yield from sorted((self.choice(obj) for obj in self.queryset), key=lambda choice: sort_key(str(choice[1])))


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField of a model with integer ids that refuses junk ("abc", "1.5", an id beyond
    any id column's range) as an invalid choice before querying: Django's own lets an out-of-range
    integer reach the database (OverflowError on SQLite, DataError on PostgreSQL).

    `sort_key` (a function of the label, e.g. places' natural_key) orders the choices as read."""

    def __init__(self, *args: Any, sort_key: Callable[[str], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sort_key = sort_key
        if sort_key is not None:
            self.iterator = _SortedChoiceIterator

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """IdChoiceField's rule for a list of ids."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            if pk not in self.empty_values and not _is_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)
