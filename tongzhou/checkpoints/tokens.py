"""The text in a pass's QR code: `TZP1.<nonce>:<signature>`, the nonce random (128 bits) and signed
with the site's key, so a token cannot be guessed or forged, and a new nonce for every issue means
a revoked pass's token never works again. Gate devices cache only SHA-256 digests of tokens."""

import secrets

from django.core import signing

PREFIX = "TZP1."
_SIGNER = signing.Signer(salt="tongzhou.checkpoints.pass")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def make_token(nonce: str) -> str:
    return PREFIX + _SIGNER.sign(nonce)


def read_token(token: str) -> str | None:
    """The nonce of a genuine token, or None for a forged or garbled one."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    try:
        return _SIGNER.unsign(token[len(PREFIX) :])
    except signing.BadSignature:
        return None
