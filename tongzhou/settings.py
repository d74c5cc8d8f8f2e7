"""Settings, all from environment variables (and an optional `.env` file beside manage.py).

The typed helpers below fail loudly: a missing required variable or a value of the wrong shape
stops the process at start-up with the variable's name, rather than running half-configured.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env", override=False)

_UNSET = object()


def env_str(name: str, default: object = _UNSET) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return str(default)
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_hours_pairs(name: str) -> dict[str, tuple[int, int]]:
    """`key=URGENT/NORMAL,...` in hours, e.g. `medicine=2/12,groceries=4/24`."""
    pairs: dict[str, tuple[int, int]] = {}
    for item in env_list(name):
        key, _, hours = item.partition("=")
        urgent, _, normal = hours.partition("/")
        try:
            pairs[key.strip()] = (int(urgent), int(normal))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not key=URGENT/NORMAL in hours.") from None
        if min(pairs[key.strip()]) <= 0:
            raise ImproperlyConfigured(f"{name}: {item!r} needs hours above zero.")
    return pairs


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters when DEBUG is off.")
# Comma-separated Fernet keys, newest first. See docs/deploy.md, "Rotating the personal-data key".
TONGZHOU_PII_KEYS = env_list("TONGZHOU_PII_KEY")
if not TONGZHOU_PII_KEYS:
    raise ImproperlyConfigured("The environment variable TONGZHOU_PII_KEY is required.")
# Demo mode allows `load_demo` and its well-known passwords; never on a real deployment.
TONGZHOU_DEMO = env_bool("TONGZHOU_DEMO", False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address people open the site at, for links in messages sent without a request at hand (an
# approval asked for): by default the first allowed host over HTTPS, or the demo's address.
TONGZHOU_SITE_URL = env_str(
    "TONGZHOU_SITE_URL",
    "http://127.0.0.1:8000" if DEBUG or not ALLOWED_HOSTS else f"https://{ALLOWED_HOSTS[0].lstrip('.')}",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "tongzhou.core",
    "tongzhou.places",
    "tongzhou.accounts",
    "tongzhou.people",
    "tongzhou.alerts",
    "tongzhou.assistance",
    "tongzhou.monitoring",
    "tongzhou.volunteers",
    "tongzhou.checkpoints",
    "tongzhou.testing",
    "tongzhou.supplies",
    "tongzhou.notices",
    "tongzhou.welfare",
    "tongzhou.reports",
    "tongzhou.portal",
    "tongzhou.scale",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # A gate device's scan goes from here on a shorter way (the middleware it needs, not sessions,
    # CSRF, log-in or messages): see its module.
    "tongzhou.checkpoints.middleware.DeviceScanMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongzhou.accounts.middleware.DemoNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "tongzhou.accounts.middleware.IdleTimeoutMiddleware",
    "tongzhou.accounts.access.DeclaredAccessMiddleware",
    "tongzhou.core.db_router.ReplicaMiddleware",
]

ROOT_URLCONF = "tongzhou.urls"
WSGI_APPLICATION = "tongzhou.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "root"  # where each role's work is (reports.views.landing)
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongzhou.accounts.context_processors.navigation",
                "tongzhou.alerts.context_processors.inbox",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the demo's readers and one writer work at once; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock of deferred transactions.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_SCANS", True):
    # Django turns prepared statements off (prepare_threshold None), which also refuses the gate
    # scan's explicit prepare=True. A threshold nobody reaches prepares only those statements:
    # Django's own cursors bind on the client and are never prepared.
    DATABASES["default"]["OPTIONS"] = {"prepare_threshold": 2**31 - 1}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A streaming replica for the read-heavy pages (tongzhou.core.db_router): reports, dashboards,
# drill-downs, exports, the public ledger and the daily report API read there once it has replayed
# the reader's own last write; everything else, and every write, uses the primary.
REPLICA_DATABASE_URL = env_str("REPLICA_DATABASE_URL", "")
REPLICA_READS = bool(REPLICA_DATABASE_URL)
REPLICA_MAX_LAG_SECONDS = env_float("REPLICA_MAX_LAG_SECONDS", 10.0)
REPLICA_RETRY_SECONDS = env_float("REPLICA_RETRY_SECONDS", 10.0)
if REPLICA_DATABASE_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("REPLICA_DATABASE_URL needs a PostgreSQL DATABASE_URL (the primary it replicates)")
    DATABASES["replica"] = dj_database_url.parse(REPLICA_DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("REPLICA_DATABASE_URL must be a postgres:// URL")
    # A replica that does not answer costs a page at most this long, once per REPLICA_RETRY_SECONDS.
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "connect_timeout": env_int("REPLICA_CONNECT_TIMEOUT", 2),
    }
    # The test run makes no database on the replica: it reads its copy of the primary's.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tongzhou.core.db_router.ReplicaRouter"]

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TIMEZONE = "Asia/Shanghai"
# Workers and queues (docs/deploy.md, "Celery workers and queues"). Every task has its queue here
# (core/tests/test_celery_queues.py), so a long import never waits behind a mass send or the
# other way round; beat's small jobs go to `default`. TONGZHOU_QUEUE_PREFIX keeps the queues of
# two deployments (or a test's worker) on one Redis apart.
TONGZHOU_QUEUE_PREFIX = env_str("TONGZHOU_QUEUE_PREFIX", "")
TONGZHOU_TASK_QUEUES = {
    "tongzhou.core.outbox.tasks.send_outbox": "messages",
    "tongzhou.core.outbox.tasks.send_outbox_due": "messages",
    "tongzhou.notices.tasks.send_notice_texts": "messages",
    "tongzhou.notices.tasks.send_notice_texts_due": "messages",
    "tongzhou.core.imports.tasks.check_import": "imports",
    "tongzhou.core.imports.tasks.run_import": "imports",
    "tongzhou.reports.tasks.snapshot_today": "reports",
    "tongzhou.supplies.tasks.check_ledger": "reports",
    "tongzhou.volunteers.tasks.solve_roster": "solver",
    "tongzhou.assistance.tasks.auto_confirm": "default",
    "tongzhou.monitoring.tasks.escalate": "default",
    "tongzhou.monitoring.tasks.purge": "default",
    "tongzhou.testing.tasks.purge": "default",
    "tongzhou.checkpoints.tasks.maintain_partitions": "default",
    "tongzhou.core.tasks.maintain_partitions": "default",
}
CELERY_TASK_DEFAULT_QUEUE = f"{TONGZHOU_QUEUE_PREFIX}default"
# A worker started without -Q consumes every queue (one host); with -Q, only those named.
CELERY_TASK_QUEUES = [Queue(f"{TONGZHOU_QUEUE_PREFIX}{queue}") for queue in sorted(set(TONGZHOU_TASK_QUEUES.values()))]
CELERY_TASK_ROUTES = {
    name: {"queue": f"{TONGZHOU_QUEUE_PREFIX}{queue}"} for name, queue in TONGZHOU_TASK_QUEUES.items()
}
# A task is acknowledged when it has finished, not when a worker takes it: a worker killed in the
# middle (kill -9, OOM, a lost machine) leaves it unacknowledged and Redis hands it out again
# after the visibility timeout; a pool child that dies is noticed by its parent at once, which
# gives the task back (reject_on_worker_lost). Every task is idempotent by key (the docstring of
# each says why), so running one again does its work once. A worker takes one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How long Redis waits for a taken task's acknowledgement before it gives the task to another
# worker. It must exceed the longest task (a 100,000-row import, the city's daily snapshot), or a
# task still running is started a second time; the hard time limit below keeps every task under
# it. Because a delayed task (countdown, ETA) is also taken at once and held unacknowledged, no
# task is published with a delay longer than this (the guard in tongzhou/celery.py): delayed work
# is kept in the database and released by beat's sweeps (the outbox's next_attempt_at).
CELERY_VISIBILITY_TIMEOUT = env_int("TONGZHOU_CELERY_VISIBILITY_TIMEOUT", 60 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for tasks whose visibility timeout has run out (a killed worker's).
    "unacked_restore_interval": env_int("TONGZHOU_CELERY_RESTORE_SECONDS", 60),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_TIME_LIMIT = max(1, CELERY_VISIBILITY_TIMEOUT * 9 // 10)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work for `celery beat`; each task also has a management command for cron.
CELERY_BEAT_SCHEDULE = {
    "help-requests-auto-confirm": {"task": "tongzhou.assistance.tasks.auto_confirm", "schedule": 15 * 60},
    "monitoring-escalate": {"task": "tongzhou.monitoring.tasks.escalate", "schedule": 10 * 60},
    "monitoring-purge": {"task": "tongzhou.monitoring.tasks.purge", "schedule": 6 * 60 * 60},
    "supplies-ledger-check": {"task": "tongzhou.supplies.tasks.check_ledger", "schedule": 24 * 60 * 60},
    "testing-purge": {"task": "tongzhou.testing.tasks.purge", "schedule": 6 * 60 * 60},
    "partitions": {"task": "tongzhou.core.tasks.maintain_partitions", "schedule": 6 * 60 * 60},
    "outbox-retries": {"task": "tongzhou.core.outbox.tasks.send_outbox_due", "schedule": 60},
    "notice-texts": {"task": "tongzhou.notices.tasks.send_notice_texts_due", "schedule": 60},
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Password spraying (a few tries at many usernames) passes the per-username lock-out: past this many
# failed log-ins from one address within an hour, that address may not try at all until the hour
# is over. Counted in the cache, shared by all workers through Redis.
TONGZHOU_LOGIN_FAILURES_PER_ADDRESS = env_int("TONGZHOU_LOGIN_FAILURES_PER_ADDRESS", 20)
# The public volunteer sign-up: accepted sign-ups from one address within an hour, and with one
# phone number within a day, before the form refuses more (refused attempts do not count).
TONGZHOU_SIGNUPS_PER_ADDRESS = env_int("TONGZHOU_SIGNUPS_PER_ADDRESS", 20)
TONGZHOU_SIGNUPS_PER_PHONE = env_int("TONGZHOU_SIGNUPS_PER_PHONE", 3)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tongzhou" / "locale"]
FORMAT_MODULE_PATH = ["tongzhou.core.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security headers. The content security policy applies in every mode so that a page that would
# break under it breaks in development too; cookies are HTTPS-only when DEBUG is off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
# A logged-in session ends after this many minutes without a request (0: only at SESSION_COOKIE_AGE).
TONGZHOU_IDLE_MINUTES = env_int("TONGZHOU_IDLE_MINUTES", 60)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Where the log-in audit takes the client address from. Behind nginx set BEHIND_PROXY=true so
# X-Forwarded-For (which nginx overwrites) is trusted; otherwise only REMOTE_ADDR is.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("BEHIND_PROXY", False) else ["REMOTE_ADDR"]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Where messages to residents and volunteers go: a class with send(Message). Default: the log.
TONGZHOU_MESSAGE_BACKEND = env_str("TONGZHOU_MESSAGE_BACKEND", "tongzhou.core.messaging.ConsoleBackend")
# The console backend only logs (masked): with DEBUG off it must be allowed explicitly.
TONGZHOU_CONSOLE_MESSAGES_ALLOWED = env_bool("TONGZHOU_CONSOLE_MESSAGES_ALLOWED", False)
if (
    not DEBUG
    and TONGZHOU_MESSAGE_BACKEND == "tongzhou.core.messaging.ConsoleBackend"
    and not TONGZHOU_CONSOLE_MESSAGES_ALLOWED
):
    raise ImproperlyConfigured(
        "TONGZHOU_MESSAGE_BACKEND is the console (messages to residents go to the log, not to them) and "
        "DEBUG is off: set a gateway backend, or TONGZHOU_CONSOLE_MESSAGES_ALLOWED=true to run so on purpose."
    )
# The HTTP SMS gateway (TONGZHOU_MESSAGE_BACKEND=tongzhou.core.messaging.HttpSmsGateway): where to
# post, its key, the template id it is given, and the most messages a second it takes (0: no limit).
TONGZHOU_SMS_GATEWAY_URL = env_str("TONGZHOU_SMS_GATEWAY_URL", "")
TONGZHOU_SMS_GATEWAY_KEY = env_str("TONGZHOU_SMS_GATEWAY_KEY", "")
TONGZHOU_SMS_TEMPLATE = env_str("TONGZHOU_SMS_TEMPLATE", "")
TONGZHOU_SMS_RATE = env_int("TONGZHOU_SMS_RATE", 0)
# The key delivery receipts are signed with (HMAC-SHA256 of the body); without one every receipt is refused.
TONGZHOU_SMS_RECEIPT_KEY = env_str("TONGZHOU_SMS_RECEIPT_KEY", "")
# The outbox: seconds before a retry (doubled each time), attempts before a message is failed, and
# seconds after which a message a killed worker left "sending" is sent again (same idempotency key).
TONGZHOU_MESSAGE_RETRY_SECONDS = env_int("TONGZHOU_MESSAGE_RETRY_SECONDS", 30)
TONGZHOU_MESSAGE_MAX_ATTEMPTS = env_int("TONGZHOU_MESSAGE_MAX_ATTEMPTS", 5)
TONGZHOU_MESSAGE_CLAIM_SECONDS = env_int("TONGZHOU_MESSAGE_CLAIM_SECONDS", 300)
# How long a resident's personal link works, in days.
TONGZHOU_PERSONAL_LINK_DAYS = env_int("TONGZHOU_PERSONAL_LINK_DAYS", 30)
# The positive rate per person assumed for pool advice before any round has results in the area.
TONGZHOU_TESTING_DEFAULT_POSITIVE_RATE = float(os.environ.get("TONGZHOU_TESTING_DEFAULT_POSITIVE_RATE", "0.001"))
# Hours after a lab received a box by which its tubes should have results (reconciliation).
TONGZHOU_TESTING_RESULT_HOURS = env_int("TONGZHOU_TESTING_RESULT_HOURS", 24)
TONGZHOU_IMPORT_MAX_ROWS = env_int("TONGZHOU_IMPORT_MAX_ROWS", 200_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Help requests: hours from intake to the due time per category, urgent/normal, overriding the
# defaults in tongzhou/assistance/models.py for the categories named; and the hours after which a
# done request that the resident has not confirmed is confirmed automatically.
TONGZHOU_HELP_SLA_HOURS = env_hours_pairs("TONGZHOU_HELP_SLA_HOURS")
TONGZHOU_HELP_AUTO_CONFIRM_HOURS = env_int("TONGZHOU_HELP_AUTO_CONFIRM_HOURS", 72)

# Key persons: days of each kind of isolation order ("7+7": 7 days of it, then 7 of home health
# monitoring); the daily check times (Asia/Shanghai); minutes after a check time before it counts
# as overdue; hours after a missed check time before community staff, then the health officer,
# are alerted; days after release that detailed health data is kept; the fever threshold.
TONGZHOU_ISOLATION_DAYS = env_str("TONGZHOU_ISOLATION_DAYS", "home_isolation=14,home_monitoring=7,centralized=7+7")
TONGZHOU_CHECK_TIMES = env_list("TONGZHOU_CHECK_TIMES", "08:00,20:00")
TONGZHOU_CHECK_GRACE_MINUTES = env_int("TONGZHOU_CHECK_GRACE_MINUTES", 120)
TONGZHOU_ESCALATE_STAFF_HOURS = env_int("TONGZHOU_ESCALATE_STAFF_HOURS", 4)
TONGZHOU_ESCALATE_HEALTH_HOURS = env_int("TONGZHOU_ESCALATE_HEALTH_HOURS", 12)
TONGZHOU_HEALTH_RETENTION_DAYS = env_int("TONGZHOU_HEALTH_RETENTION_DAYS", 30)
# Whole months of health checks dropped after this many months (0: off; the per-order purge above
# is the data rule, this a backstop). See tongzhou/monitoring/partitions.py.
TONGZHOU_HEALTH_CHECK_RETENTION_MONTHS = env_int("TONGZHOU_HEALTH_CHECK_RETENTION_MONTHS", 0)
# Whole months of testing samples (by their round's first day) dropped after this many months (0:
# off; the per-round results purge after TONGZHOU_HEALTH_RETENTION_DAYS is the data rule, this a
# backstop for rounds never closed). See tongzhou/testing/partitions.py.
TONGZHOU_SAMPLE_RETENTION_MONTHS = env_int("TONGZHOU_SAMPLE_RETENTION_MONTHS", 0)
TONGZHOU_FEVER_CELSIUS = float(env_str("TONGZHOU_FEVER_CELSIUS", "37.3"))

# Duty rosters: the solver's rules and its time limit in seconds (see tongzhou/volunteers/roster.py).
TONGZHOU_ROSTER_REST_HOURS = env_int("TONGZHOU_ROSTER_REST_HOURS", 11)
TONGZHOU_ROSTER_MAX_WEEK_HOURS = env_int("TONGZHOU_ROSTER_MAX_WEEK_HOURS", 48)
TONGZHOU_ROSTER_MAX_CONSECUTIVE_DAYS = env_int("TONGZHOU_ROSTER_MAX_CONSECUTIVE_DAYS", 6)
TONGZHOU_ROSTER_MIN_REST_HOURS = env_int("TONGZHOU_ROSTER_MIN_REST_HOURS", 8)
TONGZHOU_ROSTER_MAX_CONTINUOUS_HOURS = env_int("TONGZHOU_ROSTER_MAX_CONTINUOUS_HOURS", 12)
TONGZHOU_ROSTER_TIME_LIMIT = env_int("TONGZHOU_ROSTER_TIME_LIMIT", 30)
# A check-out this soon after the check-in (or before the shift starts) asks the volunteer to confirm.
TONGZHOU_CHECKOUT_CONFIRM_MINUTES = env_int("TONGZHOU_CHECKOUT_CONFIRM_MINUTES", 30)

# Gates: outings a household may make per day under controlled management and for how long; how far
# ahead of the server a device's clock may be before the scan is flagged; how many months of
# passages are kept (older monthly partitions are dropped); the largest batch a device may post.
TONGZHOU_OUTINGS_PER_DAY = env_int("TONGZHOU_OUTINGS_PER_DAY", 1)
TONGZHOU_OUTING_HOURS = env_int("TONGZHOU_OUTING_HOURS", 4)
TONGZHOU_CLOCK_SKEW_SECONDS = env_int("TONGZHOU_CLOCK_SKEW_SECONDS", 120)
TONGZHOU_PASSAGE_RETENTION_MONTHS = env_int("TONGZHOU_PASSAGE_RETENTION_MONTHS", 6)
TONGZHOU_PASSAGE_BATCH_MAX = env_int("TONGZHOU_PASSAGE_BATCH_MAX", 10_000)

# Months of outbox messages kept (they carry phone numbers); older monthly partitions are dropped
# with their taken keys (0: kept for ever). See tongzhou/core/outbox/partitions.py.
TONGZHOU_OUTBOX_RETENTION_MONTHS = env_int("TONGZHOU_OUTBOX_RETENTION_MONTHS", 6)

# The TrueType font (.ttf/.ttc) embedded in every PDF: Debian's fonts-wqy-zenhei by default.
TONGZHOU_PDF_FONT = env_str("TONGZHOU_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

# Pages per list, one place to tune.
TONGZHOU_PAGE_SIZE = env_int("TONGZHOU_PAGE_SIZE", 50)

# Uploaded files (story photos, notice attachments), through Django's default storage; never served as static files:
# the app's views serve each one after checking who may see it.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# A requisition whose approved lines come to more than this many packs (quantity ÷ the item's pack
# size, summed) needs a second person's approval: items carry no price, packs compare across items.
TONGZHOU_SUPPLIES_SECOND_APPROVAL_PACKS = env_int("TONGZHOU_SUPPLIES_SECOND_APPROVAL_PACKS", 20)
# The daily report (日报): communities' figures are snapshotted at the cut-off (local time, HH:MM),
# which is also the community's sign-off deadline; the street, the district and the city each sign
# by their own deadline, later than the level below.
TONGZHOU_REPORT_CUTOFF = env_str("TONGZHOU_REPORT_CUTOFF", "16:00")
TONGZHOU_REPORT_STREET_DEADLINE = env_str("TONGZHOU_REPORT_STREET_DEADLINE", "17:00")
TONGZHOU_REPORT_DISTRICT_DEADLINE = env_str("TONGZHOU_REPORT_DISTRICT_DEADLINE", "18:00")
TONGZHOU_REPORT_CITY_DEADLINE = env_str("TONGZHOU_REPORT_CITY_DEADLINE", "19:00")
CELERY_BEAT_SCHEDULE["daily-report-snapshots"] = {
    "task": "tongzhou.reports.tasks.snapshot_today",
    "schedule": crontab(
        hour=int(TONGZHOU_REPORT_CUTOFF.split(":")[0]), minute=int(TONGZHOU_REPORT_CUTOFF.split(":")[1] or 0)
    ),
}
# A purchase out of a fund for more than this many yuan needs a second person's approval
# (/approvals/) before its goods are received and its money counts as spent.
TONGZHOU_SUPPLIES_PURCHASE_SECOND_APPROVAL = Decimal(env_str("TONGZHOU_SUPPLIES_PURCHASE_SECOND_APPROVAL", "5000"))
