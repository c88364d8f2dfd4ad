"""Loading a corpus: every input document gives exactly one row, with a status and a problem to act on."""

from __future__ import annotations

import gzip
import json
import os

import pandas as pd
import pytest

from toolkit import ARTICLE_COLUMNS, load_corpus

BODY = (
    "BUDAPEST — Hungary's government said on Friday that preparations for a summit between the US and Russian "
    "presidents were under way in the capital.\n\n"
    "“We are ready to host the talks,” said Eszter Farkas, a researcher at the invented Danube Policy Institute. "
    "She added that the city had hosted such meetings before and would do so again if the leaders agreed.\n\n"
    "Officials in Kyiv said they would watch the preparations closely and urged Washington to keep its promises."
)


def write(path, content, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding)
    return path


def front_matter(title="Budapest readies for a summit", outlet="Meridian Wire", url="https://meridianwire.example/a"):
    return f"---\noutlet: {outlet}\ntitle: {title}\nurl: {url}\npublished: 2025-10-17T08:00:00Z\nbyline: By Kata Nagy\n---\n"


def only_row(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1, frame[["source_path", "status", "problem"]]
    return frame.iloc[0]


def test_text_with_front_matter(tmp_path):
    row = only_row(load_corpus(write(tmp_path / "a.txt", front_matter() + BODY)))
    assert list(row.index) == ARTICLE_COLUMNS
    assert (row.status, row.outlet, row.title, row.byline) == ("ok", "Meridian Wire", "Budapest readies for a summit", "By Kata Nagy")
    assert row.published == "2025-10-17"
    assert row.url == "https://meridianwire.example/a"
    assert row.dateline == "BUDAPEST"
    assert row.text == BODY
    assert row.n_words == len(BODY.split())
    assert pd.isna(row.problem)


def test_empty_file_gives_empty_row(tmp_path):
    row = only_row(load_corpus(write(tmp_path / "empty.txt", "")))
    assert row.status == "empty"
    assert "no text" in row.problem


def test_furniture_only_file_is_empty_and_says_why(tmp_path):
    row = only_row(load_corpus(write(tmp_path / "menu.txt", "Loading...\nAccept\nShare\nComments0\n")))
    assert row.status == "empty"
    assert "after removing page furniture" in row.problem
    assert row.n_removed_lines == 4


def test_binary_junk_is_unreadable(tmp_path):
    junk = bytes(range(256)) * 40
    row = only_row(load_corpus(write(tmp_path / "junk.txt", junk)))
    assert row.status == "unreadable"
    assert "binary" in row.problem


def test_legacy_encoding_is_detected(tmp_path):
    text = front_matter() + BODY.replace("'", "’")
    row = only_row(load_corpus(write(tmp_path / "cp1252.txt", text.encode("cp1252"))))
    assert row.status == "ok"
    assert row.encoding == "cp1252"
    assert "“We are ready to host the talks,” said Eszter Farkas" in row.text
    assert "Hungary’s government" in row.text


def test_html_without_article_is_empty(tmp_path):
    page = ("<html><head><title>Search results</title></head><body><nav><a href='/'>Home</a>"
            "<a href='/world'>World</a></nav><form><input name='q'></form><footer>© 2025</footer></body></html>")
    row = only_row(load_corpus(write(tmp_path / "search.html", page)))
    assert row.status == "empty"
    assert "web page" in row.problem


def test_html_article_is_extracted_with_metadata(tmp_path):
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
    page = (
        "<!DOCTYPE html><html><head><title>Budapest readies | Danube Nation</title>"
        "<meta property='og:site_name' content='Danube Nation'><meta name='author' content='Kata Nagy'>"
        "<meta property='article:published_time' content='2025-10-17T08:15:00+02:00'>"
        "<link rel='canonical' href='https://danubenation.example/2025/10/17/budapest'>"
        "<script>var tracking = 1;</script></head><body><nav><a href='/'>Home</a></nav>"
        "<div class='cookie'>We use cookies to improve your experience. <button>Accept</button></div>"
        f"<article><h1>Budapest readies</h1>{paragraphs}</article>"
        "<aside><h3>Most read</h3><ul><li>Another headline entirely</li></ul></aside>"
        "<footer>© 2025 Danube Nation. All rights reserved.</footer></body></html>"
    )
    row = only_row(load_corpus(write(tmp_path / "page.html", page)))
    assert (row.status, row.outlet, row.byline) == ("ok", "Danube Nation", "Kata Nagy")
    assert row.url == "https://danubenation.example/2025/10/17/budapest"
    assert row.published == "2025-10-17"
    for paragraph in BODY.split("\n\n"):
        assert paragraph in row.text
    assert "tracking" not in row.text and "cookies" not in row.text and "Most read" not in row.text


def test_five_megabyte_text_file_is_read(tmp_path):
    paragraph = BODY.split("\n\n")[2]
    big = front_matter() + "\n\n".join(f"{paragraph} ({i})" for i in range(45000))
    assert len(big.encode()) > 5_000_000
    row = only_row(load_corpus(write(tmp_path / "big.txt", big)))
    assert row.status == "ok"
    assert row.n_words > 500_000


def test_same_article_twice_is_marked_duplicate(tmp_path):
    write(tmp_path / "one.txt", front_matter() + BODY)
    write(tmp_path / "two.txt", front_matter() + BODY)
    frame = load_corpus(tmp_path)
    assert list(frame.status) == ["ok", "duplicate"]
    assert frame.article_id.iloc[0] in frame.problem.iloc[1]
    assert frame.article_id.is_unique


def test_same_url_with_updated_text_is_duplicate(tmp_path):
    write(tmp_path / "v1.txt", front_matter() + BODY)
    write(tmp_path / "v2.txt", front_matter() + BODY + "\n\nThis story has been updated with a statement from the Kremlin.")
    assert list(load_corpus(tmp_path).status) == ["ok", "duplicate"]


def test_not_english(tmp_path):
    german = ("Der amerikanische Präsident und der russische Präsident haben am Donnerstag zweieinhalb Stunden "
              "lang telefoniert. Beide Seiten sprachen von einem Gipfeltreffen in Budapest, das in den kommenden "
              "Wochen stattfinden könnte. Die ungarische Regierung erklärte, sie sei bereit, die Gespräche auszurichten.")
    row = only_row(load_corpus(write(tmp_path / "de.txt", front_matter() + german)))
    assert row.status == "not_english"
    assert "'de'" in row.problem


def test_article_id_is_stable_across_runs_and_paths(tmp_path):
    write(tmp_path / "x" / "a.txt", front_matter() + BODY)
    write(tmp_path / "raw.txt", BODY)  # no URL: the id hashes outlet and text
    first = load_corpus([tmp_path / "x", tmp_path / "raw.txt"], outlet="Meridian Wire")
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        second = load_corpus(["x", "raw.txt"], outlet="Meridian Wire")
    finally:
        os.chdir(cwd)
    assert list(first.article_id) == list(second.article_id)
    assert first.article_id.str.fullmatch(r"[0-9a-f]{16}(-\d+)?").all()


def test_folder_name_gives_outlet_when_nothing_else_does(tmp_path):
    write(tmp_path / "crescent-dispatch" / "2025" / "story.txt", BODY)
    write(tmp_path / "some-blog" / "story.txt", BODY.replace("Friday", "Saturday"))
    write(tmp_path / "named.txt", front_matter(outlet="Kyiv Ledger", url="https://kyivledger.example/x") + BODY.replace("Friday", "Monday"))
    frame = load_corpus(tmp_path)
    assert list(frame.outlet) == ["Crescent Dispatch", "Kyiv Ledger", "Some Blog"]  # sorted paths


def test_url_domain_gives_outlet(tmp_path):
    record = {"title": "Call", "url": "https://www.vostokherald.example/world/call", "text": BODY}
    row = only_row(load_corpus(write(tmp_path / "export.jsonl", json.dumps(record) + "\n")))
    assert row.outlet == "Vostok Herald"


def test_jsonl_with_one_corrupt_line_keeps_every_document(tmp_path):
    good = [json.dumps({"title": f"Story {i}", "url": f"https://x.example/{i}", "text": BODY + f" Number {i}."}) for i in range(3)]
    lines = [good[0], '{"title": "broken", "text": "unterminated', good[1], "", good[2]]
    frame = load_corpus(write(tmp_path / "feed.jsonl", "\n".join(lines)), outlet="Feed")
    assert list(frame.status) == ["ok", "unreadable", "ok", "ok"]
    assert frame.problem.iloc[1].startswith("line 2 is not valid JSON")
    assert list(frame.record) == [0, 1, 2, 4]


def test_csv_without_text_column_names_the_columns(tmp_path):
    path = write(tmp_path / "export.csv", "headline,link\nCall,https://x.example/1\n")
    row = only_row(load_corpus(path))
    assert row.status == "unreadable"
    assert "no text column" in row.problem and "headline, link" in row.problem and "--text-column" in row.problem


def test_csv_with_configured_column_names(tmp_path):
    frame = pd.DataFrame({"story_body": [BODY], "hed": ["Budapest readies"], "site": ["Kyiv Ledger"]})
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    row = only_row(load_corpus(path, text_column="story_body", title_column="hed", outlet_column="site"))
    assert (row.status, row.title, row.outlet, row.text) == ("ok", "Budapest readies", "Kyiv Ledger", BODY)


def test_allsides_layout_gz_works_without_options(tmp_path):
    record = {"ID": "abc", "source": "New York Times - News", "source_url": "www.nytimes.com",
              "url": "http://www.nytimes.com/2018/07/16/world/europe/trump-putin.html", "date": "2018-07-16",
              "authors": "A. Writer", "title": "Trump and Putin meet in Helsinki", "topic": "politics",
              "bias_text": "left", "content_original": BODY}
    path = tmp_path / "articles.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps(record) + "\n").encode()))
    row = only_row(load_corpus(path))
    assert (row.status, row.title, row.published, row.byline) == ("ok", "Trump and Putin meet in Helsinki", "2018-07-16", "A. Writer")
    assert row.outlet == "New York Times"  # the registry maps the AllSides source name
    assert row.text == BODY


def test_parquet_and_json_inputs(tmp_path):
    frame = pd.DataFrame({"title": ["A", "B"], "text": [BODY, BODY + " More."], "outlet": ["Meridian Wire", "Meridian Wire"]})
    frame.to_parquet(tmp_path / "a.parquet")
    write(tmp_path / "b.json", json.dumps({"articles": [{"title": "C", "content": BODY + " Other.", "source": "Kyiv Ledger"}]}))
    loaded = load_corpus(tmp_path)
    assert list(loaded.title) == ["A", "B", "C"]
    assert list(loaded.status) == ["ok", "ok", "ok"]
    assert list(loaded.format) == ["parquet", "parquet", "json"]


def test_damaged_gzip_and_unsupported_type_get_rows(tmp_path):
    write(tmp_path / "broken.jsonl.gz", b"\x1f\x8b\x08\x00garbage")
    write(tmp_path / "notes.docx", b"PK\x03\x04")
    write(tmp_path / "style.css", "body {}")
    frame = load_corpus(tmp_path)
    assert list(frame.status) == ["unreadable", "unreadable"]
    assert "gzip" in frame.problem.iloc[0]
    assert "unsupported file type '.docx'" in frame.problem.iloc[1]
    assert frame.attrs["ignored_files"] == [str(tmp_path / "style.css")]


def test_missing_path_gets_a_row(tmp_path):
    row = only_row(load_corpus(tmp_path / "nowhere.txt"))
    assert row.status == "unreadable"
    assert "does not exist" in row.problem


def test_input_frame_is_not_mutated_and_registry_can_be_replaced(tmp_path):
    outlets = pd.DataFrame({"outlet": ["Lakeside Radio"], "domain": ["lakeside.example"], "aliases": ["lakeside"],
                            "country": ["US"], "kind": ["public broadcaster"], "notes": [""]})
    before = outlets.copy()
    write(tmp_path / "a.txt", front_matter(outlet="lakeside", url="https://lakeside.example/x") + BODY)
    row = only_row(load_corpus(tmp_path, outlets=outlets))
    assert row.outlet == "Lakeside Radio"
    pd.testing.assert_frame_equal(outlets, before)


def test_central_european_and_cyrillic_legacy_encodings(tmp_path):
    hungarian = front_matter() + "Győr és Kőszeg polgármesterei szerint a csúcstalálkozó jó hír. " * 5
    russian = front_matter() + "Дмитрий Песков заявил, что подготовка к встрече уже началась. " * 5
    rows = load_corpus([write(tmp_path / "hu.txt", hungarian.encode("cp1250")),
                        write(tmp_path / "ru.txt", russian.encode("cp1251"))])
    assert list(rows.encoding) == ["cp1250", "cp1251"]
    assert "Győr és Kőszeg" in rows.text.iloc[0]
    assert "Дмитрий Песков" in rows.text.iloc[1]


def test_files_without_records_still_get_a_row(tmp_path):
    write(tmp_path / "a.json", "[]")
    write(tmp_path / "b.csv", "title,text\n")
    write(tmp_path / "c.jsonl", "\n\n")
    frame = load_corpus(tmp_path, outlet="Feed")
    assert list(frame.status) == ["empty", "empty", "empty"]


def test_structured_text_field_is_unreadable_and_lists_are_paragraphs(tmp_path):
    records = [{"title": "A", "text": {"body": BODY}}, {"title": "B", "text": BODY.split("\n\n")}]
    frame = load_corpus(write(tmp_path / "x.jsonl", "\n".join(json.dumps(r) for r in records)), outlet="Feed")
    assert list(frame.status) == ["unreadable", "ok"]
    assert "structured data" in frame.problem.iloc[0]
    assert frame.text.iloc[1] == BODY


def test_bad_url_and_local_dates(tmp_path):
    text = front_matter(url="http://[broken").replace("2025-10-17T08:00:00Z", "2025-10-17T22:30:00-05:00") + BODY
    row = only_row(load_corpus(write(tmp_path / "a.txt", text)))
    assert (row.status, row.published) == ("ok", "2025-10-17")


def test_same_wire_story_in_two_outlets_is_two_articles(tmp_path):
    write(tmp_path / "kyiv-ledger" / "a.txt", BODY)
    write(tmp_path / "meridian-wire" / "a.txt", BODY)
    assert list(load_corpus(tmp_path).status) == ["ok", "ok"]
