"""Settings for the test suite: the production settings, with tasks run inline."""

from cigarspace.settings import *  # noqa: F403
from cigarspace.settings import Q_CLUSTER, STATIC_ROOT

# django-q2 reads Q_CLUSTER once at import, so "sync" must be set here rather than by
# override_settings: queued tasks then run in the calling thread.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}

# Outbound HTTP in tests only ever reaches the local fixture servers on 127.0.0.1.
HTTP_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]

# Tests run inside transactions that never commit, so the after-commit invalidation of
# cached search rankings never fires there: off by default, on in the tests of the cache.
CATALOGUE_SEARCH_CACHE_SECONDS = 0

# WhiteNoise indexes STATIC_ROOT whenever a test client builds its middleware chain, and
# warns each time it is missing; the tests never run collectstatic into it.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
