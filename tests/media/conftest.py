"""Media tests: images made by Pillow (the per-test blob directory is in tests/conftest.py)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from media.models import MediaBlob


def stored_files(root: Path) -> list[Path]:
    """Files of the store, ignoring the (empty or not) staging directory."""
    if not root.exists():
        return []
    return sorted(
        p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.relative_to(root).parts
    )


def make_image(fmt: str = "JPEG", size: tuple[int, int] = (320, 200), color=(150, 90, 40)) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, color).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def jpeg_bytes() -> bytes:
    return make_image("JPEG", (320, 200))


@pytest.fixture
def png_bytes() -> bytes:
    return make_image("PNG", (64, 48))


@pytest.fixture
def webp_bytes() -> bytes:
    return make_image("WEBP", (1600, 1200))


def age_blob(blob, hours: float = 2) -> None:
    """Backdate a blob past prune's grace period."""
    MediaBlob.objects.filter(pk=blob.pk).update(created_at=blob.created_at - timedelta(hours=hours))
