"""Command line: a thin layer over the same functions the notebooks call.

    python -m toolkit analyze PATH [PATH ...] --out DIR [--outlet NAME] [--format csv|parquet|both]
                              [--engine local|dask [--workers N | --scheduler ADDRESS]] [--no-cache]
    python -m toolkit evaluate demo|polnear|basil [--data DIR] [--split dev] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from .corpus import corpus_summary
from .engine import BATCH_SIZE, analyze_corpus
from .paths import ModelNotInstalled
from .registry import RegistryError
from .tone_tiers import PRECISIONS, TIERS, ToneTierUnavailable, check_tier


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m toolkit", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    analyze = commands.add_parser("analyze", help="load, clean and analyse a corpus; write tables to --out")
    analyze.add_argument("paths", nargs="+", help="files or folders of articles")
    analyze.add_argument("--out", required=True, help="folder for the output tables and report")
    analyze.add_argument("--outlet", help="outlet name for every document (overrides the files)")
    analyze.add_argument("--text-column", help="name of the text field in CSV/JSON/Parquet inputs")
    analyze.add_argument("--title-column", help="name of the title field")
    analyze.add_argument("--outlet-column", help="name of the outlet field")
    analyze.add_argument("--url-column", help="name of the URL field")
    analyze.add_argument("--date-column", help="name of the publication date field")
    analyze.add_argument("--byline-column", help="name of the byline/author field")
    analyze.add_argument("--outlets", help="outlets registry CSV (default: data/outlets.csv)")
    analyze.add_argument("--cleaning-rules", help="page-furniture rules CSV (default: data/cleaning_rules.csv)")
    analyze.add_argument("--actors", help="actors registry CSV (default: data/actors.csv)")
    analyze.add_argument("--tone", choices=list(TIERS), default="fast",
                         help="tone tier: fast (default), accurate (needs the accurate extra) or lexicon (VADER)")
    analyze.add_argument("--tone-precision", choices=list(PRECISIONS), default="auto",
                         help="how the accurate tier computes: auto (default: bfloat16 if the CPU running analyze "
                              "has it in hardware, else int8), bfloat16, int8, or float32 (the reference, the least "
                              "machine-dependent, about half as fast)")
    analyze.add_argument("--parse", choices=["selective", "full"], default="selective",
                         help="selective (default): the full spaCy pipeline only over sentences that can hold an "
                              "attribution, and the sentence before each; full: every sentence")
    analyze.add_argument("--format", choices=["csv", "parquet", "both"], default="csv",
                         help="file format of every output table (default: csv)")
    analyze.add_argument("--batch-size", type=_positive, default=BATCH_SIZE, metavar="N",
                         help=f"articles per batch (default: {BATCH_SIZE}); outputs do not depend on it")
    cache = analyze.add_mutually_exclusive_group()
    cache.add_argument("--cache", metavar="DIR", help="cache of analysed articles (default: OUT/.cache)")
    cache.add_argument("--no-cache", action="store_true", help="analyse every article again and keep no cache")
    analyze.add_argument("--engine", choices=["local", "dask"], default="local",
                         help="local: this process; dask: a Dask cluster (default: local)")
    analyze.add_argument("--workers", type=_positive, default=2, metavar="N",
                         help="worker processes of the local Dask cluster (default: 2)")
    analyze.add_argument("--scheduler", metavar="ADDRESS",
                         help="address of a running Dask scheduler (tcp://host:8786) to use with --engine dask")
    progress = analyze.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show a progress bar")
    progress.add_argument("--no-progress", dest="progress", action="store_false", help="never show a progress bar")

    evaluate = commands.add_parser("evaluate", help="score the attribution extractor (demo, polnear, basil) or the "
                                                    "tone models (newsmtsc) against gold data")
    evaluate.add_argument("dataset", choices=["demo", "polnear", "basil", "newsmtsc"])
    evaluate.add_argument("--data", help="folder holding polnear/, basil/, newsmtsc/ (default: ../shared/data if present)")
    evaluate.add_argument("--split", default="dev", choices=["train", "dev"], help="PolNeAR split")
    evaluate.add_argument("--tier", nargs="+", choices=list(TIERS), default=list(TIERS), help="tone tiers (newsmtsc)")
    evaluate.add_argument("--tone-precision", choices=list(PRECISIONS), default="auto",
                          help="how the accurate tier computes (newsmtsc; default: auto, as analyze)")
    evaluate.add_argument("--folds", type=_positive, default=5, help="cross-validation folds on train (newsmtsc)")
    evaluate.add_argument("--out", help="folder for the score tables (DATASET_TABLE.csv) and DATASET_report.txt")

    train = commands.add_parser("train-tone", help="train a tone model on NewsMTSC (needs ../shared or --data)")
    train.add_argument("tier", choices=["fast", "accurate"])
    train.add_argument("--data", help="folder holding newsmtsc/ (default: ../shared/data if present)")
    train.add_argument("--out", help="folder for the model and its card (default: data/models)")
    train.add_argument("--limit", type=_positive, help="train on the first N mentions only (for a quick check)")
    train.add_argument("--teacher-labels", metavar="FILE", nargs="+",
                       help="fast: also learn from mentions a stronger model labelled: WORK/transfer-labelled.parquet "
                            "of a train-tone accurate run (the teacher's labels), files written by label-mentions; "
                            "a mention in several files keeps the first file's label")
    train.add_argument("--work", help="accurate: folder for the distillation stages, resumed if present (default: build/tone-distil)")
    train.add_argument("--transfer-corpus", help="accurate: JSON-lines news corpus the teacher labels; fast with --teacher-labels: "
                                                 "the articles of the labelled mentions, to leave out those overlapping NewsMTSC "
                                                 "(default: AllSides in --data)")
    train.add_argument("--transfer-mentions", type=_count_or_window, default=60000, metavar="N or START:END",
                       help="accurate: the student's transfer mentions, which the teacher labels: the first N, or "
                            "those at positions START to END (exclusive) for a pass over mentions an earlier pass "
                            "did not see (default: 60000)")
    train.add_argument("--transfer-articles", type=_positive, metavar="N",
                       help="accurate: shuffled transfer-corpus articles read for mentions (default: the shipped "
                            "recipe's, 9000); more finds the same mentions first, then more")
    train.add_argument("--transfer-validation", type=_window, metavar="START:END",
                       help="accurate: hold out of the student's mentions the transfer articles whose first mention is at "
                            "a position from START to END (exclusive; positions count mentions of the transfer set, "
                            "overlapping articles left out), have the teacher label them too, and record in the card "
                            "how well the student agrees with the teacher on them (no NewsMTSC label read); the "
                            "student still gets --transfer-mentions mentions, from outside the window")
    train.add_argument("--teacher-base", help="accurate: folder of a Hugging Face encoder to use as teacher (default: all-mpnet-base-v2)")
    train.add_argument("--teacher-epochs", type=_positive, help="accurate: passes of the teacher over NewsMTSC train "
                                                              "(default: the shipped teacher's, 1); another number "
                                                              "fine-tunes a new teacher in --work")
    train.add_argument("--student-epochs", type=_positive, help="accurate: passes of the student over gold and transfer "
                                                              "mentions (default: the shipped recipe's)")
    train.add_argument("--student-learning-rate", type=float, help="accurate: the student's learning rate (default: the "
                                                                   "shipped recipe's)")
    train.add_argument("--student-seed", type=int, help="accurate: the student's seed: data order and dropout "
                                                        "(default: the shipped recipe's)")
    train.add_argument("--student-init", metavar="FILE", help="accurate: start the student from this saved network "
                                                              "(e.g. data/models/tone-accurate.safetensors) instead of "
                                                              "the base model, for more passes with a schedule of their own")
    train.add_argument("--labelling-precision", choices=["auto", "bfloat16", "float32"],
                       help="accurate: the teacher's precision while it labels (default auto: bfloat16 where the CPU has "
                            "it in hardware, float32 elsewhere); in bfloat16 labels saved earlier in any precision are "
                            "reused, in float32 those saved in another precision are given again")
    train.add_argument("--feature-weight", type=float, help="accurate: weight of the pull toward the teacher's pooled "
                                                            "features (default: the shipped recipe's, 0 = off)")
    label = commands.add_parser("label-mentions", help="tone probabilities for a table of marked mentions (for "
                                                       "train-tone fast --teacher-labels)")
    label.add_argument("mentions", help="Parquet or CSV file with text, target_start, target_end (e.g. "
                                        "WORK/transfer.parquet of train-tone accurate)")
    label.add_argument("--out", required=True, help="Parquet or CSV file: the table with p_negative, p_neutral, "
                                                    "p_positive and tone")
    label.add_argument("--tier", choices=list(TIERS), default="accurate", help="tone tier (default: accurate)")
    label.add_argument("--tone-precision", choices=list(PRECISIONS), default="auto",
                       help="how the accurate tier computes (default: auto)")
    average = commands.add_parser("average-tone-networks", help="average accurate tone networks of one lineage "
                                                                 "(passes started from each other) into one")
    average.add_argument("networks", nargs="+", metavar="FILE", help="network files (safetensors) saved by train-tone "
                                                                     "accurate; at least two")
    average.add_argument("--out", help="folder for the averaged network and its card (default: data/models)")
    report = commands.add_parser("report", help="render every notebook for a corpus to HTML, with figures as PNG + CSV")
    report.add_argument("paths", nargs="+", help="files or folders of articles, or one `analyze` output folder")
    report.add_argument("--out", required=True, help="output folder (reports in OUT/reports, figures in OUT/reports/figures)")
    report.add_argument("--actors", help="actors registry CSV (default: data/actors.csv)")
    report.add_argument("--outlets", nargs="+", metavar="OUTLET", help="only these outlets (default: all)")
    report.add_argument("--groups", help="groups CSV mapping speaker type, role and country to groups (default: data/groups.csv)")
    report.add_argument("--notebooks", nargs="+", metavar="NN", help="only the notebooks whose names start with these (02 …)")
    return parser


def say(message: str) -> None:
    """Print a progress line at once, so that a long job's log file (output redirected) shows where it is."""
    print(message, flush=True)


def run_label_mentions(args: argparse.Namespace) -> int:
    from .tone_training import TABLE_SUFFIXES, label_mentions, read_table, write_mentions

    check_tier(args.tier)
    if Path(args.out).suffix.lower() not in TABLE_SUFFIXES or Path(args.out).is_dir():
        raise ValueError(f"--out {args.out}: name a .csv or .parquet file")
    labelled = label_mentions(read_table(args.mentions), tier=args.tier, precision=args.tone_precision,
                              log=say)
    write_mentions(labelled, args.out)
    print(f"wrote {args.out} ({len(labelled):,} mentions)")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from .report import render_reports

    render_reports(args.paths, args.out, actors=args.actors, outlets=args.outlets, groups=args.groups,
                   notebooks=args.notebooks)
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _window(value: str) -> tuple[int, int]:
    """``START:END`` as two whole numbers with 0 <= START < END."""
    start, colon, end = value.partition(":")
    try:
        window = int(start), int(end)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected START:END (two whole numbers), not {value!r}") from None
    if not colon or not 0 <= window[0] < window[1]:
        raise argparse.ArgumentTypeError(f"expected START:END with 0 <= START < END, not {value!r}")
    return window


def _count_or_window(value: str) -> int | tuple[int, int]:
    """A whole number from 1 up, or ``START:END`` as :func:`_window` reads it."""
    return _window(value) if ":" in value else _positive(value)


def run_evaluate(args: argparse.Namespace) -> int:
    if args.dataset == "newsmtsc":
        from .tone_training import evaluate_tone

        tables, report = evaluate_tone(args.tier, data_dir=args.data, folds=args.folds,
                                      precision=args.tone_precision, log=say)
    else:
        from .evaluation_runs import run_evaluation

        tables, report = run_evaluation(args.dataset, data_dir=args.data, split=args.split)
    print(report)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            table.to_csv(out / f"{args.dataset}_{name}.csv", index=False)
        (out / f"{args.dataset}_report.txt").write_text(report, encoding="utf-8")
    return 0


def run_analyze(args: argparse.Namespace) -> int:
    if args.scheduler and args.engine != "dask":
        raise ValueError("--scheduler needs --engine dask")
    check_tier(args.tone)
    result = analyze_corpus(
        args.paths, args.out,
        corpus_options=dict(
            outlet=args.outlet, text_column=args.text_column, title_column=args.title_column,
            outlet_column=args.outlet_column, url_column=args.url_column, date_column=args.date_column,
            byline_column=args.byline_column, outlets=args.outlets, cleaning_rules=args.cleaning_rules,
        ),
        actors=args.actors, analysis_options={"tone": args.tone, "parse": args.parse, "tone_precision": args.tone_precision},
        formats=[args.format],
        batch_size=args.batch_size,
        cache=False if args.no_cache else (args.cache or True), engine=args.engine, workers=args.workers,
        scheduler=args.scheduler, progress=args.progress,
    )
    articles = result.articles
    _print_summary(articles)
    if result.cached:
        print(f"{result.cached} ok articles taken from the cache, {result.analysed} analysed")
    for path in result.written:
        print(f"wrote {path}")
    if len(articles) == 0 or (articles["status"] == "unreadable").all():
        print("error: nothing could be read from the given paths", file=sys.stderr)
        return 1
    return 0


def _print_summary(articles) -> None:
    summary = corpus_summary(articles)
    parts = [f"{row.articles} {row.status}" for row in summary.itertuples() if row.articles or row.status == "ok"]
    print(f"{len(articles)} documents: " + ", ".join(parts))
    for row in articles[articles["status"] != "ok"].itertuples():
        where = row.source_path + (f" (record {int(row.record) + 1})" if pd.notna(row.record) else "")
        print(f"  {row.status}: {where}: {row.problem}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "analyze":
            return run_analyze(args)
        if args.command == "evaluate":
            return run_evaluate(args)
        if args.command == "report":
            return run_report(args)
        if args.command == "label-mentions":
            return run_label_mentions(args)
        if args.command == "average-tone-networks":
            from .tone_training import average_networks

            average_networks(args.networks, out=args.out, log=say)
            return 0
        if args.command == "train-tone":
            from .tone_training import train_tone

            student = {name: value for name, value in [("epochs", args.student_epochs),
                                                       ("learning_rate", args.student_learning_rate),
                                                       ("feature_weight", args.feature_weight),
                                                       ("seed", args.student_seed)] if value is not None}
            distillation_flags = [args.work, args.teacher_base, args.teacher_epochs, args.transfer_validation,
                                  args.transfer_articles,
                                  args.student_init, args.labelling_precision, *student.values()]
            if args.tier != "accurate" and any(flag is not None for flag in distillation_flags):
                raise ValueError("--work, --teacher-base, --teacher-epochs, --transfer-validation, "
                                 "--transfer-articles, --student-init, "
                                 "--labelling-precision and the student flags apply to the accurate tier only")
            if args.tier == "fast" and args.transfer_corpus is not None and args.teacher_labels is None:
                raise ValueError("--transfer-corpus applies to the fast tier only with --teacher-labels")
            if args.tier != "fast" and args.teacher_labels is not None:
                raise ValueError("--teacher-labels applies to the fast tier only")
            train_tone(args.tier, data_dir=args.data, out=args.out, limit=args.limit, work=args.work,
                       transfer_corpus=args.transfer_corpus, transfer_mentions=args.transfer_mentions,
                       transfer_articles=args.transfer_articles,
                       teacher_base=args.teacher_base, student=student, teacher_labels=args.teacher_labels,
                       transfer_validation=args.transfer_validation, student_init=args.student_init,
                       labelling_precision=args.labelling_precision or "auto", teacher_epochs=args.teacher_epochs,
                       log=say)
            return 0
    except (RegistryError, ValueError, FileNotFoundError, ModelNotInstalled, ToneTierUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
