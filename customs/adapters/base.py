"""What a channel adapter is: a discovery class and an extractor class, named in the registry.

A ``CustomsSource`` row names one of each (``discovery_adapter``, ``extractor_adapter``).
Adding a country is two subclasses below (registered with ``@register``) and a data
migration that seeds its source row; the pipeline in ``customs.services`` never changes.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from customs.rows import ExtractedEntry

if TYPE_CHECKING:
    from cigarspace.http import FetchResult, HttpClient
    from customs.models import CustomsPublication, CustomsSource


class AdapterError(Exception):
    """An adapter could not do its job; the message is shown to operators as is."""


class SourceNotConfigured(AdapterError):
    """The channel needs settings that are missing (e.g. Légifrance credentials)."""


class DocumentRejected(AdapterError):
    """The fetched bytes are not the expected kind of document (HTML instead of ODS…)."""


#: A spreadsheet may not expand past this much when unzipped (a zip bomb stops here).
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024


def check_zip_expansion(path: Path, *, limit: int | None = None) -> None:
    """Refuse a zip-based document (ODS, XLSX) whose members would unpack past ``limit``."""
    import zipfile

    limit = limit or MAX_UNZIPPED_BYTES
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentRejected(f"Not a readable file (truncated or damaged): {exc}") from exc
    if total > limit:
        raise DocumentRejected(
            f"The document would unpack to {total} bytes, over the limit of {limit}."
        )


@dataclass
class DiscoveredDocument:
    external_id: str
    url: str = ""
    title: str = ""
    effective_date: dt.date | None = None
    arrete_date: dt.date | None = None
    metadata: dict = field(default_factory=dict)
    #: The price zone of a list published per zone (an edition is diffed within its zone).
    zone: str = ""


@dataclass
class Extraction:
    """What an extractor read from one document."""

    title: str = ""
    arrete_date: dt.date | None = None
    effective_date: dt.date | None = None
    entries: list[ExtractedEntry] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: All the warnings, when ``warnings`` holds only the first ones (None: as many).
    warning_count: int | None = None

    @property
    def total_warnings(self) -> int:
        return len(self.warnings) if self.warning_count is None else self.warning_count


class DiscoveryAdapter(ABC):
    """Lists the documents a channel currently publishes."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    #: How often the scheduled discovery runs: "daily" or "weekly".
    cadence: ClassVar[str] = "daily"

    def __init__(self, *, source: CustomsSource, client: HttpClient) -> None:
        self.source = source
        self.client = client

    def configuration_problem(self) -> str | None:
        """Why the channel cannot run with the current settings, or None."""
        return None

    @abstractmethod
    def discover(self) -> list[DiscoveredDocument]:
        """The documents the channel currently lists."""


class ExtractorAdapter(ABC):
    """Fetches one document of a channel and reads its entries."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    #: Content types accepted at fetch (None: any; the magic bytes decide).
    accept_types: ClassVar[tuple[str, ...] | None] = None
    #: Upper bound for one document of this channel.
    max_bytes: ClassVar[int] = 50 * 1024 * 1024
    #: A suffix for the temporary file the document is downloaded into.
    suffix: ClassVar[str] = ""
    #: The MIME type the raw document is stored under.
    mime_type: ClassVar[str] = "application/octet-stream"
    #: How the channel writes its product names (``customs.labels.grammars``).
    label_grammar: ClassVar[str] = "fr"

    def __init__(self, *, source: CustomsSource, client: HttpClient | None = None) -> None:
        self.source = source
        self.client = client

    def configuration_problem(self) -> str | None:
        return None

    def fetch_url(self, publication: CustomsPublication) -> str:
        return publication.url or publication.external_id

    def request_headers(self) -> dict[str, str]:
        return {}

    def download(self, *, publication: CustomsPublication, dest: Path) -> FetchResult:
        """Fetch the document into ``dest`` (resumed if a partial file is there)."""
        from customs.services.fetches import fetch_recorded

        return fetch_recorded(
            client=self.client,
            url=self.fetch_url(publication),
            adapter=self,
            purpose="document",
            publication=publication,
            headers=self.request_headers() or None,
            max_bytes=self.max_bytes,
            accept_types=self.accept_types,
            dest=dest,
            resume=True,
        )

    def mime_type_for(self, path: Path) -> str:
        """The MIME type to store a document under (some channels accept several formats)."""
        return self.mime_type

    def check_document(self, path: Path) -> None:
        """Raise ``DocumentRejected`` when the bytes are not this channel's format."""
        # A hook: channels whose format has a signature (ODS is a zip) override it.
        return None

    @abstractmethod
    def extract(self, *, path: Path, publication: CustomsPublication) -> Extraction:
        """Read the entries (and edition metadata) of a fetched document."""
