import pytest

from catalogue.packages import PackageParseError, ParsedPackage, parse_packages


def test_size_list_defaults_to_boxes():
    assert parse_packages("10;25") == [ParsedPackage(10, "box"), ParsedPackage(25, "box")]
    assert parse_packages("10, 25") == [ParsedPackage(10, "box"), ParsedPackage(25, "box")]


def test_size_list_with_packaging_words():
    assert parse_packages("box:25;tube:3") == [ParsedPackage(25, "box"), ParsedPackage(3, "tube")]


def test_free_text_one_package_per_sentence():
    parsed = parse_packages("Dress Box of 25 cigars. Cardboard Pack of 3 cigars")
    assert [(p.packaging, p.pack_size) for p in parsed] == [("box", 25), ("pack", 3)]
    assert parsed[0].description == "Dress Box of 25 cigars"


def test_free_text_tubes_tins_and_release_notes():
    parsed = parse_packages(
        "Dress Box of 25 cigars in aluminium tubes. Metal Tin of 5 cigars. "
        "Cardboard Pack of 3 cigars (released 2003). "
        "Varnished Cabinet of 50 cigars (released c2008)."
    )
    assert [(p.packaging, p.pack_size) for p in parsed] == [
        ("tube", 25),
        ("tin", 5),
        ("pack", 3),
        ("cabinet", 50),
    ]
    assert parsed[2].description == "Cardboard Pack of 3 cigars"


def test_the_count_after_of_wins_over_other_numbers():
    parsed = parse_packages(
        "Varnished 8-9-8 Box of 25 cigars. Numbered Dress Box of 20 cigars (5000 boxes released)."
    )
    assert [(p.packaging, p.pack_size) for p in parsed] == [("box", 25), ("box", 20)]


def test_same_packaging_and_size_merge():
    parsed = parse_packages("Dress Box of 25 cigars. Slide Lid Box of 25 cigars.")
    assert parsed == [
        ParsedPackage(25, "box", "Dress Box of 25 cigars; Slide Lid Box of 25 cigars")
    ]


def test_blank_is_no_package():
    assert parse_packages("") == []
    assert parse_packages("   ") == []


@pytest.mark.parametrize("text", ["Dress Box of cigars", "0;25", "crate:10", "25;999999"])
def test_unparseable_packages_raise(text):
    with pytest.raises(PackageParseError):
        parse_packages(text)
