"""The demo DGDDI editions that ``make demo`` ingests (data in ``editions``, files built by
``python -m customs.demo.build``)."""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
