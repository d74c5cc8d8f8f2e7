"""Personal data at rest: encryption, blind index, masking.

Keys come from TONGZHOU_PII_KEY, a comma-separated list of Fernet keys, newest first. Values are
encrypted with the newest key and decrypted with any of them, so a new key can be put in front and
`manage.py rotate_pii_key` re-encrypts every row before the old key is removed.

The blind index is an HMAC-SHA256 of the normalized value under a key derived (HKDF) from a PII
key. Rows carry the index under the newest key; a lookup computes it under every configured key, so
exact search keeps working in the middle of a rotation.
"""

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BLIND_INDEX_LENGTH = 64


@lru_cache(maxsize=4)
def _keys(raw_keys: tuple[str, ...]) -> tuple[MultiFernet, tuple[bytes, ...]]:
    fernets = []
    index_keys = []
    for position, raw in enumerate(raw_keys, start=1):
        try:
            fernets.append(Fernet(raw))
        except ValueError:
            raise ImproperlyConfigured(
                f"TONGZHOU_PII_KEY: key {position} is not a Fernet key (32 url-safe base64-encoded bytes);"
                " make one with `python manage.py generate_pii_key`."
            ) from None
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tongzhou-blind-index")
        index_keys.append(hkdf.derive(raw.encode()))
    return MultiFernet(fernets), tuple(index_keys)


def _configured() -> tuple[MultiFernet, tuple[bytes, ...]]:
    return _keys(tuple(settings.TONGZHOU_PII_KEYS))


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(value: str) -> str:
    return _configured()[0].encrypt(value.encode()).decode()


def encrypt_bytes(value: bytes) -> bytes:
    return _configured()[0].encrypt(value)


def decrypt_bytes(token: bytes) -> bytes:
    return _configured()[0].decrypt(token)


def decrypt(token: str) -> str:
    try:
        return _configured()[0].decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored personal-data value cannot be decrypted with any key in TONGZHOU_PII_KEY:"
            " a key was removed before `rotate_pii_key` re-encrypted the data."
        ) from None


def normalize(value: str) -> str:
    """Exact-match form: no spaces or dashes, upper case (the ID check digit may be x or X)."""
    return re.sub(r"[\s-]", "", value).upper()


def _hmac(key: bytes, value: str) -> str:
    return hmac.new(key, normalize(value).encode(), hashlib.sha256).hexdigest()


def blind_index(value: str) -> str:
    """The index stored with a row: under the newest key."""
    return _hmac(_configured()[1][0], value)


def blind_index_candidates(value: str) -> list[str]:
    """What a stored index may be, under any configured key: for lookups."""
    return [_hmac(key, value) for key in _configured()[1]]


def mask_id_number(value: str) -> str:
    """`520102199001011234` -> `5201**********1234`."""
    value = normalize(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """`13812345678` -> `138****5678`."""
    value = normalize(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(name: str) -> str:
    """张三丰 -> 张**: the family name stays, so a list can still be read aloud."""
    return name[:1] + "*" * max(len(name) - 1, 1)
