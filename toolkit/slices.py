"""Story slices of large corpora: the articles of one story, written as a JSON Lines corpus ready for ``analyze``.

The first slice is the July 2018 Helsinki summit between Donald Trump and Vladimir Putin in the AllSides corpus
(``../shared/data/allsides/articles.jsonl.gz``): the articles dated from 1 July to 5 August 2018 whose title or
text names both Helsinki and Putin (61 articles from 19 outlets)::

    python -m toolkit.slices helsinki --out build/helsinki        # writes corpus.jsonl and actors.csv
    python -m toolkit report build/helsinki/corpus.jsonl --actors build/helsinki/actors.csv --out build/helsinki

The bundled actors registry describes the 2025 story of the demo corpus; the slice writes beside the corpus a copy
of it with the 2018 officials the coverage quotes (Pompeo, Coats, Bolton, Huntsman, Sanders, Ryan, McConnell, …)
added, so that they are counted as US officials and not as unknown speakers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .datasets import shared_data_dir
from .paths import data_path

__all__ = ["SLICES", "Slice", "allsides_path", "select_slice", "write_slice"]


@dataclass(frozen=True)
class Slice:
    """A story: a date window (inclusive) and keywords that must all occur in the title or the text."""

    name: str
    start: str
    end: str
    keywords: tuple[str, ...]
    description: str
    actors: tuple[tuple[str, ...], ...] = ()


# name, type, aliases, country, role, organisation, title, descriptors, gender (the columns of data/actors.csv)
HELSINKI_ACTORS: tuple[tuple[str, ...], ...] = (
    ("Mike Pompeo", "person", "Michael Pompeo|Secretary Pompeo", "US", "official", "State Department",
     "Secretary of State", "", "male"),
    ("Dan Coats", "person", "Daniel Coats|Director Coats", "US", "official", "Office of the Director of National "
     "Intelligence", "Director of National Intelligence", "director of national intelligence|us intelligence chief",
     "male"),
    ("John Bolton", "person", "Ambassador Bolton", "US", "official", "White House", "National Security Adviser",
     "national security adviser|national security advisor", "male"),
    ("Jon Huntsman", "person", "Jon Huntsman Jr.|Ambassador Huntsman", "US", "official", "State Department",
     "US Ambassador to Russia", "us ambassador to russia|u.s. ambassador to russia|american ambassador", "male"),
    ("Sarah Sanders", "person", "Sarah Huckabee Sanders", "US", "official", "White House", "White House Press "
     "Secretary", "white house press secretary|press secretary", "female"),
    ("John Kelly", "person", "Gen. John Kelly", "US", "official", "White House", "White House Chief of Staff",
     "white house chief of staff|chief of staff", "male"),
    ("Mike Pence", "person", "Vice President Pence|Michael Pence", "US", "official", "US government",
     "Vice President of the United States", "", "male"),
    ("Jim Mattis", "person", "James Mattis|Secretary Mattis", "US", "official", "Pentagon", "Secretary of Defense",
     "", "male"),
    ("Rod Rosenstein", "person", "Rod J. Rosenstein", "US", "official", "Justice Department",
     "Deputy Attorney General", "deputy attorney general", "male"),
    ("Robert Mueller", "person", "Robert S. Mueller|Robert S. Mueller III|Special Counsel Mueller", "US", "official",
     "Justice Department", "Special Counsel", "special counsel", "male"),
    ("Kirstjen Nielsen", "person", "Secretary Nielsen", "US", "official", "Department of Homeland Security",
     "Secretary of Homeland Security", "homeland security secretary", "female"),
    ("Paul Ryan", "person", "Speaker Ryan|House Speaker Paul Ryan", "US", "official", "US House of Representatives",
     "Speaker of the House", "house speaker", "male"),
    ("Mitch McConnell", "person", "Addison Mitchell McConnell", "US", "official", "US Senate",
     "Senate Majority Leader", "senate majority leader", "male"),
    ("Nancy Pelosi", "person", "", "US", "official", "US House of Representatives", "House Minority Leader",
     "house minority leader", "female"),
    ("John McCain", "person", "Sen. John McCain", "US", "official", "US Senate", "Senator", "", "male"),
    ("Rand Paul", "person", "Sen. Rand Paul", "US", "official", "US Senate", "Senator", "", "male"),
    ("Bob Corker", "person", "Sen. Bob Corker", "US", "official", "US Senate", "Senator", "", "male"),
    ("Jeff Flake", "person", "Sen. Jeff Flake", "US", "official", "US Senate", "Senator", "", "male"),
    ("Mark Warner", "person", "Sen. Mark Warner", "US", "official", "US Senate", "Senator", "", "male"),
    ("Adam Schiff", "person", "Rep. Adam Schiff", "US", "official", "US House of Representatives",
     "Representative", "", "male"),
    ("Ben Sasse", "person", "Sen. Ben Sasse", "US", "official", "US Senate", "Senator", "", "male"),
    ("Newt Gingrich", "person", "", "US", "other", "", "Former Speaker of the House", "", "male"),
    ("John Brennan", "person", "", "US", "other", "", "Former CIA Director", "former cia director", "male"),
    ("James Comey", "person", "", "US", "other", "", "Former FBI Director", "former fbi director", "male"),
    ("Maria Butina", "person", "", "RU", "other", "", "Russian gun-rights activist", "", "female"),
    ("Theresa May", "person", "Prime Minister Theresa May", "GB", "official", "UK government",
     "Prime Minister of the United Kingdom", "british prime minister", "female"),
    ("Angela Merkel", "person", "Chancellor Merkel", "DE", "official", "German government", "Chancellor of Germany",
     "german chancellor", "female"),
    ("Jens Stoltenberg", "person", "", "NATO", "official", "NATO", "NATO Secretary General",
     "nato secretary general|nato chief", "male"),
    ("Sauli Niinistö", "person", "Sauli Niinisto", "FI", "official", "Finnish government", "President of Finland",
     "finnish president", "male"),
)

SLICES: dict[str, Slice] = {
    "helsinki": Slice(
        name="helsinki",
        start="2018-07-01",
        end="2018-08-05",
        keywords=("Helsinki", "Putin"),
        description="the Trump–Putin summit in Helsinki on 16 July 2018 (AllSides coverage, 1 July to 5 August 2018)",
        actors=HELSINKI_ACTORS,
    ),
}


def allsides_path(data_dir: str | os.PathLike | None = None) -> Path | None:
    """``allsides/articles.jsonl.gz`` in ``data_dir`` (default ``../shared/data``), or ``None`` when absent."""
    root = Path(data_dir) if data_dir is not None else shared_data_dir()
    if root is None:
        return None
    path = Path(root) / "allsides" / "articles.jsonl.gz"
    return path if path.is_file() else None


def select_slice(source: str | os.PathLike, story: str | Slice = "helsinki") -> pd.DataFrame:
    """The records of an AllSides-style JSON Lines file (``date``, ``title``, ``content_original`` …) that belong to
    a story: dated inside its window and naming all its keywords (case-sensitive, title or text), sorted by date,
    outlet and URL. Records without a readable date are left out."""
    spec = SLICES[story] if isinstance(story, str) else story
    frame = pd.read_json(source, lines=True, dtype=False, compression="infer")
    dates = pd.to_datetime(frame["date"].astype("string"), errors="coerce", format="mixed")
    inside = (dates >= pd.Timestamp(spec.start)) & (dates <= pd.Timestamp(spec.end))
    text = frame["title"].fillna("").astype(str) + "\n" + frame["content_original"].fillna("").astype(str)
    for word in spec.keywords:
        inside &= text.str.contains(word, regex=False)
    chosen = frame[inside.fillna(False)].assign(date=dates[inside.fillna(False)].dt.strftime("%Y-%m-%d"))
    return chosen.sort_values(["date", "source", "url"], kind="stable").reset_index(drop=True)


def write_slice(out: str | os.PathLike, story: str = "helsinki", source: str | os.PathLike | None = None) -> dict[str, Path]:
    """Select a story and write ``out/corpus.jsonl`` (one article per line, AllSides' fields) and ``out/actors.csv``
    (the bundled registry plus the story's actors). Returns both paths.

    Raises ``FileNotFoundError`` when the AllSides corpus is not found (``source`` or ``../shared``).
    """
    spec = SLICES[story]
    source = Path(source) if source is not None else allsides_path()
    if source is None or not Path(source).is_file():
        raise FileNotFoundError("the AllSides corpus (allsides/articles.jsonl.gz) was not found; it lives in "
                                "../shared/data beside the repository (developers and CI only)")
    chosen = select_slice(source, spec)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8", newline="\n") as handle:
        for record in chosen.to_dict(orient="records"):
            clean = {k: (None if isinstance(v, float) and v != v else v) for k, v in record.items()}
            handle.write(json.dumps(clean, ensure_ascii=False, sort_keys=True) + "\n")
    base = pd.read_csv(data_path("actors.csv"), dtype=str, keep_default_na=False)
    extra = pd.DataFrame(list(spec.actors), columns=base.columns[:9]) if spec.actors else base.iloc[:0]
    extra = extra[~extra["name"].isin(base["name"])]
    actors = folder / "actors.csv"
    pd.concat([base, extra], ignore_index=True).to_csv(actors, index=False, lineterminator="\n")
    return {"corpus": corpus, "actors": actors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.slices", description="write a story slice as a corpus")
    parser.add_argument("story", choices=sorted(SLICES))
    parser.add_argument("--out", required=True, help="folder for corpus.jsonl and actors.csv")
    parser.add_argument("--source", help="AllSides articles.jsonl.gz (default: ../shared/data/allsides)")
    args = parser.parse_args(argv)
    try:
        paths = write_slice(args.out, args.story, args.source)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    n = sum(1 for _ in open(paths["corpus"], encoding="utf-8"))
    print(f"{n} articles: {SLICES[args.story].description}")
    for path in paths.values():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
