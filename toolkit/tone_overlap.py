"""Keeping evaluated sentences out of the mentions a tone model learns from.

AllSides holds NewsMTSC's source articles and their copies in other outlets, so a sentence of an evaluation
split can come back, split differently or quoted elsewhere, among the transfer mentions a teacher labels.
Distillation (:mod:`toolkit.tone_distill`) and the fast tier's training on teacher labels
(:func:`toolkit.tone_training.teacher_labelled_mentions`) both leave out every article whose full text (read
with :func:`read_transfer_corpus`) shares a run of :data:`OVERLAP_WORDS` words with a protected sentence. No
torch here: the fast tier uses it too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

OVERLAP_WORDS = 8


def normalised_sentence(text: str) -> str:
    """Lower case, runs of non-word characters as one space: how transfer sentences are matched to NewsMTSC's."""
    return re.sub(r"\W+", " ", text).lower().strip()


def word_runs(text: str, length: int = OVERLAP_WORDS) -> set[str]:
    """Every run of ``length`` consecutive words of a normalised text."""
    words = normalised_sentence(text).split()
    return {" ".join(words[i:i + length]) for i in range(len(words) - length + 1)}


def overlapping_articles(articles: pd.DataFrame, protected: list[str], length: int = OVERLAP_WORDS) -> set[str]:
    """Ids of the articles that share a run of ``length`` words with any protected (evaluation or training)
    sentence: AllSides holds NewsMTSC's source articles and their copies in other outlets, and a sentence split
    differently, or quoted elsewhere, must not reach the student with the teacher's label."""
    runs = set().union(*(word_runs(text, length) for text in protected)) if protected else set()
    return {str(row.article_id) for row in articles.itertuples(index=False) if word_runs(str(row.text or ""), length) & runs}


def read_transfer_corpus(path: str | Path) -> pd.DataFrame:
    """``article_id``, ``outlet``, ``text`` of a JSON-lines corpus (AllSides' ``ID``/``source``/
    ``content_original`` fields, or ``id``/``outlet``/``text``); gzip-compressed if the name ends in ``.gz``."""
    import gzip

    opener = gzip.open if str(path).endswith(".gz") else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if line.strip():
                record = json.loads(line)
                rows.append({"article_id": str(record.get("ID", record.get("id", number))),
                             "outlet": record.get("source", record.get("outlet")),
                             "text": record.get("content_original", record.get("text")) or ""})
    frame = pd.DataFrame(rows, columns=["article_id", "outlet", "text"])
    if not frame["text"].str.strip().astype(bool).any():
        raise ValueError(f"{path} holds no article text (fields content_original or text)")
    return frame
