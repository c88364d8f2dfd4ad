"""Time `analyze` as the corpus grows: 1,000, 5,000 and all 37,554 AllSides articles, in one run.

    python benchmarks/scale.py [--sizes 1000 5000 all] [--data ../shared/data/allsides/articles.jsonl.gz]
                               [--engine local|dask] [--workers 2] [--batch-size 200] [--out build/benchmarks]
                               [--no-bare | --bare-up-to N]

For each size N it takes the first N records of the corpus (one JSON Lines file, as a user would have it) and
measures, on the same machine:
1. the bare parse: ``nlp.pipe`` over the cleaned texts of the ``ok`` articles with the toolkit's English
   pipeline (texts over 100,000 characters in the same pieces ``analyze`` parses), in this process, or in as
   many processes as Dask workers with ``--engine dask`` (``--bare-up-to N`` skips it for larger samples);
2. a cold ``python -m toolkit analyze`` in a fresh process with an empty cache, and
3. the same command again (warm: every article in the cache).
Wall time, ``ok`` articles and words per second, and the peak resident memory of the analyze process and all
its children (Dask workers included; sampled with psutil every 0.1 s; ``peak_main_mb`` is the analyze
process's own part of that peak) are reported for each, with the ratio of
the cold analysis to the bare parse and of the warm re-run to the cold run. Results go to ``OUT/scale.csv`` and
``OUT/scale.md`` and are printed as Markdown.

The issue's bars: all 37,554 articles in under 60 minutes on 2 cores, peak memory under 3 GB and within 20%
between the 5,000 and the 37,554 run, a warm re-run under 5% of the cold time.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "allsides" / "articles.jsonl.gz"


def first_records(source: Path, count: int | None, target: Path) -> int:
    """Copy the first ``count`` lines (all when None) of a gzipped JSON Lines file; returns how many."""
    with gzip.open(source, "rt", encoding="utf-8") as lines, gzip.open(target, "wt", encoding="utf-8") as out:
        taken = 0
        for line in itertools.islice(lines, count):
            out.write(line)
            taken += 1
    return taken


class PeakMemory:
    """Peak resident set size of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_main = 0  # the analyze process's own share of the peak (the rest: its children, e.g. workers)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                sizes = []
                for process in tree:
                    try:
                        sizes.append(process.memory_info().rss)
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        sizes.append(0)
                if sum(sizes) > self.peak:
                    self.peak, self.peak_main = sum(sizes), sizes[0]
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                return
            self._stop.wait(self.interval)

    def stop(self) -> tuple[int, int]:
        """The peak (bytes), and the analyze process's own part of it."""
        self._stop.set()
        self._thread.join()
        return self.peak, self.peak_main


def run_analyze(sample: Path, out: Path, options: list[str]) -> tuple[float, tuple[int, int]]:
    """Wall seconds and peak memory (bytes: all, and the analyze process's own part) of one
    ``python -m toolkit analyze`` process tree."""
    command = [sys.executable, "-m", "toolkit", "analyze", str(sample), "--out", str(out), "--no-progress", *options]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(process.pid)
    stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    peak = memory.stop()
    if process.returncode != 0:
        raise RuntimeError(f"analyze failed ({process.returncode}):\n{stdout}\n{stderr}")
    return elapsed, peak


def bare_parse(sample: Path, processes: int = 1) -> tuple[float, int, int]:
    """Seconds of a bare ``nlp.pipe`` over the ok texts (in ``processes`` processes, as spaCy's ``n_process``);
    and how many ok articles and words they hold."""
    import toolkit
    from toolkit.attributions import text_chunks
    from toolkit.nlp import load_pipeline

    nlp = load_pipeline()
    articles = toolkit.load_corpus(sample, progress=False)
    texts = articles.loc[articles["status"] == "ok", "text"].tolist()
    del articles
    words = sum(len(text.split()) for text in texts)
    pieces = (piece for text in texts for _, piece in text_chunks(text))
    started = time.perf_counter()
    for _ in nlp.pipe(pieces, batch_size=32, n_process=processes):
        pass
    return time.perf_counter() - started, len(texts), words


def ok_counts(out: Path) -> tuple[int, int]:
    articles = pd.read_csv(out / "articles.csv", usecols=["status", "n_words"])
    ok = articles[articles["status"] == "ok"]
    return len(ok), int(ok["n_words"].sum())


def markdown(table: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "|".join("---:" for _ in table.columns) + "|"]
    lines += ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1000", "5000", "all"],
                        help="numbers of articles (first N records), or 'all'")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (with --engine dask)")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "benchmarks")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare parse (no ratio)")
    parser.add_argument("--bare-up-to", type=int, metavar="N",
                        help="run the bare parse only for samples of at most N records (it takes as long as analyze)")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"AllSides corpus not found at {args.data}; pass --data", file=sys.stderr)
        return 2
    options = ["--engine", args.engine, "--batch-size", str(args.batch_size)]
    if args.engine == "dask":
        options += ["--workers", str(args.workers)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            count = None if size == "all" else int(size)
            sample = Path(tmp) / f"sample-{size}.jsonl.gz"
            records = first_records(args.data, count, sample)
            out = Path(tmp) / f"out-{size}"
            print(f"{records} records: cold analyze …", file=sys.stderr, flush=True)
            cold, cold_peak = run_analyze(sample, out, options)
            print(f"{records} records: warm analyze …", file=sys.stderr, flush=True)
            warm, warm_peak = run_analyze(sample, out, options)
            ok, words = ok_counts(out)
            bare = None
            if not args.no_bare and (args.bare_up_to is None or records <= args.bare_up_to):
                processes = args.workers if args.engine == "dask" else 1  # the same cores as analyze
                print(f"{records} records: bare parse in {processes} process(es) …", file=sys.stderr, flush=True)
                bare, _, _ = bare_parse(sample, processes)
            rows.append({
                "records": records, "ok_articles": ok, "words": words, "engine": args.engine,
                "cold_s": round(cold, 1), "articles_per_s": round(ok / cold, 2), "words_per_s": round(words / cold),
                "peak_rss_mb": round(cold_peak[0] / 2**20), "peak_main_mb": round(cold_peak[1] / 2**20),
                "warm_s": round(warm, 1), "warm_peak_rss_mb": round(warm_peak[0] / 2**20), "warm_over_cold": round(warm / cold, 3),
                "bare_parse_s": None if bare is None else round(bare, 1),
                "bare_words_per_s": None if bare is None else round(words / bare),
                "cold_over_bare": None if bare is None else round(cold / bare, 2),
            })
            print(markdown(pd.DataFrame(rows[-1:])), file=sys.stderr, flush=True)
    table = pd.DataFrame(rows).sort_values("records", kind="stable").reset_index(drop=True)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "scale.csv", index=False, lineterminator="\n")
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"{round(psutil.virtual_memory().total / 2**30)} GB; Python {platform.python_version()}")
    text = (f"# analyze at scale\n\n{machine}; data {args.data.name}; options {' '.join(options)}\n\n"
            + markdown(table))
    for smaller, larger in zip(table.index[:-1], table.index[1:]):
        text += (f"\nPeak memory, {table.at[larger, 'records']} over {table.at[smaller, 'records']} records: "
                 f"{table.at[larger, 'peak_rss_mb'] / table.at[smaller, 'peak_rss_mb']:.2f}\n")
    (args.out / "scale.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {args.out / 'scale.csv'} and {args.out / 'scale.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
