"""Discovery: a source's adapter lists its documents; new ones become publications."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cigarspace.http import HttpClient
from customs.adapters import DiscoveredDocument, SourceNotConfigured, discovery_adapter_for
from customs.models import CustomsPublication, CustomsSource, PublicationStatus
from customs.services.fetches import customs_http_client


@dataclass
class DiscoveryOutcome:
    source: str
    configured: bool = True
    message: str = ""
    found: int = 0
    created: list[int] = field(default_factory=list)


def source_discover(*, source: CustomsSource, client: HttpClient | None = None) -> DiscoveryOutcome:
    """List the source's documents; new ones become ``discovered`` publications.

    A channel that lacks its settings answers "not configured" instead of failing.
    """
    client = client or customs_http_client()
    adapter = discovery_adapter_for(source, client=client)
    problem = adapter.configuration_problem()
    if problem:
        return DiscoveryOutcome(source=source.slug, configured=False, message=problem)
    try:
        documents = adapter.discover()
    except SourceNotConfigured as exc:
        return DiscoveryOutcome(source=source.slug, configured=False, message=str(exc))
    outcome = DiscoveryOutcome(source=source.slug, found=len(documents))
    for document in documents:
        publication = _publication_discovered(source=source, document=document)
        if publication is not None:
            outcome.created.append(publication.pk)
    outcome.message = f"{outcome.found} document(s) listed, {len(outcome.created)} new."
    return outcome


@transaction.atomic
def _publication_discovered(*, source: CustomsSource, document) -> CustomsPublication | None:
    publication, created = CustomsPublication.objects.get_or_create(
        source=source,
        external_id=document.external_id[:500],
        defaults={
            "url": document.url[:2000],
            "title": document.title[:500],
            "effective_date": document.effective_date,
            "arrete_date": document.arrete_date,
            "zone": document.zone,
            "metadata": document.metadata,
            "status": PublicationStatus.DISCOVERED,
            "discovered_at": timezone.now(),
        },
    )
    if not created:
        # Keep what discovery learnt since (a PDF twin published later…), never the status.
        merged = {**document.metadata, **publication.metadata}
        if merged != publication.metadata:
            publication.metadata = merged
            publication.save(update_fields=["metadata", "updated_at"])
        return None
    return publication


def publication_discover_one(
    *,
    source: CustomsSource,
    external_id: str,
    url: str = "",
    title: str = "",
    metadata: dict | None = None,
) -> CustomsPublication:
    """Register one document by hand (a URL an operator knows about)."""
    document = DiscoveredDocument(
        external_id=external_id, url=url or external_id, title=title, metadata=metadata or {}
    )
    created = _publication_discovered(source=source, document=document)
    return created or CustomsPublication.objects.get(source=source, external_id=external_id[:500])
