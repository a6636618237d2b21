"""Server-rendered SVG charts of the review console (no JavaScript library, no CDN).

Pure functions from plain data to markup: every text that comes from the database goes
through ``format_html``/``escape``, so a label cannot inject markup into the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

# Colour-blind-safe palette (Okabe-Ito), one colour per line.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000")
SCORE_COLOURS = {"accept": "#2e7d32", "review": "#ef6c00", "reject": "#c62828"}


def _num(value: float) -> str:
    """Coordinates with two decimals at most: short markup, stable in tests."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def score_colour(score: float, *, accept: float, reject: float) -> str:
    if score >= accept:
        return SCORE_COLOURS["accept"]
    if score >= reject:
        return SCORE_COLOURS["review"]
    return SCORE_COLOURS["reject"]


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    while magnitude > raw:
        magnitude /= 10
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = (low // step) * step
    ticks, value = [], start
    while value <= high + step / 2:
        ticks.append(round(value, 6))
        value += step
    return ticks


# --- price history --------------------------------------------------------------------------


def _unit_price(point: dict, pack_size: int | None) -> Decimal | None:
    if point.get("unit_price") is not None:
        return Decimal(point["unit_price"])
    if point.get("pack_price") is not None and pack_size:
        return Decimal(point["pack_price"]) / pack_size
    return None


#: Date labels are at least this far apart on the x axis (a date is ~60 px wide).
MIN_LABEL_GAP = 70
COUNTRY_NAMES = {"FR": "France", "ES": "Spain", "CH": "Switzerland"}


def price_history_series(history: Sequence[dict]) -> list[dict]:
    """One series per country: dated per-cigar prices, whichever source and pack size
    published them, so that packs of 3 and of 25 share one axis. On one date the lowest
    per-cigar price of the country stands (the comparison's rule); a list with zones is
    drawn in its main zone (Spain: Península e Illes Balears). Points without a date or a
    price cannot be placed and are left out.
    """
    from matching.comparison import MAIN_ZONES

    by_country: dict[str, dict] = {}
    for group in history:
        country = group.get("country") or group["source"]
        zone = group.get("zone") or ""
        if zone and zone != MAIN_ZONES.get(country):
            continue
        series = by_country.setdefault(
            country,
            {
                "name": COUNTRY_NAMES.get(country, country),
                "currency": group.get("currency", ""),
                "days": {},
            },
        )
        for point in group.get("prices", []):
            price = _unit_price(point, group.get("pack_size"))
            if point.get("effective_date") is None or price is None or point.get("is_withdrawn"):
                continue
            day = point["effective_date"]
            series["days"][day] = min(float(price), series["days"].get(day, float("inf")))
    return [
        {"name": s["name"], "currency": s["currency"], "points": sorted(s["days"].items())}
        for s in by_country.values()
        if s["days"]
    ]


def price_history_svg(history: Sequence[dict], *, width: int = 720, height: int = 280) -> str:
    """A line chart: x = effective date, y = price per cigar, one line per country."""
    series = price_history_series(history)
    if not series:
        return format_html('<p class="review-empty">{}</p>', "No official price yet.")
    left, right, top, bottom = 64, 16, 16, 48
    legend_height = 18 * len(series)
    plot_w, plot_h = width - left - right, height - top - bottom
    dates = sorted({d for s in series for d, _ in s["points"]})
    prices = [p for s in series for _, p in s["points"]]
    ticks = _nice_ticks(min(prices) * 0.95, max(prices) * 1.05)
    y_low, y_high = ticks[0], ticks[-1]
    first, last = dates[0], dates[-1]
    span = max((last - first).days, 1)

    def x_of(day: dt.date) -> float:
        if first == last:
            return left + plot_w / 2
        return left + plot_w * (day - first).days / span

    def y_of(price: float) -> float:
        return top + plot_h * (1 - (price - y_low) / ((y_high - y_low) or 1))

    parts: list[str] = []
    for tick in ticks:
        y = _num(y_of(tick))
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
                '<text x="{}" y="{}" class="axis" text-anchor="end">{}</text>',
                left,
                width - right,
                y,
                y,
                left - 6,
                y,
                f"{tick:,.2f}",
            )
        )
    # At most eight date labels, always the first and the last edition.
    step = max(1, -(-len(dates) // 8))
    shown = dates[::step] if dates[-1] in dates[::step] else [*dates[::step], dates[-1]]
    # Labels closer than one label's width would overprint (a weekly snapshot beside a
    # resolution): the later one stays.
    spaced: list[dt.date] = []
    for day in shown:
        while spaced and x_of(day) - x_of(spaced[-1]) < MIN_LABEL_GAP and len(spaced) > 1:
            spaced.pop()
        if not spaced or x_of(day) - x_of(spaced[-1]) >= MIN_LABEL_GAP:
            spaced.append(day)
    shown = spaced
    for day in shown:
        # A label at the right edge ends there rather than overflow the drawing.
        anchor = "end" if x_of(day) > width - right - MIN_LABEL_GAP / 2 else "middle"
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="axis" text-anchor="{}">{}</text>',
                _num(x_of(day)),
                top + plot_h + 16,
                anchor,
                day.isoformat(),
            )
        )
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        coords = " ".join(f"{_num(x_of(d))},{_num(y_of(p))}" for d, p in item["points"])
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"'
                ' class="series" data-series="{}"/>',
                coords,
                colour,
                item["name"],
            )
        )
        for day, price in item["points"]:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{} — {}: {} {}</title>'
                    "</circle>",
                    _num(x_of(day)),
                    _num(y_of(price)),
                    colour,
                    item["name"],
                    day.isoformat(),
                    f"{price:,.2f}",
                    item["currency"],
                )
            )
        legend_y = height + 14 + 18 * index
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="{}" class="legend">{} ({} per cigar)</text>',
                left,
                legend_y - 10,
                colour,
                left + 18,
                legend_y,
                item["name"],
                item["currency"],
            )
        )
    total_height = height + legend_height + 8
    return format_html(
        '<svg class="review-chart price-history" role="img" viewBox="0 0 {} {}" width="{}"'
        ' height="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        width,
        total_height,
        width,
        total_height,
        "Official price per cigar over effective dates",
        mark_safe("".join(parts)),  # noqa: S308  (each part built by format_html)
    )


# --- decisions per day ----------------------------------------------------------------------


def daily_bars_svg(
    counts: Sequence[tuple[dt.date, int]], *, width: int = 560, height: int = 160
) -> str:
    """A bar per day (oldest first) with its count above it."""
    if not counts:
        return format_html('<p class="review-empty">{}</p>', "No decision yet.")
    left, right, top, bottom = 8, 8, 18, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max(count for _, count in counts) or 1
    slot = plot_w / len(counts)
    bar = max(2.0, slot * 0.7)
    parts = []
    for index, (day, count) in enumerate(counts):
        bar_h = plot_h * count / highest
        x = left + slot * index + (slot - bar) / 2
        y = top + plot_h - bar_h
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="bar">'
                "<title>{}: {} decision(s)</title></rect>"
                '<text x="{}" y="{}" class="axis" text-anchor="middle">{}</text>'
                '<text x="{}" y="{}" class="axis" text-anchor="middle">{}</text>',
                _num(x),
                _num(y),
                _num(bar),
                _num(bar_h),
                day.isoformat(),
                count,
                _num(x + bar / 2),
                _num(y - 4),
                count,
                _num(x + bar / 2),
                height - 6,
                day.strftime("%d/%m"),
            )
        )
    return format_html(
        '<svg class="review-chart daily-decisions" role="img" viewBox="0 0 {} {}" width="{}"'
        ' height="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        width,
        height,
        width,
        height,
        "Review decisions per day",
        mark_safe("".join(parts)),  # noqa: S308  (each part built by format_html)
    )


# --- score explanation ------------------------------------------------------------------------


def waterfall_svg(
    explanation: dict, *, width: int = 460, row_height: int = 22, label_width: int = 120
) -> str:
    """The score built step by step: each signal's weighted contribution, then each hard
    constraint's penalty, ending at the score (with the two thresholds marked)."""
    steps: list[tuple[str, float, str]] = []
    for signal in explanation.get("signals", []):
        value = signal.get("value")
        caption = signal["signal"] if value is None else f"{signal['signal']} {value:.2f}"
        if value is None:
            caption += " (n/a)"
        steps.append((caption, float(signal.get("contribution") or 0), "plus"))
    for penalty in explanation.get("penalties", []):
        steps.append((f"- {penalty['constraint']}", -float(penalty["amount"]), "minus"))
    # The bars add up to the score recomputed now; the stored one may be older (weights
    # recalibrated since), so it is named in the caption when it differs.
    stored = float(explanation.get("score", 0))
    score = float(explanation.get("recomputed_score", stored))
    thresholds = explanation.get("thresholds", {})
    plot_w = width - label_width - 110
    height = row_height * (len(steps) + 1) + 10

    def x_of(value: float) -> float:
        return label_width + plot_w * min(max(value, 0.0), 1.0)

    parts, running = [], 0.0
    for index, (caption, amount, kind) in enumerate(steps):
        start, end = running, running + amount
        running = end
        y = 4 + index * row_height
        x1, x2 = sorted((x_of(start), x_of(end)))
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="axis" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="{}"/>'
                '<text x="{}" y="{}" class="axis">{}</text>',
                label_width - 6,
                y + row_height - 8,
                caption,
                _num(x1),
                y + 3,
                _num(max(x2 - x1, 1.0)),
                row_height - 8,
                kind,
                _num(x2 + 4),
                y + row_height - 8,
                f"{amount:+.3f}",
            )
        )
    y = 4 + len(steps) * row_height
    colour = score_colour(
        score, accept=thresholds.get("accept", 0.8), reject=thresholds.get("reject", 0.55)
    )
    parts.append(
        format_html(
            '<text x="{}" y="{}" class="axis total" text-anchor="end">score</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
            '<text x="{}" y="{}" class="axis total">{}</text>',
            label_width - 6,
            y + row_height - 8,
            label_width,
            y + 3,
            _num(max(x_of(score) - label_width, 1.0)),
            row_height - 8,
            colour,
            _num(x_of(score) + 4),
            y + row_height - 8,
            f"{score:.3f}" if abs(score - stored) < 0.0005 else f"{score:.3f} (was {stored:.3f})",
        )
    )
    for name in ("reject", "accept"):
        if name in thresholds:
            x = _num(x_of(float(thresholds[name])))
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="0" y2="{}" class="threshold {}">'
                    "<title>{} threshold {}</title></line>",
                    x,
                    x,
                    height,
                    name,
                    name,
                    thresholds[name],
                )
            )
    return format_html(
        '<svg class="review-chart waterfall" role="img" viewBox="0 0 {} {}" width="{}"'
        ' height="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        width,
        height,
        width,
        height,
        "How the score is built",
        mark_safe("".join(parts)),  # noqa: S308  (each part built by format_html)
    )


def signal_bars_html(signals: dict, names: Sequence[str]) -> SafeString:
    """Compact per-signal bars for a list row (one small bar per signal, value in the title)."""

    def bar(name: str) -> tuple:
        value = signals.get(name)
        if not isinstance(value, int | float):
            return (name, "n/a", 0, "sig-none")
        return (name, f"{value:.2f}", round(max(0.0, min(1.0, float(value))) * 100), "")

    return format_html(
        '<span class="sig-bars">{}</span>',
        format_html_join(
            "",
            '<span class="sig {}" title="{}: {}"><span class="sig-fill {}" style="width:{}%">'
            "</span></span>",
            ((name, name, text, extra, width) for name, text, width, extra in map(bar, names)),
        ),
    )


def highlight_tokens(text: str, matched: Sequence[str], unmatched: Sequence[str]) -> SafeString:
    """The raw label with each word marked matched / unmatched against the candidate.

    Words are compared case- and accent-insensitively (the engine's tokens are normalised).
    """

    def norm(word: str) -> str:
        return slugify(word).replace("-", "")

    ok = {norm(t) for t in matched if norm(t)}
    miss = {norm(t) for t in unmatched if norm(t)}
    out = []
    for word in text.split(" "):
        key = norm(word)
        if key and key in ok:
            out.append(format_html('<mark class="tok-ok">{}</mark>', word))
        elif key and key in miss:
            out.append(format_html('<mark class="tok-miss">{}</mark>', word))
        else:
            out.append(escape(word))
    return mark_safe(" ".join(out))  # noqa: S308  (each word escaped above)
