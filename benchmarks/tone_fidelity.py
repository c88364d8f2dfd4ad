"""Compare accurate-tier students without reading a NewsMTSC label: how well each one agrees with its teacher on
teacher-labelled transfer mentions from articles that no student learned from.

    python benchmarks/tone_fidelity.py MODEL.safetensors [MODEL.safetensors ...] --work WORK --window 40000:60000
        [--data ../shared/data] [--transfer-corpus articles.jsonl.gz] [--precision bfloat16]

``WORK`` is the work folder of a ``train-tone accurate`` run: its ``transfer.parquet`` (mentions in order) and
``transfer-labelled.parquet`` (the teacher's probabilities). The mentions scored are those of the articles whose
first mention lies in the window of the transfer set (after leaving out articles that overlap NewsMTSC), exactly
as ``train-tone accurate --transfer-validation START:END`` holds them out; they must all carry the teacher's
label. A student trained with that option never saw them, nor did one trained on fewer than START mentions. The
teacher scores 0.832 macro-F1 on devtest_mt, so agreeing with it more is a way to choose between recipes without
choosing on devtest_mt; it is no substitute for ``evaluate newsmtsc``, which reports the figure that counts.

Reported per model: macro-F1 and accuracy against the teacher's most likely label (95% bootstrap interval over
articles), and the mean cross-entropy to the teacher's probabilities.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from toolkit.tone_accurate import LABELS, AccurateToneModel
from toolkit.tone_distill import PROBABILITY_COLUMNS, _transfer
from toolkit.tone_overlap import read_transfer_corpus
from toolkit.tone_training import _protected_sentences, _transfer_corpus_path, newsmtsc_dir, scores

ARTICLES_LIMIT = 9000  # distil's default: the transfer set of train-tone accurate


def held_out_labelled_mentions(work: Path, articles: pd.DataFrame, protected: list[str],
                                window: tuple[int, int]) -> pd.DataFrame:
    """The transfer mentions of ``work`` held out by ``window`` (as the distillation holds them out), with the
    teacher's probabilities; an error if any lacks them."""
    _, held_out = _transfer(articles, protected, work / "transfer.parquet", ARTICLES_LIMIT, None, lambda m: None, window)
    key = ["article_id", "text", "target_start", "target_end"]
    labels = pd.read_parquet(work / "transfer-labelled.parquet").astype({"article_id": str})
    labels = labels.drop_duplicates(key, keep="last")[key + PROBABILITY_COLUMNS]
    labelled = held_out.astype({"article_id": str}).merge(labels, on=key, how="left", validate="many_to_one")
    if labelled["p_negative"].isna().any():
        raise SystemExit(f"{int(labelled['p_negative'].isna().sum()):,} held-out mentions lack the teacher's label")
    return labelled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="network files (safetensors) saved by train-tone accurate")
    parser.add_argument("--work", required=True, type=Path, help="work folder of the train-tone accurate run")
    parser.add_argument("--window", required=True, help="START:END, as given to train-tone accurate --transfer-validation")
    parser.add_argument("--data", help="folder holding newsmtsc/ and allsides/ (default: ../shared/data)")
    parser.add_argument("--transfer-corpus", help="the run's transfer corpus (default: AllSides in --data)")
    parser.add_argument("--precision", default="bfloat16", choices=["float32", "bfloat16", "int8"])
    args = parser.parse_args()
    torch.set_num_threads(2)
    articles = read_transfer_corpus(_transfer_corpus_path(args.transfer_corpus, args.data))
    articles = articles.astype({"article_id": str})
    protected = _protected_sentences(newsmtsc_dir(args.data))
    start, _, end = args.window.partition(":")
    mentions = held_out_labelled_mentions(args.work, articles, protected, (int(start), int(end)))
    teacher = mentions[PROBABILITY_COLUMNS].to_numpy(dtype=float)
    teacher_labels = np.array(LABELS, dtype=object)[teacher.argmax(axis=1)]
    print(f"{len(mentions):,} teacher-labelled mentions from {mentions['article_id'].nunique():,} held-out articles; "
          "teacher's labels " + ", ".join(f"{label} {np.mean(teacher_labels == label):.1%}" for label in LABELS))
    for path in args.models:
        model = AccurateToneModel.load(path, precision=args.precision)
        probabilities = model.predict_proba(mentions["text"].tolist(), mentions["target_start"].tolist(),
                                            mentions["target_end"].tolist())
        predicted = np.array(LABELS, dtype=object)[probabilities.argmax(axis=1)]
        table = scores(teacher_labels, predicted, mentions["article_id"]).set_index("metric")
        macro = table.loc["macro_f1"]
        entropy = -np.mean(np.sum(teacher * np.log(np.clip(probabilities, 1e-9, 1)), axis=1))
        print(f"{path} {args.precision}: macro-F1 with the teacher {macro.value:.3f} [{macro.low:.3f}, {macro.high:.3f}], "
              f"accuracy {table.loc['accuracy', 'value']:.3f}, cross-entropy {entropy:.3f}", flush=True)


if __name__ == "__main__":
    main()
