"""Every network fetch of the customs app goes through here and leaves a provenance row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from cigarspace.http import FetchResult, HttpClient, HttpError
from customs.models import CustomsFetch, CustomsPublication, CustomsSource


def customs_http_client(**overrides: Any) -> HttpClient:
    """The project's HTTP client with the customs defaults (retries on 403/429/5xx)."""
    options: dict[str, Any] = {"max_retries": 4, "backoff_base": 0.5}
    options.update(overrides)
    return HttpClient(**options)


def _last_validators(*, source: CustomsSource | None, purpose: str, url: str) -> tuple[str, str]:
    last = (
        CustomsFetch.objects.filter(source=source, purpose=purpose, url=url, error="")
        .exclude(etag="", last_modified="")
        .order_by("-fetched_at")
        .first()
    )
    return (last.etag, last.last_modified) if last else ("", "")


def fetch_recorded(
    *,
    client: HttpClient,
    url: str,
    adapter: Any,
    purpose: str,
    source: CustomsSource | None = None,
    publication: CustomsPublication | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    data: Any = None,
    json: Any = None,
    max_bytes: int | None = None,
    accept_types: Iterable[str] | None = None,
    dest: Path | None = None,
    resume: bool = False,
    conditional: bool = False,
    record_url: str | None = None,
) -> FetchResult:
    """Fetch with the shared client and record a ``CustomsFetch`` row, failure included.

    ``conditional``: send the ETag / Last-Modified of the last successful fetch of the
    same URL (an unchanged index page then costs a 304). ``record_url`` replaces the URL
    in the record when the real one carries something that must not be stored.
    """
    source = source or (publication.source if publication else None)
    # An adapter's own cap never lifts the deployment's (HTTP_MAX_DOWNLOAD_BYTES).
    ceiling = settings.HTTP_MAX_DOWNLOAD_BYTES
    max_bytes = min(max_bytes, ceiling) if max_bytes is not None else ceiling
    etag = last_modified = ""
    if conditional:
        etag, last_modified = _last_validators(source=source, purpose=purpose, url=url)
    record = CustomsFetch(
        source=source,
        publication=publication,
        purpose=purpose,
        method=method,
        url=record_url or url,
        adapter=adapter.name,
        adapter_version=adapter.version,
    )
    try:
        if method == "GET":
            result = client.get(
                url,
                headers=headers,
                etag=etag or None,
                last_modified=last_modified or None,
                max_bytes=max_bytes,
                dest=dest,
                resume=resume,
                accept_types=accept_types,
            )
        else:
            result = client.post(
                url,
                data=data,
                json=json,
                headers=headers,
                max_bytes=max_bytes,
                accept_types=accept_types,
            )
    except HttpError as exc:
        record.http_status = exc.status
        record.attempts = getattr(exc, "attempts", 0) or 0
        record.error = str(exc)[:2000]
        record.fetched_at = timezone.now()
        record.save()
        raise
    record.final_url = (result.url if not record_url else record.url)[:2000]
    record.http_status = result.status
    record.size = result.size
    record.digest = result.digest or ""
    record.content_type = result.content_type[:200]
    record.etag = (result.etag or etag or "")[:500]
    record.last_modified = (result.last_modified or last_modified or "")[:100]
    record.not_modified = result.not_modified
    record.attempts = result.attempts
    record.elapsed_seconds = result.elapsed
    record.fetched_at = result.fetched_at or timezone.now()
    record.save()
    return result
