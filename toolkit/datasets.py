"""Load the annotated data sets used to evaluate the attribution extractor into the toolkit's tables.

Three sources of gold annotation are supported:

* PolNeAR (BRAT standoff ``.ann`` files over US political news): :func:`load_polnear`;
* BASIL (quoted biased phrases with their speakers): :func:`load_basil`;
* the invented demo corpus's own gold (``data/demo/gold/*.jsonl``): :func:`load_demo_gold`.

Every loader takes the data folder as a parameter and returns tidy DataFrames whose character offsets index
the article ``text`` column exactly. Nothing here is copied from the data sets; the real data live outside the
repository (see :func:`shared_data_dir`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

POLNEAR_OUTLETS = {
    "breitbart": "Breitbart", "huff-post": "HuffPost", "nyt": "New York Times", "politico": "Politico",
    "usa-today": "USA Today", "wash-post": "Washington Post", "west-journal": "Western Journal",
}
BASIL_OUTLETS = {"fox": "Fox News", "nyt": "New York Times", "hpo": "HuffPost"}

ARTICLE_TABLE_COLUMNS = ["article_id", "outlet", "title", "text", "status"]
POLNEAR_GOLD_COLUMNS = [
    "article_id", "outlet", "annotator", "event_id", "event_type", "content_start", "content_end",
    "n_fragments", "content_text", "source_start", "source_end", "source_text", "cue_start", "cue_end",
    "cue_text", "is_speech",
]
BASIL_PHRASE_COLUMNS = [
    "article_id", "outlet", "year", "phrase_id", "txt", "quote", "speaker", "speaker_last_name",
    "bias", "polarity", "target", "found", "phrase_start", "phrase_end",
]
DEMO_GOLD_FIELDS = [
    "file", "title", "kind", "speaker", "speaker_text", "speaker_type", "speaker_country", "speaker_role",
    "via", "cue", "cue_text", "content", "occurrence",
]

# Reporting verbs that count as speech or writing (../shared/design/attribution.md), as lemmas.
SPEECH_VERBS = (
    "say", "tell", "add", "write", "warn", "state", "announce", "claim", "confirm", "note", "explain", "insist",
    "argue", "deny", "ask", "reply", "respond", "tweet", "post", "describe", "report", "suggest", "caution",
    "stress", "emphasize", "acknowledge", "admit", "declare", "reveal", "predict", "vow", "promise", "urge",
    "threaten", "accuse", "complain", "praise", "comment", "remark", "repeat", "concede", "answer", "allege",
    "contend", "maintain", "observe", "recall", "reiterate", "assert", "boast", "quip", "joke", "call", "speak",
    "testify", "charge", "blast", "slam", "mock", "criticize",
)
# Two-word cues: the first word (inflected) followed within a few words by the second.
SPEECH_PHRASES = (("according", "to"), ("point", "out"))
_IRREGULAR_FORMS = {
    "say": ("said",), "tell": ("told",), "write": ("wrote", "written", "writ"), "speak": ("spoke", "spoken"),
}
# Punctuation cues that introduce speech: a colon, and the quotation dash of "“…” ― Name".
_PUNCTUATION_CUES = frozenset({":", "―", "—", "–"})
_PHRASE_GAP = 3  # words allowed between "pointed" and "out" ("pointed it out")

_QUOTE_MAP = {
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‘’‚‛′`´", "'"),
}
_QUOTE_CHARS = "\"'“”„‟″«»‘’‚‛′`´"


def shared_data_dir() -> Path | None:
    """Return ``../shared/data`` beside the repository, or None when it is absent (as on a fresh clone)."""
    candidate = Path(__file__).resolve().parents[2] / "shared" / "data"
    return candidate if candidate.is_dir() else None


# --------------------------------------------------------------------------------------------------------
# Speech cues


def _regular_forms(verb: str) -> set[str]:
    """Third person, past and gerund of a regular English verb (over-generating is harmless)."""
    if verb.endswith("e"):
        return {verb + "s", verb + "d", verb[:-1] + "ing"}
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return {verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"}
    third = verb + "es" if verb.endswith(("s", "sh", "ch", "x", "z")) else verb + "s"
    forms = {third, verb + "ed", verb + "ing"}
    if re.search(r"[^aeiou][aeiou][^aeiouwxy]$", verb):  # slam -> slammed, admit -> admitted
        forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}
    return forms


def verb_forms(verb: str) -> frozenset[str]:
    """All inflected forms of a reporting verb, British ``-ise`` spellings included.

    Examples
    --------
    >>> sorted(verb_forms("admit"))
    ['admit', 'admited', 'admiting', 'admits', 'admitted', 'admitting']
    """
    spellings = {verb, verb[:-3] + "ise"} if verb.endswith("ize") else {verb}
    forms: set[str] = set()
    for spelling in spellings:
        forms |= {spelling} | _regular_forms(spelling)
    return frozenset(forms | set(_IRREGULAR_FORMS.get(verb, ())))


_SPEECH_FORMS = frozenset().union(*(verb_forms(v) for v in SPEECH_VERBS))
_PHRASE_FORMS = tuple((verb_forms(first) | {first}, second) for first, second in SPEECH_PHRASES)


def is_speech_cue(cue_text: str | None) -> bool:
    """Whether an attribution cue is an act of speech or writing (not a belief, intention or inference).

    A cue is speech when one of its words is an inflection of a verb in :data:`SPEECH_VERBS` ("said",
    "has told", "tweeting"), when it contains "according to" or "point(ed) … out", when it is a bare colon or
    quotation dash, or when it is one word followed by a colon ("continued:").

    Parameters
    ----------
    cue_text
        The cue as written in the article; missing values are not speech.

    Returns
    -------
    bool
    """
    if not isinstance(cue_text, str):
        return False
    stripped = cue_text.strip()
    if stripped in _PUNCTUATION_CUES or re.fullmatch(r"[^\W\d_][\w'’-]*\s*:", stripped):
        return True
    words = re.findall(r"[a-z]+", stripped.casefold())
    if any(word in _SPEECH_FORMS for word in words):
        return True
    return any(_has_phrase(words, firsts, second) for firsts, second in _PHRASE_FORMS)


def _has_phrase(words: list[str], firsts: frozenset[str], second: str) -> bool:
    return any(
        word in firsts and second in words[position + 1:position + 2 + _PHRASE_GAP]
        for position, word in enumerate(words)
    )


# --------------------------------------------------------------------------------------------------------
# Locating strings in text, quotation marks and whitespace normalised


@dataclass(frozen=True)
class _Normalised:
    """A text with quotation marks unified and whitespace runs collapsed, and where each character came from."""

    text: str
    origin: tuple[int, ...]


def _normalise(text: str, *, fold_case: bool = False) -> _Normalised:
    chars: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(text):
        if char.isspace():
            if chars and chars[-1] == " ":
                continue
            char = " "
        char = _QUOTE_MAP.get(char, char)
        if fold_case and len(char.lower()) == 1:
            char = char.lower()
        chars.append(char)
        origin.append(position)
    return _Normalised("".join(chars), tuple(origin))


def find_normalised(text: str, needle: str, *, fold_case: bool = False) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` in ``text`` as (start, end) offsets into ``text``.

    Any whitespace run matches any whitespace run, and curly and straight quotation marks and apostrophes
    are equal. Occurrences are found left to right and may overlap.

    Parameters
    ----------
    text
        The text searched.
    needle
        The string to find; its leading and trailing whitespace is ignored.
    fold_case
        Also ignore letter case.

    Returns
    -------
    list of (start, end) tuples in text order; empty when not found.
    """
    core = _normalise(needle.strip(), fold_case=fold_case).text
    if not core:
        return []
    haystack = _normalise(text, fold_case=fold_case)
    spans = []
    position = haystack.text.find(core)
    while position != -1:
        end = haystack.origin[position + len(core) - 1] + 1
        spans.append((haystack.origin[position], end))
        position = haystack.text.find(core, position + 1)
    return spans


# --------------------------------------------------------------------------------------------------------
# PolNeAR


@dataclass(frozen=True)
class _Span:
    kind: str
    fragments: tuple[tuple[int, int], ...]
    text: str


def load_polnear(root: str | Path, split: str = "dev") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load one PolNeAR split as an articles table and a gold table of attribution events.

    Some articles were annotated by several annotators (one ``.ann`` file each, ``<stem>_<annotator>.ann``);
    this loader keeps ONE annotator per article, the first in sorted order of annotator code, so that gold
    counts are not inflated and the choice is reproducible. Events without a Content span (a handful of
    empty leftovers in the files) are skipped; their number is in ``gold.attrs["skipped_events"]``.

    Parameters
    ----------
    root
        The PolNeAR folder (holding ``metadata.tsv`` and ``<split>/text``, ``<split>/attributions``).
    split
        ``"dev"`` or ``"train"``.

    Returns
    -------
    articles
        One row per text file: article_id (file stem), outlet, title, text (exactly as in the file, title
        line included, so offsets hold), status ``"ok"``; sorted by article_id.
    gold
        One row per Attribution event, columns :data:`POLNEAR_GOLD_COLUMNS`. A discontinuous span
        (``"a b;c d"``, e.g. a quote split by its cue, or ``Content2``) runs from its minimum start to its
        maximum end; ``n_fragments`` counts the pieces of the Content. ``content_text`` is the annotated text
        (pieces joined by a space). ``source_*`` are missing for ``Attribution-no-source`` events.
        ``is_speech`` comes from :func:`is_speech_cue`. Sorted by article_id, content_start, content_end,
        event_id.
    """
    folder = Path(root)
    metadata = _polnear_metadata(folder / "metadata.tsv")
    text_files = sorted((folder / split / "text").glob("*.txt"))
    if not text_files:
        raise FileNotFoundError(f"no PolNeAR texts in {folder / split / 'text'}")
    articles = pd.DataFrame([_polnear_article(path, metadata) for path in text_files],
                            columns=ARTICLE_TABLE_COLUMNS)
    annotations = _first_annotator_files(folder / split / "attributions")
    texts = dict(zip(articles["article_id"], articles["text"]))
    outlets = dict(zip(articles["article_id"], articles["outlet"]))
    rows: list[dict] = []
    skipped = 0
    for article_id, (annotator, path) in sorted(annotations.items()):
        if article_id not in texts:
            continue
        events, n_skipped = _polnear_events(path)
        skipped += n_skipped
        rows += [{"article_id": article_id, "outlet": outlets[article_id], "annotator": annotator, **event}
                 for event in events]
    gold = pd.DataFrame(rows, columns=POLNEAR_GOLD_COLUMNS)
    gold = _sort_gold(gold).astype({"is_speech": "bool", "n_fragments": "int64"})
    gold.attrs["skipped_events"] = skipped
    return articles, gold


def _polnear_metadata(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=["filename", "publisher", "title"])
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    return table.drop_duplicates("filename").set_index("filename")


def _polnear_article(path: Path, metadata: pd.DataFrame) -> dict:
    with open(path, encoding="utf-8", newline="") as handle:  # keep every character: offsets index it
        text = handle.read()
    stem = path.stem
    row = metadata.loc[stem] if stem in metadata.index else None
    publisher = row["publisher"] if row is not None and row["publisher"] else stem.split("_", 1)[0]
    title = row["title"] if row is not None and row["title"] else text.split("\n", 1)[0].strip()
    return {"article_id": stem, "outlet": POLNEAR_OUTLETS.get(publisher, publisher), "title": title,
            "text": text, "status": "ok"}


def _first_annotator_files(folder: Path) -> dict[str, tuple[str, Path]]:
    """Article stem -> (annotator, path) of the first annotator's file in sorted order."""
    chosen: dict[str, tuple[str, Path]] = {}
    for path in sorted(folder.glob("*.ann")):
        stem, _, annotator = path.stem.rpartition("_")
        if stem and (stem not in chosen or annotator < chosen[stem][0]):
            chosen[stem] = (annotator, path)
    return chosen


def _parse_ann(path: Path) -> tuple[dict[str, _Span], list[tuple[str, str, dict[str, list[str]]]]]:
    spans: dict[str, _Span] = {}
    events: list[tuple[str, str, dict[str, list[str]]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        if fields[0].startswith("T"):
            kind, _, offsets = fields[1].partition(" ")
            fragments = tuple(tuple(int(x) for x in part.split()) for part in offsets.split(";"))
            spans[fields[0]] = _Span(kind, fragments, fields[2] if len(fields) > 2 else "")
        elif fields[0].startswith("E"):
            trigger, *arguments = fields[1].split()
            roles: dict[str, list[str]] = {}
            for argument in arguments:
                role, _, target = argument.partition(":")
                roles.setdefault(role.rstrip("0123456789"), []).append(target)
            events.append((fields[0], trigger.partition(":")[0], roles))
    return spans, events


def _polnear_events(path: Path) -> tuple[list[dict], int]:
    spans, events = _parse_ann(path)
    rows, skipped = [], 0
    for event_id, event_type, roles in events:
        contents = [spans[t] for t in roles.get("Content", []) if t in spans]
        if not contents:
            skipped += 1
            continue
        content_start, content_end = _extent(contents)
        source = _first(spans, roles.get("Source"))
        cue = _first(spans, roles.get("Cue"))
        source_start, source_end = _extent([source]) if source else (pd.NA, pd.NA)
        cue_start, cue_end = _extent([cue]) if cue else (pd.NA, pd.NA)
        rows.append({
            "event_id": event_id, "event_type": event_type,
            "content_start": content_start, "content_end": content_end,
            "n_fragments": sum(len(span.fragments) for span in contents),
            "content_text": " ".join(span.text for span in contents),
            "source_start": source_start, "source_end": source_end, "source_text": source.text if source else None,
            "cue_start": cue_start, "cue_end": cue_end, "cue_text": cue.text if cue else None,
            "is_speech": is_speech_cue(cue.text if cue else None),
        })
    return rows, skipped


def _first(spans: dict[str, _Span], ids: list[str] | None) -> _Span | None:
    found = [spans[t] for t in ids or [] if t in spans]
    return found[0] if found else None


def _extent(spans: list[_Span]) -> tuple[int, int]:
    fragments = [fragment for span in spans for fragment in span.fragments]
    return min(start for start, _ in fragments), max(end for _, end in fragments)


def _sort_gold(gold: pd.DataFrame) -> pd.DataFrame:
    order = gold.assign(_event=gold["event_id"].str.lstrip("E").astype("int64"))
    order = order.sort_values(["article_id", "content_start", "content_end", "_event"], kind="stable")
    out = order.drop(columns="_event").reset_index(drop=True)
    for column in ("source_start", "source_end", "cue_start", "cue_end"):
        out[column] = out[column].astype("Int64")
    return out.astype({"content_start": "int64", "content_end": "int64"})


# --------------------------------------------------------------------------------------------------------
# BASIL


def load_basil(root: str | Path, years: list[int | str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load BASIL articles and their annotated phrases, each phrase located in the article text.

    Parameters
    ----------
    root
        The BASIL folder (holding ``articles/<year>/*.json`` and ``annotations/<year>/*_ann.json``).
    years
        Years to load (e.g. ``[2010, 2011]``); default all.

    Returns
    -------
    articles
        article_id (file stem), outlet ("Fox News", "New York Times", "HuffPost"), title, text (paragraphs
        joined by a blank line, the sentences of a paragraph by a space), status ``"ok"``, plus year and
        triplet (the event shared by the three outlets); sorted by article_id.
    phrases
        One row per annotated phrase, columns :data:`BASIL_PHRASE_COLUMNS`; no row is ever dropped.
        ``quote`` is a bool, ``speaker`` the raw label ("Donald_Trump", "other_pro", "" when none),
        ``speaker_last_name`` the last part of a named speaker (None for ``other_*`` and empty).
        ``phrase_start``/``phrase_end`` locate the phrase's text with its outer quotation marks and whitespace
        stripped (so a quote's span is comparable with contents that exclude the marks), quotation marks and
        whitespace normalised, case ignored as a last resort; when the text occurs several times the
        occurrence at the annotation's in-sentence offset is preferred, else the first. ``found`` says whether
        it was located (offsets missing otherwise). Sorted by article_id, then annotation order.
    """
    folder = Path(root)
    wanted = None if years is None else {str(year) for year in years}
    article_rows, phrase_rows = [], []
    for path in sorted((folder / "articles").glob("*/*.json")):
        if wanted is not None and path.parent.name not in wanted:
            continue
        article, sentence_starts = _basil_article(path)
        article_rows.append(article)
        annotation = folder / "annotations" / path.parent.name / f"{path.stem}_ann.json"
        if annotation.is_file():
            phrase_rows += _basil_phrases(annotation, article, sentence_starts)
    articles = pd.DataFrame(article_rows, columns=ARTICLE_TABLE_COLUMNS + ["year", "triplet"])
    phrases = pd.DataFrame(phrase_rows, columns=BASIL_PHRASE_COLUMNS)
    phrases = phrases.astype({"quote": "bool", "found": "bool", "phrase_start": "Int64", "phrase_end": "Int64"})
    return articles.sort_values("article_id", kind="stable").reset_index(drop=True), phrases


def _basil_article(path: Path) -> tuple[dict, list[int]]:
    record = json.loads(path.read_text(encoding="utf-8"))
    pieces: list[str] = []
    sentence_starts: list[int] = []
    position = 0
    for number, paragraph in enumerate(record.get("body-paragraphs", [])):
        if number:
            pieces.append("\n\n")
            position += 2
        for index, sentence in enumerate(paragraph):
            if index:
                pieces.append(" ")
                position += 1
            sentence_starts.append(position)
            pieces.append(sentence)
            position += len(sentence)
    source = str(record.get("source", "")).lower()
    article = {
        "article_id": path.stem, "outlet": BASIL_OUTLETS.get(source, source), "title": record.get("title"),
        "text": "".join(pieces), "status": "ok", "year": path.parent.name, "triplet": record.get("triplet-uuid"),
    }
    return article, sentence_starts


def _basil_phrases(path: Path, article: dict, sentence_starts: list[int]) -> list[dict]:
    record = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for phrase in record.get("phrase-level-annotations", []):
        speaker = phrase.get("speaker") or ""
        span = _locate_phrase(article["text"], phrase.get("txt", ""), phrase.get("start"), sentence_starts)
        rows.append({
            "article_id": article["article_id"], "outlet": article["outlet"], "year": article["year"],
            "phrase_id": phrase.get("id"), "txt": phrase.get("txt", ""),
            "quote": str(phrase.get("quote", "")).lower() == "yes", "speaker": speaker,
            "speaker_last_name": speaker_last_name(speaker), "bias": phrase.get("bias"),
            "polarity": phrase.get("polarity"), "target": phrase.get("target"), "found": span is not None,
            "phrase_start": span[0] if span else pd.NA, "phrase_end": span[1] if span else pd.NA,
        })
    return rows


GROUP_WORDS = {"party", "republicans", "democrats", "lawmakers", "officials", "campaign", "companies", "plaintiffs",
               "catholics", "protestors", "protesters", "department", "administration", "committee", "senate", "house",
               "america", "now", "group", "groups", "supporters", "critics", "activists", "members", "voters"}


def is_person_label(speaker: str | None) -> bool:
    """Whether a BASIL speaker label names one person ('Rick_Perry'), not a group ('Tea_Party',
    'Obama_campaign', 'senate_Democrats', 'NAACP'): two or three capitalised parts, none a group word."""
    if not isinstance(speaker, str) or speaker.startswith("other"):
        return False
    parts = speaker.strip().replace(" ", "_").split("_")
    return 2 <= len(parts) <= 3 and all(p[:1].isupper() for p in parts) and not any(p.lower() in GROUP_WORDS for p in parts)


def speaker_last_name(speaker: str | None) -> str | None:
    """The last name of a BASIL speaker label ("Donald_Trump" -> "Trump"); None for ``other_*`` or empty."""
    if not isinstance(speaker, str) or not speaker.strip() or speaker.startswith("other"):
        return None
    return speaker.strip().replace(" ", "_").split("_")[-1]


def strip_quotes(text: str) -> str:
    """The text without surrounding whitespace, quotation marks and the punctuation that sits next to them
    ('“They no longer prioritize civil rights,”' -> 'They no longer prioritize civil rights')."""
    return text.strip(_QUOTE_CHARS + " \t\n\u00a0,;:-–—.!?…")


def _locate_phrase(text: str, phrase: str, start: object, sentence_starts: list[int]) -> tuple[int, int] | None:
    core = strip_quotes(phrase)
    spans = find_normalised(text, core) or find_normalised(text, core, fold_case=True)
    if not spans:
        return None
    if isinstance(start, int):
        for span in spans:
            offsets = {span[0] - s for s in sentence_starts if s <= span[0]}
            if start in offsets or start + 1 in offsets:  # the annotation may count an opening mark
                return span
    return spans[0]


# --------------------------------------------------------------------------------------------------------
# Demo gold


def load_demo_gold(gold_dir: str | Path, articles: pd.DataFrame) -> pd.DataFrame:
    """Read the demo corpus's gold attributions and locate each in its article's cleaned text.

    Parameters
    ----------
    gold_dir
        Folder of ``<outlet-slug>.jsonl`` files (one JSON record per attribution, see the demo spec).
    articles
        The output of ``toolkit.load_corpus("data/demo/articles")``. A record belongs to the article whose
        ``source_path`` ends with the record's ``file`` and whose title equals the record's ``title``
        (quotation marks and whitespace normalised); an ``ok`` row is preferred over a duplicate.

    Returns
    -------
    DataFrame
        article_id, outlet, gold_file, line, every gold field (:data:`DEMO_GOLD_FIELDS`), content_start and
        content_end. ``content`` is found whitespace-insensitively (any whitespace run matches any, curly and
        straight quotes equal), taking its ``occurrence``-th match. Sorted by article_id, content_start,
        gold_file, line.

    Raises
    ------
    ValueError
        When a record's article cannot be found, or its content does not occur (often enough) in the text;
        the message names the file, title and content.
    """
    rows = []
    for path in sorted(Path(gold_dir).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                rows.append(_demo_row(json.loads(line), articles, path.name, number))
    columns = ["article_id", "outlet", "gold_file", "line", *DEMO_GOLD_FIELDS, "content_start", "content_end"]
    gold = pd.DataFrame(rows, columns=columns)
    gold = gold.sort_values(["article_id", "content_start", "gold_file", "line"], kind="stable")
    return gold.reset_index(drop=True).astype({"content_start": "int64", "content_end": "int64", "line": "int64"})


def _demo_row(record: dict, articles: pd.DataFrame, gold_file: str, line: int) -> dict:
    article = _demo_article(record, articles)
    occurrence = int(record.get("occurrence") or 1)
    spans = find_normalised(article["text"], record.get("content") or "")
    if len(spans) < occurrence:
        raise ValueError(
            f"gold content not found in the article text ({gold_file} line {line}): file {record.get('file')!r}, "
            f"title {record.get('title')!r}, content {record.get('content')!r}, occurrence {occurrence}, "
            f"found {len(spans)} time(s)"
        )
    start, end = spans[occurrence - 1]
    fields = {field: record.get(field) for field in DEMO_GOLD_FIELDS}
    return {"article_id": article["article_id"], "outlet": article["outlet"], "gold_file": gold_file, "line": line,
            **fields, "occurrence": occurrence, "content_start": start, "content_end": end}


def _demo_article(record: dict, articles: pd.DataFrame) -> pd.Series:
    file = str(record.get("file", "")).replace("\\", "/").lstrip("./")
    paths = articles["source_path"].astype(str).str.replace("\\", "/", regex=False)
    same_file = paths.map(lambda p: p == file or p.endswith("/" + file))
    wanted_title = _normalise(str(record.get("title", "")).strip()).text
    same_title = articles["title"].map(lambda t: isinstance(t, str) and _normalise(t.strip()).text == wanted_title)
    candidates = articles[same_file & same_title]
    if candidates.empty:
        raise ValueError(f"no article for gold record: file {record.get('file')!r}, title {record.get('title')!r}, "
                         f"content {record.get('content')!r}")
    ok = candidates[candidates["status"] == "ok"] if "status" in candidates else candidates
    return (ok if not ok.empty else candidates).iloc[0]

