"""How the attribution engine reads transcripts: the AllSides articles written as speaker turns ("MARTIN: …").

    python benchmarks/transcripts.py [--data ../shared/data/allsides/articles.jsonl.gz] [--min-labels 3]
                                     [--csv OUT.csv]

Selects the articles with at least ``--min-labels`` lines that open with a label in capitals and a colon
("RACHEL MARTIN, HOST:", "LIASSON:"; about 400 of the 37,554), cleans them as ``analyze`` does and extracts their
attributions. Prints how many attributions there are, how many come from a speaker label (cue ":"), how those
are spread over the groups, and how many speakers are still written in capitals (an unresolved label), among
the label rows and among all rows (names of four letters or more, so that acronyms such as NATO do not count). No gold
exists for these articles: read the rows (``--csv``) to judge them. To compare two versions of the toolkit, run
the script once with each on the path.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
from pathlib import Path

import pandas as pd

import toolkit
from toolkit.attributions import extract_attributions

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "allsides" / "articles.jsonl.gz"
LABEL_LINE = re.compile(r"(?m)^[ \t]*[A-Z][A-Z.'’ -]+(?:, [A-Z][A-Za-z.'’ -]*)*:")
TEXT_FIELDS = ("content_original", "text", "content")


def transcript_records(source: Path, min_labels: int) -> list[str]:
    """The corpus lines (JSON records) whose text has at least ``min_labels`` label lines."""
    kept = []
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = next((record[f] for f in TEXT_FIELDS if isinstance(record.get(f), str)), "")
            if len(LABEL_LINE.findall(text)) >= min_labels:
                kept.append(line)
    return kept


def summary(attributions: pd.DataFrame) -> pd.DataFrame:
    """One row per group: attributions from a speaker label, and all attributions."""
    labelled = attributions[attributions["cue"] == ":"]
    table = pd.DataFrame({"from_labels": labelled["group"].value_counts(),
                          "all": attributions["group"].value_counts()}).fillna(0).astype(int)
    return table.sort_values(["from_labels", "all"], ascending=False)


def in_capitals(attributions: pd.DataFrame, longer_than: int = 0) -> int:
    """How many rows name their speaker in capitals (an unresolved label), of more than ``longer_than`` characters."""
    speakers = attributions["speaker"].fillna("")
    return int((speakers.str.isupper() & (speakers.str.len() > longer_than)).sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--min-labels", type=int, default=3)
    parser.add_argument("--csv", type=Path, help="write the attributions here")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"AllSides corpus not found at {args.data}; pass --data", file=sys.stderr)
        return 2
    records = transcript_records(args.data, args.min_labels)
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "transcripts.jsonl.gz"
        with gzip.open(sample, "wt", encoding="utf-8") as out:
            out.writelines(records)
        articles = toolkit.load_corpus(sample, progress=False)
    attributions = extract_attributions(articles, progress=False)
    labelled = attributions[attributions["cue"] == ":"]
    print(f"{len(articles)} articles ({(articles['status'] == 'ok').sum()} ok), {len(attributions)} attributions, "
          f"{len(labelled)} from speaker labels; speakers still in capitals: {in_capitals(labelled)} of those, "
          f"{in_capitals(attributions, longer_than=3)} of all attributions counting only names of four letters or "
          "more (not 'NATO')")
    print(summary(attributions).to_string())
    if args.csv:
        attributions.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
