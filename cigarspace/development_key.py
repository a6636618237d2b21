"""The secret key of a development installation: random, made on first run, kept in the
data directory.

A key written in the source is public, and whatever it signs can be forged by anyone who
reads the repository (a year-long JWT signed with the former development key was
accepted by ``make demo``). So a development run without ``SECRET_KEY`` uses a key of its
own installation instead: 64 random bytes made the first time, stored with owner-only
permissions in ``CIGARSPACE_DATA_DIR``, and read back afterwards so sessions and tokens
survive restarts. Production never gets here: with ``DEBUG`` off a missing ``SECRET_KEY``
fails the system checks (``cigarspace.checks``) — several web nodes must share one key,
which a per-node file cannot give.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_FILE_NAME = "development-secret-key"
KEY_BYTES = 64
MINIMUM_LENGTH = 50


def development_secret_key(data_dir: Path) -> str:
    """The installation's key, made if absent. The file appears whole or not at all (a
    hard link of a complete temporary file), so concurrent first runs agree on one key."""
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = data_dir / f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
            # Another process may have made it first: its key is then the key.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < MINIMUM_LENGTH:
        raise ImproperlyConfigured(
            f"{path} does not hold a usable key: delete it to make a new one, or set SECRET_KEY."
        )
    return key
