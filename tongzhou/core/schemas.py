"""Schemas every part of the API shares."""

from typing import Annotated

from ninja import Schema
from pydantic import StringConstraints

# A short piece of text from the query string or a body: no NUL character (PostgreSQL's text
# cannot hold one: it would be a DataError, not a 422) and bounded.
Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


class ErrorOut(Schema):
    """Every error answer of the API: a sentence, and for bad input the message per field
    (`query.limit`, `body.payload.items`, or a model field)."""

    detail: str
    errors: dict[str, str] = {}
