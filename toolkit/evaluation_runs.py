"""Run the attribution evaluations end to end: load a gold data set, extract, score, report.

``python -m toolkit evaluate demo|polnear|basil`` calls :func:`run_evaluation`. The demo gold ships with the
toolkit; PolNeAR and BASIL are read from a folder you name (``--data``), by default ``../shared/data`` beside the
repository when it exists.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from .attributions import extract_attributions
from .corpus import load_corpus
from .datasets import load_basil, load_demo_gold, load_polnear, shared_data_dir
from .evaluate import format_report, score_basil, score_demo, score_polnear
from .paths import DEMO_CORPUS, DEMO_GOLD
from .speakers import default_group_map

DATASETS = ("demo", "polnear", "basil")


def run_evaluation(dataset: str, *, data_dir: str | Path | None = None, split: str = "dev",
                   progress: bool | None = None) -> tuple[dict[str, pd.DataFrame], str]:
    """Evaluate the extractor on one data set; returns the score tables and a plain-text report."""
    started = time.perf_counter()
    if dataset == "demo":
        articles = load_corpus(DEMO_CORPUS, progress=False)
        gold = load_demo_gold(DEMO_GOLD, articles)
        groups = default_group_map()
        gold = gold.assign(group=[groups.group(t, r, None if pd.isna(c) else c) for t, r, c in
                                  zip(gold["speaker_type"], gold["speaker_role"], gold["speaker_country"])])
        predictions = extract_attributions(articles, progress=progress)
        tables = score_demo(predictions, gold)
        title = f"Demo corpus: {len(articles)} articles, {len(gold)} gold attributions"
    else:
        root = Path(data_dir) if data_dir else shared_data_dir()
        if root is None:
            raise FileNotFoundError(f"the {dataset} data set was not found; pass --data DIR (the folder holding {dataset}/)")
        if dataset == "polnear":
            articles, gold = load_polnear(root / "polnear", split=split)
            predictions = extract_attributions(articles, progress=progress)
            tables = score_polnear(predictions, gold)
            title = (f"PolNeAR {split}: {len(articles)} articles, {int(gold['is_speech'].sum())} speech attributions "
                     "(continuation rows joined to the attribution they carry on, PolNeAR's unit)")
        elif dataset == "basil":
            articles, phrases = load_basil(root / "basil")
            predictions = extract_attributions(articles, progress=progress)
            tables = {"basil": score_basil(predictions, articles, phrases)}
            title = f"BASIL: {len(articles)} articles"
        else:
            raise ValueError(f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}")
    elapsed = time.perf_counter() - started
    report = format_report(tables, title=title) + f"\n{len(predictions)} predicted attributions; {elapsed:.1f} s in all\n"
    return tables, report
