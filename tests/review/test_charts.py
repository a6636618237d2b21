"""The console's server-rendered SVG and markup helpers (pure functions)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from matching.admin.charts import (
    daily_bars_svg,
    highlight_tokens,
    price_history_series,
    price_history_svg,
    score_colour,
    signal_bars_html,
    waterfall_svg,
)


def _history() -> list[dict]:
    def point(day, unit=None, pack=None, withdrawn=False):
        return {"effective_date": day, "unit_price": unit, "pack_price": pack,
                "is_withdrawn": withdrawn}  # fmt: skip

    return [
        {
            "country": "FR",
            "source": "fr-douane-opendata",
            "pack_size": 25,
            "currency": "EUR",
            "prices": [
                point(dt.date(2025, 1, 1), unit=Decimal("30")),
                # No unit price: derived from the pack price.
                point(dt.date(2025, 7, 1), pack=Decimal("800")),
                point(dt.date(2026, 1, 1), unit=Decimal("35"), withdrawn=True),
                point(None, unit=Decimal("99")),
            ],
        },
        {"country": "CH", "source": "ch-ofdf", "pack_size": None, "currency": "CHF", "prices": []},
    ]


def test_series_skip_undated_withdrawn_and_empty_groups():
    series = price_history_series(_history())

    assert len(series) == 1
    assert series[0]["name"] == "France"
    assert series[0]["points"] == [(dt.date(2025, 1, 1), 30.0), (dt.date(2025, 7, 1), 32.0)]


def test_price_history_svg_places_points_by_date_and_price():
    svg = str(price_history_svg(_history()))

    coords = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    (x1, y1), (x2, y2) = ([float(v) for v in c.split(",")] for c in coords)
    assert x1 < x2  # later date to the right
    assert y2 < y1  # dearer higher up
    assert svg.count("<circle") == 2
    assert "2025-01-01" in svg
    assert "(EUR per cigar)" in svg


def test_price_history_without_prices_says_so():
    assert "No official price yet." in str(price_history_svg([]))


def test_series_names_are_escaped():
    history = [{"source": '<b onmouseover="x">', "pack_size": 3, "currency": "EUR",
                "prices": [{"effective_date": dt.date(2025, 1, 1), "unit_price": 1,
                            "pack_price": None, "is_withdrawn": False}]}]  # fmt: skip

    svg = str(price_history_svg(history))

    assert "<b onmouseover" not in svg
    assert "&lt;b onmouseover=&quot;x&quot;&gt;" in svg


def test_daily_bars_scale_to_the_busiest_day():
    svg = str(daily_bars_svg([(dt.date(2026, 11, 20), 2), (dt.date(2026, 11, 21), 4)]))

    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)" class="bar"', svg)]
    assert heights[1] == 2 * heights[0]
    assert "2026-11-21: 4 decision(s)" in svg
    assert "No decision yet." in str(daily_bars_svg([]))


def test_waterfall_adds_contributions_and_subtracts_penalties():
    explanation = {
        "score": 0.6,
        "recomputed_score": 0.6,
        "thresholds": {"accept": 0.8, "reject": 0.55},
        "signals": [
            {"signal": "fuzzy", "value": 1.0, "contribution": 0.5},
            {"signal": "vector", "value": None, "contribution": 0},
            {"signal": "brand", "value": 1.0, "contribution": 0.3},
        ],
        "penalties": [{"constraint": "codes", "amount": 0.2}],
    }

    svg = str(waterfall_svg(explanation))

    assert "+0.500" in svg
    assert "vector (n/a)" in svg
    assert "- codes" in svg
    assert "-0.200" in svg
    assert "0.600</text>" in svg
    assert 'class="threshold accept"' in svg
    assert f'fill="{score_colour(0.6, accept=0.8, reject=0.55)}"' in svg


def test_waterfall_names_an_outdated_stored_score():
    svg = str(waterfall_svg({"score": 0.7, "recomputed_score": 0.5, "signals": []}))

    assert "0.500 (was 0.700)" in svg


def test_score_colours_follow_the_thresholds():
    colours = {score_colour(s, accept=0.8, reject=0.55) for s in (0.9, 0.6, 0.1)}

    assert len(colours) == 3
    assert score_colour(0.8, accept=0.8, reject=0.55) == score_colour(0.95, accept=0.8, reject=0.55)


def test_signal_bars_show_each_signal_and_missing_ones():
    html = str(signal_bars_html({"fuzzy": 0.8, "exact": 1.5}, ["exact", "fuzzy", "vector"]))

    assert 'title="exact: 1.50"' in html
    assert "width:100%" in html  # clamped
    assert "width:80%" in html
    assert 'title="vector: n/a"' in html


def test_highlight_marks_matched_and_unmatched_words_and_escapes():
    html = str(highlight_tokens("Cohiba Siglo VI <i>", ["siglo", "cohiba"], ["vi"]))

    assert html.startswith('<mark class="tok-ok">Cohiba</mark> <mark class="tok-ok">Siglo</mark>')
    assert '<mark class="tok-miss">VI</mark>' in html
    assert html.endswith("&lt;i&gt;")


def test_one_series_per_country_whatever_the_source_and_pack():
    def group(country, source, pack, prices, zone=""):
        return {"country": country, "source": source, "zone": zone, "pack_size": pack,
                "currency": "EUR", "prices": [
                    {"effective_date": d, "unit_price": Decimal(u), "pack_price": None,
                     "is_withdrawn": False} for d, u in prices]}  # fmt: skip

    day1, day2 = dt.date(2026, 11, 1), dt.date(2026, 12, 5)
    history = [
        group("ES", "es-boe", 25, [(day2, "15.60")]),
        group("ES", "es-cmt", 25, [(day1, "15.20")]),
        group("ES", "es-cmt", 15, [(day1, "16.10")]),  # tubes: dearer, not the country's line
        group("ES", "es-cmt", 25, [(day1, "11.90")], zone="ceuta-melilla"),  # not the main zone
        group("FR", "fr-douane-opendata", 25, [(day1, "17.00")]),
    ]

    series = {s["name"]: s["points"] for s in price_history_series(history)}

    assert series == {"Spain": [(day1, 15.2), (day2, 15.6)], "France": [(day1, 17.0)]}
    svg = str(price_history_svg(history))
    assert svg.count("<polyline") == 2


def test_date_labels_never_overprint():
    def point(day, unit):
        return {"effective_date": day, "unit_price": Decimal(unit), "pack_price": None,
                "is_withdrawn": False}  # fmt: skip

    history = [
        {"country": "ES", "source": "es-cmt", "zone": "", "pack_size": 25, "currency": "EUR",
         "prices": [point(dt.date(2026, 6, 1), "14"), point(dt.date(2026, 11, 28), "15"),
                    point(dt.date(2026, 12, 6), "15.2")]},
    ]  # fmt: skip

    labels = re.findall(
        r'class="axis" text-anchor="[a-z]+">(\d{4}-\d\d-\d\d)<', str(price_history_svg(history))
    )

    # A week apart on a six-month axis: the earlier label gives way to the later one.
    assert labels == ["2026-06-01", "2026-12-06"]
