"""The extractor against the demo gold: the issue's bars, measured by the same code as `toolkit evaluate demo`.

A regression guard, not a timing: if a change to the rules lowers content F1, speaker or country accuracy
below the bars, this fails."""

from __future__ import annotations

import pytest

from toolkit.evaluation_runs import run_evaluation


@pytest.fixture(scope="module")
def demo_scores():
    tables, _ = run_evaluation("demo", progress=False)
    return tables


def overall(table, **where):
    rows = table[table["outlet"] == "(all)"]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return rows.iloc[0]


def test_content_f1_at_lenient_overlap(demo_scores):
    assert overall(demo_scores["content"], threshold=0.3)["f1"] >= 0.92


def test_speaker_and_country_accuracy(demo_scores):
    speaker = overall(demo_scores["speaker"])
    assert speaker["speaker_accuracy"] >= 0.95
    assert speaker["country_accuracy"] >= 0.97


def test_every_outlet_is_scored(demo_scores):
    outlets = set(demo_scores["content"]["outlet"]) - {"(all)"}
    assert len(outlets) == 6
    assert demo_scores["content"].query("threshold == 0.3")["f1"].min() >= 0.85
