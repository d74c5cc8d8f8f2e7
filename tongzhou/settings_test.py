"""Settings for the test suite: the real settings with test-only secrets filled in.

The database comes from DATABASE_URL like everywhere else; `make test` runs the suite once on
SQLite and once on PostgreSQL (TEST_DATABASE_URL).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-000000000000")
# Two keys, newest first, so every test already runs with a rotated key list.
os.environ.setdefault(
    "TONGZHOU_PII_KEY",
    "dGVzdC1rZXktbmV3LTAwMDAwMDAwMDAwMDAwMDAwMDA=,dGVzdC1rZXktb2xkLTAwMDAwMDAwMDAwMDAwMDAwMDA=",
)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("TONGZHOU_DEMO", "true")
os.environ.setdefault("TONGZHOU_CONSOLE_MESSAGES_ALLOWED", "true")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ.setdefault("TONGZHOU_ROSTER_TIME_LIMIT", "5")
os.environ["REDIS_URL"] = ""

from tongzhou.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested explicitly
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Assertions read messages in English; the Chinese UI is exercised by the browser tests, which send
# zh-CN as their browser language (the product's default stays zh-hans, see test_i18n).
LANGUAGE_CODE = "en"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: an in-memory database shared between threads refuses concurrent writers
    # at once ("table is locked"), where the file database a deployment uses waits busy_timeout
    # and serializes them, which the concurrency tests rely on.
    # One file per run (named by the first process, inherited by the worker processes a test
    # starts), so two runs in one checkout do not write into each other's database.
    os.environ.setdefault("TONGZHOU_TEST_SQLITE", str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3"))  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TONGZHOU_TEST_SQLITE"]}  # noqa: F405
# The suite's own tests hold their data in uncommitted transactions a replica cannot see: the
# router sends nothing to it unless a test turns it on (core/tests/test_db_router.py, on the real
# standby of `scripts/pg_standby.sh`, with committed data).
REPLICA_READS = False
