"""Label grammars: how each list writes its product names, by name.

The French lists (DGDDI sheet, arrêtés, manual imports) write ``Cohiba Robustos, en 25
cigares`` (``parse_label``); Spain writes ``COHIBA Robustos (25)``
(``customs.labels.spanish``). An extractor adapter names the grammar of its labels
(``ExtractorAdapter.label_grammar``); the matcher reads each source's labels with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from customs.labels.parse import ParsedLabel, parse_label
from customs.labels.spanish import brand_in_capitals, spanish_parsed_label


def _no_cue(_raw: str) -> str:
    return ""


@dataclass(frozen=True)
class LabelGrammar:
    name: str
    #: The label → pack, packaging, edition words, dimension hints and the compared name.
    parse: Callable[[str], ParsedLabel]
    #: The words the list's own typography marks as the brand ("" when it marks none).
    brand_cue: Callable[[str], str]


DEFAULT_GRAMMAR = "fr"
GRAMMARS: dict[str, LabelGrammar] = {
    "fr": LabelGrammar("fr", parse_label, _no_cue),
    "es": LabelGrammar("es", spanish_parsed_label, brand_in_capitals),
}


def label_grammar(name: str | None) -> LabelGrammar:
    """The grammar of that name (the default one for an unknown or empty name)."""
    return GRAMMARS.get(name or DEFAULT_GRAMMAR, GRAMMARS[DEFAULT_GRAMMAR])
