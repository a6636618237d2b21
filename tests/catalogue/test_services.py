from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalogue import services
from catalogue.models import BlendComponent, Brand, Cigar, CigarPackage, TastingNote
from catalogue.packages import ParsedPackage
from tests.factories import CigarPackageFactory

pytestmark = pytest.mark.django_db


def test_create_derives_full_name_search_name_and_slug(catalogue):
    siglo = catalogue["cigars"]["siglo VI"]
    assert (siglo.full_name, siglo.search_name, siglo.slug) == (
        "Cohiba Siglo VI",
        "cohiba siglo 6",
        "cohiba-siglo-vi",
    )
    robustos = catalogue["cigars"]["robustos"]
    assert robustos.full_name == "Cohiba Robustos"
    assert catalogue["cigars"]["no 2"].full_name == "Montecristo No.2"
    assert catalogue["brands"]["partagas"].slug == "partagas"


def test_slugs_stay_unique():
    first = services.brand_create(name="La Flor")
    second_line = services.line_create(brand=first, name="Flor")
    a = services.cigar_create(line=services.line_default(brand=first), vitola_name="Flor X")
    b = services.cigar_create(line=second_line, vitola_name="X")
    assert a.full_name == "La Flor Flor X"
    assert b.full_name == "La Flor Flor X"
    assert a.slug == "la-flor-flor-x"
    assert b.slug == "la-flor-flor-x-2"


def test_brand_rename_cascades_to_default_line_and_cigars(catalogue):
    cohiba = catalogue["brands"]["cohiba"]
    services.brand_update(brand=cohiba, name="Cohiba Habana")
    cohiba.refresh_from_db()
    assert cohiba.slug == "cohiba-habana"
    assert cohiba.lines.filter(name="Cohiba Habana").exists()
    names = set(Cigar.objects.filter(line__brand=cohiba).values_list("full_name", flat=True))
    assert "Cohiba Habana Siglo VI" in names
    assert "Cohiba Habana Robustos" in names
    siglo = Cigar.objects.get(full_name="Cohiba Habana Siglo VI")
    assert siglo.search_name == "cohiba habana siglo 6"
    assert siglo.slug == "cohiba-habana-siglo-vi"
    # Other brands are untouched.
    assert Cigar.objects.filter(full_name="Montecristo No.2").exists()


def test_rename_is_atomic(catalogue, monkeypatch):
    def boom(cigars):
        raise RuntimeError("failure while renaming cigars")

    monkeypatch.setattr(services.brands, "_cascade_names", boom)
    with pytest.raises(RuntimeError):
        services.line_update(line=catalogue["lines"]["siglo"], name="Línea 1492")
    assert catalogue["lines"]["siglo"].__class__.objects.filter(name="Siglo").exists()
    assert Cigar.objects.filter(full_name="Cohiba Siglo VI").exists()


def test_line_rename_and_move_rewrite_cigars(catalogue):
    line = catalogue["lines"]["siglo"]
    services.line_update(line=line, name="Línea 1492")
    assert Cigar.objects.get(pk=catalogue["cigars"]["siglo VI"].pk).full_name == (
        "Cohiba Línea 1492 Siglo VI"
    )
    services.line_update(line=line, brand=catalogue["brands"]["montecristo"])
    assert Cigar.objects.get(pk=catalogue["cigars"]["siglo VI"].pk).full_name == (
        "Montecristo Línea 1492 Siglo VI"
    )


def test_cigar_update_clears_embedding_when_the_name_changes(catalogue):
    cigar = catalogue["cigars"]["robustos"]
    Cigar.objects.filter(pk=cigar.pk).update(embedding=[0.1] * 768, embedding_model="m")
    cigar.refresh_from_db()
    services.cigar_update(cigar=cigar, ring_gauge=52)
    cigar.refresh_from_db()
    assert cigar.embedding is not None  # not a name change
    services.cigar_update(cigar=cigar, vitola_name="Robusto Supremo")
    cigar.refresh_from_db()
    assert cigar.full_name == "Cohiba Robusto Supremo"
    assert cigar.embedding is None
    assert cigar.embedding_model == ""


def test_validation_errors_are_field_level(catalogue):
    line = catalogue["lines"]["siglo"]
    with pytest.raises(ValidationError) as excinfo:
        services.cigar_create(line=line, vitola_name="Siglo VI")
    assert "vitola_name" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.cigar_create(line=line, vitola_name="Siglo VII", ring_gauge=7)
    assert excinfo.value.messages
    with pytest.raises(ValidationError):
        services.brand_create(name="COHIBA")  # case-insensitive unique name
    with pytest.raises(ValidationError):
        services.cigar_update(cigar=catalogue["cigars"]["robustos"], full_name="typed by hand")


def test_delete_refuses_non_empty_brand_and_line(catalogue):
    with pytest.raises(ValidationError):
        services.brand_delete(brand=catalogue["brands"]["cohiba"])
    with pytest.raises(ValidationError):
        services.line_delete(line=catalogue["lines"]["siglo"])
    davidoff = catalogue["brands"]["davidoff"]
    services.cigar_delete(cigar=catalogue["cigars"]["davidoff"])
    services.line_delete(line=catalogue["lines"]["millennium"])
    services.brand_delete(brand=davidoff)
    assert not Brand.objects.filter(name="Davidoff").exists()


def test_set_packages_leaves_merchant_prices_alone(catalogue):
    cigar = catalogue["cigars"]["robustos"]
    CigarPackageFactory(
        cigar=cigar, merchant="Shop", pack_size=25, price=Decimal("500"), currency="EUR"
    )
    assert services.cigar_set_packages(cigar=cigar, packages=[ParsedPackage(10, "box")])
    assert not services.cigar_set_packages(cigar=cigar, packages=[ParsedPackage(10, "box")])
    assert sorted(
        CigarPackage.objects.filter(cigar=cigar).values_list("merchant", "pack_size")
    ) == [("", 10), ("Shop", 25)]


def test_blend_replaced_and_validated(catalogue):
    cigar = catalogue["cigars"]["robustos"]
    services.cigar_set_blend(
        cigar=cigar,
        components=[
            {"role": "wrapper", "leaf": "Corojo", "country": "Cuba"},
            {"role": "filler", "country": "Cuba"},
        ],
    )
    assert list(BlendComponent.objects.filter(cigar=cigar).values_list("role", "position")) == [
        ("wrapper", 0),
        ("filler", 1),
    ]
    with pytest.raises(ValidationError):
        services.cigar_set_blend(cigar=cigar, components=[{"role": "cap"}])


def test_tasting_notes(catalogue):
    cigar = catalogue["cigars"]["siglo VI"]
    note = services.tasting_note_create(cigar=cigar, reviewer="A", score=93, pairings=["rum"])
    services.tasting_note_update(note=note, score=95)
    assert TastingNote.objects.get().score == 95
    with pytest.raises(ValidationError):
        services.tasting_note_update(note=note, score=101)
    services.tasting_note_delete(note=note)
    assert not TastingNote.objects.exists()


def test_save_instance_services_compute_names_for_forms(catalogue):
    brand = Brand(name="Trinidad")
    services.brand_save_instance(brand=brand)
    assert brand.slug == "trinidad"
    line = services.line_default(brand=brand)
    cigar = Cigar(line=line, vitola_name="Fundadores", length_mm=Decimal("192"), ring_gauge=40)
    services.cigar_save_instance(cigar=cigar)
    assert cigar.full_name == "Trinidad Fundadores"
    assert cigar.search_name == "trinidad fundadores"
    cigar.vitola_name = "Reyes"
    services.cigar_save_instance(cigar=cigar)
    assert Cigar.objects.get(pk=cigar.pk).slug == "trinidad-reyes"
    brand.name = "Trinidad Cuba"
    services.brand_save_instance(brand=brand)
    assert Cigar.objects.get(pk=cigar.pk).full_name == "Trinidad Cuba Reyes"


def test_rows_written_around_the_services_still_get_a_search_key():
    from tests.factories import CigarFactory

    cigar = CigarFactory(full_name="Cohiba Siglo VI")
    assert Cigar.objects.get(pk=cigar.pk).search_name == "cohiba siglo 6"
