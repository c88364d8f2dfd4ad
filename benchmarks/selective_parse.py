"""How much selective parsing saves, and how much it changes: attributions of a full and a selective parse.

    python benchmarks/selective_parse.py [--articles 500] [--data ../shared/data/allsides/articles.jsonl.gz]
                                         [--out build/benchmarks]

Takes the first N ``ok`` articles of the corpus and extracts their attributions twice in this process, with
``parse="full"`` and with ``parse="selective"`` (see ``toolkit.parsing``). Reports the share of the text the
selective parse sends through the whole pipeline, the CPU seconds of each run, and how many attributions are
the same in both (same content span, kind, speaker and speaker country), with the rows that differ written to
``OUT/selective_parse_differences.csv``. Results go to ``OUT/selective_parse.md``.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "allsides" / "articles.jsonl.gz"
KEY = ["article_id", "content_start", "content_end", "kind", "speaker", "speaker_country"]


def load_articles(source: Path, count: int) -> pd.DataFrame:
    """The first ``count`` ok articles of a gzipped JSON Lines corpus, loaded and cleaned by the toolkit."""
    import toolkit

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.jsonl"
        with gzip.open(source, "rt", encoding="utf-8") as lines, sample.open("w", encoding="utf-8") as out:
            out.writelines(itertools.islice(lines, int(count * 1.2) + 10))
        articles = toolkit.load_corpus(sample, progress=False)
    return articles[articles["status"] == "ok"].head(count).reset_index(drop=True)


def compare(articles: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    from toolkit.attributions import extract_attributions
    from toolkit.nlp import load_pipeline
    from toolkit.parsing import cue_forms, sentences_to_parse

    nlp = load_pipeline()
    triggers = cue_forms(nlp)
    characters = int(articles["text"].str.len().sum())
    parsed = sum(end - start for text in articles["text"] for start, end, parse in sentences_to_parse(text, triggers)
                 if parse)
    extract_attributions(articles.head(3), nlp=nlp, progress=False)  # load the registry index once, untimed
    seconds = {}
    tables = {}
    for mode in ("full", "selective"):
        started = time.process_time()
        tables[mode] = extract_attributions(articles, nlp=nlp, progress=False, parse=mode)
        seconds[mode] = time.process_time() - started
    merged = tables["full"][KEY].merge(tables["selective"][KEY], how="outer", indicator="found_in")
    merged["found_in"] = merged["found_in"].map({"left_only": "full only", "right_only": "selective only",
                                                 "both": "both"})
    same = int((merged["found_in"] == "both").sum())
    summary = {
        "articles": len(articles), "characters": characters, "parsed_share": round(parsed / characters, 3),
        "full_cpu_s": round(seconds["full"], 1), "selective_cpu_s": round(seconds["selective"], 1),
        "speed_up": round(seconds["full"] / seconds["selective"], 2),
        "attributions_full": len(tables["full"]), "attributions_selective": len(tables["selective"]),
        "same": same, "same_share_of_full": round(same / max(len(tables["full"]), 1), 3),
    }
    differences = merged[merged["found_in"] != "both"].sort_values(["article_id", "content_start", "found_in"])
    return summary, differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "benchmarks")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"AllSides corpus not found at {args.data}; pass --data", file=sys.stderr)
        return 2
    summary, differences = compare(load_articles(args.data, args.articles))
    args.out.mkdir(parents=True, exist_ok=True)
    differences.to_csv(args.out / "selective_parse_differences.csv", index=False, lineterminator="\n")
    lines = ["# Selective vs full parse", "", f"data {args.data.name}, first {summary['articles']} ok articles", "",
             "| measure | value |", "|---|---:|", *(f"| {key} | {value} |" for key, value in summary.items())]
    (args.out / "selective_parse.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
