"""How faithful and how fast the accurate tier is in bfloat16 and quantised (for each number of feed-forward outputs kept in full precision).

    python benchmarks/tone_quantisation.py [--model FILE] [--data ../shared/data] [--split train] [--mentions 3000]

The network (default: the shipped one) runs once in full precision, once in bfloat16 (all weights and activations
cast; fast only on a CPU with bfloat16 in hardware, which ``auto`` picks), then quantised with the feed-forward output
projections of its first 0, 1, … 6 encoder layers kept in full precision (``full_precision_ffn_outputs``; the
toolkit uses ``toolkit.tone_accurate.FULL_PRECISION_FFN_OUTPUTS``). For each, it prints how often the quantised
network (or the bfloat16 one) picks the label the full-precision one picks, and mentions scored per second on this machine. The
mentions are a fixed sample of a NewsMTSC split (``--split``, default ``train``); no label is read. The shipped
network learned from the training mentions and is sure of most of them, so agreement runs higher there than on
sentences it never saw: ``--split devtest_mt`` measures it on those, still without reading a label.
"""

from __future__ import annotations

import argparse

import torch

from toolkit.sentiment import model_path
from toolkit.tone_accurate import AccurateToneModel
from toolkit.tone_training import load_newsmtsc, newsmtsc_dir
from tone_students import probabilities_and_speed  # the sibling benchmark's timing (this folder is on the path)

SEED = 20251016


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(model_path("accurate")), help="network file (default: the shipped one)")
    parser.add_argument("--data", help="folder holding newsmtsc/ (default: ../shared/data)")
    parser.add_argument("--split", default="train", help="NewsMTSC file to sample, without .jsonl (default: train)")
    parser.add_argument("--mentions", type=int, default=3000, help="mentions to read (default: 3000)")
    args = parser.parse_args()
    if args.mentions < 1:
        parser.error("--mentions must be at least 1")
    torch.set_num_threads(2)
    split = newsmtsc_dir(args.data) / f"{args.split}.jsonl"
    if not split.exists():
        parser.error(f"{split} does not exist")
    frame = load_newsmtsc(split)
    mentions = frame.sample(n=min(args.mentions, len(frame)), random_state=SEED)
    probabilities, speed = probabilities_and_speed(AccurateToneModel.load(args.model), mentions)
    reference = probabilities.argmax(axis=1)
    print(f"{args.model}: {len(mentions)} mentions of NewsMTSC {args.split} (labels not read)")
    print(f"full precision: {speed:.0f} mentions/s")
    probabilities, speed = probabilities_and_speed(AccurateToneModel.load(args.model, precision="bfloat16"), mentions)
    print(f"bfloat16: same label as full precision on {(probabilities.argmax(axis=1) == reference).mean():.1%}, "
          f"{speed:.0f} mentions/s", flush=True)
    for layers in range(7):
        probabilities, speed = probabilities_and_speed(AccurateToneModel.load(
            args.model, precision="int8", full_precision_ffn_outputs=layers), mentions)
        labels = probabilities.argmax(axis=1)
        print(f"8 bits, first {layers} feed-forward outputs in full precision: same label as full precision on "
              f"{(labels == reference).mean():.1%}, {speed:.0f} mentions/s", flush=True)


if __name__ == "__main__":
    main()
