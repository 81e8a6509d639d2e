"""Settings for tcm.

Everything comes from environment variables (or an optional `.env` beside manage.py).
The defaults are "embedded": SQLite and a filesystem message broker inside TCM_DATA_DIR, so
the app runs on a machine that has nothing but Python. README.md lists every variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is optional; real environment variables win over it.
ENV_FILE = Path(os.environ.get("TCM_ENV_FILE", BASE_DIR / ".env"))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

# --- Data directory
DATA_DIR = Path(env.str("TCM_DATA_DIR", default=str(BASE_DIR / "data"))).expanduser().resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_from_file(name: str, make: Callable[[], str]) -> str:
    """Read a generated secret from the data dir, creating it (mode 600) on first use.

    Generated once and kept, so that sessions and encrypted values survive restarts
    without anyone having to invent a key.
    """
    path = DATA_DIR / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    value = make()
    # O_EXCL: when web, worker and beat start together only one of them writes the file.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _secret_from_file(
    "secret_key", lambda: secrets.token_urlsafe(50)
)


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


# Keys that encrypt Plex tokens, Tautulli API keys and webhook secrets at rest. A comma-separated
# list: the first one encrypts, every one decrypts (rotation: put a new key first, run
# `manage.py rotate_secrets`, then drop the old key).
TCM_ENCRYPTION_KEYS = env.list("TCM_ENCRYPTION_KEYS", default=[]) or [
    _secret_from_file("encryption_key", _fernet_key)
]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
# The health probes (./tcm run, Docker's healthcheck) ask on loopback whatever the list says.
ALLOWED_HOSTS += [h for h in ("localhost", "127.0.0.1", "[::1]") if h not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Where Tautulli reaches tcm (scheme://host[:port][/prefix]); used to build webhook URLs.
TCM_PUBLIC_URL = env.str("TCM_PUBLIC_URL", default="").rstrip("/")

# --- Applications
INSTALLED_APPS = [
    "tcm_site.adminsite.TcmAdminConfig",  # django.contrib.admin, with tcm's front page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "tcm_site",
    "connections",
    "cards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tcm_site.urls"
WSGI_APPLICATION = "tcm_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tcm_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database
# An empty DATABASE_URL (a .env template's "DATABASE_URL=") means the default, as an empty
# REDIS_URL does, instead of a KeyError from the URL parser.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'tcm.sqlite3'}"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to one file: WAL lets readers and a writer overlap, IMMEDIATE
    # transactions take the write lock up front (no "database is locked" on upgrade), and the
    # timeout lets a writer wait for another instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Connections are kept between requests, SQLite's too: opening one runs the PRAGMAs above and
# closing the last one checkpoints the WAL, which cost more than the webhook's whole work.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Files
STATIC_URL = "static/"
# The Docker image collects static files at build time, outside the data volume.
STATIC_ROOT = Path(env.str("TCM_STATIC_ROOT", default=str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Files served at the site's root (whitenoise): the favicon browsers ask every site for.
WHITENOISE_ROOT = BASE_DIR / "tcm_site" / "root"
# Rendered cards, cached source images and uploaded fonts. Never served publicly: the admin
# streams card images through a login-protected view.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Redis, Celery, cache, locks
REDIS_URL = env.str("REDIS_URL", default="")

CELERY_TASK_DEFAULT_QUEUE = env.str("TCM_QUEUE", default="tcm")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only when it has finished, and handed back to the queue when the process
# running it dies, so that a crash in the middle of a render does not lose the work.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker whose broker went away tries again every 2 s (tcm_site/consumer.py), for as long as it
# takes: Celery's 100 tries would end the worker after a few minutes of a Redis outage.
CELERY_WORKER_CONSUMER = "tcm_site.consumer:Consumer"
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# django-celery-beat's scheduler, with a job that never ran due seconds after beat starts.
CELERY_BEAT_SCHEDULER = "tcm_site.beat:Scheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The niceness of a worker's pool processes, the ones that render (0: as the rest). Rendering
# takes every core it is given; the web server, beside it at the normal priority, still answers
# Tautulli's posts at once while a burst of cards is drawn. The worker's main process (it fetches
# tasks and relays stored webhook events) keeps its own priority.
TCM_WORKER_NICE = env.int("TCM_WORKER_NICE", default=10)

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # An unacknowledged task comes back after this long if its worker vanished entirely.
        "visibility_timeout": env.int("TCM_VISIBILITY_TIMEOUT", default=3600),
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {}
    if prefix := env.str("TCM_REDIS_PREFIX", default=""):
        # Lets several installations (or test runs) share one Redis without seeing each other.
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = prefix
        CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["global_keyprefix"] = prefix
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix or "tcm",
        }
    }
else:
    # No server needed: messages are files in the data dir. Single machine only, which is what
    # the embedded mode is for.
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        # How long the worker sleeps when it finds no message it may take (kombu's default: 1 s).
        # With one task prefetched at a time (acks late), it finds none while a task runs, so
        # every queued task waited out the rest of that second after the one before it: a burst
        # of six one-card tasks took six seconds. A tenth costs ten directory listings a second.
        "polling_interval": 0.1,
    }
    (DATA_DIR / "results").mkdir(exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{DATA_DIR / 'results'}"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Security
# tcm usually runs on a LAN over plain http (Tautulli posts to it there), so https-only settings
# are opt-in; behind a TLS proxy set TCM_HTTPS=true.
TCM_HTTPS = env.bool("TCM_HTTPS", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = TCM_HTTPS
CSRF_COOKIE_SECURE = TCM_HTTPS
SECURE_SSL_REDIRECT = TCM_HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if TCM_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = TCM_HTTPS
SECURE_HSTS_PRELOAD = False
if not TCM_HTTPS:
    # Plain http on a LAN is a deliberate choice here (Tautulli posts to tcm over it), so the
    # https-only deployment checks do not apply; with TCM_HTTPS=true they all do.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]
if env.bool("TCM_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# --- Logging
LOG_LEVEL = env.str("TCM_LOG_LEVEL", default="INFO").upper()
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "tcm_site.logs.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # plexapi logs every request URL at DEBUG, tokens included; the filter redacts them, and
        # INFO keeps the noise down.
        "plexapi": {"level": "INFO"},
        "urllib3": {"level": "WARNING"},
        # redis-py logs connection chatter at DEBUG (and at interpreter exit, after handlers
        # are gone).
        "redis": {"level": "WARNING"},
    },
}

# --- tcm
# How long an identical webhook post (same connection, key and event) is stored as the duplicate
# of one still waiting for a worker (README: what a later one does).
TCM_WEBHOOK_DEDUPE_SECONDS = env.int("TCM_WEBHOOK_DEDUPE_SECONDS", default=10)
# The largest webhook body accepted.
TCM_WEBHOOK_MAX_BYTES = 64 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, TCM_WEBHOOK_MAX_BYTES)

# --- Plex work (cards/sync.py, cards/card.py; what a failure does: cards/failures.py)
# Items per request when walking a library (plexapi's container size).
TCM_PLEX_PAGE_SIZE = env.int("TCM_PLEX_PAGE_SIZE", default=500)
# Transient failures (Plex down, timing out, 5xx) are retried with exponential backoff and jitter:
# base * 2**n seconds, at most TCM_RETRY_MAX_DELAY, until TCM_RETRY_LIMIT attempts were made.
TCM_RETRY_BASE_DELAY = env.float("TCM_RETRY_BASE_DELAY", default=30)
TCM_RETRY_MAX_DELAY = env.float("TCM_RETRY_MAX_DELAY", default=1800)
TCM_RETRY_LIMIT = env.int("TCM_RETRY_LIMIT", default=8)
# When another task is working on the same episode, try again after about this long.
TCM_LOCK_RETRY_DELAY = env.float("TCM_LOCK_RETRY_DELAY", default=5)
# A lock's holder renews it every third of this many seconds while it lives; a holder that died
# (a killed worker) keeps the others out for at most this long.
TCM_LOCK_LEASE = env.float("TCM_LOCK_LEASE", default=30)
# Tautulli reports "watched" before Plex flips the episode (its threshold is lower): re-check Plex
# after each of these delays (seconds, about 15 minutes in all) until it agrees.
TCM_WATCHED_RECHECK_DELAYS = [
    float(d)
    for d in env.list("TCM_WATCHED_RECHECK_DELAYS", default=[20, 40, 60, 90, 120, 150, 180, 240])
]

# How often each worker's relay looks for stored webhook events to queue (cards/relay.py).
TCM_EVENT_RELAY_INTERVAL = env.float("TCM_EVENT_RELAY_INTERVAL", default=0.2)

# --- The schedule (cards/maintenance.py; the intervals themselves are edited in the admin)
# A pending webhook event whose task has not started this many seconds after it was queued (or
# after its retry was due) counts as lost and is queued again by the sweeper.
TCM_EVENT_DISPATCH_GRACE = env.int("TCM_EVENT_DISPATCH_GRACE", default=300)
# The task running an event marks it alive every third of this many seconds; an event "running"
# whose mark is older lost its worker (killed whole: SIGKILL, OOM, docker kill) and is taken over
# by the relay of a worker that lives (cards/relay.py).
TCM_EVENT_HEARTBEAT = env.float("TCM_EVENT_HEARTBEAT", default=30)
# An event still "running" after this many seconds without any mark (one stored before marks
# existed) lost its worker and is queued again.
TCM_EVENT_RUNNING_TIMEOUT = env.int("TCM_EVENT_RUNNING_TIMEOUT", default=1800)
# The most render tasks one "render and upload due cards" run queues (the rest wait for the next).
TCM_RENDER_DUE_LIMIT = env.int("TCM_RENDER_DUE_LIMIT", default=5000)
# Rows per read when a job walks the episodes (cards/jobs.py's in_batches): each read is taken
# whole before the job writes, so memory, not correctness, bounds it.
TCM_JOB_BATCH_SIZE = env.int("TCM_JOB_BATCH_SIZE", default=500)
# How long clean_up keeps finished webhook events, failed ones, and job runs (days).
TCM_KEEP_EVENTS_DAYS = env.int("TCM_KEEP_EVENTS_DAYS", default=7)
TCM_KEEP_FAILED_EVENTS_DAYS = env.int("TCM_KEEP_FAILED_EVENTS_DAYS", default=30)
TCM_KEEP_JOB_RUNS_DAYS = env.int("TCM_KEEP_JOB_RUNS_DAYS", default=14)
TCM_KEEP_CARD_EVENTS_DAYS = env.int("TCM_KEEP_CARD_EVENTS_DAYS", default=90)
