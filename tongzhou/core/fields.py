from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from tongzhou.core import pii


class EncryptedField(models.TextField):
    """A text value stored encrypted (Fernet), with an optional HMAC blind index beside it.

    The Python value is the plain text; the column holds only the token. With
    `blind_index_field="phone_index"` the named field is filled from the value whenever the row is
    saved through the ORM's save(); `bulk_update()` and `update()` must set it themselves (the
    key rotation does). Encrypted columns cannot be filtered on: look up through the blind index
    (`pii.blind_index_candidates`).
    """

    def __init__(self, *args: Any, blind_index_field: str | None = None, **kwargs: Any) -> None:
        self.blind_index_field = blind_index_field
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index_field:
            kwargs["blind_index_field"] = self.blind_index_field
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return pii.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return pii.encrypt(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if self.blind_index_field:
            setattr(model_instance, self.blind_index_field, pii.blind_index(value) if value else "")
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted: filter on its blind index ({self.blind_index_field}) instead.")
        return super().get_lookup(lookup_name)


def blind_index_field() -> models.CharField:
    return models.CharField(max_length=pii.BLIND_INDEX_LENGTH, blank=True, default="", db_index=True, editable=False)


class EncryptedBinaryField(models.BinaryField):
    """Bytes stored encrypted (Fernet) under TONGZHOU_PII_KEY, e.g. an uploaded register kept until
    it is imported. Re-encrypted by `rotate_pii_key` like EncryptedField."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> bytes | None:
        if value is None or len(value) == 0:
            return bytes(value) if value is not None else None
        return pii.decrypt_bytes(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is not None and len(value) > 0:
            value = pii.encrypt_bytes(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)
