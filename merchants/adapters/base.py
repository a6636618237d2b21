"""What a merchant adapter does: turn one fetched page into products."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from merchants.extraction.product import PageExtraction


class MerchantAdapter(ABC):
    name: ClassVar[str] = ""
    # Recorded on every source_record: bump it when extraction changes its output.
    parser_version: ClassVar[str] = "1"

    @property
    def parser(self) -> str:
        return f"merchants.{self.name}"

    @abstractmethod
    def extract(
        self, content: bytes, *, url: str, currency: str, selectors: dict[str, Any]
    ) -> PageExtraction:
        """The products of one page (none for a page that holds no product)."""
