"""The shared cache when no Redis is configured: Django's database cache, cheaper writes.

Django's ``DatabaseCache.set`` spends six round trips on a write (a ``COUNT(*)`` of the
table to decide on culling, then BEGIN, SELECT, UPDATE or INSERT, COMMIT). On
PostgreSQL one ``INSERT … ON CONFLICT DO UPDATE`` does the same atomically, and the count
is only needed now and then: culling runs on about one write in ``CULL_EVERY`` (an
option, default 100), so the table may briefly exceed ``MAX_ENTRIES`` by that many rows.

``add`` and ``touch`` keep Django's implementation (rare, and ``add`` must compare
expiry times); reads are Django's too.
"""

from __future__ import annotations

import base64
import pickle
import random
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils.timezone import now as tz_now


class PostgresCache(DatabaseCache):
    def __init__(self, table: str, params: dict) -> None:
        super().__init__(table, params)
        options = params.get("OPTIONS", {})
        self._cull_every = max(1, int(options.get("CULL_EVERY", 100)))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor != "postgresql":  # pragma: no cover - the project runs on PG
            self._base_set("set", key, value, timeout)
            return
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        # The table name comes from settings (LOCATION), quoted; values are parameters.
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            # Autocommit makes the statement its own transaction; inside a caller's
            # transaction it joins it, as Django's implementation does.
            upsert = (
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608
                "ON CONFLICT (cache_key) DO UPDATE "
                "SET value = EXCLUDED.value, expires = EXCLUDED.expires"
            )
            cursor.execute(upsert, [key, encoded, expires])
            # A sampling decision, not a secret: random is the right tool.
            if random.randrange(self._cull_every) == 0:  # noqa: S311
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                count = cursor.fetchone()[0]
                if count > self._max_entries:
                    self._cull(db, cursor, tz_now().replace(microsecond=0), count)
