"""The English pipeline the toolkit loads: its components, and the indexed attribute ruler."""

from __future__ import annotations

import spacy

from toolkit.nlp import MODEL_NAMES, load_pipeline

TEXTS = [
    "“We ain't gonna give up Donbas,” Zelensky said. Let's see, the Kremlin's aide wouldn't say.",
    "There is a summit planned in Budapest; there were doubts. It's not clear whether Putin'll come.",
    "BUDAPEST — Hungary's Foreign Minister Péter Szijjártó said Tuesday that he'd gotta check.\n\n"
    "Asked about it, Rubio replied: \"I'm not sure.\"  Sanctions   were   imposed on Rosneft and Lukoil.",
]


def test_pipeline_has_what_the_engine_needs():
    nlp = load_pipeline()
    assert {"tagger", "parser", "lemmatizer", "ner", "attribute_ruler", "paragraph_boundaries"} <= set(nlp.pipe_names)


def test_indexed_attribute_ruler_sets_what_the_matcher_would():
    indexed = load_pipeline()
    plain = next(spacy.load(name) for name in MODEL_NAMES if spacy.util.is_package(name))
    plain.add_pipe("paragraph_boundaries", before="parser")

    def annotations(doc):
        return [(t.text, t.pos_, t.tag_, t.lemma_, str(t.morph)) for t in doc]

    for text in TEXTS:
        ours, theirs = annotations(indexed(text)), annotations(plain(text))
        assert ours == theirs
    # the rules did something: 'is' after 'There' is a verb, "n't" is a particle with lemma 'not'
    doc = indexed(TEXTS[1])
    assert [t.pos_ for t in doc if t.lower_ == "is"] == ["VERB"]
    assert [(t.pos_, t.lemma_) for t in indexed(TEXTS[0]) if t.lower_ == "n't"] == [("PART", "not")] * 2
