"""Tone: toward a marked mention, of a sentence, of a quotation, of an article, and toward each actor.

Three tiers, all trained or tuned on news (NewsMTSC, see ``data/models/MODEL_CARD.md``):

``fast`` (default)
    linear models over words, the mention's context and a sentiment lexicon (:mod:`toolkit.tone_fast`); no
    neural network, thousands of sentences per second.
``accurate``
    all-MiniLM-L6-v2 fine-tuned for the tone toward a mention (:mod:`toolkit.tone_accurate`); needs the
    optional extra: ``pip install -e ".[accurate]"``.
``lexicon``
    VADER, the social-media lexicon, kept as a baseline for comparison columns.

:class:`TargetSentiment` is the scikit-learn style estimator. :func:`tone_tables` turns a corpus and its
attributions into the tone tables ``analyze`` writes: ``sentences``, ``actor_tone``, ``article_tone``, and the
tone of each attribution's content. A sentence is in the outlet's *own voice* unless most of it lies inside an
attribution's content (then it is *quoted voice*).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

from .paths import data_path
from .tone_tiers import (ACCURATE_EXTRA, PRECISIONS, TIERS, ToneTierUnavailable,  # noqa: F401 - re-exported
                         check_precision, check_tier)

LABELS = ("negative", "neutral", "positive")
PROBABILITY_COLUMNS = ["p_negative", "p_neutral", "p_positive"]
ROUNDING = 4

SENTENCE_COLUMNS = ["article_id", "outlet", "paragraph_index", "sentence_index", "start", "end", "voice", "tone",
                    "tone_score", *PROBABILITY_COLUMNS, "lexicon_score", "text"]
ACTOR_TONE_COLUMNS = ["article_id", "outlet", "actor", "actor_type", "group", "sentences", "tone_score",
                      "negative", "neutral", "positive"]
ARTICLE_TONE_COLUMNS = ["article_id", "outlet", "sentences", "tone_score", "own_voice_sentences",
                        "own_voice_tone", "quoted_voice_sentences", "quoted_voice_tone"]


# ---------------------------------------------------------------------------------------------- models

def model_path(tier: str) -> Path:
    """The shipped model file of a tier."""
    return data_path("models") / {"fast": "tone-fast.npz", "accurate": "tone-accurate.safetensors"}[tier]


class _LexiconModel:
    """VADER. Its compound score c in [-1, 1] becomes the weights (max(-c, 0), 0.05, max(c, 0)), normalised, so
    the label follows VADER's usual rule (positive above +0.05, negative below -0.05, else neutral)."""

    NEUTRAL_BAND = 0.05

    def __init__(self):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.analyzer = SentimentIntensityAnalyzer()

    def predict_sentence_proba(self, texts) -> np.ndarray:
        compound = self.compound(texts)
        weights = np.column_stack([np.clip(-compound, 0, None), np.full(len(compound), self.NEUTRAL_BAND),
                                   np.clip(compound, 0, None)])
        return weights / weights.sum(axis=1, keepdims=True)

    def predict_target_proba(self, texts, starts, ends) -> np.ndarray:
        return self.predict_sentence_proba(texts)

    def compound(self, texts) -> np.ndarray:
        return np.array([self.analyzer.polarity_scores(text)["compound"] for text in texts], dtype=np.float64)


class _AccurateModel:
    """The fine-tuned transformer, computing in ``precision`` (see :mod:`toolkit.tone_accurate`): by default in
    bfloat16 where the CPU has it in hardware, else with 8-bit integer linear layers, for speed."""

    def __init__(self, path: Path, precision: str = "auto"):
        from .tone_accurate import AccurateToneModel, quiet_transformers

        quiet_transformers()
        self.model = AccurateToneModel.load(path, precision=precision)
        self.precision = self.model.precision

    def predict_target_proba(self, texts, starts, ends) -> np.ndarray:
        return self.model.predict_proba(list(texts), list(starts), list(ends))

    def predict_sentence_proba(self, texts) -> np.ndarray:
        texts = list(texts)
        return self.model.predict_proba(texts, [0] * len(texts), [len(t) for t in texts])


@lru_cache(maxsize=8)
def _load_shipped(tier: str, precision: str):
    return _load(tier, None if tier == "lexicon" else model_path(tier), precision)


def _load(tier: str, path: Path | None, precision: str = "auto"):
    check_tier(tier)
    check_precision(precision)
    if tier == "lexicon":
        return _LexiconModel()
    if not Path(path).exists():
        raise FileNotFoundError(f"tone model {path} is missing; train it with `python -m toolkit train-tone`")
    if tier == "fast":
        from .tone_fast import FastToneModel

        return FastToneModel.load(path)
    return _AccurateModel(Path(path), precision)


def load_tone_model(tier: str = "fast", path: str | Path | None = None, precision: str = "auto"):
    """The model of a tier (shipped in ``data/models`` unless ``path`` is given), loaded once per process;
    ``precision`` is how the accurate tier computes (:data:`PRECISIONS`; the other tiers ignore it)."""
    check_tier(tier)
    check_precision(precision)
    if tier != "accurate":
        precision = "auto"  # ignored: one cached copy
    else:
        from .tone_accurate import resolve_precision

        precision = resolve_precision(precision)  # 'auto' and what it picks share one cached copy
    return _load_shipped(tier, precision) if path is None else _load(tier, Path(path), precision)


# ---------------------------------------------------------------------------------------------- estimator

def _columns(frame: pd.DataFrame) -> tuple[list[str], list[int], list[int]]:
    missing = {"text", "target_start", "target_end"} - set(frame.columns)
    if missing:
        raise ValueError(f"TargetSentiment needs columns text, target_start, target_end; missing {sorted(missing)}")
    texts = frame["text"].fillna("").astype(str).tolist()
    starts = frame["target_start"].astype(int).tolist()
    ends = frame["target_end"].astype(int).tolist()
    bad = [i for i, (t, s, e) in enumerate(zip(texts, starts, ends)) if not 0 <= s <= e <= len(t)]
    if bad:
        raise ValueError(f"target offsets outside the text in row(s) {bad[:5]} (need 0 <= target_start <= "
                         f"target_end <= len(text))")
    return texts, starts, ends


class TargetSentiment(ClassifierMixin, TransformerMixin, BaseEstimator):
    """The tone of a sentence toward a marked mention: ``negative``, ``neutral`` or ``positive``.

    ``X`` is a DataFrame with ``text``, ``target_start`` and ``target_end`` (character offsets of the mention).
    Unfitted, it uses the tier's shipped model; :meth:`fit` trains a new one (``fast`` and ``accurate``).
    :meth:`transform` returns the three probabilities (``set_output(transform="pandas")`` for a DataFrame).

    Parameters
    ----------
    tier
        ``fast``, ``accurate`` or ``lexicon`` (see the module docstring).
    model_path
        A model file to load instead of the shipped one.
    C
        Inverse regularisation of the fast tier's logistic regressions (used by :meth:`fit`).
    precision
        How the accurate tier's network (shipped, loaded or fitted) computes (:data:`PRECISIONS`): ``auto``
        picks ``bfloat16`` on a CPU with it in hardware and ``int8`` elsewhere; ``float32`` is the reference,
        the least dependent on the machine, at about half the speed.
    """

    def __init__(self, tier: str = "fast", model_path: str | Path | None = None, C: float = 3.0,
                 precision: str = "auto"):
        self.tier = tier
        self.model_path = model_path
        self.C = C
        self.precision = precision

    def _model(self):
        if hasattr(self, "model_"):
            return self.model_
        return load_tone_model(self.tier, self.model_path, self.precision)

    def fit(self, X: pd.DataFrame, y) -> "TargetSentiment":
        texts, starts, ends = _columns(X)
        labels = [str(label) for label in y]
        unknown = set(labels) - set(LABELS)
        if unknown:
            raise ValueError(f"labels must be {', '.join(LABELS)}; got {sorted(unknown)}")
        check_tier(self.tier)
        check_precision(self.precision)
        if self.tier == "fast":
            from .tone_fast import FastToneModel

            sentence_texts, sentence_labels = sentence_labels_of(texts, labels)
            self.model_ = FastToneModel().fit(texts, starts, ends, labels, sentence_texts, sentence_labels, C=self.C)
        elif self.tier == "accurate":
            from .tone_accurate import AccurateToneModel, TrainingSettings, load_tokenizer, train_network

            frame = pd.DataFrame({"text": texts, "target_start": starts, "target_end": ends, "label": labels})
            self.model_ = _AccurateFromNetwork(AccurateToneModel.in_precision(
                train_network(frame, TrainingSettings()), load_tokenizer(), self.precision))
        else:
            self.model_ = _LexiconModel()
        self.classes_ = np.array(LABELS, dtype=object)
        self.n_features_in_ = 3
        self.feature_names_in_ = np.array(["text", "target_start", "target_end"], dtype=object)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        texts, starts, ends = _columns(X)
        if not texts:
            return np.zeros((0, 3))
        return self._model().predict_target_proba(texts, starts, ends)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.array(LABELS, dtype=object)[self.predict_proba(X).argmax(axis=1)]

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_proba(X)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(PROBABILITY_COLUMNS, dtype=object)

    def __sklearn_is_fitted__(self) -> bool:  # the shipped models make it usable without fit
        return True


@dataclass
class _AccurateFromNetwork:
    model: object

    def predict_target_proba(self, texts, starts, ends):
        return self.model.predict_proba(list(texts), list(starts), list(ends))

    def predict_sentence_proba(self, texts):
        texts = list(texts)
        return self.model.predict_proba(texts, [0] * len(texts), [len(t) for t in texts])


def sentence_labels_of(texts: list[str], labels: list[str]) -> tuple[list[str], list[str]]:
    """Sentence-level training pairs: each distinct sentence whose marked mentions all share one label."""
    by_text: dict[str, set[str]] = {}
    for text, label in zip(texts, labels):
        by_text.setdefault(text, set()).add(label)
    agreed = [(text, next(iter(found))) for text, found in by_text.items() if len(found) == 1]
    return [t for t, _ in agreed], [label for _, label in agreed]


def sentence_tone(texts, tier: str = "fast", model=None, precision: str = "auto") -> pd.DataFrame:
    """Tone of whole sentences or quotations: ``tone``, ``tone_score`` (P(positive) − P(negative)) and the
    three probabilities, one row per text in order (``precision``: see :class:`TargetSentiment`)."""
    texts = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]
    model = model or load_tone_model(tier, precision=precision)
    probabilities = model.predict_sentence_proba(texts) if texts else np.zeros((0, 3))
    return _tone_frame(probabilities)


def _tone_frame(probabilities: np.ndarray) -> pd.DataFrame:
    probabilities = np.round(np.asarray(probabilities, dtype=np.float64).reshape(-1, 3), ROUNDING)
    frame = pd.DataFrame(probabilities, columns=PROBABILITY_COLUMNS)
    frame.insert(0, "tone_score", np.round(probabilities[:, 2] - probabilities[:, 0], ROUNDING))
    frame.insert(0, "tone", np.array(LABELS, dtype=object)[probabilities.argmax(axis=1)] if len(frame) else [])
    return frame


# ---------------------------------------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen sen rep gov lt col sgt capt st jr sr inc ltd co corp no vs etc jan feb mar apr aug "
    "sept sep oct nov dec u.s u.k u.n e.u a.m p.m".split())
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9])")
_PARAGRAPH = re.compile(r"\n\s*\n")
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")  # "H.R.", "U.S.", "J.D." end no sentence


def split_sentences(text: str) -> list[tuple[int, int, int]]:
    """Sentences of a cleaned article text as ``(start, end, paragraph_index)``; paragraphs are separated by a
    blank line, sentences end at ``.``, ``!``, ``?`` before a capital (not after an abbreviation or an initial)."""
    sentences = []
    paragraph_start = 0
    paragraphs = [*(m for m in _PARAGRAPH.finditer(text)), None]
    for number, gap in enumerate(paragraphs):
        paragraph_end = gap.start() if gap else len(text)
        start = paragraph_start
        for end_mark in _SENTENCE_END.finditer(text, paragraph_start, paragraph_end):
            word = re.search(r"([\w.]+)[.!?…]*[\"'”’»)\]]*$", text[start:end_mark.end()])
            stem = word.group(1).rstrip(".").lower() if word else ""
            initial = len(stem) == 1 or _INITIALS.fullmatch(stem)
            if text[end_mark.start()] == "." and (stem in _ABBREVIATIONS or initial):
                continue
            sentences.append(_trimmed(text, start, end_mark.end(), number))
            start = end_mark.end()
        sentences.append(_trimmed(text, start, paragraph_end, number))
        paragraph_start = gap.end() if gap else len(text)
    return [s for s in sentences if s[1] > s[0]]


def _trimmed(text: str, start: int, end: int, paragraph: int) -> tuple[int, int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end, paragraph


# ---------------------------------------------------------------------------------------------- actors

_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "they", "them", "their", "it", "its"})


class ActorMatcher:
    """The actors registry indexed for finding mentions in plain text (spaCy's tokenizer only, no parse)."""

    def __init__(self, actors: pd.DataFrame):
        import spacy

        from .speakers import ActorIndex

        self.nlp = spacy.blank("en")
        self.index = ActorIndex.build(self.nlp, actors)
        self.names = frozenset(actors["name"])

    def mentions(self, text: str) -> list[tuple[str, int, int]]:
        """``(actor, start, end)`` for every name or alias (except one-word city names), and for a person's
        surname alone when the text names that person in full (or the registry holds only one person of that
        surname), in order of position."""
        from spacy.tokens import Span
        from spacy.util import filter_spans

        doc = self.nlp.make_doc(text)
        spans = filter_spans([Span(doc, start, end, label=match) for match, start, end in self.index.matcher(doc)])
        places = _city_names()
        mentions = [(span.label_, span.start_char, span.end_char) for span in spans if _fold(span.text) not in places]
        named = {actor for actor, _, _ in mentions}
        covered = {i for span in spans for i in range(span.start, span.end)}
        for token in doc:
            if token.i in covered or not token.text[:1].isupper():
                continue
            candidates = self.index.surnames.get(_fold(token.text))
            if not candidates:
                continue
            chosen = [n for n in candidates if n in named] or (list(candidates) if len(candidates) == 1 else [])
            if len(chosen) == 1:
                mentions.append((chosen[0], token.idx, token.idx + len(token.text)))
        return sorted(mentions, key=lambda m: (m[1], m[2], m[0]))


def actor_mentions(text: str, actors: pd.DataFrame) -> list[tuple[str, int, int]]:
    """Registered actors named in a text (see :meth:`ActorMatcher.mentions`); for many texts, build one
    :class:`ActorMatcher` and reuse it."""
    return ActorMatcher(actors).mentions(text)


@lru_cache(maxsize=1)
def _city_names() -> frozenset[str]:
    """One-word city names ("Budapest", "Moscow"): registered as metonyms for governments ("Budapest said"), but
    in "the weather in Budapest" the tone is not toward a government, so they are not mentions here."""
    from .registry import fold

    words = pd.read_csv(data_path("speaker_words.csv"), dtype=str, keep_default_na=False)
    return frozenset(fold(w) for w in words.loc[words["kind"] == "city", "word"] if " " not in w)


def _fold(text: str) -> str:
    from .registry import fold

    return fold(text)


# ---------------------------------------------------------------------------------------------- tables

def tone_tables(
    articles: pd.DataFrame,
    attributions: pd.DataFrame,
    *,
    tier: str = "fast",
    actors: pd.DataFrame | str | Path | None = None,
    groups: str | Path | None = None,
    model=None,
    precision: str = "auto",
) -> dict[str, pd.DataFrame]:
    """Tone of the ``ok`` articles of a corpus: returns ``sentences``, ``actor_tone``, ``article_tone`` and
    ``attributions`` (a copy with ``content_tone`` and ``content_tone_score``). ``precision`` is how the accurate
    tier computes (see :class:`TargetSentiment`)."""
    from .registry import load_actors
    from .speakers import GroupMap, default_group_map

    model = model or load_tone_model(tier, precision=precision)
    lexicon = _LexiconModel()
    actors_table = load_actors(actors)
    matcher = ActorMatcher(actors_table)
    group_map = GroupMap(groups) if groups else default_group_map()
    usable = articles if "status" not in articles else articles[articles["status"] == "ok"]
    by_article = {key: frame for key, frame in attributions.groupby("article_id", sort=False)}
    sentence_rows, mention_rows = [], []
    for row in usable[["article_id", "outlet", "text"]].itertuples(index=False):
        text = "" if pd.isna(row.text) else str(row.text)
        found = by_article.get(row.article_id, attributions.iloc[0:0])
        sentences = split_sentences(text)
        quoted = _quoted_characters(found, len(text))
        for number, (start, end, paragraph) in enumerate(sentences):
            share = quoted[start:end].mean() if end > start else 0.0
            sentence_rows.append({"article_id": row.article_id, "outlet": row.outlet, "paragraph_index": paragraph,
                                  "sentence_index": number, "start": start, "end": end,
                                  "voice": "quoted" if share > 0.5 else "own", "text": text[start:end]})
        mention_rows += _mentions(row.article_id, row.outlet, text, sentences, found, matcher)
    sentences = pd.DataFrame(sentence_rows, columns=["article_id", "outlet", "paragraph_index", "sentence_index",
                                                     "start", "end", "voice", "text"])
    texts = sentences["text"].tolist()
    sentences = pd.concat([sentences, sentence_tone(texts, model=model)], axis=1)
    sentences["lexicon_score"] = np.round(lexicon.compound(texts), ROUNDING)
    sentences = sentences[SENTENCE_COLUMNS]
    return {
        "attributions": _attribution_tone(attributions, model),
        "sentences": sentences,
        "actor_tone": _actor_tone(mention_rows, model, actors_table, group_map),
        "article_tone": _article_tone(usable, sentences),
    }


def _quoted_characters(attributions: pd.DataFrame, length: int) -> np.ndarray:
    inside = np.zeros(max(length, 1), dtype=bool)
    for start, end in zip(attributions.get("content_start", []), attributions.get("content_end", [])):
        if pd.notna(start) and pd.notna(end):
            inside[int(start):int(end)] = True
    return inside


def _mentions(article_id, outlet, text, sentences, attributions, matcher: ActorMatcher) -> list[dict]:
    """One row per (sentence, actor): the first mention of the actor in the sentence, by name or by a pronoun
    that the attribution engine resolved to the actor."""
    mentions = matcher.mentions(text)
    registered = matcher.names
    for speaker, speaker_text, start, end in zip(attributions.get("speaker", []), attributions.get("speaker_text", []),
                                                 attributions.get("speaker_start", []), attributions.get("speaker_end", [])):
        if speaker in registered and str(speaker_text).lower() in _PRONOUNS and pd.notna(start) and pd.notna(end):
            mentions.append((speaker, int(start), int(end)))
    starts = [s for s, _, _ in sentences]
    rows, seen = [], set()
    for actor, start, end in sorted(mentions, key=lambda m: (m[1], m[2], m[0])):
        number = int(np.searchsorted(starts, start, side="right")) - 1
        if number < 0:
            continue
        s_start, s_end, _ = sentences[number]
        if end > s_end or (number, actor) in seen:
            continue
        seen.add((number, actor))
        rows.append({"article_id": article_id, "outlet": outlet, "actor": actor, "sentence_index": number,
                     "text": text[s_start:s_end], "target_start": start - s_start, "target_end": end - s_start})
    return rows


def _actor_tone(rows: list[dict], model, actors_table: pd.DataFrame, group_map) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=ACTOR_TONE_COLUMNS)
    mentions = pd.DataFrame(rows)
    probabilities = model.predict_target_proba(mentions["text"], mentions["target_start"], mentions["target_end"])
    mentions = pd.concat([mentions, _tone_frame(probabilities)], axis=1)
    registry = actors_table.set_index("name")
    table = (mentions.groupby(["article_id", "outlet", "actor"], sort=False)
             .agg(sentences=("tone", "size"), tone_score=("tone_score", "mean"),
                  negative=("tone", lambda s: int((s == "negative").sum())),
                  neutral=("tone", lambda s: int((s == "neutral").sum())),
                  positive=("tone", lambda s: int((s == "positive").sum())))
             .reset_index())
    table["tone_score"] = table["tone_score"].round(ROUNDING)
    table["actor_type"] = table["actor"].map(registry["type"])
    table["group"] = [group_map.group(registry.at[a, "type"], registry.at[a, "role"] or "unknown",
                                      registry.at[a, "country"] or None) for a in table["actor"]]
    return table[ACTOR_TONE_COLUMNS]


def _article_tone(articles: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    rows = []
    by_article = {key: frame for key, frame in sentences.groupby("article_id", sort=False)}
    for row in articles[["article_id", "outlet"]].itertuples(index=False):
        frame = by_article.get(row.article_id, sentences.iloc[0:0])
        own, quoted = frame[frame["voice"] == "own"], frame[frame["voice"] == "quoted"]
        rows.append({"article_id": row.article_id, "outlet": row.outlet, "sentences": len(frame),
                     "tone_score": _mean(frame), "own_voice_sentences": len(own), "own_voice_tone": _mean(own),
                     "quoted_voice_sentences": len(quoted), "quoted_voice_tone": _mean(quoted)})
    return pd.DataFrame(rows, columns=ARTICLE_TONE_COLUMNS)


def _mean(frame: pd.DataFrame) -> float:
    return round(float(frame["tone_score"].mean()), ROUNDING) if len(frame) else np.nan


def _attribution_tone(attributions: pd.DataFrame, model) -> pd.DataFrame:
    table = attributions.copy()
    scored = sentence_tone(table["content"].tolist(), model=model) if len(table) else _tone_frame(np.zeros((0, 3)))
    table["content_tone"] = scored["tone"].to_numpy()
    table["content_tone_score"] = scored["tone_score"].to_numpy()
    return table
