"""The English pipeline the toolkit loads: its components, and the indexed attribute ruler."""

from __future__ import annotations

import pytest
import spacy

from toolkit.corpus import load_corpus
from toolkit.nlp import MODEL_NAMES, RememberingLemmatizer, load_pipeline
from toolkit.paths import DEMO_CORPUS

TEXTS = [
    "“We ain't gonna give up Donbas,” Zelensky said. Let's see, the Kremlin's aide wouldn't say.",
    "There is a summit planned in Budapest; there were doubts. It's not clear whether Putin'll come.",
    "BUDAPEST — Hungary's Foreign Minister Péter Szijjártó said Tuesday that he'd gotta check.\n\n"
    "Asked about it, Rubio replied: \"I'm not sure.\"  Sanctions   were   imposed on Rosneft and Lukoil.",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("said,“Look", ["said", ",", "“", "Look"]),
        ("win.”He", ["win", ".", "”", "He"]),
        ('said:"We', ["said", ":", '"', "We"]),
        ("the “fake news”media", ["the", "“", "fake", "news", "”", "media"]),
        # what spaCy already splits, or must keep whole
        ("“Hello,” he said.", ["“", "Hello", ",", "”", "he", "said", "."]),
        ("don’t", ["do", "n’t"]),
        ("Trump’s U.S.-Russia", ["Trump", "’s", "U.S.-Russia"]),
    ],
)
def test_glued_quotation_marks_are_tokens_of_their_own(text, expected):
    assert [token.text for token in load_pipeline().tokenizer(text)] == expected


def test_pipeline_has_what_the_engine_needs():
    nlp = load_pipeline()
    assert {"tagger", "parser", "lemmatizer", "ner", "attribute_ruler", "paragraph_boundaries"} <= set(nlp.pipe_names)


def annotations(doc):
    return [(t.text, t.pos_, t.tag_, t.lemma_, str(t.morph)) for t in doc]


def plain_pipeline():
    plain = next(spacy.load(name) for name in MODEL_NAMES if spacy.util.is_package(name))
    plain.add_pipe("paragraph_boundaries", before="parser")
    return plain


def test_indexed_attribute_ruler_and_remembered_lemmas_match_plain_spacy():
    """Our pipeline's attribute ruler (table look-up) and lemmatizer (arrays, one rule call per combination)
    annotate exactly as the model's own components do: on tricky sentences and on the demo corpus, once with
    empty memories and once with full ones."""
    ours = load_pipeline()
    plain = plain_pipeline()
    assert isinstance(ours.get_pipe("lemmatizer"), RememberingLemmatizer)
    assert not isinstance(plain.get_pipe("lemmatizer"), RememberingLemmatizer)

    corpus = load_corpus(DEMO_CORPUS, progress=False)
    texts = TEXTS + corpus.loc[corpus["status"] == "ok", "text"].head(12).tolist()
    theirs = [annotations(doc) for doc in plain.pipe(texts)]
    for _ in range(2):
        assert [annotations(doc) for doc in ours.pipe(texts)] == theirs
    assert [annotations(ours(text)) for text in TEXTS] == theirs[:len(TEXTS)]
    # the rules did something: 'is' after 'There' is a verb, "n't" is a particle with lemma 'not'
    doc = ours(TEXTS[1])
    assert [t.pos_ for t in doc if t.lower_ == "is"] == ["VERB"]
    assert [(t.pos_, t.lemma_) for t in ours(TEXTS[0]) if t.lower_ == "n't"] == [("PART", "not")] * 2
    assert [t.lemma_ for t in ours("The talks were postponed, officials said.")] == [
        "the", "talk", "be", "postpone", ",", "official", "say", "."]


def test_the_memories_stay_bounded_and_start_again_without_changing_annotations(monkeypatch):
    """A large corpus keeps bringing new words: the lemmatizer's and the attribute ruler's memories are emptied
    when they reach ``MEMORY_LIMIT`` entries, and the annotations stay those of plain spaCy."""
    import toolkit.nlp

    monkeypatch.setattr(toolkit.nlp, "MEMORY_LIMIT", 7)
    ours = spacy.load(next(name for name in MODEL_NAMES if spacy.util.is_package(name)))
    ours.add_pipe("paragraph_boundaries", before="parser")
    toolkit.nlp.index_attribute_rules(ours.get_pipe("attribute_ruler"))
    toolkit.nlp.remember_lemmas(ours.get_pipe("lemmatizer"))
    lemmatizer = ours.get_pipe("lemmatizer")
    ruler_memory = ours.get_pipe("attribute_ruler").match.memory
    theirs = [annotations(doc) for doc in plain_pipeline().pipe(TEXTS)]
    for text, expected in zip(TEXTS, theirs):
        assert annotations(ours(text)) == expected
        assert 0 < len(lemmatizer._known_lemmas) <= 7
        assert 0 < len(ruler_memory) <= 7
