"""Resilience: malformed input never stops a run or loses a document, nothing touches the network, and a run
that dies leaves nothing a re-run would trust.

Property tests (hypothesis) keep their example counts small: ingestion is fast, parsing with spaCy is not.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.analysis import analyze_articles
from toolkit.cli import main
from toolkit.corpus import STATUSES, _stream_jsonl, load_corpus
from toolkit.engine import analyze_corpus
from toolkit.paths import DEMO_CORPUS
from toolkit.readers import _looks_binary, read_path

QUOTE_MARKS = ['"', "“", "”", "‘", "’", "'", "«", "»", "„", "‚", "‹", "›", "''", "``", "「", "」"]
WORDS = ["said", "the minister", "told reporters", "according to", "Putin", "Zelensky", "he", "she", "warned",
         "Budapest", "on Friday", "that", "the talks", "would", "fail", ".", ",", ":", "—", "-", "(", ")", "\n",
         "\n\n", " ", "U.S.", "officials", "Kremlin spokesman Dmitry Peskov", "insisted", "We are ready"]
fragments = st.one_of(st.sampled_from(QUOTE_MARKS), st.sampled_from(WORDS), st.text(max_size=12))
texts = st.lists(fragments, max_size=80).map(" ".join)
nasty_text = st.one_of(texts, st.text(max_size=300))
HTML_PIECES = ["<script>var x = '<p>“not text”</p>';</script>", "<style>p{color:red}</style>", "&amp;", "&quot;",
               "&#8220;", "&#x201D;", "&nbsp;", "&bogus;", "<p>", "</p>", "<div", "<b>unclosed", "</i>", "<!--",
               "-->", "<![CDATA[", "<br/>", "<p class='x>broken</p>", "\x00"]


def test_streamed_json_lines_match_the_whole_file_reader_on_a_fixed_case(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "a\u2028b"}\n\n{not json}\r\n[1]\n{"body": "x"}\n{"text": {"nested": 1}}\n',
                    encoding="utf-8")
    streamed = _stream_jsonl(path, None, _columns())
    assert streamed is not None
    assert [vars(d) for d in streamed] == [vars(d) for d in read_path(path)]


def _columns():
    from toolkit.readers import ColumnNames

    return ColumnNames()


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.one_of(
    st.builds(lambda t: json.dumps({"text": t}, ensure_ascii=False), nasty_text),
    st.builds(lambda t: json.dumps({"content": t, "url": "http://x.example/" + t[:5]}), nasty_text),
    nasty_text, st.just(""), st.just("[1, 2]"), st.just("{broken"),
), max_size=8), ending=st.sampled_from(["\n", "\r\n", "\r"]), gz=st.booleans(), bom=st.booleans())
def test_streamed_json_lines_match_the_whole_file_reader(lines, ending, gz, bom):
    """The line-by-line JSON Lines reader gives exactly the documents of reading the whole file."""
    import gzip

    data = (b"\xef\xbb\xbf" if bom else b"") + ending.join(lines).encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("a.jsonl.gz" if gz else "a.jsonl")
        path.write_bytes(gzip.compress(data) if gz else data)
        whole = [vars(d) for d in read_path(path)]
        streamed = _stream_jsonl(path, None, _columns())
        if streamed is not None:
            assert [vars(d) for d in streamed] == whole


def _html(body: str, pieces: list[str]) -> str:
    return ("<html><head><title>T &amp; “Q”</title>" + "".join(pieces) + "</head><body><article>"
            + "".join(f"<p>{p}</p>" for p in body.split("\n") if p) + "".join(reversed(pieces)) + "</body>")


documents = st.one_of(
    st.tuples(st.just("txt"), nasty_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.tuples(st.just("txt"), st.binary(max_size=200)),
    st.tuples(st.just("html"), st.builds(lambda t, p: _html(t, p).encode("utf-8", "surrogatepass"),
                                         nasty_text, st.lists(st.sampled_from(HTML_PIECES), max_size=6))),
    st.tuples(st.just("jsonl"), st.lists(st.one_of(
        st.builds(lambda t: json.dumps({"text": t, "source": "Meridian Wire"}), nasty_text),
        nasty_text, st.just("{corrupt"), st.just("")), max_size=6).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))),
    st.tuples(st.just("csv"), st.builds(
        lambda rows, column: _csv(rows, column), st.lists(nasty_text, max_size=5),
        st.sampled_from(["text", "body", "headline"]))),  # "headline" only: a CSV with no text column
)


def _csv(rows: list[str], column: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column, "url"])
    for number, row in enumerate(rows):
        writer.writerow([row, f"https://x.example/{number}"])
    return buffer.getvalue().encode("utf-8", "surrogatepass")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(documents, min_size=1, max_size=5))
def test_every_document_is_accounted_for_with_a_status(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus" / "some-outlet"
        folder.mkdir(parents=True)
        expected = {}
        for number, (kind, data) in enumerate(files):
            path = folder / f"doc{number}.{kind}"
            path.write_bytes(data)
            expected[str(path)] = _expected_documents(kind, data)
        articles = load_corpus(Path(tmp) / "corpus", progress=False)
    assert set(articles["status"]) <= set(STATUSES)
    assert articles["article_id"].is_unique
    assert articles.loc[articles["status"] != "ok", "problem"].notna().all()
    counts = articles["source_path"].value_counts().to_dict()
    assert set(counts) == set(expected)
    for path, count in counts.items():
        assert count in expected[path], (path, count, expected[path])


def _expected_documents(kind: str, data: bytes) -> set[int]:
    """Rows a file may give: one, or one per record (a file that reads as binary or fails as a whole gives one)."""
    if kind != "jsonl":
        if kind in ("txt", "html"):
            return {1}
        rows = list(csv.reader(io.StringIO(data.decode("utf-8", "surrogatepass"), newline="")))
        return {1, max(1, len(rows) - 1)}  # records, not lines: a quoted field may hold a line break
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {1}
    records = sum(1 for line in text.splitlines() if line.strip())
    return {1} if _looks_binary(text) or not records else {records}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies=st.lists(texts, min_size=1, max_size=3))
def test_extraction_survives_unbalanced_and_nested_quotes(bodies):
    articles = pd.DataFrame({"article_id": [f"a{i}" for i in range(len(bodies))], "outlet": "X",
                             "text": bodies, "status": "ok"})
    tables = analyze_articles(articles, progress=False)
    attributions = tables["attributions"]
    for row in attributions.itertuples():
        text = bodies[int(row.article_id[1:])]
        assert 0 <= row.content_start <= row.content_end <= len(text)
        assert row.content == text[row.content_start:row.content_end]


def test_a_paragraph_of_200000_characters(tmp_path):
    """One paragraph, no line break, parsed in pieces; plain prose with an attribution now and then (speaker
    resolution walks the article's sentences for every attribution, so thousands of them would be slow)."""
    prose = "The delegations met again in the old hall by the river, and the weather stayed grey all week. " * 30
    quote = "“We will not give up,” the minister said, while officials in Budapest insisted that the talks go on. "
    text = ((prose + quote) * 80)[:200_000]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.txt").write_text("---\noutlet: Meridian Wire\n---\n" + text, encoding="utf-8")
    assert main(["analyze", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-progress", "--no-cache"]) == 0
    articles = pd.read_csv(tmp_path / "out" / "articles.csv")
    attributions = pd.read_csv(tmp_path / "out" / "attributions.csv")
    assert list(articles["status"]) == ["ok"] and len(articles["text"][0]) > 190_000
    body = articles["text"][0]
    assert len(attributions) > 100
    assert attributions["attribution_index"].tolist() == list(range(len(attributions)))
    assert attributions["content_start"].max() > 150_000  # the later pieces are found too, with whole-text offsets
    for row in attributions.itertuples():
        assert body[row.content_start:row.content_end] == row.content


def test_broken_inputs_each_keep_their_row(tmp_path, capsys):
    folder = tmp_path / "in" / "meridian-wire"
    folder.mkdir(parents=True)
    good = json.dumps({"text": "Officials said on Friday that the talks in Budapest would go ahead as planned, "
                                "and the minister told reporters that everyone was ready for them."})
    (folder / "feed.jsonl").write_text(good + "\n{\"text\": \"cut off\n" + good.replace("Friday", "Monday") + "\n",
                                       encoding="utf-8")
    (folder / "table.csv").write_text("headline,url\nA title,https://x.example/a\nB,https://x.example/b\n",
                                      encoding="utf-8")
    (folder / "page.html").write_text(_html("Officials said on Friday that the talks would go ahead &amp; "
                                            "that the “summit” was &#8220;ready&#8221; for everyone.",
                                            HTML_PIECES), encoding="utf-8")
    assert main(["analyze", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    articles = pd.read_csv(tmp_path / "out" / "articles.csv")
    by_file = articles.groupby(articles["source_path"].map(lambda p: Path(p).name))["status"].apply(list).to_dict()
    assert by_file["feed.jsonl"] == ["ok", "unreadable", "ok"]
    assert by_file["table.csv"] == ["unreadable"]
    assert len(by_file["page.html"]) == 1
    assert "no text column" in articles.loc[articles["format"] == "csv", "problem"].iloc[0]


# ------------------------------------------------------------------------------------------- network

def test_analyze_opens_no_network_connection(tmp_path, monkeypatch):
    """pytest-socket blocks sockets during a whole run (pipeline loading included); every attempt is also
    recorded, in case a library swallows the error."""
    import toolkit.nlp
    from pytest_socket import disable_socket, enable_socket

    attempts = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(*args, **kwargs):
        attempts.append(("getaddrinfo", args))
        return real_getaddrinfo(*args, **kwargs)

    corpus = tmp_path / "corpus"
    for outlet in ("liberty-forge", "kyiv-ledger", "vostok-herald"):  # HTML, CSV, JSON Lines
        shutil.copytree(DEMO_CORPUS / outlet, corpus / outlet)
    toolkit.nlp.load_pipeline.cache_clear()
    disable_socket(allow_unix_socket=False)
    guarded = socket.socket

    class RecordingSocket(guarded):
        def __new__(cls, *args, **kwargs):
            attempts.append(("socket", args))
            return guarded.__new__(cls, *args, **kwargs)

    monkeypatch.setattr(socket, "socket", RecordingSocket)
    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    try:
        code = main(["analyze", str(corpus), "--out", str(tmp_path / "out"), "--no-progress", "--format", "both"])
    finally:
        monkeypatch.undo()
        enable_socket()
    assert code == 0
    assert attempts == []
    assert (tmp_path / "out" / "attributions.parquet").is_file()


# -------------------------------------------------------------------------------------- killed runs

@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    for outlet in ("meridian-wire", "vostok-herald"):  # 12 articles
        shutil.copytree(DEMO_CORPUS / outlet, folder / outlet)
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial") or p.name == ".spool")


def test_a_run_that_dies_midway_leaves_the_old_outputs_whole_and_a_rerun_is_right(corpus, tmp_path, monkeypatch):
    import toolkit.analysis

    out = tmp_path / "out"
    analyze_corpus(corpus, out, batch_size=3, progress=False)
    before = outputs(out)
    for path in sorted((corpus / "meridian-wire").glob("*.txt"))[:4]:  # change four articles
        path.write_text(path.read_text(encoding="utf-8").replace(" said", " stated"), encoding="utf-8")

    calls = []
    real = toolkit.analysis.analyze_articles  # the engine looks it up there for each batch

    def dies_on_second_batch(articles, **kwargs):
        calls.append(len(articles))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(articles, **kwargs)

    monkeypatch.setattr(toolkit.analysis, "analyze_articles", dies_on_second_batch)
    with pytest.raises(RuntimeError, match="killed"):
        analyze_corpus(corpus, out, batch_size=3, progress=False)
    monkeypatch.undo()
    assert outputs(out) == before  # the old outputs are untouched, whole
    assert leftovers(out) == [".spool"]

    again = analyze_corpus(corpus, out, batch_size=3, progress=False)
    assert again.analysed == 1 and again.cached == 11  # the first changed batch was cached before the failure
    analyze_corpus(corpus, tmp_path / "fresh", cache=False, progress=False)
    assert outputs(out) == outputs(tmp_path / "fresh")
    assert leftovers(out) == []


def test_a_killed_process_leaves_nothing_a_rerun_trusts(corpus, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "toolkit", "analyze", str(corpus), "--out", str(out),
                                "--no-progress", "--batch-size", "2", "--format", "both"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list((out / ".spool").glob("attributions-*")):
            if process.poll() is not None:
                pytest.fail("the run ended before it could be killed")
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert not [p for p in out.iterdir() if p.is_file() and not p.name.endswith(".partial")]
    analyze_corpus(corpus, out, batch_size=5, formats=["both"], progress=False)
    analyze_corpus(corpus, tmp_path / "fresh", formats=["both"], cache=False, progress=False)
    assert outputs(out) == outputs(tmp_path / "fresh")
    assert leftovers(out) == []


def test_damaged_cache_entries_and_leftover_files_are_not_trusted(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    analyze_corpus(corpus, out, progress=False)
    reference = outputs(out)
    with sqlite3.connect(out / ".cache" / "analysis.sqlite") as db:  # half-written and garbled entries
        db.execute("UPDATE results SET value = substr(value, 1, 50) WHERE rowid % 2 = 0")
        db.execute("UPDATE results SET value = zeroblob(length(value)) WHERE rowid % 2 = 1")
    (out / "attributions.csv.partial").write_text("article_id\nbogus\n", encoding="utf-8")
    (out / ".spool").mkdir()
    (out / ".spool" / "attributions-000000.pkl").write_bytes(b"not a pickle")
    again = analyze_corpus(corpus, out, progress=False)
    assert (again.analysed, again.cached) == (12, 0)
    assert outputs(out) == reference and leftovers(out) == []

    (out / ".cache" / "analysis.sqlite").write_bytes(b"this is not a database" * 100)
    analyze_corpus(corpus, out, progress=False)
    assert "damaged" in capsys.readouterr().err
    assert outputs(out) == reference
