"""Decisions survive every delete path; a duplicate cigar is merged instead, with its audit."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from catalogue.models import (
    AliasKind,
    Cigar,
    CigarAlias,
    CigarAliasEvent,
    CigarLine,
    CigarPackage,
    MediaAsset,
    SourceRecord,
    TastingNote,
)
from catalogue.services import cigar_create, source_record_create, tasting_note_create
from customs.models import CustomsPriceEntry, CustomsPublication
from matching.models import CigarCustomsMatch, MatchEvent, MatchMethod, MatchStatus
from matching.services import entry_repoint, match_accept, match_reject
from matching.services.merge import MergeRefused, cigar_merge
from media.services import blob_put_bytes
from merchants.models import Merchant, MerchantProduct
from tests.matching.conftest import add_entries, cigar

pytestmark = pytest.mark.django_db


def row(entry, target: Cigar, status=MatchStatus.PENDING_REVIEW, rank=1) -> CigarCustomsMatch:
    return CigarCustomsMatch.objects.create(
        cigar=target,
        price_entry=entry,
        match_method=MatchMethod.TRIGRAM,
        score="0.800",
        status=status,
        rank=rank,
    )


@pytest.fixture
def kept(habanos) -> Cigar:
    return cigar("Cohiba Robustos")


@pytest.fixture
def duplicate(kept) -> Cigar:
    """The same cigar again, as a third-party catalogue had it (another line name)."""
    line = CigarLine.objects.create(brand=kept.line.brand, name="Cohiba Import", slug="import")
    return cigar_create(line=line, vitola_name="Robustos", length_mm=124, ring_gauge=50)


@pytest.fixture
def entries(publication):
    return add_entries(
        publication,
        [
            "Cohiba Robustos, en 25 cigares",
            "Cohiba Robustos (etui), en 3 cigares",
            "Cohiba Siglo I, en 10 cigares",
        ],
    )


@pytest.fixture
def decided(duplicate, kept, entries, operator):
    """The duplicate holds a human acceptance (with its alias), a pending row on an entry
    where the kept cigar was rejected by the matcher, a rejected-pair alias, and data."""
    accepted = match_accept(match=row(entries[0], duplicate), actor=operator, note="same box")
    pending = row(entries[1], duplicate)
    folded = row(entries[1], kept, status=MatchStatus.AUTO_REJECTED, rank=2)
    MatchEvent.objects.create(match=folded, to_status=MatchStatus.AUTO_REJECTED, note="matcher")
    rejected = match_reject(match=row(entries[2], duplicate), actor=operator, note="a Siglo I")
    CigarPackage.objects.create(cigar=duplicate, merchant="shop", pack_size=25, packaging="box")
    tasting_note_create(cigar=duplicate, reviewer="R. Taster", score=91)
    source_record_create(
        cigar=duplicate,
        url="https://shop.example/robustos",
        parser="shop",
        parser_version="1",
    )
    MediaAsset.objects.create(cigar=duplicate, blob=blob_put_bytes(b"a picture"), is_primary=True)
    # A row of an app the catalogue does not know (merchants): moved through the registry.
    shop = Merchant.objects.create(name="Shop", slug="shop", base_url="https://shop.example/")
    MerchantProduct.objects.create(
        merchant=shop, url="https://shop.example/robustos", cigar=duplicate, name="Robustos"
    )
    return {"accepted": accepted, "pending": pending, "folded": folded, "rejected": rejected}


# --- nothing deletes a decision --------------------------------------------------------------


def audit_counts() -> tuple[int, int, int]:
    return (
        CigarCustomsMatch.objects.count(),
        MatchEvent.objects.count(),
        CigarAlias.objects.count(),
    )


def test_deleting_a_cigar_with_decisions_is_refused_through_the_api(
    decided, duplicate, operator_api
):
    before = audit_counts()
    response = operator_api.delete(f"/api/v1/cigars/{duplicate.pk}/")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "cigar_in_use"
    assert "merge" in error["message"]
    references = error["details"]["references"]
    assert references["matching.cigarcustomsmatch"] == 3
    assert references["catalogue.cigaralias"] == 2
    assert "cigar customs match: 3" in error["message"]
    assert audit_counts() == before
    assert Cigar.objects.filter(pk=duplicate.pk).exists()


def test_an_unreferenced_cigar_is_deleted(duplicate, operator_api):
    assert operator_api.delete(f"/api/v1/cigars/{duplicate.pk}/").status_code == 204
    assert not Cigar.objects.filter(pk=duplicate.pk).exists()


def test_orm_and_bulk_deletes_of_cigars_and_customs_rows_are_refused(decided, duplicate, entries):
    before = audit_counts()
    with pytest.raises(ProtectedError):
        duplicate.delete()
    with pytest.raises(ProtectedError):
        Cigar.objects.filter(pk=duplicate.pk).delete()
    with pytest.raises(ProtectedError):
        CustomsPriceEntry.objects.filter(pk=entries[0].pk).delete()
    with pytest.raises(ProtectedError):
        CustomsPublication.objects.filter(pk=entries[0].publication_id).delete()
    with pytest.raises(ProtectedError):
        decided["accepted"].delete()  # its events protect it
    assert audit_counts() == before


def _raw(*statements: tuple[str, list]) -> None:
    # Django's foreign keys carry no ON DELETE (NO ACTION, checked at commit): made
    # immediate here so the refusal shows inside the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql, params in statements:
            cursor.execute(sql, params)


def test_the_database_refuses_a_raw_delete_too(decided, duplicate):
    with pytest.raises(IntegrityError):
        _raw(
            ("DELETE FROM cigar_alias WHERE cigar_id = %s", [duplicate.pk]),
            ("DELETE FROM cigar WHERE id = %s", [duplicate.pk]),
        )
    with pytest.raises(IntegrityError):
        _raw(("DELETE FROM cigar_customs_match WHERE cigar_id = %s", [duplicate.pk]))
    assert MatchEvent.objects.filter(match=decided["accepted"]).exists()


def test_the_admin_refuses_to_delete_a_referenced_cigar(decided, duplicate, admin_client_logged_in):
    url = f"/admin/catalogue/cigar/{duplicate.pk}/delete/"
    page = admin_client_logged_in.get(url)
    assert page.status_code == 200
    assert "merge the duplicate instead" in page.content.decode()
    before = audit_counts()
    admin_client_logged_in.post(url, {"post": "yes"})
    bulk = admin_client_logged_in.post(
        "/admin/catalogue/cigar/",
        {"action": "delete_selected", "_selected_action": [duplicate.pk], "post": "yes"},
    )
    assert "merge the duplicate instead" in bulk.content.decode()
    assert Cigar.objects.filter(pk=duplicate.pk).exists()
    assert audit_counts() == before


# --- merging ------------------------------------------------------------------------------------


def test_a_merge_moves_decisions_aliases_and_data_with_their_audit(
    decided, duplicate, kept, operator
):
    events_before = MatchEvent.objects.count()
    accepted, pending, folded = decided["accepted"], decided["pending"], decided["folded"]
    folded_events = list(MatchEvent.objects.filter(match=folded).values_list("pk", flat=True))

    result = cigar_merge(duplicate=duplicate, into=kept, actor=operator, reason="same vitola")

    assert not Cigar.objects.filter(pk=duplicate.pk).exists()
    assert (result.matches_moved, result.matches_folded, result.events_written) == (2, 1, 3)
    # Every decision is kept, now on the kept cigar, with its earlier events.
    accepted.refresh_from_db()
    assert (accepted.cigar_id, accepted.status) == (kept.pk, MatchStatus.HUMAN_ACCEPTED)
    assert accepted.events.count() == 2
    merge_event = accepted.events.order_by("-id").first()
    assert merge_event.actor == operator
    assert f"merged cigar {duplicate.pk}" in merge_event.note
    assert "same vitola" in merge_event.note
    rejected = decided["rejected"]
    rejected.refresh_from_db()
    assert (rejected.cigar_id, rejected.status) == (kept.pk, MatchStatus.HUMAN_REJECTED)
    # The entry that had a row for both keeps one, the stronger; the other's events follow.
    entry_rows = CigarCustomsMatch.objects.filter(price_entry=pending.price_entry)
    assert [(r.pk, r.cigar_id, r.status) for r in entry_rows] == [
        (pending.pk, kept.pk, MatchStatus.PENDING_REVIEW)
    ]
    assert set(folded_events) <= set(pending.events.values_list("pk", flat=True))
    assert f"match {folded.pk} (AUTO_REJECTED" in pending.events.order_by("-id").first().note
    # No event was lost: the old ones plus one per moved decision.
    assert MatchEvent.objects.count() == events_before + 3
    # The label memory names the kept cigar, and each move left an audit row.
    assert set(CigarAlias.objects.values_list("kind", "cigar_id")) == {
        (AliasKind.ACCEPTED, kept.pk),
        (AliasKind.REJECTED, kept.pk),
    }
    audit = CigarAliasEvent.objects.filter(action="merged")
    assert audit.count() == 2
    assert {e.before["cigar_id"] for e in audit} == {duplicate.pk}
    assert {e.after["cigar_id"] for e in audit} == {kept.pk}
    assert {e.actor for e in audit} == {operator}
    # The catalogue rows moved.
    assert CigarPackage.objects.filter(cigar=kept, merchant="shop").exists()
    assert TastingNote.objects.filter(cigar=kept, reviewer="R. Taster").exists()
    assert SourceRecord.objects.filter(cigar=kept, parser="shop").count() == 1
    record = SourceRecord.objects.get(cigar=kept, parser="cigar_merge")
    assert record.stats["duplicate_id"] == duplicate.pk
    assert record.stats["duplicate_full_name"] == "Cohiba Cohiba Import Robustos"
    assert record.stats["moved"]["tasting_notes"] == 1
    assert MediaAsset.objects.filter(cigar=kept).count() == 1
    assert MerchantProduct.objects.get().cigar == kept
    assert result.catalogue["merchants.merchantproduct"] == 1


def test_a_merge_contradicting_human_decisions_is_refused_and_changes_nothing(
    duplicate, kept, entries, operator
):
    # A reviewer said entry 0 is the duplicate and not the kept cigar.
    row(entries[0], kept)
    entry_repoint(entry=entries[0], cigar=duplicate, actor=operator)
    before = audit_counts()
    with pytest.raises(MergeRefused, match="accepted one of these cigars and rejected the other"):
        cigar_merge(duplicate=duplicate, into=kept, actor=operator, reason="looks the same")
    assert Cigar.objects.filter(pk=duplicate.pk).exists()
    assert audit_counts() == before
    assert not CigarAliasEvent.objects.exists()


def test_a_merge_of_contradicting_aliases_is_refused(duplicate, kept, operator, douane):
    CigarAlias.objects.create(
        source_slug="fr-douane-opendata", normalised_label="x", kind="accepted", cigar=duplicate
    )
    CigarAlias.objects.create(
        source_slug="fr-douane-opendata", normalised_label="x", kind="rejected", cigar=kept
    )
    with pytest.raises(MergeRefused, match="Settle that label first"):
        cigar_merge(duplicate=duplicate, into=kept, actor=operator, reason="same")
    assert Cigar.objects.filter(pk=duplicate.pk).exists()


def test_the_merge_api_is_for_operators_and_answers_409_when_refused(
    decided, duplicate, kept, operator_api, user_api
):
    url = f"/api/v1/cigars/{duplicate.pk}/merge/"
    assert user_api.post(url, {"into": kept.pk, "reason": "x"}, format="json").status_code == 403
    assert operator_api.post(url, {"into": kept.pk}, format="json").status_code == 400
    self_merge = operator_api.post(url, {"into": duplicate.pk, "reason": "x"}, format="json")
    assert self_merge.status_code == 409
    assert self_merge.json()["error"]["code"] == "conflict"
    response = operator_api.post(url, {"into": kept.pk, "reason": "duplicate"}, format="json")
    assert response.status_code == 200
    assert response.json()["matches_moved"] == 2
    assert not Cigar.objects.filter(pk=duplicate.pk).exists()


def test_the_admin_merges_after_a_confirmation(decided, duplicate, kept, admin_client_logged_in):
    changelist = "/admin/catalogue/cigar/"
    ask = admin_client_logged_in.post(
        changelist, {"action": "merge_into", "_selected_action": [duplicate.pk]}
    )
    assert ask.status_code == 200
    assert "Id of the cigar that stays" in ask.content.decode()
    assert Cigar.objects.filter(pk=duplicate.pk).exists()
    done = admin_client_logged_in.post(
        changelist,
        {
            "action": "merge_into",
            "_selected_action": [duplicate.pk],
            "confirm": "yes",
            "into": kept.pk,
            "reason": "duplicate from the shop import",
        },
    )
    assert done.status_code == 302
    assert not Cigar.objects.filter(pk=duplicate.pk).exists()
    assert CigarCustomsMatch.objects.filter(cigar=kept).count() == 3
