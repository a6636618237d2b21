import pytest

from catalogue.naming import cigar_full_name, fold, search_key


@pytest.mark.parametrize(
    ("brand", "line", "vitola", "expected"),
    [
        ("Cohiba", "Siglo", "Siglo VI", "Cohiba Siglo VI"),
        ("Cohiba", "Cohiba", "Robustos", "Cohiba Robustos"),
        ("Cohiba", "", "Robustos", "Cohiba Robustos"),
        ("Cohiba", "Behike", "BHK 52", "Cohiba Behike BHK 52"),
        ("Cohiba", "Maduro 5", "Genios", "Cohiba Maduro 5 Genios"),
        ("Montecristo", "Edmundo", "Edmundos", "Montecristo Edmundos"),
        ("Montecristo", "Edmundo", "Double Edmundo", "Montecristo Double Edmundo"),
        ("Montecristo", "Montecristo", "Montecristo No.2", "Montecristo No.2"),
        ("Punch", "Punch", "Punch Punch", "Punch Punch"),
        ("Romeo y Julieta", "Exhibición", "Exhibicion No.4", "Romeo y Julieta Exhibicion No.4"),
        ("Hoyo de Monterrey", "Epicure", "Epicure No.2", "Hoyo de Monterrey Epicure No.2"),
        ("Partagás", "Serie D", "  Serie D   No.4 ", "Partagás Serie D No.4"),
    ],
)
def test_full_name_says_each_part_once(brand, line, vitola, expected):
    assert cigar_full_name(brand=brand, line=line, vitola=vitola) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Cohiba Siglo VI", "cohiba siglo 6"),
        ("cohiba siglo 6", "cohiba siglo 6"),
        ("Siglo IV", "siglo 4"),
        ("Siglo IX", "siglo 9"),
        ("Montecristo No.2", "montecristo no 2"),
        ("Montecristo N°2", "montecristo no 2"),
        ("Montecristo Nº 2", "montecristo no 2"),
        ("Montecristo #2", "montecristo no 2"),
        ("montecristo number 2", "montecristo no 2"),
        ("BHK52", "bhk 52"),
        ("Partagás Serie D No.4", "partagas serie d no 4"),
        ("Ramón Allones Specially Selected", "ramon allones specially selected"),
        # A first word is never a Roman numeral, "no" without a number stays a word.
        ("I no", "i no"),
        ("", ""),
    ],
)
def test_search_key_normalises_numbers_accents_and_punctuation(text, key):
    assert search_key(text) == key


def test_fold_removes_accents_and_case():
    assert fold("PARTAGÁS Línea") == "partagas linea"
