"""Settings of the real qcluster workers that tests/operations/test_fault.py starts and kills.

The production settings, pointed at the test's database and blob directory, with a short
``retry``: a task whose worker died is handed out again once its lock expires (``retry``
seconds after it was taken), so a crash test waits ``retry`` seconds instead of half an hour.
"""

import os

from cigarspace.settings import *  # noqa: F403
from cigarspace.settings import DATABASES, Q_CLUSTER, STORAGES

DATABASES["default"]["NAME"] = os.environ["FAULT_DB_NAME"]
STORAGES = {
    **STORAGES,
    "blobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ["FAULT_BLOB_DIR"]},
    },
}
Q_CLUSTER = {
    **Q_CLUSTER,
    "workers": 1,
    "timeout": int(os.environ.get("FAULT_Q_TIMEOUT", "40")),
    "retry": int(os.environ.get("FAULT_Q_RETRY", "45")),
    "sync": False,
}
