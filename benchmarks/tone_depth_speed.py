"""How fast a deeper accurate-tier student would run: the shipped all-MiniLM-L6-v2 tone network with extra encoder
layers (copies of its next-to-last layer), timed on a NewsMTSC split.

    python benchmarks/tone_depth_speed.py [--data ../shared/data] [--split devtest_mt] [--layers 6 7 8]
        [--precision bfloat16] [--repeats 2]

Only speed is measured: the networks are untrained, so their labels mean nothing. Each depth is timed ``--repeats``
times, interleaved with the others, because speeds on a shared machine drift between runs; compare depths within
one run, and against the bar of 200 mentions a second only with that drift in mind.
"""

from __future__ import annotations

import argparse
import copy
import time

import torch

from toolkit.tone_accurate import AccurateToneModel, TargetToneNet, build_network, load_tokenizer
from toolkit.tone_training import load_newsmtsc, newsmtsc_dir


def network_with_layers(layers: int) -> TargetToneNet:
    """The tone network with ``layers`` encoder layers: the pretrained six, plus copies of the next-to-last one
    inserted before the last (the usual way to deepen a student before training it)."""
    network = build_network()
    encoder_layers = network.encoder.encoder.layer
    if layers < len(encoder_layers):
        raise ValueError(f"the network has {len(encoder_layers)} layers; cannot time {layers}")
    while len(encoder_layers) < layers:
        encoder_layers.insert(len(encoder_layers) - 1, copy.deepcopy(encoder_layers[len(encoder_layers) - 2]))
    network.encoder.config.num_hidden_layers = len(encoder_layers)
    return network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="folder holding newsmtsc/ (default: ../shared/data)")
    parser.add_argument("--split", default="devtest_mt", help="NewsMTSC file to time on, without .jsonl")
    parser.add_argument("--layers", type=int, nargs="+", default=[6, 7, 8])
    parser.add_argument("--precision", default="bfloat16", choices=["float32", "bfloat16", "int8"])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(2)
    test = load_newsmtsc(newsmtsc_dir(args.data) / f"{args.split}.jsonl")
    columns = [test["text"].tolist(), test["target_start"].tolist(), test["target_end"].tolist()]
    tokenizer = load_tokenizer()
    for repeat in range(1, args.repeats + 1):
        for layers in args.layers:
            model = AccurateToneModel.in_precision(network_with_layers(layers), tokenizer, args.precision)
            model.predict_proba(*(column[:64] for column in columns))  # warm up
            started = time.perf_counter()
            model.predict_proba(*columns)
            speed = len(test) / (time.perf_counter() - started)
            print(f"run {repeat}: {layers} layers, {args.precision}: {speed:.0f} mentions/s on {args.split}", flush=True)


if __name__ == "__main__":
    main()
