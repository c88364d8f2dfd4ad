"""One analysis step over a batch of loaded articles: attributions, then tone (sentences, actors, articles).

:func:`analyze_articles` is what ``python -m toolkit analyze`` runs on every batch of ``ok`` articles, whatever
the engine (in process, or on a Dask cluster). Every table it returns has one row per article or per thing in
an article, so the tables of separate batches concatenate into the tables of the whole corpus.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from spacy.language import Language

from .attributions import extract_attributions
from .sentiment import tone_tables

#: The tables :func:`analyze_articles` returns, in the order ``analyze`` writes them.
ANALYSIS_TABLES = ("attributions", "sentences", "actor_tone", "article_tone")


def analyze_articles(
    articles: pd.DataFrame,
    *,
    nlp: Language | None = None,
    actors: pd.DataFrame | str | Path | None = None,
    progress: bool | None = None,
    tone: str | None = "fast",
    parse: str = "selective",
    tone_precision: str = "auto",
) -> dict[str, pd.DataFrame]:
    """Analyse the ``ok`` articles of a corpus table; returns ``{table name: table}`` (see :data:`ANALYSIS_TABLES`).

    ``tone`` is the tone tier (``fast``, ``accurate``, ``lexicon``; see :mod:`toolkit.sentiment`), or None for
    attributions only; ``tone_precision`` is how the accurate tier computes (``auto``, ``bfloat16``, ``int8``,
    ``float32``; see :class:`toolkit.sentiment.TargetSentiment`). ``parse`` is ``selective`` (default) or
    ``full`` (see :mod:`toolkit.parsing`).
    """
    attributions = extract_attributions(articles, nlp=nlp, actors=actors, progress=progress, parse=parse)
    if tone is None:
        return {"attributions": attributions}
    tables = tone_tables(articles, attributions, tier=tone, actors=actors, precision=tone_precision)
    return {name: tables[name] for name in ANALYSIS_TABLES}
