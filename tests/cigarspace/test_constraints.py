"""Each database constraint rejects a bad row (IntegrityError) and lets a good one pass.

Rows are written with ``QuerySet.update``/``create`` so that only PostgreSQL judges them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests import factories as f

pytestmark = pytest.mark.django_db


def rejects(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


# --- catalogue ------------------------------------------------------------------------------


def test_brand_name_unique_case_insensitively_and_slug_unique():
    f.BrandFactory(name="Cohiba", slug="cohiba")
    rejects(lambda: f.BrandFactory(name="COHIBA", slug="cohiba-2"))
    rejects(lambda: f.BrandFactory(name="Cohiba Two", slug="cohiba"))
    f.BrandFactory(name="Cohiba Two", slug="cohiba-two")


def test_line_slug_unique_per_brand_only():
    line = f.CigarLineFactory(name="Siglo", slug="siglo")
    rejects(lambda: f.CigarLineFactory(brand=line.brand, name="Siglo bis", slug="siglo"))
    f.CigarLineFactory(name="Siglo", slug="siglo")  # another brand: fine


def test_cigar_slug_and_external_id_unique():
    cigar = f.CigarFactory(slug="cohiba-siglo-vi", external_id="hab-1")
    rejects(lambda: f.CigarFactory(slug="cohiba-siglo-vi"))
    rejects(lambda: f.CigarFactory(external_id="hab-1"))
    f.CigarFactory(external_id=None)
    f.CigarFactory(external_id=None)  # several cigars without an external id
    assert cigar.pk


@pytest.mark.parametrize("ring", [19, 101])
def test_ring_gauge_range(ring):
    rejects(lambda: f.CigarFactory(ring_gauge=ring))


@pytest.mark.parametrize("length", [Decimal("39.9"), Decimal("600.1")])
def test_length_range(length):
    rejects(lambda: f.CigarFactory(length_mm=length))


def test_good_dimensions_and_unknown_dimensions_pass():
    f.CigarFactory(ring_gauge=52, length_mm=Decimal("150.0"))
    f.CigarFactory(ring_gauge=None, length_mm=None)


def test_cigar_strength_and_embedding_model():
    rejects(lambda: f.CigarFactory(strength="extreme"))
    rejects(lambda: f.CigarFactory(embedding=[0.1] * 768, embedding_model=""))
    f.CigarFactory(strength="full", embedding=[0.1] * 768, embedding_model="all-MiniLM-L6-v2")


def test_blend_role_values():
    rejects(lambda: f.BlendComponentFactory(role="cap"))
    f.BlendComponentFactory(role="filler")


def test_package_pack_size_positive():
    rejects(lambda: f.CigarPackageFactory(pack_size=0))
    f.CigarPackageFactory(pack_size=1)


@pytest.mark.parametrize(
    ("price", "currency"),
    [(Decimal("10.00"), None), (None, "EUR"), (Decimal("10.00"), "eur"), (Decimal("-1"), "EUR")],
)
def test_package_money_amount_and_currency_together(price, currency):
    rejects(lambda: f.CigarPackageFactory(price=price, currency=currency))


def test_package_money_good_rows():
    f.CigarPackageFactory(price=Decimal("250.00"), currency="EUR")
    f.CigarPackageFactory(price=None, currency=None)


def test_package_packaging_values():
    rejects(lambda: f.CigarPackageFactory(packaging="crate"))


def test_tasting_note_score_range():
    rejects(lambda: f.TastingNoteFactory(score=101))
    f.TastingNoteFactory(score=100)


def test_alias_kind_and_cigar_agree():
    rejects(lambda: f.CigarAliasFactory(kind="not_in_catalogue"))  # with a cigar
    rejects(lambda: f.CigarAliasFactory(kind="accepted", cigar=None))
    f.CigarAliasFactory(kind="not_in_catalogue", cigar=None)


def test_alias_one_resolution_per_label_but_many_rejections():
    first = f.CigarAliasFactory(normalised_label="cohiba robustos")
    rejects(lambda: f.CigarAliasFactory(normalised_label="cohiba robustos"))
    rejects(
        lambda: f.CigarAliasFactory(
            normalised_label="cohiba robustos", kind="not_in_catalogue", cigar=None
        )
    )
    f.CigarAliasFactory(normalised_label="cohiba robustos", kind="rejected")
    f.CigarAliasFactory(normalised_label="cohiba robustos", kind="rejected")
    rejects(
        lambda: (
            f.CigarAliasFactory(
                normalised_label="cohiba robustos", kind="rejected", cigar=first.cigar
            )
            and f.CigarAliasFactory(
                normalised_label="cohiba robustos", kind="rejected", cigar=first.cigar
            )
        )
    )
    f.CigarAliasFactory(normalised_label="cohiba robustos", source_slug="ch-ofdf")


# --- media ------------------------------------------------------------------------------------


def test_blob_digest_unique_and_hex():
    blob = f.MediaBlobFactory()
    rejects(lambda: f.MediaBlobFactory(digest=blob.digest))
    rejects(lambda: f.MediaBlobFactory(digest="not-a-digest"))


def test_blob_dimensions_together():
    rejects(lambda: f.MediaBlobFactory(width=100, height=None))
    f.MediaBlobFactory(width=100, height=50)


def test_at_most_one_primary_asset_per_cigar():
    cigar = f.CigarFactory()
    f.MediaAssetFactory(cigar=cigar, is_primary=True)
    rejects(lambda: f.MediaAssetFactory(cigar=cigar, is_primary=True))
    f.MediaAssetFactory(cigar=cigar, is_primary=False)
    f.MediaAssetFactory(is_primary=True)  # another cigar's primary


# --- customs ----------------------------------------------------------------------------------


def test_publication_unique_per_source_and_external_id():
    publication = f.CustomsPublicationFactory(external_id="x.ods")
    rejects(lambda: f.CustomsPublicationFactory(source=publication.source, external_id="x.ods"))


def test_identical_bytes_once_per_source_unless_marked_duplicate():
    digest = "a" * 64
    original = f.CustomsPublicationFactory(content_hash=digest)
    rejects(lambda: f.CustomsPublicationFactory(content_hash=digest))
    f.CustomsPublicationFactory(content_hash=digest, duplicate_of=original)


def test_publication_status_and_failed_stage():
    rejects(lambda: f.CustomsPublicationFactory(status="exploded"))
    rejects(lambda: f.CustomsPublicationFactory(status="failed", failed_stage=""))
    rejects(lambda: f.CustomsPublicationFactory(status="fetched", failed_stage="fetch"))
    f.CustomsPublicationFactory(status="failed", failed_stage="parse", error="bad sheet")


def test_source_codes_are_iso():
    rejects(lambda: f.CustomsSourceFactory(slug="xx", country="fr"))
    rejects(lambda: f.CustomsSourceFactory(slug="yy", currency="eur"))


def test_entry_constraints():
    entry = f.CustomsPriceEntryFactory()
    rejects(
        lambda: f.CustomsPriceEntryFactory(
            publication=entry.publication, row_number=entry.row_number
        )
    )
    rejects(lambda: f.CustomsPriceEntryFactory(pack_size=0))
    rejects(lambda: f.CustomsPriceEntryFactory(currency_code=""))
    rejects(lambda: f.CustomsPriceEntryFactory(unit_price=Decimal("-2")))
    rejects(lambda: f.CustomsPriceEntryFactory(change_kind="vanished"))
    f.CustomsPriceEntryFactory(change_kind="withdrawn", pack_size=None, unit_price=None)


# --- matching ---------------------------------------------------------------------------------


def test_match_pair_unique():
    match = f.CigarCustomsMatchFactory()
    rejects(lambda: f.CigarCustomsMatchFactory(cigar=match.cigar, price_entry=match.price_entry))


@pytest.mark.parametrize("score", [Decimal("-0.001"), Decimal("1.001")])
def test_match_score_within_unit_interval(score):
    rejects(lambda: f.CigarCustomsMatchFactory(score=score))


def test_match_status_method_rank_values():
    rejects(lambda: f.CigarCustomsMatchFactory(status="MAYBE"))
    rejects(lambda: f.CigarCustomsMatchFactory(match_method="guess"))
    rejects(lambda: f.CigarCustomsMatchFactory(rank=0))
    f.CigarCustomsMatchFactory(score=Decimal("1.000"), status="HUMAN_ACCEPTED", rank=1)


def test_one_accepted_match_per_entry():
    entry = f.CustomsPriceEntryFactory()
    f.CigarCustomsMatchFactory(price_entry=entry, status="AUTO_ACCEPTED")
    rejects(lambda: f.CigarCustomsMatchFactory(price_entry=entry, status="HUMAN_ACCEPTED"))
    f.CigarCustomsMatchFactory(price_entry=entry, status="AUTO_REJECTED", rank=2)


def test_match_events_are_append_only():
    event = f.MatchEventFactory()
    event.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


# --- accounts ---------------------------------------------------------------------------------


def test_user_email_unique_case_insensitively():
    f.UserFactory(email="Ana@Example.com")
    rejects(lambda: f.UserFactory(email="ana@example.com"))


def test_refresh_token_hash_is_sha256_hex():
    rejects(lambda: f.RefreshTokenFactory(token_hash="plain-secret"))
    token = f.RefreshTokenFactory()
    rejects(lambda: f.RefreshTokenFactory(token_hash=token.token_hash))
