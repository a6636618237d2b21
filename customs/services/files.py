"""Importing a local file (the manual channels, or a DGDDI sheet saved by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from customs.adapters import AdapterError, extractor_adapter_for
from customs.models import CustomsPublication, CustomsSource, PublicationStatus
from customs.services.pipeline import publication_advance
from customs.services.raw_documents import raw_document_store
from customs.services.truncation import publication_accept_count_drop


def publication_ingest_file(
    *,
    source: CustomsSource,
    path: Path,
    effective_date: dt.date | None = None,
    note: str = "",
    accept_count_drop: str = "",
    zone: str = "",
) -> CustomsPublication:
    """Store the file, then parse and ingest it like a fetched document.

    The file's identity is its BLAKE3 digest: importing the same bytes again returns the
    publication that already holds them (nothing is ingested twice). A document that names
    its own effective date (the DGDDI edition line) keeps it; otherwise ``effective_date``
    (default: today) is used. Raises ``AdapterError`` (bad file) or ``StageError``.

    ``zone``: the price zone of a list published per zone (the file itself may not say it).

    ``accept_count_drop``: the operator's reason to let a sharply smaller edition through
    (see ``publication_accept_count_drop``); recorded with the publication.
    A file whose publication already failed is returned as it is (still failed): retrying
    is ``publication_retry`` (``manage.py retry``), which resumes at the failed stage.
    """
    path = Path(path)
    if not path.is_file():
        raise AdapterError(f"{path} is not a file.")
    adapter = extractor_adapter_for(source)
    size = path.stat().st_size
    if size > adapter.max_bytes:
        raise AdapterError(f"{path.name} is {size} bytes; the limit is {adapter.max_bytes}.")
    adapter.check_document(path)
    blob = raw_document_store(
        path=path, mime_type=adapter.mime_type_for(path), max_bytes=adapter.max_bytes
    )
    publication = _publication_from_file(
        source=source,
        blob=blob,
        file_name=path.name,
        effective_date=effective_date or timezone.localdate(),
        note=note,
        zone=zone,
    )
    if accept_count_drop and publication.status != PublicationStatus.INGESTED:
        publication = publication_accept_count_drop(
            publication=publication, reason=accept_count_drop
        )
    return publication_advance(publication=publication)


@transaction.atomic
def _publication_from_file(
    *,
    source: CustomsSource,
    blob,
    file_name: str,
    effective_date: dt.date,
    note: str,
    zone: str = "",
) -> CustomsPublication:
    existing = CustomsPublication.objects.filter(
        source=source, content_hash=blob.digest, duplicate_of__isnull=True
    ).first()
    if existing is not None:
        return existing
    publication, _created = CustomsPublication.objects.get_or_create(
        source=source,
        external_id=f"file:{blob.digest}",
        defaults={
            "title": file_name[:500],
            "effective_date": effective_date,
            "zone": zone,
            "status": PublicationStatus.FETCHED,
            "content_hash": blob.digest,
            "raw_blob": blob,
            "discovered_at": timezone.now(),
            "fetched_at": timezone.now(),
            "metadata": {"file_name": file_name, "source_note": note, "imported": True},
        },
    )
    return publication
