"""Embeddings for matching (the real offline model) and the ingestion hook end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.models import Cigar
from cigarspace import embeddings
from customs.models import CustomsPriceEntry, CustomsPublication
from matching.embeddings import embed_pending, entries_to_embed, entry_embedding_text
from matching.models import CigarCustomsMatch, MatchingRun, MatchStatus
from matching.services import publication_match
from tests.matching.conftest import add_entries, cigar

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "customs" / "fixtures"


@pytest.fixture(autouse=True)
def isolated_storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs")},
        },
    }
    settings.CIGARSPACE_DATA_DIR = tmp_path / "data"


def test_entry_text_is_the_product_name_with_its_key():
    assert entry_embedding_text("Cohiba Siglo VI (tube), en 3 cigares") == (
        "Cohiba Siglo VI (cohiba siglo 6)"
    )
    assert entry_embedding_text("cohiba robustos, en 25 cigares") == "cohiba robustos"


def test_embed_missing_then_vectors_take_part_in_the_score(habanos, publication):
    (entry,) = add_entries(publication, ["Cohiba Siglo VI (tube), en 3 cigares"])
    counts = embed_pending(mode="missing")
    assert counts.cigars == Cigar.objects.count()
    assert counts.entries == 1
    entry.refresh_from_db()
    assert entry.embedding_model == embeddings.model_name()
    assert len(entry.embedding) == 768
    assert embed_pending(mode="missing").entries == 0

    publication_match(publication=publication)
    best = CigarCustomsMatch.objects.get(price_entry=entry, rank=1)
    assert best.cigar == cigar("Cohiba Siglo VI")
    assert best.signals["vector"] > 0.8
    alternatives = CigarCustomsMatch.objects.filter(price_entry=entry, rank__gt=1)
    assert all(a.signals["vector"] < best.signals["vector"] for a in alternatives)


def test_vectors_of_another_model_are_never_compared_and_are_re_embedded(habanos, publication):
    (entry,) = add_entries(publication, ["Cohiba Siglo VI (tube), en 3 cigares"])
    embed_pending(mode="missing")
    siglo = cigar("Cohiba Siglo VI")
    Cigar.objects.filter(pk=siglo.pk).update(embedding_model="another-model")
    publication_match(publication=publication)
    best = CigarCustomsMatch.objects.get(price_entry=entry, rank=1)
    assert best.cigar == siglo
    assert best.signals["vector"] is None
    CustomsPriceEntry.objects.filter(pk=entry.pk).update(embedding_model="another-model")
    assert list(entries_to_embed(mode="missing")) == [entry]
    assert embed_pending(mode="missing").cigars == 1


def test_embed_command(habanos, publication):
    from io import StringIO

    from django.core.management import call_command

    add_entries(publication, ["Cohiba Robustos, en 25 cigares"])
    out = StringIO()
    call_command("embed", "--missing", stdout=out, verbosity=0)
    assert f"Embedded {Cigar.objects.count()} cigar(s) and 1 price entr(ies)" in out.getvalue()


def test_an_ingested_publication_is_embedded_and_matched_by_the_hook(
    habanos, douane, django_capture_on_commit_callbacks
):
    from customs.services import publication_ingest_file

    # The signal is sent after commit, and the task is queued after commit too.
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_ingest_file(source=douane, path=FIXTURES / "maquette_2026-09.ods")
    assert isinstance(publication, CustomsPublication)
    run = MatchingRun.objects.get(scope=f"publication {publication.pk}")
    assert run.trigger == "task"
    assert run.entries_seen == publication.entries.count()
    entry = publication.entries.get(raw_label="Cohiba Robustos, en 25 cigares")
    assert entry.embedding_model == embeddings.model_name()
    best = CigarCustomsMatch.objects.get(price_entry=entry, rank=1)
    assert (best.cigar, best.status) == (cigar("Cohiba Robustos"), MatchStatus.AUTO_ACCEPTED)
    # Cigarette sections never reach the matcher; unknown brands are never auto-accepted.
    padron = publication.entries.get(raw_label="Padron 1926, N° 9")
    assert not CigarCustomsMatch.objects.filter(
        price_entry=padron, status=MatchStatus.AUTO_ACCEPTED
    ).exists()


def test_the_embed_missing_task_embeds_entries_and_leaves_cigars_to_the_catalogue(
    habanos, publication
):
    from matching.tasks import embed_missing

    (entry,) = add_entries(publication, ["Trinidad Reyes, en 12 cigares"])
    assert embed_missing() == {"cigars": 0, "entries": 1, "model": embeddings.model_name()}
    entry.refresh_from_db()
    assert entry.embedding_model == embeddings.model_name()
    assert not Cigar.objects.exclude(embedding_model="").exists()
