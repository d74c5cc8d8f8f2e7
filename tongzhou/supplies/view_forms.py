"""The form-post shape the supplies pages share: a valid form is written by a service, and
either the page redirects with a success message or the service's refusal lands on the form."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tongzhou.core.forms import form_errors

T = TypeVar("T")


def form_post(
    request: HttpRequest, form: Form, write: Callable[[dict[str, Any]], T], *, done: str, to: str | Callable[[T], str]
) -> HttpResponse | None:
    """Write a valid form with `write(form.cleaned_data)`, then say `done` and redirect to `to` (a
    URL, or a function of what was written that gives one). None when the form is not valid or
    the service refused it (its ValidationError is on the form): the view shows the form again."""
    if not form.is_valid():
        return None
    try:
        written = write(form.cleaned_data)
    except ValidationError as error:
        form_errors(form, error)
        return None
    messages.success(request, done)
    return redirect(to if isinstance(to, str) else to(written))
