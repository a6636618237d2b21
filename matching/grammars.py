"""Per-source label grammars in the matcher: the brand cue a list's typography gives.

The grammars themselves (how a list writes pack, packaging, sizes) live with the lists,
in ``customs.labels.grammars``; ``analyse_label`` parses a label with its source's
grammar. What the matcher adds here is how a brand cue weighs: Spain prints the BRAND IN
CAPITALS before the product in mixed case, so the brand ends where the capitals end.

- When the capitals spell a catalogue brand (name, alias, learned spelling, or the same
  words joined), that brand covers exactly those words, and the guess is a full one even
  if the label's first word alone would only have been a partial guess.
- When the capitals run on past a brand ("COHIBA BHK 52" with no mixed-case product), the
  longest catalogue brand within them stands, as without a cue.
- When the capitals spell no catalogue brand but a catalogue brand is a *longer* prefix
  of the label, the typography wins: "LA FLOR Dominicana…" is not read as a brand the
  capitals do not cover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from customs.labels.grammars import LabelGrammar
    from matching.analysis import BrandIndex


def brand_from_cue(
    grammar: LabelGrammar,
    label: str,
    tokens: list[str],
    brands: BrandIndex,
    guess: tuple[int | None, int],
) -> tuple[int | None, int]:
    """(brand id, label tokens covered) once the grammar's brand cue is weighed against
    ``guess`` (the longest catalogue-brand prefix of the label's tokens)."""
    # Imported here: the analysis module imports this one.
    from matching.analysis import name_tokens

    cue = grammar.brand_cue(label)
    cue_tokens = name_tokens(cue) if cue else []
    if not cue_tokens or tokens[: len(cue_tokens)] != cue_tokens:
        return guess
    brand_id, covered = brands.guess(cue_tokens)
    if brand_id is not None and covered == len(cue_tokens):
        return brand_id, covered  # the capitals are exactly a catalogue brand
    if guess[0] is not None and guess[1] > len(cue_tokens):
        return brand_id, covered  # a brand longer than the capitals: not what they mark
    return guess
