"""Compare accurate-tier students without reading a NewsMTSC label: how well each one agrees with its teacher on
teacher-labelled transfer mentions from articles that no student learned from.

    python benchmarks/tone_fidelity.py MODEL.safetensors [MODEL.safetensors ...] --work WORK --window 40000:60000
        [--data ../shared/data] [--transfer-corpus articles.jsonl.gz] [--transfer-articles 9000] [--precision auto]

``WORK`` is the work folder of a ``train-tone accurate`` run: its ``transfer.parquet`` (mentions in order),
``transfer-labelled.parquet`` (the teacher's probabilities) and ``teacher.safetensors``; it is read, never
written, and ``--data``, ``--transfer-corpus`` and ``--transfer-articles`` must be the run's. The mentions
scored are those that ``train-tone accurate --transfer-validation START:END`` holds out: the articles whose
first mention lies in the window of the transfer set (after leaving out articles that overlap NewsMTSC), each
mention once, without those whose sentence also occurs outside the window. They must all carry this teacher's label. A student trained with
that option never learned from them; nor did one trained without it on at most START mentions of the same
transfer set. The teacher scores 0.832 macro-F1 on devtest_mt, so agreeing with it more is a way to choose
between recipes without choosing on devtest_mt; it is no substitute for ``evaluate newsmtsc``, which reports the
figure that counts.

Reported per model: macro-F1 and accuracy against the teacher's most likely label (95% bootstrap interval over
articles), and the mean cross-entropy to the teacher's probabilities; beside them, the figures the model's card
recorded when it was trained with a validation window (computed before its weights were saved in half precision,
so they can differ slightly), or for a network made by ``average-tone-networks`` how many of its inputs held
this window out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from toolkit.cli import _window
from toolkit.paths import file_digest
from toolkit.tone_accurate import LABELS, AccurateToneModel
from toolkit.tone_distill import (PROBABILITY_COLUMNS, TRANSFER_ARTICLES_LIMIT, _recorded_fingerprint, cross_entropy,
                                  select_transfer, transfer_fingerprint)
from toolkit.tone_overlap import read_transfer_corpus
from toolkit.tone_training import _protected_sentences, _transfer_corpus_path, newsmtsc_dir, scores


def held_out_labelled_mentions(work: Path, articles: pd.DataFrame, protected: list[str],
                                window: tuple[int, int], articles_limit: int = TRANSFER_ARTICLES_LIMIT) -> pd.DataFrame:
    """The transfer mentions of ``work`` held out by ``window`` (as the distillation holds them out), with the
    probabilities of the teacher in ``work``. Reads the work folder and never writes it: exits when its transfer
    set came from another corpus or other NewsMTSC sentences (other ``--data`` or ``--transfer-corpus``), or
    when a held-out mention lacks that teacher's label. ``articles_limit``: the run's ``--transfer-articles``."""
    path = work / "transfer.parquet"
    for needed in (path, work / "transfer-labelled.parquet", work / "teacher.safetensors"):
        if not needed.exists():
            raise SystemExit(f"{needed} does not exist: --work must be the folder of a train-tone accurate run")
    if _recorded_fingerprint(path) != transfer_fingerprint(articles, protected, articles_limit):
        raise SystemExit(f"{path} was not extracted from this corpus and these NewsMTSC sentences with "
                         f"{articles_limit:,} articles read: give the run's --data, --transfer-corpus and "
                         "--transfer-articles")
    _, held_out, _ = select_transfer(pd.read_parquet(path), articles, protected, window)
    key = ["article_id", "text", "target_start", "target_end"]
    labels = pd.read_parquet(work / "transfer-labelled.parquet", columns=key + PROBABILITY_COLUMNS + ["teacher_sha256"])
    labels = labels[labels["teacher_sha256"] == file_digest(work / "teacher.safetensors")]
    labels = labels.astype({"article_id": str}).drop_duplicates(key, keep="last")[key + PROBABILITY_COLUMNS]
    labelled = held_out.astype({"article_id": str}).merge(labels, on=key, how="left", validate="one_to_one")
    if labelled["p_negative"].isna().any():
        raise SystemExit(f"{int(labelled['p_negative'].isna().sum()):,} held-out mentions lack the teacher's label; "
                         "train-tone accurate --transfer-validation with this window labels them")
    return labelled


def card_note(model: str, window: tuple[int, int]) -> str:
    """What a model's card says about the held-out window: the validation figures it recorded in training, or
    for an averaged network (``average-tone-networks``) whether each of its inputs held out this same window
    (an input that learned from the window's mentions makes the figure optimistic)."""
    path = Path(model).with_suffix(".json")
    card = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if "averaged_from" in card:
        windows = [((each.get("card") or {}).get("transfer") or {}).get("validation", {}).get("window")
                   for each in card["averaged_from"]]
        same = sum(held == list(window) for held in windows)
        return (f"; a mean of {len(windows)} networks, {same} of them trained with this window held out"
                + ("" if same == len(windows) else " (the others may have learned from its mentions)"))
    recorded = card.get("transfer", {}).get("validation")
    if not recorded:
        return ""
    same = recorded.get("window") == list(window)
    return (f"; its card ({'same' if same else 'OTHER'} window {recorded['window'][0]}:{recorded['window'][1]}, "
            f"{recorded['precision']}, before saving): macro-F1 {recorded['macro_f1']:.3f}, "
            f"accuracy {recorded['accuracy']:.3f}")


def add_held_out_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that name a run's held-out transfer mentions and the students' precision (this script's and
    ``tone_class_bias.py``'s)."""
    parser.add_argument("--work", required=True, type=Path, help="work folder of the train-tone accurate run")
    parser.add_argument("--window", required=True, type=_window,
                        help="START:END, as given to train-tone accurate --transfer-validation")
    parser.add_argument("--data", help="folder holding newsmtsc/ and allsides/ (default: ../shared/data)")
    parser.add_argument("--transfer-corpus", help="the run's transfer corpus (default: AllSides in --data)")
    parser.add_argument("--transfer-articles", type=int, default=TRANSFER_ARTICLES_LIMIT,
                        help=f"the run's --transfer-articles (default: {TRANSFER_ARTICLES_LIMIT})")
    parser.add_argument("--precision", default="auto", choices=["auto", "float32", "bfloat16", "int8"],
                        help="the students' precision (default auto: as the toolkit would run them here)")


def read_held_out(args: argparse.Namespace, parser: argparse.ArgumentParser) -> pd.DataFrame:
    """The held-out mentions named by the options of :func:`add_held_out_arguments`, with the teacher's
    probabilities (a usage error when the window holds nothing out); also sets torch to the machine's 2 threads."""
    torch.set_num_threads(2)
    articles = read_transfer_corpus(_transfer_corpus_path(args.transfer_corpus, args.data))
    articles = articles.astype({"article_id": str})
    protected = _protected_sentences(newsmtsc_dir(args.data))
    try:
        return held_out_labelled_mentions(args.work, articles, protected, args.window, args.transfer_articles)
    except ValueError as error:
        parser.error(str(error))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="network files (safetensors) saved by train-tone accurate")
    add_held_out_arguments(parser)
    args = parser.parse_args()
    mentions = read_held_out(args, parser)
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
        entropy = cross_entropy(teacher, probabilities)
        line = (f"{path} {model.precision}: macro-F1 with the teacher {macro.value:.3f} [{macro.low:.3f}, "
                f"{macro.high:.3f}], accuracy {table.loc['accuracy', 'value']:.3f}, cross-entropy {entropy:.3f}")
        print(line + card_note(path, args.window), flush=True)


if __name__ == "__main__":
    main()
