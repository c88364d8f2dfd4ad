"""Scoring of attributions on small hand-made span tables whose scores are worked out in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from toolkit.evaluate import (
    ALL, fold_continuations, format_report, match_spans, score_basil, score_content, score_demo, score_polnear,
)


def spans(rows: list[tuple], columns: tuple[str, ...] = ("article_id", "content_start", "content_end"),
          **extra: list) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=list(columns))
    return table.assign(**extra)


def pairs(matches: pd.DataFrame) -> list[tuple]:
    return list(zip(matches["pred_index"], matches["gold_index"]))


def row(table: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column] == value
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


# ---------------------------------------------------------------------------------------------- matching


def test_greedy_one_to_one_takes_the_largest_overlap_first():
    # gold 0 = [0, 100), gold 1 = [100, 140)
    # pred 0 = [20, 140): overlaps gold 0 by 80 (0.80 of gold, 0.67 of pred) and gold 1 by 40 (1.0, 0.33)
    # pred 1 = [0, 100):  overlaps gold 0 by 100 (1.0, 1.0)
    # Greedy by overlap at 0.3: pred1-gold0 (100) first, pred0-gold0 (80) is then blocked, pred0-gold1 (40)
    # is taken. Taking pred 0's best pair first (input order) would leave one match only.
    gold = spans([("a", 0, 100), ("a", 100, 140)])
    pred = spans([("a", 20, 140), ("a", 0, 100)])
    matches = match_spans(pred, gold, 0.3)
    assert pairs(matches) == [(1, 0), (0, 1)]
    assert matches["overlap"].tolist() == [100, 40]


def test_overlap_must_cover_the_threshold_of_both_spans():
    # gold [0, 100), pred [0, 50): overlap 50 = 0.5 of gold and 1.0 of pred -> matches at 0.3, not at 0.8
    gold = spans([("a", 0, 100)])
    half = spans([("a", 0, 50)])
    assert len(match_spans(half, gold, 0.3)) == 1
    assert len(match_spans(half, gold, 0.8)) == 0
    # pred [0, 400) covers all of gold but only 0.25 of itself -> no match even at 0.3
    assert len(match_spans(spans([("a", 0, 400)]), gold, 0.3)) == 0


def test_exact_threshold_boundary_matches():
    # gold [0, 10), pred [7, 10): overlap 3 = exactly 0.3 of gold (3 >= 0.3 * 10 despite float rounding)
    assert len(match_spans(spans([("a", 7, 10)]), spans([("a", 0, 10)]), 0.3)) == 1


def test_matches_stay_within_an_article_and_ties_go_to_the_earlier_row():
    gold = spans([("a", 0, 10)], ).set_index(pd.Index([7]))
    pred = spans([("b", 0, 10), ("a", 0, 10), ("a", 0, 10)]).set_index(pd.Index([30, 20, 10]))
    # pred 30 is in another article; preds 20 and 10 tie on overlap 10 -> the earlier row (label 20) wins
    assert pairs(match_spans(pred, gold, 0.3)) == [(20, 7)]


def test_missing_offsets_never_match():
    gold = spans([("a", 0, 10)])
    pred = spans([("a", None, None)])
    assert match_spans(pred, gold, 0.3).empty


# ------------------------------------------------------------------------------------------ content scores


def test_score_content_overall_and_per_outlet():
    # outlet X, article a1: gold [0,10) [20,30); pred [0,10) (match) and [50,60) (false positive)
    # outlet Y, article a2: gold [0,10);          pred [0,9): overlap 9 = 0.9 of gold, 1.0 of pred (match)
    # overall: 3 pred, 3 gold, 2 matches -> P = R = F1 = 2/3 at both thresholds
    # X: P = R = F1 = 1/2; Y: P = R = F1 = 1
    gold = spans([("a1", 0, 10), ("a1", 20, 30), ("a2", 0, 10)], outlet=["X", "X", "Y"])
    pred = spans([("a1", 0, 10), ("a1", 50, 60), ("a2", 0, 9)], outlet=["X", "X", "Y"])
    table = score_content(pred, gold, by="outlet")
    assert table["outlet"].tolist() == [ALL, ALL, "X", "X", "Y", "Y"]
    assert table["threshold"].tolist() == [0.3, 0.8] * 3
    overall = row(table, outlet=ALL, threshold=0.8)
    assert (overall["n_pred"], overall["n_gold"], overall["n_match"]) == (3, 3, 2)
    assert overall["f1"] == pytest.approx(2 / 3)
    assert row(table, outlet="X", threshold=0.3)["precision"] == pytest.approx(0.5)
    assert row(table, outlet="Y", threshold=0.8)["f1"] == pytest.approx(1.0)


def test_score_content_without_groups_and_with_nothing_predicted():
    gold = spans([("a", 0, 10)])
    table = score_content(spans([]), gold, thresholds=(0.5,))
    assert table.columns.tolist()[:2] == ["threshold", "n_pred"]
    assert table.loc[0, "recall"] == 0.0
    assert math.isnan(table.loc[0, "precision"]) and math.isnan(table.loc[0, "f1"])


def test_predictions_matching_ignored_gold_are_neither_true_nor_false_positives():
    # gold [0,10) is speech; gold [20,30) is a belief (ignored)
    # pred [0,10) -> true positive; pred [20,30) -> matches ignored gold, not counted; pred [40,50) -> FP
    # with ignore: n_pred = 3 - 1 = 2, n_gold = 1, n_match = 1 -> P = 1/2, R = 1, F1 = 2/3
    # without:     n_pred = 3, n_gold = 2, n_match = 2 -> P = 2/3, R = 1, F1 = 0.8
    gold = spans([("a", 0, 10), ("a", 20, 30)], is_speech=[True, False])
    pred = spans([("a", 0, 10), ("a", 20, 30), ("a", 40, 50)])
    ignored = score_content(pred, gold, thresholds=(0.3,), ignore=~gold["is_speech"]).iloc[0]
    assert (ignored["n_pred"], ignored["n_gold"], ignored["n_match"], ignored["n_ignored_pred"]) == (2, 1, 1, 1)
    assert ignored["precision"] == pytest.approx(0.5)
    assert ignored["f1"] == pytest.approx(2 / 3)
    plain = score_content(pred, gold, thresholds=(0.3,)).iloc[0]
    assert plain["f1"] == pytest.approx(0.8)


def test_required_gold_is_matched_before_ignored_gold():
    # pred [0,20) overlaps the ignored gold [0,14) by 14 and the required gold [8,20) by 12. Matching all
    # gold at once would give the prediction to the ignored row (larger overlap) and miss the required one;
    # required gold is matched first, so the prediction is a true positive.
    gold = spans([("a", 0, 14), ("a", 8, 20)], is_speech=[False, True])
    table = score_content(spans([("a", 0, 20)]), gold, thresholds=(0.3,), ignore=~gold["is_speech"])
    assert (table.loc[0, "n_match"], table.loc[0, "n_ignored_pred"], table.loc[0, "f1"]) == (1, 0, 1.0)


def test_scoring_does_not_modify_inputs():
    gold = spans([("a", 0, 10), ("a", 0, 10)], outlet=["X", "X"], is_speech=[True, False]).set_index(
        pd.Index([1, 1]))
    pred = spans([("a", 0, 10)], outlet=["X"])
    gold_copy, pred_copy = gold.copy(), pred.copy()
    score_content(pred, gold, by="outlet", ignore="is_speech")
    pd.testing.assert_frame_equal(gold, gold_copy)
    pd.testing.assert_frame_equal(pred, pred_copy)


# ------------------------------------------------------------------------------------------------- demo


def demo_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    gold = spans(
        [("m1", 0, 20), ("m1", 30, 50), ("m1", 60, 80), ("v1", 0, 20)],
        outlet=["Meridian", "Meridian", "Meridian", "Vostok"],
        speaker=["Viktor Orbán", "Yury Ushakov", "Mara Ellison", "Kremlin"],
        speaker_type=["person", "person", "person", "institution"],
        speaker_role=["official", "official", "expert", "official"],
        speaker_country=["HU", "RU", None, "RU"],
    )
    pred = spans(
        [("m1", 0, 20), ("m1", 30, 50), ("m1", 60, 70), ("v1", 100, 120)],
        outlet=["Meridian", "Meridian", "Meridian", "Vostok"],
        speaker=["viktor orban", "Dmitry Peskov", "Mara Ellison", "Kremlin"],
        speaker_country=["hu", "RU", None, "RU"],
        group=["official", "official", "official", "official"],
    )
    return pred, gold


def test_score_demo_speaker_and_country_accuracy():
    # matched at 0.3: m1 [0,20) (Orbán, case/accent-insensitive: correct; HU = hu: correct),
    # m1 [30,50) (Peskov vs Ushakov: wrong; RU: correct), m1 [60,70) vs [60,80) (0.5 of gold: matched;
    # speaker correct; None = None: correct). v1 is not matched (no overlap).
    # overall: 3 matched, speaker 2/3, country 3/3
    pred, gold = demo_tables()
    speaker = score_demo(pred, gold)["speaker"]
    overall = row(speaker, outlet=ALL)
    assert (overall["n_matched"], overall["speaker_correct"], overall["country_correct"]) == (3, 2, 3)
    assert overall["speaker_accuracy"] == pytest.approx(2 / 3)
    assert row(speaker, outlet="Meridian")["country_accuracy"] == 1.0
    assert "Vostok" not in speaker["outlet"].tolist()


def test_score_demo_attribution_mix_with_a_group_function():
    # gold groups: official (role official) x3, expert x1; predicted: all four official.
    # overall: gold official 3/4, expert 1/4; pred official 4/4 -> difference official +0.25, expert -0.25
    pred, gold = demo_tables()
    mix = score_demo(pred, gold, group_of=lambda kind, role, country: role)["mix"]
    official = row(mix, outlet=ALL, group="official")
    assert (official["gold_share"], official["pred_share"]) == (0.75, 1.0)
    assert row(mix, outlet=ALL, group="expert")["difference"] == pytest.approx(-0.25)
    assert row(mix, outlet="Meridian", group="expert")["gold_share"] == pytest.approx(1 / 3)
    assert mix["outlet"].iloc[0] == ALL


# ---------------------------------------------------------------------------------------------- PolNeAR


def test_score_polnear_speaker_agreement():
    # all three gold rows are speech; every prediction matches its gold span exactly.
    # row 0: "Vladimir Putin" shares "putin" with "Russian President Vladimir Putin" -> agrees
    # row 1: "the Kremlin" vs "the president": only the stop word "the" is shared -> disagrees
    # row 2: speaker "he" shares no word with "Ushakov", but its span [95,97) overlaps the source [90,97)
    # -> agrees. Agreement 2/3. A fourth, non-speech gold row matched by a prediction is ignored.
    gold = spans([("a", 0, 20), ("a", 30, 50), ("a", 60, 80), ("a", 200, 220)], outlet="Politico",
                 source_text=["Russian President Vladimir Putin", "the president", "Ushakov", "he"],
                 source_start=[100, 120, 90, 230], source_end=[130, 133, 97, 232],
                 is_speech=[True, True, True, False])
    pred = spans([("a", 0, 20), ("a", 30, 50), ("a", 60, 80), ("a", 200, 220)], outlet="Politico",
                 speaker=["Vladimir Putin", "the Kremlin", "he", "someone"],
                 speaker_text=["Putin", "the Kremlin", "he", "someone"],
                 speaker_start=[None, None, 95, None], speaker_end=[None, None, 97, None])
    result = score_polnear(pred, gold)
    speaker = row(result["speaker"], outlet=ALL)
    assert (speaker["n_matched"], speaker["speaker_agree"]) == (3, 2)
    content = row(result["content"], outlet=ALL, threshold=0.8)
    assert (content["n_pred"], content["n_gold"], content["n_match"], content["n_ignored_pred"]) == (3, 3, 3, 1)
    assert result["spread"]["spread"].tolist() == [0.0, 0.0]


def test_continuations_fold_into_the_attribution_they_carry_on():
    # article a: a direct quote [0,40) carried on by continuations [50,80) and [90,120) -> one span [0,120);
    # an indirect row [130,150) after them is never joined; article b's continuation has no row before it
    # in its own article and stays as it is
    pred = spans([("a", 0, 40), ("a", 90, 120), ("a", 50, 80), ("a", 130, 150), ("b", 10, 30)],
                 kind=["direct", "continuation", "continuation", "indirect", "continuation"])
    folded = fold_continuations(pred)
    assert list(zip(folded.article_id, folded.content_start, folded.content_end, folded.kind)) == [
        ("a", 0, 120, "direct"), ("a", 130, 150, "indirect"), ("b", 10, 30, "continuation")]
    assert list(pred.content_end) == [40, 120, 80, 150, 30]  # the input is not modified


def test_score_polnear_scores_polnear_units():
    # PolNeAR's gold span [0,120) holds a quotation and its continuation paragraph; folded, the two rows are one
    # prediction matching it at 0.8; unfolded, the quotation alone covers a third of it (no match at 0.8) and
    # the continuation is a false positive
    gold = spans([("a", 0, 120)], outlet="Politico", source_text=["Clinton"], source_start=[200],
                 source_end=[207], is_speech=[True])
    pred = spans([("a", 0, 40), ("a", 50, 120)], outlet="Politico", kind=["direct", "continuation"],
                 speaker=["Clinton"] * 2, speaker_text=["Clinton"] * 2)
    folded = row(score_polnear(pred, gold)["content"], outlet=ALL, threshold=0.8)
    plain = row(score_polnear(pred, gold, fold=False)["content"], outlet=ALL, threshold=0.8)
    assert (folded["n_pred"], folded["n_match"]) == (1, 1)
    assert (plain["n_pred"], plain["n_match"]) == (2, 0)


def test_outlet_spread_is_max_minus_min_f1():
    # outlet A: 1 gold, 1 matching pred -> F1 1; outlet B: 2 gold, 1 matching pred -> P 1, R 1/2, F1 2/3
    gold = spans([("a", 0, 10), ("b", 0, 10), ("b", 20, 30)], outlet=["A", "B", "B"], source_text=None,
                 source_start=None, source_end=None, is_speech=True)
    pred = spans([("a", 0, 10), ("b", 0, 10)], outlet=["A", "B"], speaker=None, speaker_text=None)
    spread = score_polnear(pred, gold)["spread"].iloc[0]
    assert (spread["worst"], spread["best"]) == ("B", "A")
    assert spread["spread"] == pytest.approx(1 / 3)


# ------------------------------------------------------------------------------------------------ BASIL


def test_score_basil_coverage_and_speaker():
    articles = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["Fox News", "New York Times"]})
    phrases = pd.DataFrame(
        [
            # a1: 20 chars at [10,30), covered by [0,100) and [5,40): the smaller names Trump -> correct
            ("a1", "“a quote of twenty c”", True, "Donald_Trump", "Trump", True, 10, 30),
            ("a1", "too short", True, "other_pro", None, True, 50, 59),  # < 12 chars: not counted
            ("a1", "never located in text", True, "other_anti", None, False, None, None),  # not located
            ("a2", "a phrase outside any", True, "other_pro", None, True, 50, 80),  # not covered by [0,60)
            ("a2", "not a quote, long text", False, "", None, True, 0, 20),  # not a quote: not counted
            ("a2", "covered, wrong speaker", True, "Joe_Biden", "Biden", True, 100, 130),  # in [90,140)
        ],
        columns=["article_id", "txt", "quote", "speaker", "speaker_last_name", "found", "phrase_start",
                 "phrase_end"],
    ).astype({"phrase_start": "Int64", "phrase_end": "Int64"})
    pred = spans([("a1", 0, 100), ("a1", 5, 40), ("a2", 0, 60), ("a2", 90, 140)],
                 speaker=["unnamed official", "Donald Trump", "someone", "Barack Obama"])
    # overall: 4 phrases, 3 located, 2 covered -> coverage 2/3; 2 named and covered, 1 correct -> 1/2
    # Fox: 2 phrases, 1 located, 1 covered -> 1.0; speaker 1/1. NYT: 2 located, 1 covered; speaker 0/1
    table = score_basil(pred, articles, phrases)
    assert table["outlet"].tolist() == [ALL, "Fox News", "New York Times"]
    overall = row(table, outlet=ALL)
    assert (overall["n_phrases"], overall["n_located"], overall["n_covered"]) == (4, 3, 2)
    assert overall["coverage"] == pytest.approx(2 / 3)
    assert overall["speaker_accuracy"] == pytest.approx(0.5)
    assert row(table, outlet="Fox News")["speaker_accuracy"] == 1.0
    assert row(table, outlet="New York Times")["speaker_accuracy"] == 0.0


# ----------------------------------------------------------------------------------------------- report


def test_format_report_has_headings_and_rounded_ratios():
    table = pd.DataFrame({"outlet": [ALL], "threshold": [0.3], "f1": [2 / 3], "recall": [float("nan")]})
    report = format_report({"content": table, "empty": pd.DataFrame()}, title="PolNeAR dev")
    assert report.startswith("PolNeAR dev\n===========")
    assert "content\n-------" in report and "0.667" in report and "(no rows)" in report
    assert " 0.3 " in report and "0.300" not in report
