"""Would shifting an accurate-tier student's class scores make it agree more with its teacher? Checked on the
held-out transfer mentions of ``tone_fidelity.py`` (no NewsMTSC label read), with the shifts chosen on one half
of the held-out articles and scored on the other.

    python benchmarks/tone_class_bias.py MODEL.safetensors --work WORK --window 40000:60000 [--data ../shared/data]
        [--precision auto] [--seed 0]

A student trained by distillation learns the teacher's probabilities; its most likely label can still lean
toward one class where the teacher's does not (a student less sure than its teacher falls back on the commonest
label). Adding a constant to each class's score (the classifier's bias) moves the decision borders without
touching anything else. The script picks the two shifts (neutral and positive, negative fixed at 0) that give
the best macro-F1 against the teacher's labels on one half of the held-out articles, on a grid of steps of 0.05
from -1 to 1, scores them on the other half, and swaps the halves: the gain on the unseen halves is the honest
estimate. It then prints the shifts chosen on all held-out articles, the ones a shipped model would carry.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
from sklearn.metrics import f1_score
from tone_fidelity import add_held_out_arguments, read_held_out

from toolkit.tone_accurate import LABELS, AccurateToneModel
from toolkit.tone_distill import PROBABILITY_COLUMNS
from toolkit.tone_training import scores

GRID = np.round(np.arange(-1.0, 1.0001, 0.05), 2)


def macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Macro-F1 of integer labels over all three classes, as evaluate computes it."""
    return float(f1_score(gold, predicted, labels=range(len(LABELS)), average="macro", zero_division=0))


def best_shifts(log_probabilities: np.ndarray, teacher: np.ndarray) -> tuple[np.ndarray, float]:
    """The class shifts (negative's fixed at 0) on :data:`GRID` with the best macro-F1 against ``teacher``; ties
    go to the smallest shifts, so no shift at all wins unless something beats it."""
    best, best_score = np.zeros(len(LABELS)), macro_f1(teacher, log_probabilities.argmax(axis=1))
    for neutral, positive in sorted(itertools.product(GRID, GRID), key=lambda pair: (abs(pair[0]) + abs(pair[1]), pair)):
        shifts = np.array([0.0, neutral, positive])
        score = macro_f1(teacher, (log_probabilities + shifts).argmax(axis=1))
        if score > best_score + 1e-12:
            best, best_score = shifts, score
    return best, best_score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="network file (safetensors) saved by train-tone accurate")
    add_held_out_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="seed of the split of articles into halves")
    args = parser.parse_args()
    mentions = read_held_out(args, parser)
    teacher = mentions[PROBABILITY_COLUMNS].to_numpy(dtype=float).argmax(axis=1)
    model = AccurateToneModel.load(args.model, precision=args.precision)
    probabilities = model.predict_proba(mentions["text"].tolist(), mentions["target_start"].tolist(),
                                        mentions["target_end"].tolist())
    log_probabilities = np.log(np.clip(probabilities, 1e-12, None))
    share = lambda labels: ", ".join(f"{label} {np.mean(labels == i):.1%}" for i, label in enumerate(LABELS))  # noqa: E731
    print(f"{len(mentions):,} held-out mentions of {mentions['article_id'].nunique():,} articles; {model.precision}")
    print(f"teacher's labels: {share(teacher)}; student's: {share(probabilities.argmax(axis=1))}")

    ids = np.array(sorted(mentions["article_id"].unique()))
    first_half = set(np.random.default_rng(args.seed).permutation(ids)[: len(ids) // 2])
    halves = mentions["article_id"].isin(first_half).to_numpy()
    shifted = probabilities.argmax(axis=1)
    for name, fit in [("first", halves), ("second", ~halves)]:
        shifts, fitted = best_shifts(log_probabilities[fit], teacher[fit])
        unseen = ~fit
        shifted[unseen] = (log_probabilities[unseen] + shifts).argmax(axis=1)
        print(f"shifts chosen on the {name} half ({fit.sum():,} mentions): neutral {shifts[1]:+.2f}, positive "
              f"{shifts[2]:+.2f} (macro-F1 there {fitted:.3f}); on the other half macro-F1 "
              f"{macro_f1(teacher[unseen], probabilities[unseen].argmax(axis=1)):.3f} -> "
              f"{macro_f1(teacher[unseen], shifted[unseen]):.3f}")
    names = np.array(LABELS, dtype=object)
    for label, predicted in [("unshifted", probabilities.argmax(axis=1)), ("shifted (other half's shifts)", shifted)]:
        table = scores(names[teacher], names[predicted], mentions["article_id"]).set_index("metric")
        print(f"{label}: macro-F1 with the teacher {table.loc['macro_f1', 'value']:.3f} [{table.loc['macro_f1', 'low']:.3f}, "
              f"{table.loc['macro_f1', 'high']:.3f}], accuracy {table.loc['accuracy', 'value']:.3f}; "
              f"labels {share(predicted)}")
    shifts, fitted = best_shifts(log_probabilities, teacher)
    print(f"shifts chosen on all held-out mentions: neutral {shifts[1]:+.2f}, positive {shifts[2]:+.2f} "
          f"(macro-F1 {fitted:.3f}, fitted on the same mentions)")


if __name__ == "__main__":
    main()
