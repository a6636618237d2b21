"""factory-boy factories for every model; apps' tests extend these rather than copy them."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import blake3
import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import RefreshToken, User
from catalogue.models import (
    BlendComponent,
    Brand,
    Cigar,
    CigarAlias,
    CigarLine,
    CigarPackage,
    MediaAsset,
    SourceRecord,
    TastingNote,
)
from customs.models import CustomsPriceEntry, CustomsPublication, CustomsSource
from matching.models import CigarCustomsMatch, MatchEvent, MatchStatus
from media.models import MediaBlob


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("a-long-test-password")


class OperatorFactory(UserFactory):
    is_admin = True


class RefreshTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RefreshToken

    user = factory.SubFactory(UserFactory)
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"secret-{n}".encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    country = "Cuba"


class CigarLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CigarLine

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Line {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class CigarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cigar

    line = factory.SubFactory(CigarLineFactory)
    vitola_name = factory.Sequence(lambda n: f"Vitola {n}")
    full_name = factory.LazyAttribute(
        lambda o: f"{o.line.brand.name} {o.line.name} {o.vitola_name}"
    )
    slug = factory.LazyAttribute(lambda o: slugify(o.full_name))
    length_mm = Decimal("124.0")
    ring_gauge = 50


class BlendComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlendComponent

    cigar = factory.SubFactory(CigarFactory)
    role = "wrapper"
    leaf = "Corojo"
    country = "Cuba"


class CigarPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CigarPackage

    cigar = factory.SubFactory(CigarFactory)
    pack_size = 25
    packaging = "box"


class TastingNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TastingNote

    cigar = factory.SubFactory(CigarFactory)
    reviewer = "A. Taster"
    score = 90
    text = "Cedar and cocoa."


class SourceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceRecord

    url = "file:///catalogue.csv"
    fetched_at = factory.LazyFunction(timezone.now)
    parser = "import_catalogue"
    parser_version = "1"


class MediaBlobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaBlob

    size = 4
    mime_type = "image/png"
    digest = factory.Sequence(lambda n: blake3.blake3(f"blob-{n}".encode()).hexdigest())
    storage_key = factory.LazyAttribute(lambda o: f"{o.digest[:2]}/{o.digest[2:4]}/{o.digest}")


class MediaAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaAsset

    cigar = factory.SubFactory(CigarFactory)
    blob = factory.SubFactory(MediaBlobFactory)
    asset_type = "front"


class CigarAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CigarAlias

    source_slug = "fr-douane-opendata"
    normalised_label = factory.Sequence(lambda n: f"label {n}")
    kind = "accepted"
    cigar = factory.SubFactory(CigarFactory)


class CustomsSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomsSource
        django_get_or_create = ("slug",)

    slug = "fr-douane-opendata"
    name = "DGDDI"
    country = "FR"
    currency = "EUR"
    discovery_adapter = "douane_opendata_index"
    extractor_adapter = "douane_ods"


class CustomsPublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomsPublication

    source = factory.SubFactory(CustomsSourceFactory)
    external_id = factory.Sequence(lambda n: f"https://example.test/Maquette-{n}.ods")
    title = factory.Sequence(lambda n: f"Arrêté {n}")
    effective_date = dt.date(2026, 11, 1)


class CustomsPriceEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomsPriceEntry

    publication = factory.SubFactory(CustomsPublicationFactory)
    row_number = factory.Sequence(lambda n: n + 10)
    raw_label = "Cohiba Robustos, en 25 cigares"
    category = "Cigares et cigarillos"
    normalised_label = "cohiba robustos"
    pack_size = 25
    unit_price = Decimal("82.00")
    pack_price = Decimal("2050.00")
    currency_code = "EUR"


class CigarCustomsMatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CigarCustomsMatch

    cigar = factory.SubFactory(CigarFactory)
    price_entry = factory.SubFactory(CustomsPriceEntryFactory)
    match_method = "trigram"
    score = Decimal("0.750")
    signals = factory.LazyFunction(
        lambda: {"exact": 0, "fuzzy": 0.8, "vector": 0.7, "pack_compat": 1}
    )
    status = MatchStatus.PENDING_REVIEW


class MatchEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchEvent

    match = factory.SubFactory(CigarCustomsMatchFactory)
    from_status = ""
    to_status = MatchStatus.PENDING_REVIEW


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A key row; its secret is ``secret-key-<n>`` (tests that send the key use
    accounts.services.api_key_create, which returns the real one)."""

    class Meta:
        model = "accounts.ApiKey"

    name = factory.Sequence(lambda n: f"client {n}")
    owner = factory.SubFactory(UserFactory)
    prefix = factory.Sequence(lambda n: f"cs_{n:012x}")
    secret_hash = factory.Sequence(lambda n: hashlib.sha256(f"secret-key-{n}".encode()).hexdigest())
    scope = "read"


class CustomsFetchFactory(factory.django.DjangoModelFactory):
    """A provenance row of one fetch (customs)."""

    class Meta:
        model = "customs.CustomsFetch"

    publication = factory.SubFactory(CustomsPublicationFactory)
    source = factory.SelfAttribute("publication.source")
    purpose = "document"
    url = factory.SelfAttribute("publication.external_id")
    http_status = 200
    size = 1024
    adapter = "douane_ods"
    adapter_version = "1.0"
    fetched_at = factory.LazyFunction(timezone.now)


class CustomsRunFactory(factory.django.DjangoModelFactory):
    """A discovery or ingestion run with its outcome (customs)."""

    class Meta:
        model = "customs.CustomsRun"

    kind = "discover"
    source = factory.SubFactory(CustomsSourceFactory)
    outcome = "ok"
    message = "3 document(s) listed, 0 new."
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
