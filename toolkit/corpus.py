"""Load a corpus: files and folders in any supported format become one tidy table of articles.

Every input document gives exactly one row. Documents that cannot be used keep their row with a ``status``
(``empty``, ``unreadable``, ``not_english``, ``duplicate``) and a ``problem`` sentence saying what to do, so a
corpus run never loses an article silently and never stops on a bad file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
import py3langid
import trafilatura
from tqdm.auto import tqdm

from .clean import CleanedText, clean_text, credits_agency, load_cleaning_rules, _parse_date
from .readers import (ColumnNames, RawDocument, _failed, _looks_binary, fingerprint_bytes, inner_suffix,
                      iter_input_files, read_path, record_to_document)
from .registry import OutletIndex, humanize_folder, load_outlets

ARTICLE_COLUMNS = [
    "article_id", "outlet", "title", "byline", "byline_credits_agency", "dateline", "published", "url",
    "text", "n_words", "source_path", "record", "format", "encoding", "status", "problem",
    "n_removed_lines", "removed_lines",
]
STATUSES = ["ok", "empty", "unreadable", "not_english", "duplicate"]
UNKNOWN_OUTLET = "unknown"
_ENGLISH_STOPWORDS = frozenset(
    "the of and to a in that is was for on it with as he she said by at from his her be have has had are were "
    "not but they this will would an which its who their or been also after about over than more".split()
)


def load_corpus(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    outlet: str | None = None,
    text_column: str | None = None,
    title_column: str | None = None,
    outlet_column: str | None = None,
    url_column: str | None = None,
    date_column: str | None = None,
    byline_column: str | None = None,
    outlets: pd.DataFrame | str | os.PathLike | None = None,
    cleaning_rules: str | os.PathLike | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Read files and folders of news articles into one table, cleaned, with one row per input document.

    Parameters
    ----------
    paths
        Files or directories (read recursively). Supported: ``.txt`` (optional ``---`` front matter with
        outlet, title, url, published, byline), ``.html``/``.htm``, ``.jsonl``, ``.json``, ``.csv``, ``.tsv``,
        ``.parquet``, each optionally ``.gz``.
    outlet
        Outlet name for every document, overriding what the files say.
    text_column, title_column, outlet_column, url_column, date_column, byline_column
        Field names in tabular inputs, tried before the built-in names (``text``, ``content_original`` …).
    outlets
        The outlets registry (table or path); default ``data/outlets.csv``. Outlet names are mapped to its
        canonical names, and a URL's domain or a folder name gives the outlet when nothing else does.
    cleaning_rules
        Path of a furniture-rules file; default ``data/cleaning_rules.csv``.
    progress
        Show a progress bar; ``None`` shows one only on an interactive terminal.

    Returns
    -------
    DataFrame with the columns of :data:`ARTICLE_COLUMNS`, in input order.
    """
    ignored: list[str] = []
    rows = list(tqdm(
        iter_articles(paths, outlet=outlet, text_column=text_column, title_column=title_column,
                      outlet_column=outlet_column, url_column=url_column, date_column=date_column,
                      byline_column=byline_column, outlets=outlets, cleaning_rules=cleaning_rules, ignored=ignored),
        desc="reading", unit=" doc", disable=None if progress is None else not progress,
    ))
    articles = articles_frame(rows)
    articles.attrs["ignored_files"] = ignored
    return articles


def iter_articles(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    outlet: str | None = None,
    text_column: str | None = None,
    title_column: str | None = None,
    outlet_column: str | None = None,
    url_column: str | None = None,
    date_column: str | None = None,
    byline_column: str | None = None,
    outlets: pd.DataFrame | str | os.PathLike | None = None,
    cleaning_rules: str | os.PathLike | None = None,
    ignored: list[str] | None = None,
) -> Iterator[dict]:
    """The rows of :func:`load_corpus`, one at a time, final (duplicates marked, ids unique), in input order.

    Holds only one document's text at a time (JSON Lines files are read line by line), so a corpus of any size
    can be streamed; :func:`articles_frame` turns a list of rows into the typed table. Web-page assets that
    were skipped are appended to ``ignored``.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    columns = ColumnNames().with_preferred(
        text=text_column, title=title_column, outlet=outlet_column, url=url_column,
        published=date_column, byline=byline_column,
    )
    outlet_table = load_outlets(outlets)
    index = OutletIndex.from_table(outlet_table)
    rules = load_cleaning_rules(cleaning_rules)
    seen: dict[str, tuple[str, str]] = {}  # duplicate key -> (id, source path) of the first copy
    id_counts: dict[str, int] = {}
    for document in _iter_documents(paths, columns, ignored if ignored is not None else []):
        row = _article_row(document, index, rules, outlet)
        _mark_duplicate(row, seen)
        id_counts[row["article_id"]] = id_counts.get(row["article_id"], 0) + 1
        if id_counts[row["article_id"]] > 1:  # keep ids stable but unique: -2, -3 … by order of appearance
            row["article_id"] = f"{row['article_id']}-{id_counts[row['article_id']]}"
        yield row


def articles_frame(rows: list[dict]) -> pd.DataFrame:
    """The typed articles table (columns :data:`ARTICLE_COLUMNS`) of rows from :func:`iter_articles`."""
    articles = pd.DataFrame(rows, columns=ARTICLE_COLUMNS)
    articles["article_id"] = articles["article_id"].astype(object)
    return articles.astype({"n_words": "int64", "n_removed_lines": "int64", "byline_credits_agency": "bool",
                            "record": "Int64"})


def _iter_documents(paths: Iterable, columns: ColumnNames, ignored: list[str]) -> Iterator[tuple[RawDocument, str | None]]:
    for input_file in iter_input_files(list(paths), ignored):
        documents = None
        if inner_suffix(input_file.path) in (".jsonl", ".ndjson"):
            documents = _stream_jsonl(input_file.path, input_file.folder, columns)
        if documents is None:
            documents = read_path(input_file.path, folder=input_file.folder, columns=columns)
        for document in documents:
            yield document, input_file.root_name


def _stream_jsonl(path: Path, folder: str | None, columns: ColumnNames) -> Iterator[RawDocument] | None:
    """A JSON Lines file read line by line, giving exactly the documents :func:`read_path` gives, without
    holding the whole file. ``None`` (read it whole) unless it is readable UTF-8 text with at least one record:
    a check reads it once first, so an encoding problem or a damaged gzip is reported as :func:`read_path` does."""
    try:
        records = 0
        start = ""
        with _open_lines(path) as lines:
            for number, raw in enumerate(lines):
                line = raw.decode("utf-8-sig" if number == 0 else "utf-8")
                if len(start) < 20000:
                    start += line
                records += bool(line.strip())
        if not records or _looks_binary(start):
            return None
    except (OSError, EOFError, UnicodeDecodeError, zlib.error):
        return None
    return _jsonl_documents(path, folder, columns)


def _open_lines(path: Path):
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")


def _jsonl_documents(path: Path, folder: str | None, columns: ColumnNames) -> Iterator[RawDocument]:
    """What ``readers.read_jsonl_file`` yields for the file, one line at a time (keep the two in step)."""
    index = 0
    with _open_lines(path) as lines:
        for number, raw in enumerate(lines):
            # the lines str.splitlines finds in the whole text, numbered as read_jsonl_file numbers them
            for line in raw.decode("utf-8-sig" if number == 0 else "utf-8").splitlines():
                if line.strip():
                    yield _jsonl_document(line, index, path, folder, columns)
                index += 1


def _jsonl_document(line: str, index: int, path: Path, folder: str | None, columns: ColumnNames) -> RawDocument:
    fingerprint = fingerprint_bytes(f"{index}:{line}".encode())
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return _failed(str(path), "jsonl", f"line {index + 1} is not valid JSON ({err.msg} at column "
                       f"{err.colno}); fix or remove that line", fingerprint, index, folder)
    if not isinstance(record, dict):
        return _failed(str(path), "jsonl", f"line {index + 1} is a JSON {type(record).__name__}, "
                       "not an object with a text field", fingerprint, index, folder)
    return record_to_document(record, columns, path=str(path), fmt="jsonl", index=index,
                              folder=folder, fingerprint=fingerprint)


def _article_row(item: tuple[RawDocument, str | None], index: OutletIndex, rules, forced_outlet: str | None) -> dict:
    document, root_name = item
    meta = dict(document.meta)
    if document.html is not None and not document.failed:
        meta, text = _extract_html(document.html, meta)
        document.text = text
    outlet = _resolve_outlet(forced_outlet, meta, document, root_name, index)
    row = {
        "outlet": outlet, "title": meta.get("title"), "byline": meta.get("byline"), "dateline": None,
        "published": _parse_date(meta["published"]) if meta.get("published") else None,
        "url": meta.get("url"), "text": "", "n_words": 0, "source_path": document.source_path,
        "record": document.record, "format": document.format, "encoding": document.encoding,
        "status": document.status or "ok", "problem": document.problem, "n_removed_lines": 0,
        "removed_lines": [],
    }
    if document.failed:
        row["article_id"] = _hash("unreadable", document.fingerprint)
        return row
    cleaned = clean_text(document.text or "", title=row["title"], outlet=None if outlet == UNKNOWN_OUTLET else outlet,
                         rules=rules)
    _apply_cleaning(row, cleaned)
    row["article_id"] = _hash(outlet, row["url"]) if row["url"] else _hash(outlet, _normalized(row["text"]))
    row["status"], row["problem"] = _check_content(row, document)
    if outlet == UNKNOWN_OUTLET and row["status"] == "ok":
        row["problem"] = "no outlet found in the file, its URL or its folder; pass --outlet NAME"
    return row


def _extract_html(html: str, meta: dict) -> tuple[dict, str]:
    """Main text and metadata of a saved web page, with trafilatura."""
    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                           include_tables=False, favor_recall=True)
    if document is None:
        return meta, ""
    found = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    for ours, theirs in (("title", "title"), ("byline", "author"), ("published", "date"),
                         ("url", "url"), ("outlet", "sitename")):
        if not meta.get(ours) and found.get(theirs):
            meta[ours] = str(found[theirs])
    return meta, found.get("text") or ""


def _resolve_outlet(forced: str | None, meta: dict, document: RawDocument, root_name: str | None,
                    index: OutletIndex) -> str:
    if forced:
        return index.lookup(forced) or forced
    if meta.get("outlet"):
        return index.lookup(meta["outlet"]) or meta["outlet"]
    from_url = index.lookup_url(meta.get("url"))
    if from_url:
        return from_url
    if document.folder:
        return index.lookup(document.folder) or humanize_folder(document.folder)
    if root_name and index.lookup(root_name):
        return index.lookup(root_name)
    return UNKNOWN_OUTLET


def _apply_cleaning(row: dict, cleaned: CleanedText) -> None:
    row["text"] = cleaned.text
    row["n_words"] = len(cleaned.text.split())
    row["title"] = row["title"] or cleaned.title
    row["byline"] = row["byline"] or cleaned.byline
    row["dateline"] = cleaned.dateline
    row["published"] = row["published"] or cleaned.published_hint
    row["removed_lines"] = [line.as_dict() for line in cleaned.removed]
    row["n_removed_lines"] = len(cleaned.removed)
    row["byline_credits_agency"] = credits_agency(row["byline"])


def _check_content(row: dict, document: RawDocument) -> tuple[str, str | None]:
    if row["n_words"] == 0:
        if document.html is not None:
            return "empty", "no article text found in this web page (it may be an index, login or error page)"
        return "empty", "the document has no text" + (" after removing page furniture" if row["n_removed_lines"] else "")
    language = detect_language(row["text"])
    if language not in (None, "en"):
        return "not_english", f"the text reads as language '{language}', not English; the toolkit analyses English"
    return "ok", None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short to tell. English needs no model:
    a text whose words are at least 15% common English function words is English."""
    words = re.findall(r"[^\W\d_]+", text[:5000].casefold())
    if len(words) < 12:
        return None
    if sum(w in _ENGLISH_STOPWORDS for w in words) / len(words) >= 0.15:
        return "en"
    language, _ = py3langid.classify(text[:5000])
    return language


def _normalized(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _mark_duplicate(row: dict, seen: dict[str, tuple[str, str]]) -> None:
    """The second and later copies of the same text (or the same outlet and URL) become ``duplicate``."""
    if row["status"] != "ok":
        return
    keys = [_hash("text", row["outlet"], _normalized(row["text"]))]  # a reprint in another outlet is its own article
    if row["url"]:
        keys.append(_hash("url", row["outlet"], row["url"]))
    first = next((seen[k] for k in keys if k in seen), None)
    if first is None:
        seen.update(dict.fromkeys(keys, (row["article_id"], row["source_path"])))
        return
    row["status"] = "duplicate"
    row["problem"] = f"same article as {first[0]} ({first[1]}); only the first copy is analysed"


def corpus_summary(articles: pd.DataFrame) -> pd.DataFrame:
    """Counts of articles per status (every status listed, zero included), for the run summary."""
    counts = articles["status"].value_counts().reindex(STATUSES, fill_value=0)
    return counts.rename_axis("status").reset_index(name="articles")


def write_articles(articles: pd.DataFrame, out_dir: str | os.PathLike) -> list[Path]:
    """Write ``articles.csv`` (removed lines as JSON) and ``removed_lines.csv`` (one row per removed line)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = articles.copy()
    table["removed_lines"] = table["removed_lines"].map(lambda lines: json.dumps(lines, ensure_ascii=False))
    articles_path = out / "articles.csv"
    _atomic_csv(table, articles_path)
    removed = removed_lines_table(articles)
    removed_path = out / "removed_lines.csv"
    _atomic_csv(removed, removed_path)
    return [articles_path, removed_path]


def removed_lines_table(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per line removed by cleaning: article_id, outlet, line, text, rule."""
    records = [
        {"article_id": row.article_id, "outlet": row.outlet, **line}
        for row in articles.itertuples(index=False)
        for line in row.removed_lines
    ]
    return pd.DataFrame(records, columns=["article_id", "outlet", "line", "text", "rule"])


def write_table(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table as CSV without ever leaving a half-written file under its final name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_csv(table, path)
    return path


def write_parquet(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table as Parquet through ``NAME.partial``, so an interrupted write never leaves half a table under
    its final name (nor a stray partial file after an error)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        table.to_parquet(partial, index=False)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _atomic_csv(table: pd.DataFrame, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    table.to_csv(partial, index=False, lineterminator="\n")
    partial.replace(path)
