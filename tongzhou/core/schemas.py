"""Schemas every part of the API shares."""

from ninja import Schema


class ErrorOut(Schema):
    """Every error answer of the API: a sentence, and for bad input the message per field
    (`query.limit`, `body.payload.items`, or a model field)."""

    detail: str
    errors: dict[str, str] = {}
