"""Read documents from files of every format users bring: text, HTML, JSON Lines, JSON, CSV, Parquet, gzip.

Each reader yields :class:`RawDocument` records: the text before cleaning plus whatever metadata the file
carries. A document that cannot be read is still yielded, with ``status="unreadable"`` and a ``problem`` a
person can act on, so that no input ever vanishes without a trace.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import pandas as pd

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | TABLE_SUFFIXES
# Files that sit beside saved web pages and are never articles: counted, not read.
ASSET_SUFFIXES = {
    ".css", ".js", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp",
    ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3",
}


@dataclass(frozen=True)
class ColumnNames:
    """Candidate column (or key) names for each field of a tabular input, tried in order.

    Pass your own names to :func:`toolkit.load_corpus` (``text_column="body"`` …); they are tried first.
    The defaults cover common exports and the AllSides layout (``content_original``, ``source``, ``date``).
    """

    text: tuple[str, ...] = (
        "text", "content_original", "content", "body", "article_text", "article", "full_text",
        "maintext", "story", "fulltext",
    )
    title: tuple[str, ...] = ("title", "headline", "head", "heading")
    outlet: tuple[str, ...] = ("outlet", "source", "publisher", "site_name", "sitename", "site", "media")
    url: tuple[str, ...] = ("url", "link", "article_url", "permalink", "canonical_url")
    published: tuple[str, ...] = (
        "published", "date", "published_at", "publish_date", "pubdate", "date_published",
        "datetime", "timestamp",
    )
    byline: tuple[str, ...] = ("byline", "author", "authors", "writer")

    def with_preferred(self, **preferred: str | None) -> "ColumnNames":
        """Return a copy where the given names are tried before the defaults."""
        changes = {
            name: (value,) + tuple(c for c in getattr(self, name) if c != value)
            for name, value in preferred.items()
            if value
        }
        return ColumnNames(**{**self.__dict__, **changes})


@dataclass
class RawDocument:
    """One document as read from its file, before cleaning."""

    source_path: str
    format: str
    record: int | None = None
    text: str | None = None
    html: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    folder: str | None = None
    status: str | None = None
    problem: str | None = None
    fingerprint: str = ""

    @property
    def failed(self) -> bool:
        return self.status is not None


class UnreadableError(Exception):
    """Raised inside the readers when bytes cannot be turned into text; becomes an ``unreadable`` row."""


# --------------------------------------------------------------------------------------------- decoding

def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xFFF0 <= ord(ch) <= 0xFFFF)
    return "\x00" in sample or control / len(sample) > 0.02


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes to text and name the encoding used.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as they are; anything else goes to
    charset-normalizer, preferring Windows-1252 among equally plausible single-byte Western encodings.
    Raises :class:`UnreadableError` for binary content.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16"), "utf-16"
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            if b"\x00" in data[:20000]:
                raise UnreadableError("the file is binary (it contains NUL bytes), not text") from None
            best = charset_normalizer.from_bytes(data).best()
            if best is None:
                raise UnreadableError("the file's bytes match no known text encoding; it is probably binary") from None
            encoding = _preferred_encoding(data, best.encoding, set(best.could_be_from_charset))
            text = data.decode(encoding, errors="replace")
    if _looks_binary(text):
        raise UnreadableError("the file is binary (control characters throughout), not text")
    return text, encoding


_CENTRAL_EUROPEAN = set("őűŐŰłŁąęĄĘśŚźŹżŻčČřŘěĚňŇťŤďĎ")
_CYRILLIC_GUESSES = {"cp1125", "cp866", "koi8_r", "koi8_u", "mac_cyrillic", "iso8859_5", "cp855"}


def _preferred_encoding(data: bytes, best: str, candidates: set[str]) -> str:
    """Among equally plausible legacy encodings, the one news text most likely used: Windows-1251 for
    Cyrillic, Windows-1250 when its decoding has Central European letters (Győr, Łódź), else Windows-1252."""
    if best in _CYRILLIC_GUESSES and "cp1251" in candidates | {best}:
        return "cp1251"
    if best == "cp1250" or "cp1250" in candidates:
        if _CENTRAL_EUROPEAN & set(data.decode("cp1250", errors="replace")):
            return "cp1250"
    if "cp1252" in candidates:
        return "cp1252"
    return best


def fingerprint_bytes(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


# ------------------------------------------------------------------------------------------ front matter

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<block>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_KEYS = {"outlet", "source", "publisher", "title", "headline", "url", "link", "published", "date", "byline", "author"}
_FRONT_ALIASES = {"source": "outlet", "publisher": "outlet", "headline": "title", "link": "url", "date": "published", "author": "byline"}


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split an optional ``---``-fenced block of ``key: value`` lines from the top of a text file."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group("block").splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in _FRONT_KEYS:
            value = value.strip().strip('"').strip("'").strip()
            if value:
                meta[_FRONT_ALIASES.get(key, key)] = value
    return meta, text[match.end():]


# ----------------------------------------------------------------------------------------------- readers

def _open_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise UnreadableError(f"the gzip file is damaged or truncated ({err})") from None
    return data


def inner_suffix(path: Path) -> str:
    """The format suffix of a path, looking through a trailing ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _failed(path: str, fmt: str, problem: str, fingerprint: str, record: int | None = None, folder: str | None = None) -> RawDocument:
    return RawDocument(
        source_path=path, format=fmt, record=record, status="unreadable", problem=problem,
        fingerprint=fingerprint, folder=folder,
    )


def read_text_file(path: Path, data: bytes, folder: str | None) -> Iterator[RawDocument]:
    text, encoding = decode_bytes(data)
    meta, body = split_front_matter(text)
    yield RawDocument(str(path), "txt", text=body, meta=meta, encoding=encoding, folder=folder,
                      fingerprint=fingerprint_bytes(data))


def read_html_file(path: Path, data: bytes, folder: str | None) -> Iterator[RawDocument]:
    html, encoding = decode_bytes(data)
    yield RawDocument(str(path), "html", html=html, encoding=encoding, folder=folder,
                      fingerprint=fingerprint_bytes(data))


def _pick(record: dict, candidates: tuple[str, ...]) -> tuple[str | None, object]:
    lowered = {str(k).lower(): k for k in record}
    for name in candidates:
        key = lowered.get(name.lower())
        if key is not None:
            return key, record[key]
    return None, None


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value if v is not None]
        return ", ".join(parts) if parts else None
    text = str(value).strip()
    return text or None


def record_to_document(record: dict, columns: ColumnNames, *, path: str, fmt: str, index: int,
                       folder: str | None, fingerprint: str) -> RawDocument:
    """Turn one record of a tabular file into a document, or an ``unreadable`` one naming what is missing."""
    key, value = _pick(record, columns.text)
    if key is None:
        keys = ", ".join(str(k) for k in list(record)[:15])
        return _failed(path, fmt, f"record {index + 1} has no text field (it has: {keys}); "
                       f"name the text field with --text-column", fingerprint, index, folder)
    meta = {}
    for name in ("title", "outlet", "url", "published", "byline"):
        value_text = _as_text(_pick(record, getattr(columns, name))[1])
        if value_text:
            meta[name] = value_text
    if isinstance(value, dict) or (isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list)) for v in value)):
        return _failed(path, fmt, f"record {index + 1}'s text field holds structured data ({type(value).__name__}), "
                       "not text; name the field that holds the article text with --text-column", fingerprint, index, folder)
    if isinstance(value, (list, tuple)):
        text = "\n\n".join(str(v) for v in value if v is not None)  # paragraphs given as a list
    else:
        text = value if isinstance(value, str) else _as_text(value)
    return RawDocument(path, fmt, record=index, text=text or "", meta=meta, folder=folder,
                       encoding="utf-8", fingerprint=fingerprint)


def read_jsonl_file(path: Path, data: bytes, folder: str | None, columns: ColumnNames) -> Iterator[RawDocument]:
    text, _ = decode_bytes(data)
    for index, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        fingerprint = fingerprint_bytes(f"{index}:{line}".encode())
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield _failed(str(path), "jsonl", f"line {index + 1} is not valid JSON ({err.msg} at column "
                          f"{err.colno}); fix or remove that line", fingerprint, index, folder)
            continue
        if not isinstance(record, dict):
            yield _failed(str(path), "jsonl", f"line {index + 1} is a JSON {type(record).__name__}, "
                          "not an object with a text field", fingerprint, index, folder)
            continue
        yield record_to_document(record, columns, path=str(path), fmt="jsonl", index=index,
                                 folder=folder, fingerprint=fingerprint)


def read_json_file(path: Path, data: bytes, folder: str | None, columns: ColumnNames) -> Iterator[RawDocument]:
    text, _ = decode_bytes(data)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as err:
        if text.lstrip().startswith("{") and "\n{" in text:  # JSON Lines saved as .json
            yield from read_jsonl_file(path, data, folder, columns)
            return
        yield _failed(str(path), "json", f"not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})",
                      fingerprint_bytes(data), None, folder)
        return
    if isinstance(payload, dict):
        nested = next((payload[k] for k in ("articles", "data", "items", "records", "results")
                       if isinstance(payload.get(k), list)), None)
        records = nested if nested is not None else [payload]
    elif isinstance(payload, list):
        records = payload
    else:
        yield _failed(str(path), "json", "the JSON holds a single value, not articles", fingerprint_bytes(data), None, folder)
        return
    for index, record in enumerate(records):
        fingerprint = fingerprint_bytes(f"{index}:{json.dumps(record, sort_keys=True, default=str)}".encode())
        if not isinstance(record, dict):
            yield _failed(str(path), "json", f"item {index + 1} is not an object with a text field",
                          fingerprint, index, folder)
            continue
        yield record_to_document(record, columns, path=str(path), fmt="json", index=index,
                                 folder=folder, fingerprint=fingerprint)


def _frame_records(frame: pd.DataFrame, path: Path, fmt: str, folder: str | None, columns: ColumnNames,
                   offset: int) -> Iterator[RawDocument]:
    if _pick(dict.fromkeys(frame.columns), columns.text)[0] is None:
        names = ", ".join(map(str, frame.columns[:15]))
        raise UnreadableError(f"no text column found (columns: {names}); name it with --text-column")
    for index, record in enumerate(frame.to_dict("records"), start=offset):
        fingerprint = fingerprint_bytes(f"{index}:{json.dumps(record, sort_keys=True, default=str)}".encode())
        yield record_to_document(record, columns, path=str(path), fmt=fmt, index=index,
                                 folder=folder, fingerprint=fingerprint)


def read_csv_file(path: Path, data: bytes, folder: str | None, columns: ColumnNames) -> Iterator[RawDocument]:
    text, _ = decode_bytes(data)
    sep = "\t" if inner_suffix(path) == ".tsv" else ","
    try:
        chunks = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                             chunksize=2000, on_bad_lines="error")
        offset = 0
        for chunk in chunks:
            yield from _frame_records(chunk, path, "csv", folder, columns, offset)
            offset += len(chunk)
    except pd.errors.ParserError as err:
        raise UnreadableError(f"the CSV could not be parsed ({str(err).strip()})") from None
    except pd.errors.EmptyDataError:
        raise UnreadableError("the CSV file has no header and no rows") from None


def read_parquet_file(path: Path, data: bytes, folder: str | None, columns: ColumnNames) -> Iterator[RawDocument]:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as err:  # pyarrow raises many types for damaged files
        raise UnreadableError(f"the Parquet file could not be read ({type(err).__name__}: {err})") from None
    yield from _frame_records(frame, path, "parquet", folder, columns, 0)


def read_path(path: Path, *, folder: str | None = None, columns: ColumnNames = ColumnNames()) -> Iterator[RawDocument]:
    """Yield every document in one file; failures become ``unreadable`` documents, never exceptions."""
    suffix = inner_suffix(path)
    fmt = suffix.lstrip(".") or "unknown"
    if not path.exists():
        yield _failed(str(path), fmt, "the path does not exist; check its spelling",
                      fingerprint_bytes(str(path).encode()), None, folder)
        return
    if suffix not in SUPPORTED_SUFFIXES:
        yield _failed(str(path), fmt, f"unsupported file type '{suffix or path.name}'; the toolkit reads "
                      f"{', '.join(sorted(SUPPORTED_SUFFIXES))} (optionally .gz)", fingerprint_bytes(str(path).encode()),
                      None, folder)
        return
    try:
        data = _open_bytes(path)
    except UnreadableError as err:
        yield _failed(str(path), fmt, str(err), fingerprint_bytes(str(path).encode()), None, folder)
        return
    except OSError as err:
        yield _failed(str(path), fmt, f"the file could not be opened ({err.strerror})",
                      fingerprint_bytes(str(path).encode()), None, folder)
        return
    readers = {
        **dict.fromkeys(TEXT_SUFFIXES, lambda: read_text_file(path, data, folder)),
        **dict.fromkeys(HTML_SUFFIXES, lambda: read_html_file(path, data, folder)),
        ".jsonl": lambda: read_jsonl_file(path, data, folder, columns),
        ".ndjson": lambda: read_jsonl_file(path, data, folder, columns),
        ".json": lambda: read_json_file(path, data, folder, columns),
        ".csv": lambda: read_csv_file(path, data, folder, columns),
        ".tsv": lambda: read_csv_file(path, data, folder, columns),
        ".parquet": lambda: read_parquet_file(path, data, folder, columns),
    }
    produced = False
    try:
        for document in readers[suffix]():
            produced = True
            yield document
    except UnreadableError as err:
        produced = True
        yield _failed(str(path), fmt, str(err), fingerprint_bytes(data), None, folder)
    if not produced:  # '[]', a header-only CSV, a blank JSONL file: the file still gets its row
        yield RawDocument(str(path), fmt, text="", encoding=None, folder=folder, fingerprint=fingerprint_bytes(data))


@dataclass
class InputFile:
    """A file to read, with the sub-folder name that may give its outlet."""

    path: Path
    folder: str | None
    root_name: str | None = None


def iter_input_files(paths: list[str | os.PathLike], ignored: list[str] | None = None) -> Iterator[InputFile]:
    """Expand files and directories (recursively, in sorted order) into input files.

    For a file inside a directory given on the command line, ``folder`` is the first-level sub-folder under
    that directory (``corpus/<outlet>/2025/article.html``); files at the top of the directory carry the
    directory's own name as ``root_name``. Hidden files and web-page assets (images, scripts, styles) are
    skipped and their paths appended to ``ignored``.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = file.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if file.suffix.lower() in ASSET_SUFFIXES:
                    if ignored is not None:
                        ignored.append(str(file))
                    continue
                folder = relative.parts[0] if len(relative.parts) > 1 else None
                yield InputFile(file, folder, root_name=path.resolve().name)
        else:
            yield InputFile(path, None)
