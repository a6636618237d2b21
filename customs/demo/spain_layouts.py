# Verbatim Spanish document text keeps its real line shapes.
# ruff: noqa: E501, RUF001
"""Writers of Spain's two publication layouts (docs/spain.md): the CMT « Precios de
labores » page and its CSV export, the BOE open-data summary and a resolution document.

The demo writes its Spanish snapshot and resolution with them, and the test fixtures
(``tests/customs/fixtures/build_spain.py``) and ``bench/ingest.py`` build theirs with the
same writers, so the layouts the parsers are tested on are the ones the demo shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

CMT_HEADER = (
    "Producto",
    "Precio Expendedurías de Tabaco y Timbre (€)",
    "Precio Puntos de Venta con Recargo (€)",
)


def cmt_csv_bytes(rows: Iterable[Sequence[str]], header: Sequence[str] = CMT_HEADER) -> bytes:
    """The CSV export: ``;``-separated, cp1252, CRLF line ends, one header line."""
    lines = [";".join(header), *(";".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def cmt_form_html(*, action: str = "PreciosLabores.aspx") -> str:
    zones = [
        ("0", "Seleccione una zona"),
        ("1", "Península e Illes Balears"),
        ("2", "Ceuta y Melilla"),
    ]
    labors = [("0", "Todas"), ("1", "Cigarrillos"), ("2", "Cigarros"), ("3", "Picadura de liar")]

    def options(items: list[tuple[str, str]]) -> str:
        return "".join(f'<option value="{v}">{escape(t)}</option>' for v, t in items)

    return f"""<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>Precios de labores</title></head>
<body>
<form method="post" action="./{action}" id="aspnetForm">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWBAIBD2QWAgIBDxAPFgIeC18hRGF0YUJvdW5kZ2RkZGQ=" />
<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="5E7A1C2B" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEdAAgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" />
<label for="zona">Zona</label>
<select name="ctl00$PlaceHolderMain$ddlZona" id="zona">{options(zones)}</select>
<label for="labor">Labor</label>
<select name="ctl00$PlaceHolderMain$ddlLabor" id="labor">{options(labors)}</select>
<input type="text" name="ctl00$PlaceHolderMain$txtMarca" value="" />
<input type="submit" name="ctl00$PlaceHolderMain$btnBuscar" value="Buscar" />
<input type="submit" name="ctl00$PlaceHolderMain$btnExportar" value="Exportar a CSV" />
</form>
</body></html>
"""


def boe_summary_json(items: list[dict], *, day: str = "20261204") -> str:
    """One day's summary as the open-data API answers it in JSON (XML turned into JSON:
    one child is an object, several are a list)."""
    summary = {
        "status": {"code": "200", "text": "ok"},
        "data": {
            "sumario": {
                "metadatos": {"publicacion": "BOE", "fecha_publicacion": day},
                "diario": [
                    {
                        "numero": "292",
                        "sumario_diario": {"identificador": f"BOE-S-{day[:4]}-292"},
                        "seccion": [
                            {
                                "codigo": "1",
                                "nombre": "I. Disposiciones generales",
                                "departamento": [
                                    {
                                        "codigo": "7723",
                                        "nombre": "JEFATURA DEL ESTADO",
                                        "epigrafe": {
                                            "nombre": "Acuerdos internacionales",
                                            "item": {
                                                "identificador": f"BOE-A-{day[:4]}-25010",
                                                "titulo": "Instrumento de ratificación del Convenio…",
                                                "url_xml": f"https://www.boe.es/diario_boe/xml.php?id=BOE-A-{day[:4]}-25010",
                                            },
                                        },
                                    },
                                    {
                                        "codigo": "9566",
                                        "nombre": "MINISTERIO DE HACIENDA",
                                        "epigrafe": [
                                            {"nombre": "Tabaco. Precios", "item": items},
                                        ],
                                    },
                                ],
                            },
                            {
                                "codigo": "3",
                                "nombre": "III. Otras disposiciones",
                                "departamento": {
                                    "codigo": "9566",
                                    "nombre": "MINISTERIO DE HACIENDA",
                                    "epigrafe": {
                                        "nombre": "Lotería Nacional",
                                        "item": {
                                            "identificador": f"BOE-A-{day[:4]}-25099",
                                            "titulo": "Resolución de 1 de diciembre, de Loterías y Apuestas del Estado…",
                                            "url_xml": f"https://www.boe.es/diario_boe/xml.php?id=BOE-A-{day[:4]}-25099",
                                        },
                                    },
                                },
                            },
                        ],
                    }
                ],
            }
        },
    }
    return json.dumps(summary, ensure_ascii=False, indent=1)


RESOLUTION_TITLE = (
    "Resolución de {signed}, de la Presidencia del Comisionado para el Mercado de Tabacos, "
    "por la que se publican los precios de venta al público de determinadas labores de "
    "tabaco en Expendedurías de Tabaco y Timbre del área del Monopolio."
)


def summary_item(boe_id: str, url_xml: str, *, signed: str = "1 de diciembre de 2026") -> dict:
    return {
        "identificador": boe_id,
        "control": "2026/25011",
        "titulo": RESOLUTION_TITLE.format(signed=signed),
        "url_pdf": {"szBytes": "190000", "texto": url_xml.replace("xml.php", "pdf.php")},
        "url_html": url_xml.replace("xml.php", "txt.php"),
        "url_xml": url_xml,
    }


def _table(heading_unit: str, groups: list[tuple[str, list[tuple[str, str]]]]) -> str:
    rows = [
        '<tr><th class="cabeza_tabla"/><th class="cabeza_tabla">PVP<br/>-<br/>'
        f"{heading_unit}</th></tr>"
    ]
    for brand, lines in groups:
        if brand:
            rows.append(f'<tr><td class="cuerpo_tabla_izq" colspan="2">{escape(brand)}</td></tr>')
        for name, price in lines:
            rows.append(
                f'<tr><td class="cuerpo_tabla_izq">{escape(name)}.</td>'
                f'<td class="cuerpo_tabla_der">{price}</td></tr>'
            )
    return f'<table class="tabla"><tbody>{"".join(rows)}</tbody></table>'


def boe_resolution_xml(
    parts: list[tuple[str, list[tuple[str, str, list]]]],
    *,
    boe_id: str = "BOE-A-2026-25011",
    signed: str = "1 de diciembre de 2026",
    signed_compact: str = "20261201",
    published: str = "20261204",
    in_force: str = "La presente Resolución entrará en vigor el día siguiente al de su publicación en el «Boletín Oficial del Estado».",
    with_tables: bool = True,
) -> str:
    """``parts``: (zone words, [(section heading, unit heading, [(brand, [(name, price)])])])."""
    ordinals = ["Primero", "Segundo", "Tercero", "Cuarto"]
    body = [
        '<p class="parrafo">En virtud de lo establecido en el artículo 4 de la Ley 13/1998, de 4 de mayo, '
        "de Ordenación del Mercado de Tabacos y Normativa Tributaria se publican los precios de venta al "
        "público (PVP) de determinadas labores de tabaco en Expendedurías de Tabaco y Timbre del área del "
        "Monopolio, que han sido propuestos por los correspondientes fabricantes e importadores.</p>"
    ]
    for index, (zone_words, sections) in enumerate(parts):
        body.append(f'<p class="articulo">{ordinals[index]}.</p>')
        body.append(
            '<p class="parrafo">Los precios de venta al público (PVP) de las labores de tabaco que se '
            "indican a continuación, incluidos los diferentes tributos, en Expendedurías de Tabaco y "
            f"Timbre de {zone_words}, serán los siguientes:</p>"
        )
        for heading, unit, groups in sections:
            body.append(f'<p class="parrafo_2">{escape(heading)}</p>')
            if with_tables:
                body.append(_table(unit, groups))
            else:
                body.append('<p class="parrafo">(Ver imágenes, páginas 160001 a 160002)</p>')
    body.append(f'<p class="articulo">{ordinals[len(parts)]}.</p>')
    body.append(f'<p class="parrafo">{escape(in_force)}</p>')
    body.append(
        '<p class="parrafo_2">Madrid, 1 de diciembre de 2026.–La Presidenta del Comisionado para '
        "el Mercado de Tabacos, María Ejemplo Ficticia.</p>"
    )
    title = RESOLUTION_TITLE.format(signed=signed)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<documento fecha_actualizacion="{published}083000">
<metadatos>
<identificador>{boe_id}</identificador>
<origen_legislativo codigo="1">Estatal</origen_legislativo>
<departamento codigo="9566">Ministerio de Hacienda</departamento>
<rango codigo="1370">Resolución</rango>
<fecha_disposicion>{signed_compact}</fecha_disposicion>
<titulo>{escape(title)}</titulo>
<diario>Boletín Oficial del Estado</diario>
<fecha_publicacion>{published}</fecha_publicacion>
<diario_numero>292</diario_numero>
<seccion>1</seccion>
<url_pdf>/boe/dias/2026/12/04/pdfs/{boe_id}.pdf</url_pdf>
</metadatos>
<analisis><materias><materia codigo="6853">Tabaco</materia></materias></analisis>
<texto>
{"".join(body)}
</texto>
</documento>
"""
