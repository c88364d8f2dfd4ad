"""Run ``analyze`` over a corpus of any size: streamed in batches, cached, on one machine or a Dask cluster.

:func:`analyze_corpus` is what ``python -m toolkit analyze`` runs. It reads the corpus one document at a time
(:func:`toolkit.corpus.iter_articles`), cuts it into batches of ``batch_size`` articles, and sends the ``ok``
articles of each batch through :func:`toolkit.analysis.analyze_articles`, either in this process (engine
``local``: the spaCy pipeline and registries loaded once) or on a Dask cluster (engine ``dask``: a
``distributed.LocalCluster`` by default, or any running scheduler; each worker loads the pipeline once).
Only a few batches are ever held in memory, so peak memory does not grow with the corpus.

The cache (an SQLite file, ``DIR/.cache/analysis.sqlite`` by default) holds each article's result tables under a
key made of everything the result depends on: the article's own fields (id, outlet, title, text …), the
toolkit's code and data files (the tone models too), the actors registry, the spaCy model and the analysis
options. A re-run analyses only articles whose key is not there yet (new or changed articles, or everything
after a change of settings).
Every entry carries a checksum: an entry that does not verify is analysed again.

Outputs never exist half-written: result parts are spooled under ``DIR/.spool`` and each output is written
to ``NAME.EXT.partial`` and renamed into place when complete; a run that is killed leaves only ``.partial``
files and the spool, which the next run removes. The outputs are the same bytes whatever the batch size, the
cache state or the engine: rows follow the input order of the articles, then each article's own order
(``attribution_index`` …), and each column gets one type over the whole table.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.metadata
import itertools
import json
import logging
import os
import pickle
import shutil
import sqlite3
import sys
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from . import __version__
from .corpus import ARTICLE_COLUMNS, articles_frame, iter_articles, removed_lines_table
from .batching import bounded_groups
from .paths import MODEL_NAMES, PACKAGE_DIR, data_dir

FORMATS = ("csv", "parquet")
ENGINES = ("local", "dask")
BATCH_SIZE = 200
#: A batch also ends before it holds more text than this: a run of long articles (transcripts, long reads)
#: would otherwise make a batch, and the memory its analysis needs, several times the usual (200 AllSides
#: articles hold about 1.2 million characters).
BATCH_CHARACTERS = 2_500_000
#: Rows per Parquet row group; fixed, so that the files do not depend on the batch size, and small for the
#: articles table (whole texts), so that memory stays flat.
PARQUET_ROW_GROUP = 10_000
PARQUET_ROW_GROUPS = {"articles": 1_000}
#: Article fields an analysis result may depend on (the cache key); provenance (path, record) is left out,
#: so that moving a corpus folder keeps its cache.
KEY_FIELDS = ("article_id", "outlet", "title", "byline", "byline_credits_agency", "dateline", "published", "url",
              "text", "n_words", "status")
#: Columns of the articles table kept in memory for the report and the printed summary (not the texts).
SUMMARY_COLUMNS = ["article_id", "outlet", "status", "n_words", "n_removed_lines", "source_path", "record", "problem"]
#: Columns of each analysis table the report needs; their value combinations are counted as the run goes.
REPORT_COLUMNS = {"attributions": ("outlet", "group"), "sentences": ("outlet", "voice", "tone")}
SPOOL = ".spool"


@dataclass
class RunResult:
    """What :func:`analyze_corpus` wrote and the small tables the summary needs."""

    articles: pd.DataFrame  # SUMMARY_COLUMNS of every input document, in input order (attrs: ignored_files)
    report_tables: dict[str, pd.DataFrame]  # each combination of REPORT_COLUMNS of a table, and its ``count``
    written: list[Path]
    analysed: int = 0  # ok articles analysed in this run
    cached: int = 0  # ok articles whose results came from the cache


def analyze_corpus(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    corpus_options: dict | None = None,
    actors: pd.DataFrame | str | os.PathLike | None = None,
    analysis_options: dict | None = None,
    formats: Iterable[str] = ("csv",),
    batch_size: int = BATCH_SIZE,
    cache: str | os.PathLike | bool | None = True,
    engine: str = "local",
    workers: int = 2,
    scheduler: str | None = None,
    progress: bool | None = None,
    report: Callable[[pd.DataFrame, dict[str, pd.DataFrame]], str] | None = None,
) -> RunResult:
    """Load, analyse and write a corpus in batches; returns what was written and the summary tables.

    Parameters
    ----------
    paths, corpus_options
        Inputs and the keyword arguments of :func:`toolkit.corpus.iter_articles` (``outlet``, ``text_column`` …).
    out
        Output folder: ``articles``, ``removed_lines`` and every table of the analysis, in each of ``formats``
        (``csv``, ``parquet``), and ``report.md``.
    actors, analysis_options
        The actors registry and further keyword arguments of :func:`toolkit.analysis.analyze_articles`.
    batch_size
        Articles per batch (the outputs do not depend on it).
    cache
        ``True``: ``out/.cache``; a folder; ``False``/``None``: no cache.
    engine, workers, scheduler
        ``local`` (this process) or ``dask``: a local cluster of ``workers`` processes (one thread each), or
        the running cluster whose scheduler is at ``scheduler`` (``tcp://host:8786``).
    progress
        Show a progress bar; ``None`` shows one only on an interactive terminal.
    report
        Builds ``report.md`` from the articles summary and, per analysis table, each combination of its
        :data:`REPORT_COLUMNS` with a ``count`` of its rows; default :func:`toolkit.reporting.corpus_report`.
    """
    from .registry import load_actors

    formats = _check_formats(formats)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out = Path(out)
    corpus_options = dict(corpus_options or {})
    analysis_options = _resolved_precision(dict(analysis_options or {}))
    actors_table = load_actors(actors)  # a bad registry stops the run before anything is written
    ignored: list[str] = []
    rows = iter_articles(paths, **corpus_options, ignored=ignored)
    first = next(rows, None)  # reads the outlets registry and the cleaning rules: errors surface here too
    out.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    spool = out / SPOOL
    spool.mkdir()
    cache_dir = out / ".cache" if cache is True else (Path(cache) if cache else None)
    settings = settings_key(actors_table, analysis_options)
    store = ResultCache(cache_dir / "analysis.sqlite", settings) if cache_dir else None
    executor = _LazyExecutor(lambda: DaskExecutor(scheduler, workers, actors_table, analysis_options)
                             if engine == "dask" else LocalExecutor(actors_table, analysis_options))
    try:
        run = _Run(spool, executor, store, _progress_bar(progress, paths))
        run.templates = _templates(executor, store)
        for batch in _batches(([first] if first is not None else []), rows, batch_size):
            run.add(articles_frame(batch))
            while len(run.pending) > executor.in_flight:
                run.finish(run.pending.popleft())
        while run.pending:
            run.finish(run.pending.popleft())
        executor.close()  # the workers' memory is free before the outputs are written
        run.bar.close()
        summary = run.summary(ignored)
        report_tables = run.report_tables()
        written = run.write_outputs(out, formats)
        if report is None:
            from .reporting import corpus_report

            report = lambda articles, tables: corpus_report(articles, tables.get("attributions"),  # noqa: E731
                                                            tables.get("sentences"))
        written.append(_atomic_text(out / "report.md", report(summary, report_tables)))
    finally:
        executor.close()
        if store is not None:
            store.close()
    shutil.rmtree(spool, ignore_errors=True)
    return RunResult(summary, report_tables, written, run.analysed, run.cached)


# ---------------------------------------------------------------------------------------------- one run

@dataclass
class _Pending:
    number: int
    size: int  # documents in the batch
    ids: list[str]  # ok articles, in order
    keys: dict[str, str]
    found: dict[str, dict[str, "ArticleRows"]]  # results from the cache
    handle: object = None  # the executor's handle of the missing articles' analysis


@dataclass
class _Run:
    spool: Path
    executor: _LazyExecutor
    store: "ResultCache | None"
    bar: tqdm
    templates: dict[str, pd.DataFrame] = field(default_factory=dict)
    pending: deque = field(default_factory=deque)
    spools: dict[str, "TableSpool"] = field(default_factory=dict)
    summaries: list[pd.DataFrame] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)
    batches: int = 0
    analysed: int = 0
    cached: int = 0

    def _spool(self, name: str) -> "TableSpool":
        if name not in self.spools:
            self.spools[name] = TableSpool(self.spool, name)
        return self.spools[name]

    def add(self, articles: pd.DataFrame) -> None:
        """Spool a batch's articles and start the analysis of those the cache does not hold."""
        self.batches += 1
        self._spool("articles").add(articles_for_output(articles))
        self._spool("removed_lines").add(removed_lines_table(articles))
        self.summaries.append(articles[SUMMARY_COLUMNS])
        ok = articles[articles["status"] == "ok"]
        keys = {row.article_id: article_key(row._asdict(), self.store.settings if self.store else "")
                for row in ok[list(KEY_FIELDS)].itertuples(index=False)}
        found = self.store.get_many(list(keys.values())) if self.store else {}
        found = {article: found[key] for article, key in keys.items() if key in found}
        item = _Pending(self.batches, len(articles), list(keys), keys, found)
        missing = ok[~ok["article_id"].isin(list(found))]
        if len(missing):
            item.handle = self.executor.submit(missing.reset_index(drop=True))
        self.pending.append(item)

    def finish(self, item: _Pending) -> None:
        """Collect a batch's results in article order, cache the new ones, spool them."""
        fresh: dict[str, dict[str, ArticleRows]] = {}
        if item.handle is not None:
            tables = self.executor.result(item.handle)
            missing = [a for a in item.ids if a not in item.found]
            fresh = split_by_article(tables, missing, self.templates)
            if self.store is not None:
                self.store.put_many({item.keys[a]: fresh[a] for a in missing})
        self.analysed += len(fresh)
        self.cached += len(item.found)
        for name, template in self.templates.items():
            parts = [(item.found.get(a) or fresh[a]).get(name) for a in item.ids]
            table = join_rows([part for part in parts if part is not None], template)
            self._spool(name).add(table)
            columns = REPORT_COLUMNS.get(name)
            if columns and len(table):
                counter = self.counts.setdefault(name, Counter())
                counter.update(table[list(columns)].itertuples(index=False, name=None))
        self.bar.update(item.size)

    def summary(self, ignored: list[str]) -> pd.DataFrame:
        summary = _concat(self.summaries, articles_frame([])[SUMMARY_COLUMNS])
        summary.attrs["ignored_files"] = ignored
        return summary

    def report_tables(self) -> dict[str, pd.DataFrame]:
        tables = {}
        for name, columns in REPORT_COLUMNS.items():
            if name not in self.templates:
                continue
            counter = self.counts.get(name, Counter())
            combos = sorted(counter, key=lambda combo: tuple(map(str, combo)))
            table = pd.DataFrame(combos, columns=list(columns)) if combos else pd.DataFrame(columns=list(columns))
            tables[name] = table.assign(count=pd.Series([counter[c] for c in combos], dtype="int64"))
        return tables

    def write_outputs(self, out: Path, formats: tuple[str, ...]) -> list[Path]:
        """Write every table to ``.partial`` files, then move them all into place."""
        templates = {"articles": articles_for_output(articles_frame([])),
                     "removed_lines": removed_lines_table(articles_frame([])), **self.templates}
        done: list[tuple[Path, Path]] = []
        for name, template in templates.items():
            done += self._spool(name).write(out, formats, template)
        for partial, final in done:
            partial.replace(final)
        return [final for _, final in done]


def _templates(executor: "_LazyExecutor", store: "ResultCache | None") -> dict[str, pd.DataFrame]:
    """The analysis tables of no article: their names, columns and types (kept in the cache too, so that a run
    with every article cached needs no pipeline at all)."""
    key = "tables:" + store.settings if store is not None else None
    found = store.get_many([key]) if store is not None else {}
    if key in found:
        return {name: join_rows([], rows) for name, rows in found[key].items()}
    templates = executor.result(executor.submit(articles_frame([])))
    if store is not None:
        store.put_many({key: {name: ArticleRows.of(table) for name, table in templates.items()}})
    return templates


class _LazyExecutor:
    """Starts its engine (loads the pipeline, starts the cluster) only when there is something to analyse."""

    def __init__(self, start: Callable[[], "LocalExecutor | DaskExecutor"]):
        self._start = start
        self._engine = None

    @property
    def engine(self) -> "LocalExecutor | DaskExecutor":
        if self._engine is None:
            self._engine = self._start()
        return self._engine

    @property
    def in_flight(self) -> int:
        return self._engine.in_flight if self._engine is not None else 0

    def submit(self, articles: pd.DataFrame):
        return self.engine.submit(articles)

    def result(self, handle):
        return self.engine.result(handle)

    def close(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            engine.close()


def _batches(head: list, rows: Iterator[dict], size: int, characters: int | None = None) -> Iterator[list[dict]]:
    """Lists of at most ``size`` rows, and of at most ``characters`` (default :data:`BATCH_CHARACTERS`)
    characters of text unless one row has more."""
    limit = BATCH_CHARACTERS if characters is None else characters
    return bounded_groups(itertools.chain(head, rows), size, limit, lambda row: len(row["text"] or ""))


def _concat(parts: list[pd.DataFrame], template: pd.DataFrame) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return template.iloc[0:0]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


@dataclass(frozen=True)
class ArticleRows:
    """One article's rows of one analysis table as plain columns: what the cache holds, and what batches are
    joined from (much cheaper to store, load and join than one small DataFrame per article)."""

    columns: tuple[str, ...]
    dtypes: tuple  # the pandas dtype of each column in the table the rows came from
    values: tuple[list, ...]  # the values of each column

    @classmethod
    def of(cls, table: pd.DataFrame) -> "ArticleRows":
        return cls(tuple(table.columns), tuple(table.dtypes), tuple(table[c].tolist() for c in table.columns))

    def __len__(self) -> int:
        return len(self.values[0]) if self.values else 0

    def __reduce__(self):  # pickled as the class and a plain tuple: smaller than the default (a dict of fields)
        return (ArticleRows, (self.columns, self.dtypes, self.values))


def split_by_article(tables: dict[str, pd.DataFrame], ids: list[str],
                     templates: dict[str, pd.DataFrame]) -> dict[str, dict[str, ArticleRows]]:
    """``{article_id: {table: that article's rows}}`` of a batch's result tables (every id, every table)."""
    result: dict[str, dict[str, ArticleRows]] = {a: {} for a in ids}
    for name in templates:
        table = tables.get(name, templates[name])
        if "article_id" not in table:
            raise ValueError(f"the analysis table {name!r} has no article_id column; it cannot be split by article")
        columns, dtypes = tuple(table.columns), tuple(table.dtypes)
        values = [table[c].tolist() for c in columns]
        positions = table.groupby("article_id", sort=False).indices if len(table) else {}
        for a in ids:
            rows = positions.get(a, ())
            result[a][name] = ArticleRows(columns, dtypes, tuple([column[i] for i in rows] for column in values))
    return result


def join_rows(parts: list[ArticleRows], template: pd.DataFrame | ArticleRows) -> pd.DataFrame:
    """One table of the rows of several articles, in order; each column gets the type ``pd.concat`` of the
    articles' tables would give it. With no rows: the (empty) template, as a DataFrame."""
    parts = [part for part in parts if len(part)]
    if not parts:
        if isinstance(template, ArticleRows):
            return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in zip(template.columns, template.dtypes)})
        return template.iloc[0:0]
    from pandas.core.dtypes.cast import find_common_type

    columns = {}
    for number, column in enumerate(parts[0].columns):
        dtypes = [part.dtypes[number] for part in parts]
        dtype = dtypes[0] if all(d == dtypes[0] for d in dtypes) else find_common_type(dtypes)
        values = [value for part in parts for value in part.values[number]]
        columns[column] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(columns)


def articles_for_output(articles: pd.DataFrame) -> pd.DataFrame:
    """The articles table as written: removed lines as JSON (as :func:`toolkit.corpus.write_articles` does)."""
    table = articles.copy()
    table["removed_lines"] = table["removed_lines"].map(lambda lines: json.dumps(lines, ensure_ascii=False))
    return table


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    chosen = []
    for value in formats:
        for name in (["csv", "parquet"] if value == "both" else [value]):
            if name not in FORMATS:
                raise ValueError(f"unknown output format {name!r}; use csv, parquet or both")
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen) or ("csv",)


def _remove_leftovers(out: Path) -> None:
    """What a killed run may have left: the spool and ``.partial`` files. None of it is ever read."""
    shutil.rmtree(out / SPOOL, ignore_errors=True)
    for partial in out.glob("*.partial"):
        partial.unlink(missing_ok=True)


def _atomic_text(path: Path, text: str) -> Path:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


def _progress_bar(progress: bool | None, paths) -> tqdm:
    shown = progress if progress is not None else sys.stderr.isatty()
    total = estimate_documents(paths) if shown else None
    return tqdm(total=total, desc="analysing", unit=" article", disable=not shown, dynamic_ncols=True,
                smoothing=0.05)


def estimate_documents(paths) -> int | None:
    """How many documents the inputs hold, counted cheaply (lines of JSON Lines files, one per text or web
    page); ``None`` when a table file (CSV, JSON, Parquet) would have to be read to tell."""
    from .corpus import _open_lines
    from .readers import TABLE_SUFFIXES, inner_suffix, iter_input_files

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    total = 0
    for input_file in iter_input_files(list(paths)):
        suffix = inner_suffix(input_file.path)
        if suffix in (".jsonl", ".ndjson"):
            try:
                with _open_lines(input_file.path) as lines:
                    total += sum(1 for line in lines if line.strip()) or 1
            except (OSError, EOFError, zlib.error):
                total += 1
        elif suffix in (".csv", ".tsv"):
            total += _count_csv_records(input_file.path, "\t" if suffix == ".tsv" else ",")
        elif suffix == ".parquet" and input_file.path.suffix.lower() != ".gz":
            try:
                import pyarrow.parquet as pq

                total += max(1, pq.ParquetFile(input_file.path).metadata.num_rows)
            except Exception:  # noqa: BLE001 - a damaged file gives one row
                total += 1
        elif suffix in TABLE_SUFFIXES:
            return None  # JSON: the whole file would have to be parsed
        else:
            total += 1
    return total


def _count_csv_records(path: Path, delimiter: str) -> int:
    import csv
    import io

    from .corpus import _open_lines

    try:
        with _open_lines(path) as raw, io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as text:
            return max(1, sum(1 for _ in csv.reader(text, delimiter=delimiter)) - 1)
    except (OSError, EOFError, zlib.error, csv.Error):
        return 1


# ---------------------------------------------------------------------------------------------- spool

class TableSpool:
    """The parts of one output table, in order, on disk; written out with one type per column."""

    def __init__(self, folder: Path, name: str):
        self.folder = folder
        self.name = name
        self.parts: list[Path] = []
        self.dtypes: dict[str, list] = {}

    def add(self, table: pd.DataFrame) -> None:
        if not len(table):
            return
        path = self.folder / f"{self.name}-{len(self.parts):06d}.pkl"
        with open(path, "wb") as handle:
            pickle.dump(table, handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.parts.append(path)
        for column, dtype in table.dtypes.items():
            if dtype not in self.dtypes.setdefault(column, []):
                self.dtypes[column].append(dtype)

    def _tables(self, template: pd.DataFrame) -> Iterator[pd.DataFrame]:
        from pandas.core.dtypes.cast import find_common_type

        common = {column: find_common_type(dtypes) for column, dtypes in self.dtypes.items()}
        for path in self.parts:
            with open(path, "rb") as handle:
                table = pickle.load(handle)
            yield table.astype({c: d for c, d in common.items() if table[c].dtype != d})[list(template.columns)]

    def write(self, out: Path, formats: tuple[str, ...], template: pd.DataFrame) -> list[tuple[Path, Path]]:
        done = []
        if "csv" in formats:
            done.append(self._write_csv(out / f"{self.name}.csv", template))
        if "parquet" in formats:
            done.append(self._write_parquet(out / f"{self.name}.parquet", template))
        return done

    def _write_csv(self, path: Path, template: pd.DataFrame) -> tuple[Path, Path]:
        partial = path.with_name(path.name + ".partial")
        with open(partial, "w", encoding="utf-8", newline="") as handle:
            header = True
            for table in self._tables(template):
                table.to_csv(handle, index=False, header=header, lineterminator="\n")
                header = False
            if header:
                template.iloc[0:0].to_csv(handle, index=False, lineterminator="\n")
        return partial, path

    def _write_parquet(self, path: Path, template: pd.DataFrame) -> tuple[Path, Path]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from pandas.core.dtypes.cast import find_common_type

        dtypes = {c: (find_common_type(self.dtypes[c]) if c in self.dtypes else template[c].dtype)
                  for c in template.columns}
        schema = _arrow_schema(dtypes)
        partial = path.with_name(path.name + ".partial")
        group = PARQUET_ROW_GROUPS.get(self.name, PARQUET_ROW_GROUP)
        buffered: list[pa.Table] = []
        rows = 0
        with pq.ParquetWriter(partial, schema) as writer:
            for table in self._tables(template):
                buffered.append(_to_arrow(table, schema))
                rows += len(table)
                while rows >= group:
                    joined = pa.concat_tables(buffered)
                    writer.write_table(joined.slice(0, group).combine_chunks(), row_group_size=group)
                    rest = joined.slice(group)
                    buffered, rows = [rest], len(rest)
            if rows:
                writer.write_table(pa.concat_tables(buffered).combine_chunks(), row_group_size=group)
        return partial, path


def _arrow_type(dtype):
    import pyarrow as pa

    if pd.api.types.is_bool_dtype(dtype):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(dtype):
        return pa.float64()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return pa.timestamp("ns")
    return pa.string()  # text, and anything else written as its text


def _arrow_schema(dtypes: dict):
    """One Arrow schema per table, from the column types alone (never from the values of one batch), with
    pandas metadata so that ``pd.read_parquet`` restores nullable integers."""
    import pyarrow as pa

    empty = pd.DataFrame({c: pd.Series([], dtype=object if _arrow_type(d) == pa.string() else d)
                          for c, d in dtypes.items()})
    metadata = pa.Schema.from_pandas(empty, preserve_index=False).metadata
    return pa.schema([pa.field(c, _arrow_type(d)) for c, d in dtypes.items()], metadata=metadata)


def _to_arrow(table: pd.DataFrame, schema):
    import pyarrow as pa

    arrays = []
    for field_ in schema:
        column = table[field_.name]
        if field_.type == pa.string():
            values = [None if _missing(v) else (v if isinstance(v, str) else str(v)) for v in column.tolist()]
            arrays.append(pa.array(values, type=pa.string()))
        else:
            arrays.append(pa.Array.from_pandas(column, type=field_.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers
        return False


# ---------------------------------------------------------------------------------------------- cache

def _resolved_precision(options: dict) -> dict:
    """The analysis options with the accurate tier's ``auto`` precision replaced by the one this machine uses,
    so that cached results computed in another precision (on another machine) are not taken for this one's;
    other tiers ignore the precision, so it is left out of their options (and of their cache key). With the
    Dask engine, ``auto`` is resolved here, on the machine that starts the run, and every worker uses that."""
    from .tone_tiers import check_precision, check_tier

    check_precision(options.get("tone_precision", "auto"))
    if options.get("tone") != "accurate":
        return {name: value for name, value in options.items() if name != "tone_precision"}
    check_tier("accurate")  # says how to install the accurate extra when it is missing
    from .tone_accurate import resolve_precision

    return {**options, "tone_precision": resolve_precision(options.get("tone_precision", "auto"))}


def settings_key(actors: pd.DataFrame, options: dict) -> str:
    """Hash of everything but the article that an analysis result depends on: the toolkit's version, code and
    data files (the tone models included), the actors registry, the spaCy model and library versions, and the
    analysis options."""
    digest = hashlib.sha256()
    digest.update(f"toolkit {__version__}\n".encode())
    for path in analysis_sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in [*sorted(data_dir().glob("*.csv")), *tone_model_files()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(actors.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    digest.update(model_fingerprint().encode())
    digest.update(repr(sorted(options.items(), key=lambda item: item[0])).encode())
    return digest.hexdigest()


def tone_model_files() -> list[Path]:
    """The bundled tone models and their cards (``data/models``): a retrained model gives new tone columns."""
    return sorted(path for path in (data_dir() / "models").glob("*")
                  if path.suffix in {".npz", ".safetensors", ".json"})


def analysis_sources(start: str = "analysis") -> list[Path]:
    """The toolkit's modules the analysis runs: ``analysis.py`` and every toolkit module it imports, directly
    or not (read from their import statements), so that editing, say, the plotting code keeps the cache."""
    import ast

    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        path = PACKAGE_DIR / f"{name}.py"
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                todo += [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("toolkit."):
                todo.append(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                todo += [a.name.split(".")[1] for a in node.names if a.name.startswith("toolkit.")]
    return [PACKAGE_DIR / f"{name}.py" for name in sorted(seen)]


def model_fingerprint() -> str:
    """Versions of the libraries a result depends on, and of the English model ``load_pipeline`` picks."""
    parts = []
    for name in ("spacy", "pandas", *MODEL_NAMES):
        try:
            parts.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return ";".join(parts)


def article_key(row: dict, settings: str) -> str:
    """Cache key of one article: its fields that the analysis may read, and the settings."""
    fields = [settings] + [f"{name}={'' if _missing(row[name]) else row[name]}" for name in KEY_FIELDS]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8", "surrogatepass")).hexdigest()


class ResultCache:
    """Per-article result rows (:class:`ArticleRows`) in an SQLite file: ``key -> checksum + compressed pickle``.

    Entries are written in one transaction per batch, so a killed run loses at most its last batch and never
    leaves a half-written entry; an entry whose checksum fails (or that cannot be read) counts as missing, and a
    file that is not a database is replaced.
    """

    def __init__(self, path: Path, settings: str):
        self.path = Path(path)
        self.settings = settings
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open()
        except sqlite3.DatabaseError:
            print(f"warning: the cache {self.path} was damaged; starting a new one", file=sys.stderr)
            self.path.unlink(missing_ok=True)
            self._open()

    def _open(self) -> None:
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        self.db.execute("SELECT count(*) FROM results").fetchone()
        self.db.commit()

    def get_many(self, keys: list[str]) -> dict[str, dict[str, ArticleRows]]:
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            query = f"SELECT key, value FROM results WHERE key IN ({','.join('?' * len(chunk))})"
            for key, value in self.db.execute(query, chunk):
                entry = _unpack(value)
                if entry is not None:
                    found[key] = entry
        return found

    def put_many(self, entries: dict[str, dict[str, ArticleRows]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)",
                                [(key, _pack(tables)) for key, tables in entries.items()])

    def close(self) -> None:
        self.db.close()


def _pack(tables: dict[str, ArticleRows]) -> bytes:
    payload = zlib.compress(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL), 1)
    return hashlib.sha256(payload).digest() + payload


def _unpack(value: bytes) -> dict[str, ArticleRows] | None:
    checksum, payload = value[:32], value[32:]
    if hashlib.sha256(payload).digest() != checksum:
        return None
    try:
        tables = pickle.loads(zlib.decompress(payload))
    except Exception:  # noqa: BLE001 - any damage means: analyse again
        return None
    if not isinstance(tables, dict) or not all(isinstance(rows, ArticleRows) for rows in tables.values()):
        return None  # an entry of an earlier cache format: analysed again
    return tables


# ---------------------------------------------------------------------------------------------- engines

class LocalExecutor:
    """Analyse in this process, with the pipeline and registries loaded once."""

    in_flight = 0

    def __init__(self, actors: pd.DataFrame, options: dict):
        from .nlp import load_pipeline

        self.nlp = load_pipeline()  # imported here: a run that finds every article in its cache needs no spaCy
        self.actors = actors
        self.options = options

    def submit(self, articles: pd.DataFrame):
        from .analysis import analyze_articles

        tables = analyze_articles(articles, nlp=self.nlp, actors=self.actors, progress=False, **self.options)
        return_free_memory()
        return tables

    def result(self, handle):
        return handle

    def close(self) -> None:
        pass


def worker_pipeline():
    """The spaCy pipeline of this worker process, loaded on first use and kept (``load_pipeline`` caches it)."""
    from .nlp import load_pipeline

    return load_pipeline()


def analyze_batch(articles: pd.DataFrame, actors: pd.DataFrame, options: dict) -> dict[str, pd.DataFrame]:
    """The task a Dask worker runs on one batch."""
    from .analysis import analyze_articles

    tables = analyze_articles(articles, nlp=worker_pipeline(), actors=actors, progress=False, **options)
    return_free_memory()
    return tables


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to do
        return None


def return_free_memory() -> bool:
    """Hand the memory the C allocator holds free back to the system, after a batch (glibc's ``malloc_trim``).

    Between batches a process then holds what it needs rather than the high-water mark of its last batch: on
    800 AllSides articles in batches of 100, one process held 572-579 MB after each of the last batches with
    the trim and 645-686 MB without, for 0.03 s of trimming in all. (The peak within a batch is the same
    either way: 731 and 726 MB.) Returns whether there was an allocator to ask."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


#: Dask settings of the local cluster's workers. Dask's statistical profiler samples every worker's stack 100
#: times a second and keeps one profile per second, and one per task key, for the last 1,000 seconds: memory
#: that grows with the length of a run (over 100 MB per worker in a 5,000-article run) and CPU spent on
#: nothing the toolkit reads. A user who wants the dashboard's profile can start their own cluster.
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


def worker_environment() -> dict:
    """The environment a local cluster's nannies give their workers: Dask's default without
    ``MALLOC_TRIM_THRESHOLD_``. Setting that variable also turns off glibc's adaptive ``mmap`` threshold, so
    every array the parser allocates and frees is mapped and unmapped again: on 150 AllSides articles a worker
    spent 0.4 s in the kernel without it and 4.3 s with it, and 18% more CPU in all (32.6 s against 27.6 s)."""
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


class DaskExecutor:
    """Analyse on a Dask cluster: a new local one (processes, one thread each), or a running one."""

    def __init__(self, scheduler: str | None, workers: int, actors: pd.DataFrame, options: dict):
        import dask
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
            workers = max(1, len(self.client.nthreads()))
        else:
            # any free local port for the scheduler's HTTP server: two clusters on one machine never collide
            with dask.config.set(WORKER_CONFIG | {"distributed.nanny.pre-spawn-environ": worker_environment()}):
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                            silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.in_flight = 2 * max(1, workers)  # batches queued at once: workers stay busy, memory stays bounded
        self.actors = self.client.scatter(actors, broadcast=True)
        self.options = options

    def submit(self, articles: pd.DataFrame):
        return self.client.submit(analyze_batch, articles, self.actors, self.options, pure=False)

    def result(self, handle):
        return handle.result()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
