"""The ``fast`` tone tier: linear models over words, the mention's context and a sentiment lexicon.

No neural network: a sentence is read three ways, all cheap enough for thousands of sentences per second:

* the words and word pairs of the whole sentence (TF-IDF);
* the words around the mention, tagged with their side and distance ("L1_criticized" is a word just before
  the mention, "R2_praised" one a few words after), the words of the mention's own clause (up to a comma,
  semicolon or "but"), and the first words after it (what the mention does, or what is done to it);
* VADER's lexicon sums (positive and negative strength) over the sentence, the mention's clause and the
  words right beside it.

Two logistic regressions share these features: one for the tone toward a mention (NewsMTSC's task), one for
the tone of a sentence or a quotation as a whole (trained on sentences whose mentions all share one label).
Models are saved as one ``.npz`` of plain arrays (vocabularies, weights) and loaded with
``allow_pickle=False``: a model file can hold no code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

LABELS = ("negative", "neutral", "positive")
TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|[0-9]+|[^\w\s]")
CLAUSE_BREAKS = frozenset({",", ";", ":", "but", "while", "although", "though", "whereas", "(", ")", "—", "–", "-"})
LEXICON_WEIGHT = 0.3
FORMAT_VERSION = 1


@lru_cache(maxsize=1)
def vader_lexicon() -> dict[str, float]:
    """VADER's word valences (``vaderSentiment`` package), lower-cased words to -4 … +4."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return dict(SentimentIntensityAnalyzer().lexicon)


def _words(text: str) -> list[str]:
    return [word.lower() for word in TOKEN.findall(text)]


def _clause(words: list[str]) -> list[str]:
    clause = []
    for word in words:
        if word in CLAUSE_BREAKS:
            break
        clause.append(word)
    return clause


def _band(distance: int) -> str:
    return "1" if distance < 3 else ("2" if distance < 8 else "3")


def _lexicon_sums(words: list[str], lexicon: dict[str, float]) -> list[float]:
    scores = [lexicon[word] for word in words if word in lexicon]
    return [sum(s for s in scores if s > 0), -sum(s for s in scores if s < 0), float(len(scores))]


def sentence_terms(words: list[str]) -> list[str]:
    """The words (two letters or more) and adjacent word pairs of a sentence."""
    words = [word for word in words if len(word) > 1]
    return ["W_" + word for word in words] + [f"B_{a}_{b}" for a, b in zip(words, words[1:])]


def target_terms(text: str, start: int, end: int) -> tuple[list[str], list[str], list[float]]:
    """Sentence terms, the mention's tagged context terms, and lexicon sums for the mention ``text[start:end]``."""
    left, right = _words(text[:start]), _words(text[end:])
    mention = _words(text[start:end])
    words = sentence_terms(left + mention + right)
    terms = [f"L{_band(distance)}_{word}" for distance, word in enumerate(reversed(left))]
    terms += [f"R{_band(distance)}_{word}" for distance, word in enumerate(right)]
    clause_left, clause_right = _clause(left[::-1])[::-1], _clause(right)
    terms += ["C_" + word for word in clause_left + clause_right]
    terms += [f"CB_{a}_{b}" for part in (clause_left, clause_right) for a, b in zip(part, part[1:])]
    if right:
        terms.append("NEXT_" + right[0])
    if len(right) > 1:
        terms.append(f"NEXT2_{right[0]}_{right[1]}")
    if left:
        terms.append("PREV_" + left[-1])
    lexicon = vader_lexicon()
    sums = []
    for part in (left + right, clause_left + clause_right, clause_right, right[:4], left[-4:]):
        sums += _lexicon_sums(part, lexicon)
    return words, terms, sums


def _identity(features: list[str]) -> list[str]:
    return features


def _tfidf() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=_identity, min_df=2, sublinear_tf=True, dtype=np.float64)


@dataclass
class FastToneModel:
    """Vectorisers and the two classifiers of the fast tier."""

    words: TfidfVectorizer = field(default_factory=_tfidf)
    context: TfidfVectorizer = field(default_factory=_tfidf)
    target_classifier: LogisticRegression | None = None
    sentence_classifier: LogisticRegression | None = None

    # ------------------------------------------------------------------ features
    def target_features(self, texts: list[str], starts: list[int], ends: list[int], fit: bool = False):
        triples = [target_terms(t, s, e) for t, s, e in zip(texts, starts, ends)]
        words, context = [t[0] for t in triples], [t[1] for t in triples]
        lexical = np.log1p(np.array([t[2] for t in triples], dtype=np.float64).reshape(-1, 15))
        if fit:
            blocks = [self.words.fit_transform(words), self.context.fit_transform(context)]
        else:
            blocks = [self.words.transform(words), self.context.transform(context)]
        return sp.hstack([*blocks, sp.csr_matrix(LEXICON_WEIGHT * lexical)], format="csr")

    def sentence_features(self, texts: list[str]):
        words = [_words(t) for t in texts]
        lexicon = vader_lexicon()
        lexical = np.log1p(np.array([_lexicon_sums(w, lexicon) for w in words], dtype=np.float64).reshape(-1, 3))
        matrix = self.words.transform([sentence_terms(w) for w in words])
        return sp.hstack([matrix, sp.csr_matrix(LEXICON_WEIGHT * lexical)], format="csr")

    # ------------------------------------------------------------------ training and prediction
    def fit(self, texts, starts, ends, labels, sentence_texts, sentence_labels, C: float = 3.0,
            sample_weight=None, min_df: int = 2) -> "FastToneModel":
        """Fit the vocabularies (terms in at least ``min_df`` mentions) and the mention classifier on the
        mentions (``sample_weight``: one weight per mention, e.g. lower for a teacher's labels than for gold ones),
        the sentence classifier on the sentences."""
        self.words.set_params(min_df=min_df)
        self.context.set_params(min_df=min_df)
        features = self.target_features(list(texts), list(starts), list(ends), fit=True)
        self.target_classifier = _classifier(C).fit(features, list(labels), sample_weight=sample_weight)
        self.sentence_classifier = _classifier(C).fit(self.sentence_features(list(sentence_texts)), list(sentence_labels))
        return self

    def predict_target_proba(self, texts, starts, ends) -> np.ndarray:
        features = self.target_features(list(texts), list(starts), list(ends))
        return _ordered(self.target_classifier, self.target_classifier.predict_proba(features))

    def predict_sentence_proba(self, texts) -> np.ndarray:
        features = self.sentence_features(list(texts))
        return _ordered(self.sentence_classifier, self.sentence_classifier.predict_proba(features))

    # ------------------------------------------------------------------ safe persistence
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {"format_version": np.array(FORMAT_VERSION), "labels": np.array(LABELS)}
        for name, vectorizer in (("words", self.words), ("context", self.context)):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            arrays[f"{name}_terms"] = np.array(terms, dtype=str)
            arrays[f"{name}_idf"] = vectorizer.idf_
        for name, classifier in (("target", self.target_classifier), ("sentence", self.sentence_classifier)):
            arrays[f"{name}_classes"] = np.array(classifier.classes_, dtype=str)
            arrays[f"{name}_coef"] = classifier.coef_
            arrays[f"{name}_intercept"] = classifier.intercept_
        partial = path.with_name(path.name + ".partial.npz")
        np.savez_compressed(partial, **arrays)
        partial.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "FastToneModel":
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        if int(arrays["format_version"]) != FORMAT_VERSION:
            raise ValueError(f"{path}: fast tone model format {int(arrays['format_version'])}, expected {FORMAT_VERSION}")
        model = cls()
        for name, vectorizer in (("words", model.words), ("context", model.context)):
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(arrays[f"{name}_terms"].tolist())}
            vectorizer.idf_ = arrays[f"{name}_idf"]
        for name in ("target", "sentence"):
            classifier = LogisticRegression()
            classifier.classes_ = arrays[f"{name}_classes"].astype(object)
            classifier.coef_ = arrays[f"{name}_coef"]
            classifier.intercept_ = arrays[f"{name}_intercept"]
            setattr(model, f"{name}_classifier", classifier)
        return model


def _classifier(C: float) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=5000, class_weight="balanced")


def _ordered(classifier: LogisticRegression, probabilities: np.ndarray) -> np.ndarray:
    """Columns in :data:`LABELS` order whatever order the classifier learnt them in (zero for a label the
    training data lacked)."""
    classes = list(classifier.classes_)
    ordered = np.zeros((probabilities.shape[0], len(LABELS)))
    for column, label in enumerate(LABELS):
        if label in classes:
            ordered[:, column] = probabilities[:, classes.index(label)]
    return ordered
