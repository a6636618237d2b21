"""fr-legifrance-jorf: the homologation arrêtés through the Légifrance API (PISTE).

OAuth2 client credentials from settings (``LEGIFRANCE_CLIENT_ID`` / ``_SECRET``); without
them the channel says "not configured" instead of failing. Discovery searches the JORF by
title; extraction consults each text (``POST /consult/jorf``) and records its legal
provenance (NOR, JORFTEXT id, ELI, JO number, dates), links it to the DGDDI edition with
the same effective date, and feeds any embedded price table to the shared row parser.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from customs.adapters import register
from customs.adapters.base import (
    DiscoveredDocument,
    DiscoveryAdapter,
    DocumentRejected,
    Extraction,
    ExtractorAdapter,
    SourceNotConfigured,
)
from customs.adapters.legal import (
    arrete_date_in,
    dgddi_publication_for,
    effective_date_in,
    entries_from_html,
    is_homologation_title,
    parse_any_date,
    parse_jo,
)

SEARCH_TERMS = "homologation prix tabacs manufacturés"
API_MAX_BYTES = 20 * 1024 * 1024
JSON_TYPES = ("application/json",)


def credentials_problem() -> str | None:
    if settings.LEGIFRANCE_CLIENT_ID and settings.LEGIFRANCE_CLIENT_SECRET:
        return None
    return (
        "fr-legifrance-jorf is not configured: set LEGIFRANCE_CLIENT_ID and "
        "LEGIFRANCE_CLIENT_SECRET (PISTE OAuth2 client credentials, https://piste.gouv.fr)."
    )


class PisteClient:
    """The PISTE token and API calls, each recorded as a fetch."""

    def __init__(self, adapter) -> None:
        self.adapter = adapter
        self._token: str | None = None

    def token(self) -> str:
        from customs.services.fetches import fetch_recorded

        problem = credentials_problem()
        if problem:
            raise SourceNotConfigured(problem)
        if self._token is None:
            result = fetch_recorded(
                client=self.adapter.client,
                url=settings.LEGIFRANCE_OAUTH_URL,
                adapter=self.adapter,
                purpose="token",
                source=self.adapter.source,
                method="POST",
                data={
                    "grant_type": "client_credentials",
                    "client_id": settings.LEGIFRANCE_CLIENT_ID,
                    "client_secret": settings.LEGIFRANCE_CLIENT_SECRET,
                    "scope": "openid",
                },
                max_bytes=64 * 1024,
                accept_types=JSON_TYPES,
            )
            token = result.json().get("access_token")
            if not token:
                raise SourceNotConfigured("PISTE answered without an access token.")
            self._token = token
        return self._token

    def call(self, path: str, payload: dict, *, purpose: str, publication=None):
        from customs.services.fetches import fetch_recorded

        return fetch_recorded(
            client=self.adapter.client,
            url=settings.LEGIFRANCE_API_URL.rstrip("/") + path,
            adapter=self.adapter,
            purpose=purpose,
            source=self.adapter.source,
            publication=publication,
            method="POST",
            json=payload,
            headers={"Authorization": f"Bearer {self.token()}", "Accept": "application/json"},
            max_bytes=API_MAX_BYTES,
            accept_types=JSON_TYPES,
        )


def search_payload(
    *, field: str = "TITLE", value: str = SEARCH_TERMS, page: int = 1, page_size: int = 25
) -> dict:
    """A JORF search by title words (discovery) or by NOR (``field="NOR"``)."""
    return {
        "fond": "JORF",
        "recherche": {
            "champs": [
                {
                    "typeChamp": field,
                    "criteres": [{"typeRecherche": "TOUS_LES_MOTS_DANS_UN_CHAMP", "valeur": value}],
                    "operateur": "ET",
                }
            ],
            "pageNumber": page,
            "pageSize": page_size,
            "sort": "SIGNATURE_DATE_DESC",
            "typePagination": "DEFAUT",
        },
    }


def _result_identity(result: dict) -> tuple[str, str]:
    titles = result.get("titles") or [{}]
    first = titles[0] if titles else {}
    cid = result.get("cid") or first.get("cid") or first.get("id") or result.get("id") or ""
    title = result.get("title") or first.get("title") or ""
    return cid, title


@register
class LegifranceSearch(DiscoveryAdapter):
    name = "legifrance_search"
    version = "1.0"

    def configuration_problem(self) -> str | None:
        return credentials_problem()

    def discover(self) -> list[DiscoveredDocument]:
        return self._documents(search_payload())

    def discover_nor(self, nor: str) -> list[DiscoveredDocument]:
        """One arrêté by its NOR (no NOR prefix is assumed anywhere)."""
        return self._documents(search_payload(field="NOR", value=nor))

    def _documents(self, payload: dict) -> list[DiscoveredDocument]:
        answer = PisteClient(self).call("/search", payload, purpose="search").json()
        documents = []
        for result in answer.get("results") or []:
            cid, title = _result_identity(result)
            if not cid.startswith("JORFTEXT") or not is_homologation_title(title):
                continue
            jo_number, _jo_date = parse_jo(result.get("jorfText") or "")
            documents.append(
                DiscoveredDocument(
                    external_id=cid,
                    url=f"https://www.legifrance.gouv.fr/jorf/id/{cid}",
                    title=title,
                    arrete_date=arrete_date_in(title),
                    metadata={
                        "jorftext_id": cid,
                        "nor": result.get("nor") or "",
                        "jo_number": jo_number,
                        "jorf_text": result.get("jorfText") or "",
                        "publication_date": str(parse_any_date(result.get("datePublication"))),
                    },
                )
            )
        return documents


@register
class LegifranceText(ExtractorAdapter):
    name = "legifrance_text"
    version = "1.0"
    suffix = ".json"
    mime_type = "application/json"
    max_bytes = API_MAX_BYTES

    def configuration_problem(self) -> str | None:
        return credentials_problem()

    def download(self, *, publication, dest: Path):
        # Clients disagree on textCid vs textId; the API accepts textCid for JORF texts.
        result = PisteClient(self).call(
            "/consult/jorf",
            {"textCid": publication.external_id},
            purpose="document",
            publication=publication,
        )
        dest.write_bytes(result.content or b"")
        return result

    def check_document(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise DocumentRejected(f"Légifrance did not answer JSON: {exc}") from exc
        if not isinstance(data, dict) or not (data.get("cid") or data.get("id")):
            raise DocumentRejected("The consult answer has no text id.")

    def extract(self, *, path: Path, publication=None) -> Extraction:
        data = json.loads(path.read_text(encoding="utf-8"))
        return text_extraction(
            cid=data.get("cid") or data.get("id") or "",
            title=data.get("title") or "",
            nor=data.get("nor") or "",
            eli=data.get("eli") or data.get("idEli") or "",
            jorf_text=data.get("jorfText") or "",
            publication_date=parse_any_date(data.get("datePublication") or data.get("datePubli")),
            text_date=parse_any_date(data.get("dateTexte")),
            articles=[a.get("content") or "" for a in data.get("articles") or []],
        )


def text_extraction(
    *,
    cid: str,
    title: str,
    nor: str,
    eli: str,
    jorf_text: str,
    publication_date,
    text_date,
    articles: list[str],
) -> Extraction:
    """The Extraction of one arrêté, whichever channel read it."""
    jo_number, jo_date = parse_jo(jorf_text)
    effective = next((d for d in (effective_date_in(a) for a in articles) if d), None)
    entries = entries_from_html(articles)
    metadata = {
        "jorftext_id": cid,
        "nor": nor,
        "eli": eli,
        "jo_number": jo_number,
        "jorf_text": jorf_text,
        "publication_date": str(publication_date or jo_date or ""),
        "has_price_table": bool(entries),
        "dgddi_publication_id": dgddi_publication_for(effective),
    }
    return Extraction(
        title=title,
        arrete_date=text_date or arrete_date_in(title),
        effective_date=effective,
        entries=entries,
        metadata=metadata,
    )
