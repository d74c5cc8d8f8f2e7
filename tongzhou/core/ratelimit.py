"""Counters in a fixed time window, kept in Django's cache so every worker shares them (Redis when
REDIS_URL is set; per-process memory otherwise, which is one process on a laptop install)."""

import hashlib

from django.core.cache import cache


def _key(bucket: str, key: str) -> str:
    return f"tz:rate:{bucket}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def rate_count(bucket: str, key: str) -> int:
    """How many hits `key` has in `bucket`'s current window."""
    return int(cache.get(_key(bucket, key), 0))


def rate_hit(bucket: str, key: str, *, window_seconds: int) -> int:
    """Count one hit for `key` and return the count. The window starts at the first hit; the
    increment is atomic on Redis."""
    name = _key(bucket, key)
    cache.add(name, 0, timeout=window_seconds)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window_seconds)
        return 1
