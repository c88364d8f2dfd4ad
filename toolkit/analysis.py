"""One analysis step over a batch of loaded articles: attributions, then tone.

:func:`analyze_articles` is what ``python -m toolkit analyze`` runs on every batch of ``ok`` articles, whatever
the engine (in process, or on a Dask cluster). Every table it returns has one row per article or per thing in
an article, so the tables of separate batches concatenate into the tables of the whole corpus.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from spacy.language import Language

from .attributions import extract_attributions

#: The tables :func:`analyze_articles` returns, in the order ``analyze`` writes them.
ANALYSIS_TABLES = ("attributions",)


def analyze_articles(
    articles: pd.DataFrame,
    *,
    nlp: Language | None = None,
    actors: pd.DataFrame | str | Path | None = None,
    progress: bool | None = None,
) -> dict[str, pd.DataFrame]:
    """Analyse the ``ok`` articles of a corpus table; returns ``{table name: table}`` (see :data:`ANALYSIS_TABLES`)."""
    attributions = extract_attributions(articles, nlp=nlp, actors=actors, progress=progress)
    return {"attributions": attributions}
