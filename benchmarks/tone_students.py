"""Score candidate accurate-tier networks (students of a distillation run) on a held-out NewsMTSC split, and time them.

    python benchmarks/tone_students.py MODEL.safetensors [MODEL.safetensors ...] [--data ../shared/data]
        [--split devtest_mt] [--agreement-with-teacher WORK]

Each file is a network saved by ``train-tone accurate --out DIR``. It is scored in each precision the toolkit can
run it in (full, bfloat16, and the 8-bit dynamic quantisation): macro-F1 with a 95% bootstrap interval, accuracy and
per-class F1 (as ``evaluate newsmtsc`` does for the shipped model), and mentions scored per second on this
machine, on devtest_mt or (``--split``) another held-out file of the NewsMTSC folder, such as ``devtest_dev`` of a
folder written by ``benchmarks/tone_dev_split.py``. ``--agreement-with-teacher WORK`` also reports how often each
network picks the label of the teacher that ``train-tone accurate`` left in ``WORK`` (slow: the teacher scores
about 20 mentions a second).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from toolkit.tone_accurate import LABELS, AccurateToneModel, load_tokenizer
from toolkit.tone_training import load_newsmtsc, newsmtsc_dir, scores


def probabilities_and_speed(model: AccurateToneModel, test: pd.DataFrame) -> tuple[np.ndarray, float]:
    columns = [test["text"].tolist(), test["target_start"].tolist(), test["target_end"].tolist()]
    model.predict_proba(*(column[:64] for column in columns))  # warm up
    started = time.perf_counter()
    probabilities = model.predict_proba(*columns)
    return probabilities, len(test) / (time.perf_counter() - started)


def teacher_labels(work: Path, test: pd.DataFrame) -> np.ndarray:
    from toolkit.tone_distill import TEACHER_FOLDER, build_teacher, teacher_probabilities

    base = work / TEACHER_FOLDER
    teacher = build_teacher(base, work / "teacher.safetensors")
    return teacher_probabilities(teacher, load_tokenizer(base), test).argmax(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="network files (safetensors) saved by train-tone accurate")
    parser.add_argument("--data", help="folder holding newsmtsc/ (default: ../shared/data)")
    parser.add_argument("--split", default="devtest_mt", help="held-out NewsMTSC file, without .jsonl (default: devtest_mt)")
    parser.add_argument("--agreement-with-teacher", metavar="WORK", help="work folder of a train-tone accurate run")
    args = parser.parse_args()
    torch.set_num_threads(2)
    split = newsmtsc_dir(args.data) / f"{args.split}.jsonl"
    if not split.exists():
        parser.error(f"{split} does not exist")
    test = load_newsmtsc(split)
    teacher = teacher_labels(Path(args.agreement_with_teacher), test) if args.agreement_with_teacher else None
    print(f"{args.split} ({len(test)} mentions)")
    for path in args.models:
        for precision in ("float32", "bfloat16", "int8"):
            probabilities, speed = probabilities_and_speed(AccurateToneModel.load(path, precision=precision), test)
            predicted = np.array(LABELS, dtype=object)[probabilities.argmax(axis=1)]
            table = scores(test["label"], predicted, test["sentence_id"]).set_index("metric")
            macro = table.loc["macro_f1"]
            line = (f"{path} {precision}: macro-F1 {macro.value:.3f} [{macro.low:.3f}, "
                    f"{macro.high:.3f}], accuracy {table.loc['accuracy', 'value']:.3f}, F1 neg/neu/pos "
                    + "/".join(f"{table.loc[f'f1_{label}', 'value']:.3f}" for label in LABELS)
                    + f", {speed:.0f} mentions/s")
            if teacher is not None:
                line += f", agrees with the teacher on {(probabilities.argmax(axis=1) == teacher).mean():.3f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
