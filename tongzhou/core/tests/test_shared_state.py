"""Several app servers share what one request leaves for the next (issue #22): sessions and
django-axes' lock-outs in the database, rate limits and the cache in Redis. bench/app_servers.py
shows it on two real gunicorns behind nginx; here, the pieces that make it so, fast."""

import os
import runpy
import socket
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import override_settings

from tongzhou.core import ratelimit
from tongzhou.core.apps import check_shared_cache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SETTINGS = Path(settings.BASE_DIR) / "tongzhou" / "settings.py"
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _settings_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    """tongzhou/settings.py as a deployment reads it, with these environment variables."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_with_redis_url_the_cache_and_the_broker_are_redis(monkeypatch):
    loaded = _settings_with(monkeypatch, REDIS_URL="redis://10.0.0.5:6379/0")
    assert loaded["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://10.0.0.5:6379/0"}
    }
    assert loaded["CELERY_BROKER_URL"] == "redis://10.0.0.5:6379/0"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False
    # Sessions are not in the cache: Django's default, the database, on every setting of REDIS_URL.
    assert "SESSION_ENGINE" not in loaded


def test_without_redis_url_the_cache_is_per_process_and_the_deploy_check_says_so(monkeypatch):
    loaded = _settings_with(monkeypatch, REDIS_URL="")
    assert loaded["CACHES"] == LOCMEM
    with override_settings(CACHES=LOCMEM, DEBUG=False):
        assert [m.id for m in check_shared_cache()] == ["tongzhou.W011"]
    with override_settings(CACHES=LOCMEM, DEBUG=True):
        assert check_shared_cache() == []
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    with override_settings(CACHES=redis_cache, DEBUG=False):
        assert check_shared_cache() == []


@pytest.mark.django_db
def test_sessions_and_lockouts_are_rows_in_the_database(client):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    session = SessionStore()
    session["seen"] = 1
    session.create()
    # Another process opens it from the table: nothing of it is only in this one's memory.
    assert Session.objects.get(session_key=session.session_key).get_decoded() == {"seen": 1}

    response = client.post("/accounts/login/", {"username": "nobody-here", "password": "wrong-password"})
    assert response.status_code == 200
    assert AccessAttempt.objects.filter(username="nobody-here", failures_since_start=1).exists()


def test_the_rate_limit_counts_in_redis_where_another_process_reads_it():
    url = urlparse(REDIS_URL)
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=1).close()
    except OSError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL)")
    import redis

    prefix = f"tz-test-{uuid.uuid4().hex[:8]}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    other = redis.Redis.from_url(REDIS_URL)  # its own connection, as another app server has
    key = f"{prefix}:1:{ratelimit._key('test-bucket', '203.0.113.9')}"
    try:
        with override_settings(CACHES=caches):
            assert [ratelimit.rate_hit("test-bucket", "203.0.113.9", window_seconds=60) for _ in range(3)] == [1, 2, 3]
            assert other.get(key) == b"3"
            assert 0 < other.ttl(key) <= 60
            other.incr(key)  # a hit counted by another app server
            assert ratelimit.rate_count("test-bucket", "203.0.113.9") == 4
            cache.close()
    finally:
        other.delete(key)
        other.close()
