"""Time `analyze` against a bare spaCy parse of the same texts, in one run.

    python benchmarks/attribution_speed.py [--articles 2000] [--data ../shared/data/allsides/articles.jsonl.gz]

Takes the first N articles of the AllSides corpus, then measures, on the same machine and in the same process:
1. the bare parse: ``nlp.pipe`` over the cleaned texts with the toolkit's English pipeline;
2. the whole analysis: loading and cleaning the corpus, parsing, extracting and resolving attributions, and
   writing ``articles.csv`` and ``attributions.csv``.
Reports both times, articles and words per second, and their ratio (the issue's bar: at most 1.5).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import tempfile
import time
from pathlib import Path

import toolkit
from toolkit.attributions import extract_attributions
from toolkit.corpus import write_articles, write_table
from toolkit.nlp import load_pipeline

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "allsides" / "articles.jsonl.gz"


def first_lines(source: Path, count: int, target: Path) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as lines, gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(itertools.islice(lines, count))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"AllSides corpus not found at {args.data}; pass --data", file=sys.stderr)
        return 2
    nlp = load_pipeline()
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.jsonl.gz"
        first_lines(args.data, args.articles, sample)
        texts = toolkit.load_corpus(sample, progress=False).query("status == 'ok'")["text"].tolist()
        words = sum(len(t.split()) for t in texts)

        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        bare = time.perf_counter() - started

        started = time.perf_counter()
        articles = toolkit.load_corpus(sample, progress=False)
        attributions = extract_attributions(articles, nlp=nlp, progress=False)
        write_articles(articles, Path(tmp) / "out")
        write_table(attributions, Path(tmp) / "out" / "attributions.csv")
        full = time.perf_counter() - started

    print(f"articles: {len(texts)} ok of {args.articles}; words: {words}")
    print(f"bare nlp.pipe parse: {bare:8.1f} s  ({len(texts) / bare:6.1f} articles/s, {words / bare:8.0f} words/s)")
    print(f"whole analyze:       {full:8.1f} s  ({len(texts) / full:6.1f} articles/s, {words / full:8.0f} words/s)")
    print(f"attributions found:  {len(attributions)}")
    print(f"ratio analyze / bare parse: {full / bare:.2f} (bar: at most 1.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
