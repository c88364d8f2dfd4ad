"""Score the distillation teacher of the accurate tone tier on NewsMTSC devtest_mt, and time it.

    python benchmarks/tone_teacher.py [--work build/tone-distil] [--data ../shared/data]

Reads ``WORK/teacher.safetensors`` and the all-mpnet-base-v2 folder that ``train-tone accurate`` rebuilt in
``WORK``; prints macro-F1, accuracy and per-class F1 with 95% bootstrap intervals (as ``evaluate newsmtsc``
does for the shipped tiers) and mentions scored per second on this machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from toolkit.paths import REPO_DIR
from toolkit.tone_accurate import LABELS, load_tokenizer
from toolkit.tone_distill import TEACHER_FOLDER, build_teacher, teacher_probabilities
from toolkit.tone_training import load_newsmtsc, newsmtsc_dir, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=str(REPO_DIR / "build" / "tone-distil"))
    parser.add_argument("--data", help="folder holding newsmtsc/ (default: ../shared/data)")
    args = parser.parse_args()
    work = Path(args.work)
    torch.set_num_threads(2)
    base = work / TEACHER_FOLDER
    teacher, tokenizer = build_teacher(base, work / "teacher.safetensors"), load_tokenizer(base)
    test = load_newsmtsc(newsmtsc_dir(args.data) / "devtest_mt.jsonl")
    started = time.perf_counter()
    probabilities = teacher_probabilities(teacher, tokenizer, test)
    seconds = time.perf_counter() - started
    predicted = np.array(LABELS, dtype=object)[probabilities.argmax(axis=1)]
    table = scores(test["label"], predicted, test["sentence_id"])
    print(f"teacher ({base.name}) on devtest_mt ({len(test)} mentions)")
    for row in table.itertuples():
        print(f"  {row.metric:<12} {row.value:.3f}  [{row.low:.3f}, {row.high:.3f}]")
    print(f"  {len(test) / seconds:.1f} mentions/s")


if __name__ == "__main__":
    main()
