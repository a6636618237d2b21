"""Label and cigar analysis: the token forms the signals and hard constraints compare.

A price-list label is parsed by ``customs.labels.parse_label`` (pack, packaging, edition
words, dimension hints, name). Here the name is cut into what matching compares:

- tokens: ``normalise_name`` (accents, case, ``N° 4``/``No. 4``/``#4`` → ``no 4``, plurals),
  elisions dropped (``Quai d'Orsay`` = ``Quai Orsay``), glued letters and digits split
  (``BHK52`` → ``bhk 52``), connector words (``y``, ``de``, ``la``…) and words that say
  "cigar" removed — and nothing else: one-character tokens (4, I, V, D) are kept;
- codes: the numbers (Roman numerals as integers, after the first word only) and the
  one-letter codes (``Serie D``), which must agree exactly between label and cigar;
- the brand guess: the longest catalogue brand (or brand alias) that prefixes the label,
  else a brand written with its words joined or split ("Monte Cristo" = Montecristo).
  Once guessed, the label's key carries the brand's catalogue spelling, so an alias
  compares exactly like the name.

A cigar is read the same way, split into brand, line and vitola tokens, with variants:
with its line words, and without them (suppliers write "Cohiba BHK 54" for
"Cohiba Behike BHK 54"); and the supplier shorthand of two kinds of vitola name
(``shorthand`` variants, see ``matching.shorthand``): a series written by its letter
("Partagas P2" for "Serie P No.2") and a vitola word that abbreviates the line left out
in favour of the line ("Behike 56" for "Behike BHK 56").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from customs.labels import (
    ParsedLabel,
    fold_accents,
    normalise_name,
    parse_dimensions,
    parse_label,
)
from matching.grammars import brand_from_cue
from matching.shorthand import MARKERS, shorthand_variants

if TYPE_CHECKING:
    from customs.labels.grammars import LabelGrammar

CONNECTORS = frozenset({"y", "et", "and", "de", "del", "la", "le", "du", "des", "el", "les"})
# Words that only say "this is a cigar": absent or present, the product is the same.
NOISE = frozenset({"cigare", "cigar", "cigarro", "cigarillo", "habano", "puro", "vitola"})
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_ROMAN = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")
_ELISION = re.compile(r"\b([dlDL])['\u2019`]\s*")
_GLUED = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
# "100 % corojo", "70% Nicaragua": a blend share, not a product number.
_PERCENT = re.compile(r"\b\d{1,3}(?:[.,]\d+)?\s*%")
# A presentation word with its count outside parentheses ("petaca de 5", "fagot 25",
# "tubos x3"): the count is the pack, not a product number.
_PRESENTATION_COUNT = re.compile(
    r"\b(?P<word>petacas?|semanarios?|fagots?|estuches?|mazos?|latas?|tubos?|tubes?|"
    r"coffrets?|bo[iî]tes?|box(?:es)?|tins?|packs?|paquets?|bundles?)"
    r"\s*(?:de|of|x|à|a)?\s*(?P<n>\d{1,3})\b(?!\s*[xX\u00d7/,.]\s*\d)",
    re.IGNORECASE,
)
#: A maker credit ("Undercrown Shade by Drew Estate") names who rolls it, not which cigar:
#: "by" and at most this many words after it are left out.
CREDIT_WORD = "by"
MAX_CREDIT_WORDS = 3


def roman_value(token: str) -> int | None:
    """I..XXXIX as an integer; only I, V and X (D, C, L, M are letters: "Serie D")."""
    if not token or not _ROMAN.match(token):
        return None
    total, previous = 0, 0
    for char in reversed(token):
        value = _ROMAN_VALUES[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total or None


def name_tokens(text: str) -> list[str]:
    """The compared tokens of a name, in reading order."""
    text = _ELISION.sub("", fold_accents(text or ""))
    words = _GLUED.sub(" ", normalise_name(text)).split()
    # "Quai d Orsay": an elision whose apostrophe was lost; a lone d/l between two words
    # is no code ("Serie D No 4" keeps its D: "no" is a number marker, not a word).
    words = [
        w
        for i, w in enumerate(words)
        if not (
            w in ("d", "l")
            and 0 < i < len(words) - 1
            and len(words[i + 1]) > 2
            and words[i + 1].isalpha()
            and words[i + 1] != "no"
        )
    ]
    return [t for t in words if t not in CONNECTORS and t not in NOISE]


def credit_words(tokens) -> frozenset[str]:
    """A maker credit's words: "by" (after the name's first word) and up to three words
    after it, up to a number ("Undercrown by Drew Estate Maduro Gran Toro" → by, drew,
    estate, maduro; what of it names the product is decided with the catalogue)."""
    tokens = list(tokens)
    for i, word in enumerate(tokens):
        if word == CREDIT_WORD and i > 0:
            end = i + 1
            # Up to a number; a maker's initials ("by J.C. Newman") belong to the credit.
            while end < len(tokens) and end - i <= MAX_CREDIT_WORDS and not tokens[end].isdigit():
                end += 1
            return frozenset(tokens[i:end])
    return frozenset()


def strip_counts_and_shares(text: str) -> tuple[str, int | None]:
    """The name without blend shares and presentation counts, and the count if one was read."""
    text = _PERCENT.sub(" ", text)
    count = None
    for match in _PRESENTATION_COUNT.finditer(text):
        count = int(match.group("n"))
    text = _PRESENTATION_COUNT.sub(lambda m: f" {m.group('word')} ", text)
    return text, count or None


def codes_of(tokens: list[str], *, first_is_brand: bool = False) -> Counter:
    """Numbers and one-letter codes, as a multiset (``8-9-8`` has two 8s)."""
    codes: Counter = Counter()
    for position, token in enumerate(tokens):
        if token.isdigit():
            codes[str(int(token))] += 1
            continue
        roman = roman_value(token)
        # "I" or "V" as the very first word is a word, not a number.
        if roman is not None and (position > 0 or first_is_brand):
            codes[str(roman)] += 1
        elif len(token) == 1 and token.isalpha():
            codes[token] += 1
    return codes


def is_code(token: str) -> bool:
    return token.isdigit() or roman_value(token) is not None or len(token) == 1


def words_of(tokens) -> tuple[str, ...]:
    """The tokens compared as words: neither codes (numbers, numerals, letters) nor markers."""
    return tuple(t for t in tokens if t not in MARKERS and not is_code(t))


def codes_key(codes: Counter) -> tuple[str, ...]:
    return tuple(sorted(codes.elements()))


#: A brand matched with its words joined must be at least this long ("Monte Cristo" →
#: "montecristo"); shorter joined strings coincide by chance.
MIN_COMPACT_BRAND = 6


@dataclass(frozen=True)
class BrandIndex:
    """Brand token prefixes → brand id; the longest prefix wins."""

    prefixes: dict[tuple[str, ...], int]
    names: dict[int, str]
    max_length: int
    #: The brand's own name as tokens: the spelling a guessed label's key carries.
    tokens: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: Name and aliases with their words joined ("montecristo", "sanchopanza").
    compact: dict[str, int] = field(default_factory=dict)
    #: The first word of a multi-word brand that no other brand starts with ("hoyo" of
    #: Hoyo de Monterrey, "romeo" of Romeo y Julieta), or its initials ("lfd"): suppliers
    #: abbreviate brands so. A
    #: guess through it is only a guess (never auto-accepted) until reviewers confirm the
    #: spelling, which then becomes a learned brand alias.
    first_words: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        brands: list[tuple[int, str, list[str]]],
        learned: dict[int, list[str]] | None = None,
    ) -> BrandIndex:
        """``learned``: brand id → spellings reviewers confirmed (learned brand aliases)."""
        learned = learned or {}
        prefixes: dict[tuple[str, ...], int] = {}
        names: dict[int, str] = {}
        canonical: dict[int, tuple[str, ...]] = {}
        compact: dict[str, int] = {}
        for brand_id, name, aliases in brands:
            names[brand_id] = name
            canonical[brand_id] = tuple(name_tokens(str(name)))
            # Aliases come from catalogue data (JSON): ignore anything but text.
            spellings = [
                name,
                *(a for a in (aliases or []) if isinstance(a, str)),
                *learned.get(brand_id, ()),
            ]
            for variant in spellings:
                tokens = tuple(name_tokens(str(variant)))
                if tokens:
                    prefixes.setdefault(tokens, brand_id)
                    joined = "".join(tokens)
                    if len(joined) >= MIN_COMPACT_BRAND:
                        compact.setdefault(joined, brand_id)
        starts: dict[str, set[int]] = {}
        for tokens, brand_id in prefixes.items():
            starts.setdefault(tokens[0], set()).add(brand_id)
        first_words = {
            tokens[0]: brand_id
            for brand_id, tokens in canonical.items()
            if len(tokens) > 1
            and len(tokens[0]) >= 4
            and starts.get(tokens[0]) == {brand_id}
            and (tokens[0],) not in prefixes
        }
        # Initials of a brand of three words or more, connectors included, as suppliers
        # write them ("LFD" for La Flor Dominicana, "HdM" for Hoyo de Monterrey): a
        # partial guess too, when no other brand has the same initials.
        initials: dict[str, set[int]] = {}
        for brand_id, name in names.items():
            words = normalise_name(fold_accents(str(name))).split()
            if len(words) >= 3:
                initials.setdefault("".join(w[0] for w in words), set()).add(brand_id)
        for letters, owners in initials.items():
            if len(owners) == 1 and (letters,) not in prefixes and letters not in first_words:
                first_words[letters] = next(iter(owners))
        return cls(
            prefixes,
            names,
            max((len(p) for p in prefixes), default=0),
            tokens=canonical,
            compact=compact,
            first_words=first_words,
        )

    def guess(self, tokens: list[str]) -> tuple[int | None, int]:
        """(brand id, number of label tokens it covers) for the longest brand prefix.

        When no spelling is a prefix, the label's first words are joined and compared
        with the brands' joined spellings: suppliers split or glue brand words ("Monte
        Cristo", "SanCristobal"), which no per-brand alias list can enumerate.
        """
        for length in range(min(self.max_length, len(tokens)), 0, -1):
            brand_id = self.prefixes.get(tuple(tokens[:length]))
            if brand_id is not None:
                return brand_id, length
        if self.compact:
            for length in range(min(self.max_length + 1, len(tokens)), 0, -1):
                brand_id = self.compact.get("".join(tokens[:length]))
                if brand_id is not None:
                    return brand_id, length
        return None, 0

    def guess_first_word(self, tokens: list[str]) -> int | None:
        """The brand a label's first word abbreviates, when only one brand starts so."""
        return self.first_words.get(tokens[0]) if len(tokens) > 1 else None


@dataclass(frozen=True)
class LabelAnalysis:
    raw: str
    parsed: ParsedLabel
    tokens: tuple[str, ...]
    brand_id: int | None
    brand_tokens: tuple[str, ...]
    rest: tuple[str, ...]
    codes: Counter
    editions: frozenset[str]
    ring_gauge: int | None
    length_mm: float | None
    brand_name: str = ""
    #: Precomputed for speed (thousands of labels x a dozen candidates per run).
    key: str = ""
    codes_key: tuple[str, ...] = ()
    rest_words: tuple[str, ...] = ()
    all_words: tuple[str, ...] = ()
    #: The brand was read from the label's first word alone (``BrandIndex.first_words``).
    brand_partial: bool = False
    #: A count read from a presentation word outside parentheses ("petaca de 5").
    presentation_count: int | None = None
    #: The words of a maker credit ("by Drew Estate"), kept in the tokens.
    credit: frozenset[str] = frozenset()
    #: ``rest_words`` as a set and as sorted unique words (evidence looks them up per pair).
    rest_word_set: frozenset[str] = frozenset()
    rest_words_key: tuple[str, ...] = ()
    #: Read past a maker written before the brand (``read_after_maker``).
    maker_first: bool = False

    @property
    def pack_size(self) -> int | None:
        return self.parsed.pack_size or self.presentation_count


def _edition_key(text: str) -> str:
    """ "Edition Limitée 2021", "E.L. 2021", "Limited Edition 2021" → "limited 2021": the
    kind of edition and its year (two years are two products)."""
    folded = fold_accents(text).casefold()
    year = " ".join(re.findall(r"\b(?:19|20)\d\d\b", folded))
    if "regional" in folded or "e.r" in folded or "regionale" in folded:
        kind = "regional"
    elif "limit" in folded or "e.l" in folded or "e. l" in folded:
        kind = "limited"
    else:
        kind = " ".join(t for t in name_tokens(text) if not t.isdigit())
    return f"{kind} {year}".strip()


# Spanish spellings customs.labels does not list (it knows the French and English ones).
_EXTRA_EDITIONS = re.compile(
    r"\bEdici[oó]n\s+(?:Limitada|Regional(?:\s+[A-Z][\w]*)?)(?:\s+(?:19|20)\d\d)?",
    re.IGNORECASE,
)


def editions_in(text: str, parsed: tuple[str, ...]) -> list[str]:
    """The edition phrases of a name: the customs parser's, plus the Spanish ones."""
    found = list(parsed)
    for match in _EXTRA_EDITIONS.finditer(text):
        if not any(match.group(0) in phrase or phrase in match.group(0) for phrase in found):
            found.append(match.group(0))
    return found


def _strip_spans(text: str, spans: list[str]) -> str:
    for span in spans:
        if span:
            text = text.replace(span, " ")
    return text


def _credited_brand(tokens: list[str], brands: BrandIndex) -> tuple[list[str], int | None, int]:
    """A maker credit that names a catalogue brand is the brand, written after the name
    ("Mehari's Ecuador by Agio", "Last Call by AJ Fernandez Geniales"): the tokens
    reordered brand first, as the other labels are, with the brand and its length."""
    for i, word in enumerate(tokens):
        if word == CREDIT_WORD and i > 0:
            brand_id, length = brands.guess(tokens[i + 1 :])
            if brand_id is not None:
                brand = tokens[i + 1 : i + 1 + length]
                return [*brand, *tokens[:i], *tokens[i + 1 + length :]], brand_id, length
            break
    return tokens, None, 0


def analyse_label(
    label: str, brands: BrandIndex, grammar: LabelGrammar | None = None
) -> LabelAnalysis:
    # ``grammar``: the label's source grammar (customs.labels.grammars; default: French).
    parsed = grammar.parse(label) if grammar is not None else parse_label(label)
    editions = editions_in(parsed.name, parsed.editions)
    # Edition words and dimensions are compared as such, not as name words.
    name = _strip_spans(parsed.name, [*editions, *(d.text for d in parsed.dimensions)])
    name, presentation_count = strip_counts_and_shares(name)
    tokens = name_tokens(name)
    brand_id, covered = brands.guess(tokens)
    if grammar is not None:  # the brand cue of the source's typography (matching.grammars)
        brand_id, covered = brand_from_cue(grammar, label, tokens, brands, (brand_id, covered))
    if brand_id is None:
        tokens, brand_id, covered = _credited_brand(tokens, brands)
    brand_partial = False
    if brand_id is None:
        brand_id = brands.guess_first_word(tokens)
        if brand_id is not None:
            covered, brand_partial = 1, True
    # "Romeo y Julieta Romeo N°2", "H.Upmann Upmann N°2": the vitola repeats (part of) the
    # brand, as a record's name may too (``_strip_brand_prefix`` on both sides).
    brand_words = brands.tokens.get(brand_id, tuple(tokens[:covered])) if brand_id else ()
    rest = _strip_brand_prefix(tokens[covered:], (*brand_words, *tokens[:covered]))
    hint = parsed.dimensions[0] if parsed.dimensions else None
    codes = codes_of(rest, first_is_brand=covered > 0)
    return LabelAnalysis(
        raw=label,
        parsed=parsed,
        tokens=tuple(tokens),
        brand_id=brand_id,
        brand_tokens=tuple(tokens[:covered]),
        rest=tuple(rest),
        codes=codes,
        editions=frozenset(_edition_key(e) for e in editions),
        ring_gauge=hint.ring_gauge if hint else None,
        length_mm=float(hint.length_mm) if hint and hint.length_mm is not None else None,
        brand_name=brands.names.get(brand_id, "") if brand_id is not None else "",
        # With a brand guessed, the brand's catalogue spelling: "Monte Cristo A" and
        # "San Cristobal de la Habana La Fuerza" then key like the names they spell.
        key=" ".join(sorted((*brands.tokens.get(brand_id, tokens[:covered]), *rest))),
        codes_key=codes_key(codes),
        rest_words=words_of(rest),
        all_words=words_of(tokens),
        brand_partial=brand_partial,
        presentation_count=presentation_count,
        credit=credit_words(rest),
        rest_word_set=frozenset(words_of(rest)),
        rest_words_key=tuple(sorted(set(words_of(rest)))),
    )


@dataclass(frozen=True)
class CigarVariant:
    rest: tuple[str, ...]
    codes: Counter
    #: The line's words are left out of this variant.
    omits_line: bool
    #: A supplier shorthand of the name ("P2" for "Serie P No.2"): see shorthand_variants.
    shorthand: bool = False
    #: The vitola read without the brand words it starts with ("Julieta No. 2" → "No. 2").
    stripped: bool = False
    #: Precomputed: sorted tokens with the brand, sorted tokens without it, the words.
    full_key: str = ""
    rest_key: str = ""
    codes_key: tuple[str, ...] = ()
    rest_words: tuple[str, ...] = ()
    full_words: tuple[str, ...] = ()

    def key(self, brand_tokens: tuple[str, ...]) -> str:
        return self.full_key or " ".join(sorted((*brand_tokens, *self.rest)))


def _variant(
    words,
    brand_tokens: tuple[str, ...],
    omits_line: bool,
    *,
    shorthand: bool = False,
    stripped: bool = False,
) -> CigarVariant:
    words = tuple(words)
    codes = codes_of(list(words), first_is_brand=True)
    return CigarVariant(
        rest=words,
        codes=codes,
        omits_line=omits_line,
        shorthand=shorthand,
        stripped=stripped,
        full_key=" ".join(sorted((*brand_tokens, *words))),
        rest_key=" ".join(sorted(words)),
        codes_key=codes_key(codes),
        rest_words=words_of(words),
        full_words=words_of((*brand_tokens, *words)),
    )


@dataclass(frozen=True)
class CigarAnalysis:
    cigar_id: int
    brand_id: int
    full_name: str
    brand_tokens: tuple[str, ...]
    variants: tuple[CigarVariant, ...]
    editions: frozenset[str]
    ring_gauge: int | None
    length_mm: float | None
    pack_sizes: frozenset[int] = field(default_factory=frozenset)
    #: The cigar's place in the matcher's catalogue index (-1 outside of one).
    position: int = -1

    @property
    def text(self) -> str:
        """The string the fuzzy generator compares (sorted tokens, line included)."""
        return self.variants[0].key(self.brand_tokens)


def _strip_brand_prefix(tokens: list[str], brand_tokens: tuple[str, ...]) -> list[str]:
    # "Montecristo No.2" of Montecristo, "Upmann No.2" of H. Upmann: the vitola repeats
    # (part of) the brand, which the label says once.
    brand_set = set(brand_tokens)
    while tokens and tokens[0] in brand_set and len(tokens) > 1:
        tokens = tokens[1:]
    return tokens


def analyse_cigar(
    *,
    cigar_id: int,
    brand_id: int,
    brand_name: str,
    line_name: str,
    vitola_name: str,
    full_name: str,
    ring_gauge: int | None = None,
    length_mm: float | None = None,
    pack_sizes: frozenset[int] = frozenset(),
    position: int = -1,
) -> CigarAnalysis:
    brand_tokens = tuple(name_tokens(brand_name))
    parsed_name = parse_label(full_name)
    editions = editions_in(full_name, parsed_name.editions)
    # A record may carry its size in the name ("Toro 6x52"): a dimension, not a word.
    sizes = parse_dimensions(vitola_name)
    vitola_text = _strip_spans(vitola_name, [*editions, *(d.text for d in sizes)])
    vitola_text, _count = strip_counts_and_shares(vitola_text)
    if sizes and ring_gauge is None:
        ring_gauge = sizes[0].ring_gauge
    if sizes and length_mm is None and sizes[0].length_mm is not None:
        length_mm = float(sizes[0].length_mm)
    vitola_tokens = name_tokens(vitola_text)
    credit = credit_words(vitola_tokens)
    vitola_tokens = [t for t in vitola_tokens if t not in credit]
    vitola = _strip_brand_prefix(vitola_tokens, brand_tokens)
    line = name_tokens(line_name)
    line_counted = bool(line) and tuple(line) != brand_tokens and not _contains(vitola, line)
    full_vitola = vitola_tokens
    variants: list[CigarVariant] = []
    # With the line ("Cohiba Behike BHK 54") and without it ("Cohiba BHK 54"); the vitola
    # with the brand it repeats ("Romeo y Julieta Romeo No.2") and without ("Montecristo
    # No.2" written "Montecristo N° 2").
    for words in dict.fromkeys((tuple(vitola), tuple(full_vitola))):
        stripped = words != tuple(full_vitola)
        if line_counted:
            variants.append(_variant((*line, *words), brand_tokens, False, stripped=stripped))
        variants.append(_variant(words, brand_tokens, line_counted, stripped=stripped))
    seen = {v.rest for v in variants}
    for words in shorthand_variants(tuple(vitola), tuple(line)):
        if words not in seen:
            seen.add(words)
            variants.append(_variant(words, brand_tokens, False, shorthand=True))
    return CigarAnalysis(
        cigar_id=cigar_id,
        brand_id=brand_id,
        full_name=full_name,
        brand_tokens=brand_tokens,
        variants=tuple(variants),
        editions=frozenset(_edition_key(e) for e in editions),
        ring_gauge=ring_gauge,
        length_mm=length_mm,
        pack_sizes=pack_sizes,
        position=position,
    )


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def read_after_maker(
    label: LabelAnalysis, brand_id: int, brand_tokens: tuple[str, ...]
) -> LabelAnalysis | None:
    """The label read with ``brand_tokens`` as its brand when they follow the brand it
    was read with: "Drew Estate Liga Privada N°9 Toro" names Liga Privada's No. 9 Toro,
    made by Drew Estate (a maker written before the brand). None when they do not."""
    n = len(brand_tokens)
    if not n or label.brand_id is None or tuple(label.rest[:n]) != brand_tokens:
        return None
    rest = _strip_brand_prefix(list(label.rest[n:]), brand_tokens)
    if not rest:
        return None
    codes = codes_of(rest, first_is_brand=True)
    words = words_of(rest)
    return replace(
        label,
        brand_id=brand_id,
        brand_tokens=brand_tokens,
        brand_name=" ".join(brand_tokens),
        rest=tuple(rest),
        codes=codes,
        key=" ".join(sorted((*brand_tokens, *rest))),
        codes_key=codes_key(codes),
        rest_words=words,
        credit=credit_words(rest),
        rest_word_set=frozenset(words),
        rest_words_key=tuple(sorted(set(words))),
        maker_first=True,
    )


def drop_borrowed_readings(cigars: list[CigarAnalysis]) -> list[CigarAnalysis]:
    """Without the brand-stripped readings that are another record's own name: "Julieta
    No. 2" of Romeo y Julieta does not also read "No. 2" when the brand has a "No. 2"
    (the label "Romeo y Julieta Romeo N°2" names that one)."""
    owned = {
        (cigar.brand_id, variant.rest): cigar.cigar_id
        for cigar in cigars
        for variant in cigar.variants
        if not variant.stripped and not variant.shorthand
    }
    kept = []
    for cigar in cigars:
        variants = tuple(
            v
            for v in cigar.variants
            if not v.stripped
            or owned.get((cigar.brand_id, v.rest), cigar.cigar_id) == cigar.cigar_id
        )
        kept.append(
            replace(cigar, variants=variants) if len(variants) != len(cigar.variants) else cigar
        )
    return kept
