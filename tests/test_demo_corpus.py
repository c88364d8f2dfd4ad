"""The bundled demo corpus loads end to end: every body sentence survives cleaning, the furniture is gone,
and title, byline and outlet are right. Expected values are read from the source files themselves
(front matter, export fields, HTML markup) and from tests/data/demo_furniture.json, not from the cleaner."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import lxml.html
import pytest

from toolkit import load_corpus
from toolkit.paths import DEMO_CORPUS
from toolkit.readers import split_front_matter

FURNITURE = json.loads((Path(__file__).parent / "data" / "demo_furniture.json").read_text(encoding="utf-8"))
OUTLET_BY_FOLDER = {
    "meridian-wire": "Meridian Wire", "vostok-herald": "Vostok Herald", "danube-nation": "Danube Nation",
    "kyiv-ledger": "Kyiv Ledger", "crescent-dispatch": "Crescent Dispatch", "liberty-forge": "Liberty Forge",
}
HTML_BODY = "//article//p[not(ancestor-or-self::*[contains(@class,'nl') or contains(@class,'byline') or contains(@class,'newsletter') or contains(@class,'share') or contains(@class,'meta')])] | //article//blockquote"
LIBERTY_BODY = "//div[contains(@class,'post-content')]//p[not(ancestor-or-self::*[contains(@class,'newsletter') or contains(@class,'byline') or contains(@class,'share') or contains(@class,'comments')])]"
CREDIT_LINE = re.compile(r"^\((?:Reporting|Editing|Additional reporting)\b.*\)$")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?…”\"])\s+(?=[A-Z“\"‘'])", squash(paragraph)) if s]


def expected_articles() -> list[dict]:
    """Title, byline, outlet and body paragraphs of every demo article, read from its source."""
    found = []
    for path in sorted(DEMO_CORPUS.rglob("*")):
        folder = path.relative_to(DEMO_CORPUS).parts[0]
        outlet = OUTLET_BY_FOLDER[folder]
        relative = str(path.relative_to(DEMO_CORPUS.parent))
        if path.suffix == ".txt" and relative in FURNITURE:
            spec = FURNITURE[relative]
            lines = [ln.strip() for ln in path.read_bytes().decode("utf-8" if b"\xe2" in path.read_bytes() else "cp1252").splitlines()]
            start = next(i for i, ln in enumerate(lines) if ln.startswith(spec["first_body_sentence"]))
            end = next(i for i, ln in enumerate(lines) if ln.endswith(spec["last_body_sentence"]))
            body = [ln for ln in lines[start:end + 1] if ln]
            found.append(dict(path=path, outlet=outlet, title=spec["title"], byline=spec["byline"], body=body,
                              furniture=spec["furniture"]))
        elif path.suffix == ".txt":
            meta, body = split_front_matter(path.read_text(encoding="utf-8"))
            paragraphs = [p for p in body.split("\n\n") if p.strip() and not CREDIT_LINE.match(p.strip())]
            found.append(dict(path=path, outlet=outlet, title=meta["title"], byline=meta["byline"], body=paragraphs))
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                found.append(dict(path=path, outlet=outlet, title=record["title"], byline=record["author"],
                                  body=record["text"].split("\n\n")))
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                for record in csv.DictReader(handle):
                    found.append(dict(path=path, outlet=outlet, title=record["headline"], byline=record["byline"],
                                      body=record["body"].split("\n\n")))
        elif path.suffix == ".html":
            tree = lxml.html.fromstring(path.read_bytes())
            xpath = LIBERTY_BODY if folder == "liberty-forge" else HTML_BODY
            body = [p.text_content() for p in tree.xpath(xpath) if p.text_content().strip()]
            title = tree.xpath("//meta[@property='og:title']/@content")[0]
            author = tree.xpath("//meta[@name='author']/@content")[0]
            found.append(dict(path=path, outlet=outlet, title=title, byline=author, body=body))
    return found


EXPECTED = expected_articles()


@pytest.fixture(scope="module")
def demo_articles():
    return load_corpus(DEMO_CORPUS)


def loaded_row(demo_articles, expected):
    rows = demo_articles[(demo_articles.source_path == str(expected["path"])) & (demo_articles.title == expected["title"])]
    assert len(rows) == 1, f"{expected['path'].name}: {expected['title']!r} not loaded exactly once"
    return rows.iloc[0]


def test_demo_corpus_size(demo_articles):
    assert len(EXPECTED) == len(demo_articles) >= 30
    assert (demo_articles.status == "ok").all(), demo_articles[demo_articles.status != "ok"][["source_path", "problem"]]
    assert demo_articles.outlet.nunique() >= 6
    assert demo_articles.article_id.is_unique


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: f"{e['path'].name}:{e['title'][:30]}")
def test_every_body_sentence_survives_cleaning(demo_articles, expected):
    assert len(expected["body"]) >= 5, "the source's body could not be read: fix the test's selectors"
    text = squash(loaded_row(demo_articles, expected).text)
    missing = [s for p in expected["body"] for s in sentences(p) if s not in text]
    assert not missing


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: f"{e['path'].name}:{e['title'][:30]}")
def test_title_byline_and_outlet(demo_articles, expected):
    row = loaded_row(demo_articles, expected)
    assert (row.outlet, row.title, row.byline) == (expected["outlet"], expected["title"], expected["byline"])
    assert row.published.startswith("2025-10-")


@pytest.mark.parametrize("expected", [e for e in EXPECTED if "furniture" in e], ids=lambda e: e["path"].name)
def test_raw_copies_lose_their_furniture(demo_articles, expected):
    row = loaded_row(demo_articles, expected)
    paragraphs = set(row.text.split("\n\n"))
    assert not paragraphs & set(expected["furniture"])
    assert expected["title"] not in paragraphs
    removed = {line["text"] for line in row.removed_lines}
    assert set(expected["furniture"]) <= removed
    assert row.byline_credits_agency


def test_html_pages_lose_navigation_and_footer(demo_articles):
    pages = demo_articles[demo_articles.format == "html"]
    assert len(pages) == 12
    for text in pages.text:
        assert "©" not in text and "cookie" not in text.lower() and "Most read" not in text
