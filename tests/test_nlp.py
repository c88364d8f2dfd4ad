"""The English pipeline the toolkit loads: its components, and the indexed attribute ruler."""

from __future__ import annotations

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


def test_pipeline_has_what_the_engine_needs():
    nlp = load_pipeline()
    assert {"tagger", "parser", "lemmatizer", "ner", "attribute_ruler", "paragraph_boundaries"} <= set(nlp.pipe_names)


def test_indexed_attribute_ruler_and_remembered_lemmas_match_plain_spacy():
    """Our pipeline's attribute ruler (table look-up) and lemmatizer (arrays, one rule call per combination)
    annotate exactly as the model's own components do: on tricky sentences and on the demo corpus, once with
    empty memories and once with full ones."""
    ours = load_pipeline()
    plain = next(spacy.load(name) for name in MODEL_NAMES if spacy.util.is_package(name))
    plain.add_pipe("paragraph_boundaries", before="parser")
    assert isinstance(ours.get_pipe("lemmatizer"), RememberingLemmatizer)
    assert not isinstance(plain.get_pipe("lemmatizer"), RememberingLemmatizer)

    def annotations(doc):
        return [(t.text, t.pos_, t.tag_, t.lemma_, str(t.morph)) for t in doc]

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
