"""What every part of the settings needs first: the environment reader, ``DEBUG`` and the
data directory."""

from __future__ import annotations

from pathlib import Path

from cigarspace.env import Env

# The repository (cigarspace/settings/base.py → three levels up).
BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = Env()

DEBUG = env.bool("DEBUG", default=False)

CIGARSPACE_DATA_DIR = env.path("CIGARSPACE_DATA_DIR", default=BASE_DIR / ".cigarspace")
