"""fr-legifrance-jorf: without credentials it says so; with them, the real http_client runs
against a local PISTE stand-in (token, search, consult)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from customs.models import CustomsFetch, CustomsPublication, CustomsSource, PublicationStatus
from customs.services import publication_advance, source_discover
from customs.services.runs import source_discover_run
from tests.customs.conftest import EDITION_2, FIXTURES
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def jorf(db) -> CustomsSource:
    return CustomsSource.objects.get(slug="fr-legifrance-jorf")


@pytest.fixture
def piste(server, settings):
    settings.LEGIFRANCE_CLIENT_ID = "http_client-id"
    settings.LEGIFRANCE_CLIENT_SECRET = "http_client-secret"
    settings.LEGIFRANCE_OAUTH_URL = server.url("/oauth/token")
    settings.LEGIFRANCE_API_URL = server.url("/lf-engine-app")
    server.route(
        "/oauth/token", Reply(200, (FIXTURES / "legifrance_token.json").read_bytes(), JSON)
    )
    server.route(
        "/lf-engine-app/search",
        Reply(200, (FIXTURES / "legifrance_search.json").read_bytes(), JSON),
    )

    def consult(request):
        body = json.loads(request.body)
        # Either spelling of the id is accepted by the stand-in, like by real clients.
        if (body.get("textCid") or body.get("textId")) != "JORFTEXT000052311441":
            return Reply(404, b"{}", JSON)
        return Reply(200, (FIXTURES / "legifrance_consult.json").read_bytes(), JSON)

    server.route("/lf-engine-app/consult/jorf", consult)
    return server


def test_without_credentials_the_source_reports_not_configured(jorf, http_client, settings):
    settings.LEGIFRANCE_CLIENT_ID = ""
    settings.LEGIFRANCE_CLIENT_SECRET = ""
    outcome = source_discover(source=jorf, client=http_client)
    assert not outcome.configured
    assert "not configured" in outcome.message
    assert "LEGIFRANCE_CLIENT_ID" in outcome.message
    run, _ = source_discover_run(source=jorf, client=http_client)
    assert run.outcome == "not_configured"
    assert CustomsFetch.objects.count() == 0  # nothing was even attempted


def test_a_text_without_credentials_fails_clearly_at_fetch(jorf, http_client, settings):
    settings.LEGIFRANCE_CLIENT_ID = ""
    publication = CustomsPublication.objects.create(
        source=jorf, external_id="JORFTEXT000052311441", url="https://example.test/x"
    )
    with pytest.raises(Exception, match="not configured"):
        publication_advance(publication=publication, client=http_client)
    publication.refresh_from_db()
    assert publication.failed_stage == "fetch"
    assert "LEGIFRANCE_CLIENT_SECRET" in publication.error


def test_search_keeps_only_homologation_arretes(jorf, piste, http_client):
    outcome = source_discover(source=jorf, client=http_client)
    assert outcome.configured
    (publication,) = CustomsPublication.objects.filter(source=jorf)
    assert publication.external_id == "JORFTEXT000052311441"
    assert publication.metadata["nor"] == "ECOD2626000A"
    assert publication.metadata["jo_number"] == "0228"
    assert publication.arrete_date == dt.date(2026, 9, 29)
    search = next(r for r in piste.requests if r.path.endswith("/search"))
    assert search.headers["Authorization"] == "Bearer test-access-token"
    payload = json.loads(search.body)
    assert payload["fond"] == "JORF"
    assert payload["recherche"]["champs"][0]["typeChamp"] == "TITLE"
    assert payload["recherche"]["sort"] == "SIGNATURE_DATE_DESC"
    assert payload["recherche"]["typePagination"] == "DEFAUT"  # sic: the API's own spelling
    token = next(r for r in piste.requests if r.path == "/oauth/token")
    assert b"grant_type=client_credentials" in token.body
    assert b"scope=openid" in token.body


def test_consulted_text_gives_legal_provenance_table_and_dgddi_link(
    jorf, douane, piste, http_client
):
    dgddi = CustomsPublication.objects.create(
        source=douane,
        external_id="https://example.test/Maquette.ods",
        effective_date=dt.date(2026, 11, 1),
        status=PublicationStatus.INGESTED,
    )
    source_discover(source=jorf, client=http_client)
    publication = publication_advance(
        publication=CustomsPublication.objects.get(source=jorf), client=http_client
    )
    assert publication.status == PublicationStatus.INGESTED
    assert publication.effective_date == dt.date(2026, 11, 1)
    assert publication.arrete_date == dt.date(2026, 9, 29)
    meta = publication.metadata
    assert meta["jorftext_id"] == "JORFTEXT000052311441"
    assert meta["eli"].endswith("/ECOD2626000A/jo/texte")
    assert meta["jo_number"] == "0228"
    assert meta["publication_date"] == "2026-10-03"
    assert meta["dgddi_publication_id"] == dgddi.pk
    assert meta["has_price_table"]
    # The embedded table went through the same row parser: cigars only, Retrait honoured.
    entries = {e.raw_label: e for e in publication.entries.all()}
    assert set(entries) == {"Cohiba Robustos, en 25 cigares", "Trinidad Reyes, en 12 cigares"}
    assert str(entries["Cohiba Robustos, en 25 cigares"].pack_price) == "2125.00"
    assert entries["Trinidad Reyes, en 12 cigares"].is_withdrawn
    consult = next(r for r in piste.requests if r.path.endswith("/consult/jorf"))
    assert json.loads(consult.body) == {"textCid": "JORFTEXT000052311441"}
    assert EDITION_2.exists()


def test_search_by_nor(jorf, piste, http_client):
    from customs.adapters.legifrance import LegifranceSearch

    documents = LegifranceSearch(source=jorf, client=http_client).discover_nor("ECOD2626000A")
    assert [d.external_id for d in documents] == ["JORFTEXT000052311441"]
    search = next(r for r in piste.requests if r.path.endswith("/search"))
    field = json.loads(search.body)["recherche"]["champs"][0]
    assert (field["typeChamp"], field["criteres"][0]["valeur"]) == ("NOR", "ECOD2626000A")
