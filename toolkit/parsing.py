"""Parse article texts with the spaCy pipeline, fully only where an attribution can be: the one place the
attribution engine calls ``nlp.pipe``.

The dependency parser and the entity recogniser are three quarters of the cost of analysing a corpus, and most
sentences of a news article attribute nothing. :func:`parse_documents` with ``selective=True`` sends through the
full pipeline only the sentences that can hold or introduce an attribution (:func:`sentences_to_parse`):

- every sentence that a quotation overlaps (found with :func:`toolkit.quotes.find_quotes`, so a quote of
  several sentences or paragraphs is parsed whole);
- every sentence with a form of a cue verb of the lexicon ("said", "tells", "warning", "wrote"), "according",
  or a speaker label ("WALLACE: …"); a two-word cue's first word only with its particle ("pointed out", not
  "the index points higher"), and the cues that only ever introduce a quotation ("went on", "began") only
  when a quotation is in or right beside the sentence; "state" and "states", mostly nouns in the news, only
  before "that", a colon, a comma or a quotation;
- the sentence before one of those (or before the run of them it ends) that holds a pronoun ("he", "their"),
  and the sentence that first names someone a surname in one of those points back to ("National Security
  Adviser H.R. McMaster" before "McMaster said"), so that speakers resolve to the people, titles and
  countries a full parse would give.

On the first 300 AllSides articles this parses 77% of the text fully and spends 1.36 times less CPU on the
attribution step, and 98.2% of the attributions come out the same as with a full parse (same content span,
kind, speaker and country): ``python benchmarks/selective_parse.py --articles 300``.

The other sentences are only tokenised (each its own sentence, with no tags, entities or dependencies), and
the pieces are joined into one ``Doc`` per text with the same text and character offsets as a full parse. The
registry's names are matched over the whole text either way. ``python -m toolkit analyze --parse full`` (or
``extract_attributions(..., parse="full")``) parses every sentence instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from .batching import bounded_groups

_WORD = re.compile(r"[A-Za-z]+")
_LINE_START = re.compile(r"\n[ \t\u00a0]*(?=\S)")


#: Texts whose parses are held together (a group: parsed, joined, handed on) have at most this many characters
#: in all, unless one text has more, so that a run of very long texts cannot hold 32 of them at once. The
#: parses do not depend on the grouping. (On the 40 longest AllSides articles, 1.9 million characters, a
#: process's peak rose by 200 MB with this limit and by 222 MB without it.)
GROUP_CHARACTERS = 250_000


def parse_documents(nlp: Language, texts: Iterable[str], batch_size: int = 32,
                    selective: bool = False) -> Iterator[Doc]:
    """Parsed documents for ``texts``, in order, one per text, each with exactly the text it was given.

    With ``selective``, only the sentences :func:`sentences_to_parse` picks go through the whole pipeline; the
    rest are tokenised only (see the module docstring)."""
    if not selective:
        yield from nlp.pipe(texts, batch_size=batch_size)
        return
    triggers = cue_forms(nlp)
    for group in bounded_groups(texts, batch_size, GROUP_CHARACTERS, len):
        yield from _parse_group(nlp, group, triggers, batch_size)


def _parse_group(nlp: Language, texts: list[str], triggers: "CueForms", batch_size: int) -> list[Doc]:
    plans = [_segments(text, sentences_to_parse(text, triggers)) for text in texts]
    full_texts = [text[start:end] for text, plan in zip(texts, plans) for start, end, full, _ in plan if full]
    parsed = iter(nlp.pipe(full_texts, batch_size=batch_size))
    docs = []
    for text, plan in zip(texts, plans):
        parts = [next(parsed) if full else _tokenised(nlp, text[start:end], [s - start for s in starts])
                 for start, end, full, starts in plan]
        docs.append(parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False,
                                                                     exclude=["tensor"]))
    return docs


def sentences_to_parse(text: str, triggers: "CueForms | None" = None) -> list[tuple[int, int, bool]]:
    """The sentences of ``text`` as ``(start, end, parse)``: ``parse`` is true where an attribution can be (see
    the module docstring). Sentences follow :func:`toolkit.sentiment.split_sentences` and line breaks.
    ``triggers`` is :func:`cue_forms` of the pipeline (default: without the lemmatizer's irregular forms)."""
    from .attributions import _SPEAKER_COLON
    from .quotes import find_quotes
    from .sentiment import split_sentences

    triggers = triggers if triggers is not None else cue_forms(None)
    sentences = _line_split(text, split_sentences(text))
    quotes = [(q.outer_start, q.outer_end) for q in find_quotes(text)]
    labels = [m.start("name") for m in _SPEAKER_COLON.finditer(text)]
    marks = []
    for start, end in sentences:
        quoted = any(q_start < end and q_end > start for q_start, q_end in quotes)
        labelled = any(start <= label < end for label in labels)
        marks.append(quoted or labelled or _has_trigger(text[start:end], triggers)
                     or _next_to_quote(text, start, end, quotes) and _has_trigger(text[start:end], triggers, True))
    wanted = list(marks)
    for i in range(1, len(marks)):
        if marks[i] and _refers_back(text[sentences[i][0]:sentences[i][1]]):
            before = i - 1
            while before > 0 and marks[before]:  # the pronoun's sentence closes a quotation of several
                before -= 1
            wanted[before] = True
    for i in _introductions(text, sentences, marks):
        wanted[i] = True
    return [(start, end, parse) for (start, end), parse in zip(sentences, wanted)]


_BACK_REFERENCE = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|him|[Hh]er|[Hh]is|[Tt]heir|them|[Ii]ts)\b")


def _refers_back(sentence: str) -> bool:
    """A pronoun that may point to someone named in the sentence before."""
    return _BACK_REFERENCE.search(sentence) is not None


_CAPITALISED = re.compile(r"\b[A-Z][\w-]*[a-z][\w-]*")
_LOWER_WORD = re.compile(r"\b[a-z][\w'’-]*")


def _introductions(text: str, sentences: list[tuple[int, int]], marks: list[bool]) -> set[int]:
    """Unmarked sentences that first name someone a marked sentence names again ('National Security Adviser
    H.R. McMaster …' before 'McMaster said'): their parse gives the full name and title a surname resolves to.
    A capitalised word counts as a name when the article never writes it in lower case."""
    common = {word for word in _LOWER_WORD.findall(text)}
    first: dict[str, int] = {}
    named: list[set[str]] = []
    for number, (start, end) in enumerate(sentences):
        words = {w for w in _CAPITALISED.findall(text, start, end) if w.lower() not in common}
        named.append(words)
        for word in words:
            first.setdefault(word, number)
    return {first[word] for number, words in enumerate(named) if marks[number] for word in words
            if not marks[first[word]] and first[word] < number}


def _has_trigger(sentence: str, triggers: "CueForms", quote_cues: bool = False) -> bool:
    """A cue form in the sentence (lower case, or capitalised as its first word or in capitals); a two-word
    cue's first word counts only with its particle right after it ('pointed out', not 'pointed'). With
    ``quote_cues``, the cues that only introduce a quotation ('went on', 'replied') count instead."""
    words = list(_WORD.finditer(sentence))
    for number, match in enumerate(words):
        word = match.group()
        form = word if word in triggers.all else word.lower() if number == 0 or word.isupper() else None
        if form is None or form not in triggers.all:
            continue
        if quote_cues:
            if form in triggers.quote_only:
                return True
        elif form in triggers.words and (form not in _MOSTLY_NOUNS or _FOLLOWING_REPORT.match(sentence, match.end())):
            return True
        elif form in triggers.phrases and number + 1 < len(words) \
                and not sentence[match.end():words[number + 1].start()].strip() \
                and words[number + 1].group().lower() in triggers.phrases[form]:
            return True
    return False


#: Cue forms that news text mostly uses as nouns ('the states', 'state media': 494 times in the first 300 AllSides
#: articles, of which 3 were cues); they trigger a parse only before 'that', a colon, a comma or a quotation.
_MOSTLY_NOUNS = frozenset({"state", "states"})
_FOLLOWING_REPORT = re.compile(r"[ \t\u00a0]*(?:that\b|[:,\"“‘'])")


def _next_to_quote(text: str, start: int, end: int, quotes: list[tuple[int, int]]) -> bool:
    """A quotation right before or after the sentence, with only spaces and punctuation between ('He went
    on:' then a quoted paragraph)."""
    return any(not text[q_end:start].strip(" \t\n\u00a0,;:—–-") if q_end <= start
               else not text[end:q_start].strip() if q_start >= end else False for q_start, q_end in quotes)


def _line_split(text: str, sentences: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Sentences also end at a line break, as the pipeline's ``paragraph_boundaries`` has it."""
    pieces = []
    for start, end, _ in sentences:
        cuts = [start, *(m.end() for m in _LINE_START.finditer(text, start, end)), end]
        pieces += [(a, b) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
    return pieces


def _segments(text: str, sentences: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool, list[int]]]:
    """Contiguous pieces covering the whole text, ``(start, end, parse, sentence starts)``: runs of sentences
    with the same ``parse``; the spaces between two sentences go with the first."""
    if not sentences:
        return [(0, len(text), True, [0])]
    pieces: list[list] = []
    for start, _, parse in sentences:
        if pieces and pieces[-1][2] == parse:
            pieces[-1][3].append(start)
        else:
            pieces.append([start, None, parse, [start]])
    pieces[0][0] = 0
    pieces[0][3][0] = 0
    for piece, following in zip(pieces, pieces[1:] + [None]):
        piece[1] = following[0] if following is not None else len(text)
    return [tuple(piece) for piece in pieces]


def _tokenised(nlp: Language, text: str, sentence_starts: list[int]) -> Doc:
    """A piece that is only tokenised: each sentence a flat tree (first token the root, label ``dep``), so
    sentence boundaries hold in the joined document and no word looks like a verb, subject or entity."""
    tokens = nlp.make_doc(text)
    starts = sorted(set(sentence_starts))
    heads, deps, root = [], [], 0
    for token in tokens:
        if token.i == 0 or (starts and token.idx in starts):
            root = token.i
        heads.append(root)
        deps.append("ROOT" if token.i == root else "dep")
    return Doc(nlp.vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens],
               heads=heads, deps=deps)


class CueForms(NamedTuple):
    """Lower-case word forms that may be a cue (see :func:`cue_forms`)."""

    words: frozenset[str]  # a cue on their own: 'said', 'warns', 'according'
    phrases: dict[str, frozenset[str]]  # first words of two-word cues, with the particles they need: 'pointed' → out
    quote_only: frozenset[str]  # cues only beside a quotation: 'replied', 'went' (on)
    all: frozenset[str]  # all of these


@lru_cache(maxsize=4)
def cue_forms(nlp: Language | None) -> CueForms:
    """The inflected forms (regular endings, and the irregular forms the pipeline's lemmatizer knows) of the
    lexicon's cue verbs, of the first words of its two-word cues ('point out', 'make clear') that are no cue on
    their own, and of the quote-only cues ('go on', 'reply'); with "according"."""
    from .attributions import QUOTE_ONLY_CUES, default_cue_lexicon

    entries = [entry.split() for entry in default_cue_lexicon().categories]
    singles = {words[0] for words in entries if len(words) == 1}
    particles: dict[str, set[str]] = {}
    for words in entries:
        if len(words) > 1 and words[0] not in singles:
            particles.setdefault(words[0], set()).add(words[1])
    irregular = _irregular_forms(nlp)
    forms = lambda lemma: _regular_forms(lemma) | irregular.get(lemma, set())  # noqa: E731
    words = {"according"}.union(*(forms(lemma) for lemma in singles))
    phrases: dict[str, set[str]] = {}
    for lemma, needed in particles.items():
        for form in forms(lemma) - words:
            phrases.setdefault(form, set()).update(needed)
    quote_only = set().union(*(forms(lemma) for lemma in QUOTE_ONLY_CUES)) - words
    return CueForms(frozenset(words), {form: frozenset(p) for form, p in phrases.items()}, frozenset(quote_only),
                    frozenset(words | set(phrases) | quote_only))


def cue_word_forms(nlp: Language | None) -> frozenset[str]:
    """Every form :func:`cue_forms` knows, whatever it needs beside it."""
    return cue_forms(nlp).all


def _irregular_forms(nlp: Language | None) -> dict[str, set[str]]:
    """Base form → irregular forms ('say' → said), from the pipeline's lemmatizer tables."""
    irregular: dict[str, set[str]] = {}
    if nlp is not None and "lemmatizer" in nlp.pipe_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        if lookups.has_table("lemma_exc"):
            for table in ("verb", "noun"):
                for form, bases in lookups.get_table("lemma_exc").get(table, {}).items():
                    for base in bases:
                        irregular.setdefault(base, set()).add(form)
    return irregular


def _regular_forms(lemma: str) -> set[str]:
    """'say' → says, sayed, saying; 'note' → notes, noted, noting; 'deny' → denies, denied; 'admit' → admitted."""
    if lemma.endswith("e"):
        return {lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "ing"}
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms
