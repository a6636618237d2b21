"""One line of a Spanish list → an ``ExtractedEntry`` (the CMT CSV and the BOE tables).

Both channels print a name in the Spanish grammar (``customs.labels.spanish``) and a price
in euros with a decimal comma; the CMT list adds the price at outlets allowed a surcharge
(« recargo »), kept beside the regular price. Whether the stated price is per cigar or per
pack comes from the name (``(el envase de 5)``) or from the table heading (the BOE's
« Euros/envase » section).
"""

from __future__ import annotations

from decimal import Decimal

from customs.labels import PriceParseError, normalise_name, parse_price, unit_from_pack
from customs.labels.spanish import read_spanish_name, spanish_parsed_label
from customs.rows.editions import TableError
from customs.rows.entries import ExtractedEntry

#: The category every Spanish cigar line is filed under (``is_cigar_category`` knows it).
SPANISH_CIGAR_CATEGORY = "Cigarros y cigarritos"

#: The zones of the Spanish monopoly (the Canary Islands are outside it and have no list).
ZONES: dict[str, str] = {
    "peninsula": "Península e Illes Balears",
    "ceuta-melilla": "Ceuta y Melilla",
}
#: The zone a Spanish price is compared in when none is asked for.
MAIN_ZONE = "peninsula"


def spanish_price(value: object, *, where: str, required: bool = True) -> Decimal | None:
    """``5,40``, ``1.234,50``, ``12,00 €`` → Decimal; a bad or (if required) empty cell fails."""
    try:
        price = parse_price(value)
    except PriceParseError as exc:
        raise TableError(f"{where}: {exc}") from None
    if price is None and required:
        raise TableError(f"{where}: the price is empty.")
    return price


def _per_unit(price: Decimal | None, pack_size: int | None) -> Decimal | None:
    if price is None or not pack_size:
        return None
    return unit_from_pack(price, pack_size)


def entry_from_spanish_line(
    name: str,
    price: Decimal,
    *,
    row_number: int,
    zone: str,
    surcharge: Decimal | None = None,
    per_pack_section: bool = False,
    category: str = SPANISH_CIGAR_CATEGORY,
) -> ExtractedEntry:
    """A priced line: the per-cigar price, the pack price when the pack is what is priced,
    the surcharge-outlet price beside them, the pack size from the name."""
    spanish = read_spanish_name(name)
    per_pack = spanish.per_pack or per_pack_section
    pack_size = spanish.pack_size
    flags: list[str] = []
    computed = False
    if per_pack:
        pack_price, surcharge_pack = price, surcharge
        unit_price, surcharge_unit = _per_unit(price, pack_size), _per_unit(surcharge, pack_size)
        computed = unit_price is not None
        if computed:
            flags.append("unit_price_computed")
        else:
            flags.append("unit_unknown_no_pack_size")
    else:
        unit_price, surcharge_unit = price, surcharge
        pack_price = surcharge_pack = None
    if not spanish.brand:
        flags.append("no_brand_in_capitals")
    parsed = spanish_parsed_label(name).as_dict()
    parsed.update(
        {
            "grammar": "es",
            "brand_in_capitals": spanish.brand,
            "product": spanish.product,
            "per_pack": per_pack,
            "price_status": "new",
            "is_new_product": False,
            "flags": flags,
            "pack_size_from_label": pack_size,
            "zone": zone,
        }
    )
    packaging = "; ".join((*spanish.parentheses, *spanish.packaging_words))
    return ExtractedEntry(
        row_number=row_number,
        raw_label=spanish.raw.strip()[:500],
        new_label="",
        category=category,
        normalised_label=normalise_name(spanish.name)[:500],
        pack_size=pack_size,
        packaging=packaging[:200],
        unit_price=unit_price,
        pack_price=pack_price,
        unit_price_computed=computed,
        parsed=parsed,
        surcharge_unit_price=surcharge_unit,
        surcharge_pack_price=surcharge_pack,
        zone=zone,
    )
