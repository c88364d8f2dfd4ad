"""Loaders of the evaluation data sets: small synthetic folders always, the real data when ../shared is there."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from toolkit.datasets import (
    find_normalised, is_speech_cue, load_basil, load_demo_gold, load_polnear, shared_data_dir, speaker_last_name,
)

REPO = Path(__file__).resolve().parents[1]
DEMO_GOLD = REPO / "data" / "demo" / "gold"


# ------------------------------------------------------------------------------------------ speech cues


@pytest.mark.parametrize("cue", ["said", "says", "saying", "has told", "tweeted:", "According to", "pointed out",
                                 "pointed it out", ":", "continued:", "―", "criticised", "denied", "slammed",
                                 "said in a phone interview", "testified"])
def test_speech_cues(cue):
    assert is_speech_cue(cue)


@pytest.mark.parametrize("cue", ["believes", "wants", "shows", "found", "pointed to", "The implication is clear:",
                                 "", None])
def test_non_speech_cues(cue):
    assert not is_speech_cue(cue)


def test_find_normalised_ignores_whitespace_and_quote_style():
    text = "He said “it’s  fine,”\nand  left. He said \"it's fine,\" again."
    found = find_normalised(text, "\"it's fine,\" and left.")
    assert found == [(8, 32)]
    assert text[found[0][0]:found[0][1]] == "“it’s  fine,”\nand  left."
    assert len(find_normalised(text, "it's fine")) == 2
    assert find_normalised(text, "IT'S FINE") == []
    assert len(find_normalised(text, "IT'S FINE", fold_case=True)) == 2


def test_speaker_last_name():
    assert speaker_last_name("Donald_Trump") == "Trump"
    assert speaker_last_name("other_pro") is None
    assert speaker_last_name("") is None


# ------------------------------------------------------------------------------- synthetic PolNeAR folder


def write_polnear(root: Path) -> None:
    text = "Headline here.\n\n“Yes,” he said, “we will.” Ann Lee believes that taxes fall.\n"
    (root / "dev" / "text").mkdir(parents=True)
    (root / "dev" / "attributions").mkdir(parents=True)
    (root / "dev" / "text" / "nyt_2016-01-01_story.txt").write_text(text, encoding="utf-8", newline="")
    quote_a, quote_b = text.index("“Yes,”"), text.index("“we will.”")
    belief = text.index("that taxes")
    ann = "\n".join([
        f"T1\tContent {quote_a} {quote_a + 6};{quote_b} {quote_b + 10}\t“Yes,” “we will.”",
        f"T2\tSource {quote_a + 7} {quote_a + 9}\the",
        f"T3\tCue {quote_a + 10} {quote_a + 14}\tsaid",
        f"T4\tAttribution {quote_a + 10} {quote_a + 14}\tsaid",
        "E1\tAttribution:T4 Content:T1 Cue:T3 Source:T2",
        f"T5\tContent {belief} {belief + 21}\tthat taxes fall",
        f"T6\tCue {belief - 9} {belief - 1}\tbelieves",
        f"T7\tAttribution-no-source {belief - 9} {belief - 1}\tbelieves",
        "E2\tAttribution-no-source:T7 Content:T5 Cue:T6",
        "E3\tAttribution-no-source:T7 ",
    ])
    (root / "dev" / "attributions" / "nyt_2016-01-01_story_beef.ann").write_text(ann + "\n", encoding="utf-8")
    (root / "dev" / "attributions" / "nyt_2016-01-01_story_zzzz.ann").write_text("", encoding="utf-8")
    (root / "metadata.tsv").write_text(
        "compartment\tfilename\tpublisher\ttitle\ndev\tnyt_2016-01-01_story\tnyt\tHeadline here\n", encoding="utf-8")


def test_load_polnear_synthetic(tmp_path):
    write_polnear(tmp_path)
    articles, gold = load_polnear(tmp_path)
    assert articles[["article_id", "outlet", "title", "status"]].iloc[0].tolist() == [
        "nyt_2016-01-01_story", "New York Times", "Headline here", "ok"]
    text = articles["text"].iloc[0]
    assert gold["annotator"].unique().tolist() == ["beef"]  # first annotator in sorted order
    assert gold["event_id"].tolist() == ["E1", "E2"]  # the event without content is skipped
    assert gold.attrs["skipped_events"] == 1
    quote, belief = gold.iloc[0], gold.iloc[1]
    assert text[quote["content_start"]:quote["content_end"]] == "“Yes,” he said, “we will.”"
    assert (quote["n_fragments"], quote["source_text"], quote["is_speech"]) == (2, "he", True)
    assert text[quote["source_start"]:quote["source_end"]] == "he"
    assert pd.isna(belief["source_start"]) and pd.isna(gold["source_text"].iloc[1])
    assert (belief["cue_text"], bool(belief["is_speech"])) == ("believes", False)


# --------------------------------------------------------------------------------- synthetic BASIL folder


def test_load_basil_synthetic(tmp_path):
    (tmp_path / "articles" / "2012").mkdir(parents=True)
    (tmp_path / "annotations" / "2012").mkdir(parents=True)
    article = {"title": "T", "source": "FOX", "triplet-uuid": "u",
               "body-paragraphs": [["First sentence.", "He called it “a  total disaster.”"], ["Again: a total disaster."]]}
    (tmp_path / "articles" / "2012" / "x_1.json").write_text(json.dumps(article), encoding="utf-8")
    phrases = [{"id": "p1", "txt": "\"a total disaster.\"", "quote": "yes", "speaker": "Mitt_Romney", "start": 13},
               {"id": "p2", "txt": "missing words", "quote": "no", "speaker": "", "start": 0}]
    (tmp_path / "annotations" / "2012" / "x_1_ann.json").write_text(
        json.dumps({"phrase-level-annotations": phrases}), encoding="utf-8")
    articles, table = load_basil(tmp_path)
    text = articles["text"].iloc[0]
    assert text == "First sentence. He called it “a  total disaster.”\n\nAgain: a total disaster."
    assert articles["outlet"].tolist() == ["Fox News"]
    first, second = table.iloc[0], table.iloc[1]
    # located without its quotation marks, at the first of two occurrences (the annotation's sentence offset)
    assert text[first["phrase_start"]:first["phrase_end"]] == "a  total disaster"  # quotation marks and the punctuation beside them are trimmed
    assert (bool(first["quote"]), first["speaker_last_name"]) == (True, "Romney")
    assert not second["found"] and pd.isna(second["phrase_start"])
    assert load_basil(tmp_path, years=[2011])[0].empty


# ----------------------------------------------------------------------------------- synthetic demo gold


def demo_articles() -> pd.DataFrame:
    return pd.DataFrame({
        "article_id": ["a1", "a2"], "outlet": ["Meridian Wire", "Meridian Wire"],
        "title": ["Call ‘very productive’", "Other"],
        "text": ["Trump said the call was “very\nproductive”. Later he said the call was “very productive”.", "x"],
        "source_path": ["data/demo/articles/meridian-wire/a.txt", "data/demo/articles/meridian-wire/b.txt"],
        "status": ["ok", "ok"],
    })


def gold_record(**changes) -> dict:
    record = {"file": "articles/meridian-wire/a.txt", "title": "Call 'very productive'", "kind": "mixed",
              "speaker": "Donald Trump", "speaker_text": "he", "speaker_type": "person", "speaker_country": "US",
              "speaker_role": "official", "via": None, "cue": "say", "cue_text": "said",
              "content": "the call was \"very productive\"", "occurrence": 2}
    return {**record, **changes}


def test_load_demo_gold_locates_the_stated_occurrence(tmp_path):
    (tmp_path / "meridian-wire.jsonl").write_text(
        json.dumps(gold_record()) + "\n" + json.dumps(gold_record(occurrence=1)) + "\n", encoding="utf-8")
    articles = demo_articles()
    gold = load_demo_gold(tmp_path, articles)
    text = articles["text"].iloc[0]
    assert gold["article_id"].tolist() == ["a1", "a1"]
    assert [text[s:e] for s, e in zip(gold["content_start"], gold["content_end"])] == [
        "the call was “very\nproductive”", "the call was “very productive”"]
    assert gold["occurrence"].tolist() == [1, 2]
    pd.testing.assert_frame_equal(articles, demo_articles())


@pytest.mark.parametrize("changes", [{"content": "the call was great"}, {"occurrence": 3},
                                     {"title": "No such title"}, {"file": "articles/meridian-wire/zz.txt"}])
def test_load_demo_gold_raises_when_a_record_does_not_line_up(tmp_path, changes):
    (tmp_path / "meridian-wire.jsonl").write_text(json.dumps(gold_record(**changes)) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Call 'very productive'|No such title"):
        load_demo_gold(tmp_path, demo_articles())


# ------------------------------------------------------------------------------------------- real data


def test_shared_data_dir_points_beside_the_repository():
    found = shared_data_dir()
    assert found is None or found == REPO.parent / "shared" / "data"


def test_polnear_dev_loads_and_offsets_hold(shared_dir):
    articles, gold = load_polnear(shared_dir / "data" / "polnear", "dev")
    assert 80 <= len(articles) <= 90
    assert articles["outlet"].nunique() == 7
    assert len(gold) > 1500 and 0.3 < gold["is_speech"].mean() < 0.9
    texts = dict(zip(articles["article_id"], articles["text"]))
    lengths = gold["article_id"].map(lambda a: len(texts[a]))
    assert ((gold["content_start"] >= 0) & (gold["content_start"] < gold["content_end"])
            & (gold["content_end"] <= lengths)).all()
    with_source = gold.dropna(subset=["source_start"])
    assert (with_source["source_end"] <= lengths[with_source.index]).all()
    single = gold[gold["n_fragments"] == 1]
    assert all(texts[a][s:e] == t for a, s, e, t in zip(single["article_id"], single["content_start"],
                                                        single["content_end"], single["content_text"]))
    assert gold.groupby("article_id")["annotator"].nunique().max() == 1


def test_basil_loads_and_locates_quotes(shared_dir):
    articles, phrases = load_basil(shared_dir / "data" / "basil")
    assert len(articles) == 150
    assert sorted(articles["outlet"].unique()) == ["Fox News", "HuffPost", "New York Times"]
    quotes = phrases[phrases["quote"] & (phrases["txt"].str.strip().str.len() >= 12)]
    located = quotes["found"].mean()
    print(f"BASIL: {len(quotes)} quote phrases >= 12 chars, {located:.1%} located")
    assert len(quotes) > 250 and located >= 0.95


def test_demo_gold_lines_up_with_the_demo_corpus():
    if not DEMO_GOLD.is_dir() or not any(DEMO_GOLD.glob("*.jsonl")):
        pytest.skip("data/demo/gold is not written yet")
    from toolkit import load_corpus

    articles = load_corpus(REPO / "data" / "demo" / "articles")
    gold = load_demo_gold(DEMO_GOLD, articles)
    assert len(gold) > 0
    assert (gold["content_start"] < gold["content_end"]).all()
