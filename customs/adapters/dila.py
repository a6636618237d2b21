"""fr-legifrance-dila: the JORF bulk XML archives of DILA's open data.

Discovery lists the daily increments (``JORF_YYYYMMDD-HHMMSS.tar.gz``) of the index page;
the 1.6 GB global dump is never queued automatically (register it by hand if needed).
Downloads resume with Range (the server drops long transfers). Extraction streams the
tarball (``tarfile`` mode ``r|gz``: one member in memory at a time, never the archive),
selects the homologation arrêtés by title, and reads their metadata and price tables.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from customs.adapters import register
from customs.adapters.base import (
    DiscoveredDocument,
    DiscoveryAdapter,
    DocumentRejected,
    Extraction,
    ExtractorAdapter,
)
from customs.adapters.legal import is_homologation_title
from customs.adapters.legifrance import text_extraction

INCREMENT = re.compile(r"^JORF_(\d{8})-(\d{6})\.tar\.gz$")
#: How many of the newest increments discovery registers (the listing holds years of them).
KEEP_LATEST = 60
#: A JORF text or article is a few kB; a member far larger is skipped (and reported).
MEMBER_MAX_BYTES = 20 * 1024 * 1024
#: Struct metadata kept while waiting for the title of its text (bounded: constant memory).
PENDING_MAX = 50_000

_SAFE_XML = lxml.etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


@register
class DilaListing(DiscoveryAdapter):
    name = "dila_jorf_listing"
    version = "1.0"

    def discover(self) -> list[DiscoveredDocument]:
        from customs.services.fetches import fetch_recorded

        result = fetch_recorded(
            client=self.client,
            url=self.source.index_url,
            source=self.source,
            purpose="index",
            adapter=self,
            max_bytes=10 * 1024 * 1024,
            accept_types=("text/html",),
            conditional=True,
        )
        if result.not_modified:
            return []
        return self.documents_from_listing(result.text, base_url=result.url)

    @staticmethod
    def documents_from_listing(html: str, *, base_url: str) -> list[DiscoveredDocument]:
        tree = lxml.html.fromstring(html)
        found: dict[str, str] = {}
        for anchor in tree.iterfind(".//a[@href]"):
            url = urljoin(base_url, anchor.get("href").strip())
            name = PurePosixPath(urlsplit(url).path).name
            if INCREMENT.match(name):
                found.setdefault(name, url)
        newest = sorted(found)[-KEEP_LATEST:]
        return [
            DiscoveredDocument(
                external_id=found[name],
                url=found[name],
                title=name,
                metadata={"archive": name, "archive_stamp": INCREMENT.match(name).group(1)},
            )
            for name in newest
        ]


def parse_xml(data: bytes):
    """Parse one member with entity expansion and network access off."""
    return lxml.etree.fromstring(data, parser=_SAFE_XML)


def _text(element, path: str) -> str:
    found = element.find(path)
    return "".join(found.itertext()).strip() if found is not None else ""


class _Collector:
    """Accumulates only what concerns homologation arrêtés, member by member."""

    def __init__(self) -> None:
        self.texts: dict[str, dict] = {}
        self.pending: dict[str, dict] = {}
        self.articles: dict[str, list[tuple[str, str]]] = {}
        self.warnings: list[str] = []
        self.members = 0

    def text_member(self, root) -> None:
        cid = _text(root, ".//META_TEXTE_CHRONICLE/CID") or _text(root, ".//META_COMMUN/ID")
        if not cid:
            return
        meta = {
            "cid": cid,
            "eli": _text(root, ".//META_COMMUN/ID_ELI"),
            "nature": _text(root, ".//META_COMMUN/NATURE"),
            "nor": _text(root, ".//META_TEXTE_CHRONICLE/NOR"),
            "num": _text(root, ".//META_TEXTE_CHRONICLE/NUM"),
            "date_publi": _text(root, ".//META_TEXTE_CHRONICLE/DATE_PUBLI"),
            "date_texte": _text(root, ".//META_TEXTE_CHRONICLE/DATE_TEXTE"),
            "origine_publi": _text(root, ".//META_TEXTE_CHRONICLE/ORIGINE_PUBLI"),
        }
        title = _text(root, ".//TITREFULL") or _text(root, ".//TITRE")
        meta = {k: v for k, v in meta.items() if v}
        if title:
            meta["title"] = title
            if is_homologation_title(title):
                self.texts.setdefault(cid, {}).update({**self.pending.pop(cid, {}), **meta})
        elif cid in self.texts:
            self.texts[cid].update(meta)
        elif len(self.pending) < PENDING_MAX:
            self.pending[cid] = meta

    def article_member(self, root) -> None:
        context = root.find(".//CONTEXTE/TEXTE")
        if context is None:
            return
        title = _text(context, "TITRE_TXT")
        if not is_homologation_title(title):
            return
        cid = context.get("cid") or ""
        content = root.find(".//BLOC_TEXTUEL/CONTENU")
        html = (
            "".join(lxml.etree.tostring(child, encoding="unicode") for child in content)
            if content is not None
            else ""
        )
        if content is not None and content.text:
            html = content.text + html
        number = _text(root, ".//META_ARTICLE/NUM")
        self.articles.setdefault(cid, []).append((number, html))
        text = self.texts.setdefault(cid, {"cid": cid})
        text.setdefault("title", title)
        text.setdefault("nor", context.get("nor") or "")
        text.setdefault("date_publi", context.get("date_publi") or "")
        text.setdefault("date_texte", context.get("date_signature") or "")
        if context.get("num_parution_jo") and "origine_publi" not in text:
            text["num_parution_jo"] = context.get("num_parution_jo")
        text.update({k: v for k, v in self.pending.pop(cid, {}).items() if k not in text})


@register
class DilaArchive(ExtractorAdapter):
    name = "dila_jorf_archive"
    version = "1.0"
    suffix = ".tar.gz"
    mime_type = "application/gzip"
    max_bytes = 2 * 1024 * 1024 * 1024  # the global dump is ~1.6 GB

    def check_document(self, path: Path) -> None:
        with path.open("rb") as handle:
            if handle.read(2) != b"\x1f\x8b":
                raise DocumentRejected("Expected a gzip-compressed tar archive (.tar.gz).")

    def extract(self, *, path: Path, publication=None) -> Extraction:
        collector = _Collector()
        try:
            with path.open("rb") as raw, tarfile.open(fileobj=raw, mode="r|gz") as archive:
                for member in archive:
                    self._member(archive, member, collector)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise DocumentRejected(f"The archive is damaged or truncated: {exc}") from exc
        return self._extraction(collector)

    @staticmethod
    def _member(archive: tarfile.TarFile, member: tarfile.TarInfo, collector: _Collector) -> None:
        if not member.isfile() or not member.name.endswith(".xml"):
            return
        collector.members += 1
        name = member.name
        is_text = "/texte/" in name and "/JORFTEXT" in name
        is_article = "/article/" in name and "/JORFARTI" in name
        if not (is_text or is_article):
            return
        if member.size > MEMBER_MAX_BYTES:
            collector.warnings.append(f"{name}: {member.size} bytes, skipped.")
            return
        handle = archive.extractfile(member)
        if handle is None:
            return
        data = handle.read()
        # Cheap pre-filter: most members are unrelated texts; parse only the candidates.
        if is_article and b"homologation" not in data:
            return
        try:
            root = parse_xml(data)
        except lxml.etree.XMLSyntaxError as exc:
            collector.warnings.append(f"{name}: invalid XML ({exc}).")
            return
        if is_text:
            collector.text_member(root)
        else:
            collector.article_member(root)

    @staticmethod
    def _extraction(collector: _Collector) -> Extraction:
        texts = []
        entries = []
        for cid, meta in sorted(collector.texts.items()):
            articles = [html for _num, html in sorted(collector.articles.get(cid, []))]
            jorf_text = meta.get("origine_publi") or (
                f"JORF n°{meta['num_parution_jo']}" if meta.get("num_parution_jo") else ""
            )
            one = text_extraction(
                cid=cid,
                title=meta.get("title", ""),
                nor=meta.get("nor", ""),
                eli=meta.get("eli", ""),
                jorf_text=jorf_text,
                publication_date=meta.get("date_publi") or None,
                text_date=_iso(meta.get("date_texte")),
                articles=articles,
            )
            # Row numbers stay unique across the texts of one archive.
            offset = len(entries)
            for index, entry in enumerate(one.entries):
                entry.row_number = offset + index
            entries.extend(one.entries)
            texts.append(
                {
                    **one.metadata,
                    "title": one.title,
                    "arrete_date": str(one.arrete_date or ""),
                    "effective_date": str(one.effective_date or ""),
                    "_extraction": one,
                }
            )
        only = texts[0]["_extraction"] if len(texts) == 1 else None
        for text in texts:
            text.pop("_extraction")
        return Extraction(
            title=only.title if only else f"{len(texts)} homologation arrêté(s)",
            arrete_date=only.arrete_date if only else None,
            effective_date=only.effective_date if only else None,
            entries=entries,
            metadata={
                "texts": texts,
                "xml_members": collector.members,
                **(only.metadata if only else {}),
            },
            warnings=collector.warnings,
        )


def _iso(value):
    from customs.adapters.legal import parse_any_date

    return parse_any_date(value)
