"""Secrets handed out once (API and device tokens, a lab's token, a resident's personal link) are
kept only as a digest: the database cannot be read back into working tokens."""

import hashlib


def token_digest(raw: str) -> str:
    """The SHA-256 of a token, hex: what is stored and looked up."""
    return hashlib.sha256(raw.encode()).hexdigest()
