"""Write a NewsMTSC folder for choosing an accurate-tier recipe on held-out training data, never on devtest_mt.

    python benchmarks/tone_dev_split.py --out build/newsmtsc-dev [--data ../shared/data] [--fraction 0.2] [--seed 7]

``OUT/newsmtsc/train.jsonl`` is NewsMTSC train without a fifth of its articles (``--fraction``, whole articles);
``OUT/newsmtsc/devtest_dev.jsonl`` holds that fifth (``toolkit.tone_training.write_dev_split``). Then, for each
recipe to compare (the teacher is trained once on the rest, and the transfer mentions keep clear of every
held-out sentence):

    python -m toolkit train-tone accurate --data OUT --transfer-corpus ../shared/data/allsides/articles.jsonl.gz \\
        --work OUT/work --out OUT/RECIPE [--student-learning-rate R --student-epochs N …]
    python benchmarks/tone_students.py OUT/RECIPE/tone-accurate.safetensors --data OUT --split devtest_dev

A full run takes hours on two cores (the teacher alone about 25 minutes, its labels about 45 more); later
recipes reuse the teacher and its labels from ``OUT/work``.
"""

from __future__ import annotations

import argparse

from toolkit.tone_training import DEV_SPLIT, load_newsmtsc, write_dev_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write newsmtsc/ into")
    parser.add_argument("--data", help="folder holding newsmtsc/ (default: ../shared/data)")
    parser.add_argument("--fraction", type=float, default=0.2, help="share of the articles held out (default: 0.2)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the draw (default: 7)")
    args = parser.parse_args()
    folder = write_dev_split(args.data, args.out, fraction=args.fraction, seed=args.seed)
    for name in ("train", DEV_SPLIT):
        frame = load_newsmtsc(folder / f"{name}.jsonl")
        print(f"{folder / name}.jsonl: {len(frame)} mentions in {frame['text'].nunique()} sentences")


if __name__ == "__main__":
    main()
