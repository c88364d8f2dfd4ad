"""toolkit.compare: statistics checked against values computed by hand on small tables.

Every expected number below is derived in the comments next to it, not copied from the code's output.
Warnings are errors in this module: the functions must be silent on normal input.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit import compare

pytestmark = pytest.mark.filterwarnings("error")

US, RU, EXP = "US officials", "Russian officials", "experts"


# --------------------------------------------------------------------------------------------------------------
# builders of small tables
# --------------------------------------------------------------------------------------------------------------


def attribution_rows(outlet: str, article: str, group: str, n: int = 1, **fields) -> list[dict]:
    base = {"article_id": article, "outlet": outlet, "group": group, "quoted_words": 0, "cue_category": "neutral",
            "speaker": f"speaker of {group}", "speaker_type": "person", "paragraph_index": 1}  # fmt: skip
    return [{**base, **fields} for _ in range(n)]


def frame(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    table["attribution_index"] = table.groupby("article_id").cumcount()
    return table


def split(n: int, parts: int = 3) -> list[int]:
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


def from_table(counts: dict[str, dict[str, int]], articles_per_outlet: int = 3) -> pd.DataFrame:
    """Attributions realising an outlet × group table, each cell spread over the outlet's articles."""
    rows = []
    for outlet, cells in counts.items():
        for group, n in cells.items():
            for i, k in enumerate(split(n, articles_per_outlet)):
                rows += attribution_rows(outlet, f"{outlet}-{i}", group, k)
    return frame(rows)


def articles_for(attributions: pd.DataFrame, extra: list[tuple[str, str]] = ()) -> pd.DataFrame:
    ids = attributions[["article_id", "outlet"]].drop_duplicates()
    more = pd.DataFrame(list(extra), columns=["article_id", "outlet"])
    table = pd.concat([ids, more], ignore_index=True)
    table["title"] = "A headline"
    table["status"] = "ok"
    return table


# 2 × 3 table used in several tests (rows A, B; columns US, RU, experts):
#            US   RU   experts | row
#   A        20   10   10      | 40
#   B        10   20   30      | 60
#   column   30   30   40      | n = 100
# expected = row × column / n:  A: 12 12 16   B: 18 18 24
TABLE_2X3 = {"A": {US: 20, RU: 10, EXP: 10}, "B": {US: 10, RU: 20, EXP: 30}}


# --------------------------------------------------------------------------------------------------------------
# contingency statistics
# --------------------------------------------------------------------------------------------------------------


def test_contingency_statistics_2x2_by_hand():
    # [[10, 20], [30, 40]]: rows 30, 70; columns 40, 60; n = 100; expected [[12, 18], [28, 42]].
    # chi2 = 2²/12 + 2²/18 + 2²/28 + 2²/42 = 4 × (21 + 14 + 9 + 6)/252 = 200/252 = 0.793651
    # G = 2 × (10 ln(10/12) + 20 ln(20/18) + 30 ln(30/28) + 40 ln(40/42))
    # V = sqrt(chi2 / (n × (2 − 1))) = sqrt(200/25200) = 0.0890871
    # bias-corrected: phi² = 0.0079365 < (1 × 1)/(n − 1) = 0.010101, so phi²corr = 0 and V = 0
    res = compare.contingency_statistics(np.array([[10, 20], [30, 40]]), bias_correction=True)
    assert res["chi2"] == pytest.approx(200 / 252)
    assert res["dof"] == 1
    assert res["p_value"] == pytest.approx(stats.chi2.sf(200 / 252, 1))
    assert res["p_value"] == pytest.approx(0.3730, abs=5e-4)
    g = 2 * (10 * math.log(10 / 12) + 20 * math.log(20 / 18) + 30 * math.log(30 / 28) + 40 * math.log(40 / 42))
    assert res["g"] == pytest.approx(g)
    assert res["cramers_v_plain"] == pytest.approx(0.0890871, abs=1e-6)
    assert res["cramers_v"] == 0.0
    assert res["min_expected"] == pytest.approx(12)
    assert res["small_expected"] is False
    plain = compare.contingency_statistics(np.array([[10, 20], [30, 40]]), bias_correction=False)
    assert plain["cramers_v"] == pytest.approx(0.0890871, abs=1e-6)


def test_contingency_statistics_2x3_by_hand():
    # chi2 = 8²/12 + 2²/12 + 6²/16 + 8²/18 + 2²/18 + 6²/24 = 16/3 + 1/3 + 9/4 + 32/9 + 2/9 + 3/2 = 475/36
    # dof = 2, so p = exp(−chi2/2) = exp(−475/72) = 0.001364
    # V = sqrt(475/36 / 100) = 0.363242
    # bias-corrected: phi²corr = 0.1319444 − 2/99 = 0.1117424; r~ = 2 − 1/99; c~ = 3 − 4/99;
    #   min(r~ − 1, c~ − 1) = 98/99; V~ = sqrt(0.1117424 × 99/98) = 0.335980
    res = compare.contingency_statistics(np.array([[20, 10, 10], [10, 20, 30]]))
    assert res["chi2"] == pytest.approx(475 / 36)
    assert res["dof"] == 2
    assert res["p_value"] == pytest.approx(math.exp(-475 / 72))
    assert res["cramers_v_plain"] == pytest.approx(0.363242, abs=1e-6)
    assert res["cramers_v"] == pytest.approx(0.335980, abs=1e-6)
    # independent check against scipy (no continuity correction)
    assert res["chi2"] == pytest.approx(stats.chi2_contingency([[20, 10, 10], [10, 20, 30]], correction=False)[0])


def test_contingency_statistics_drops_empty_rows_and_flags_small_expected():
    # an all-zero row and column carry no information and are removed before testing
    res = compare.contingency_statistics(np.array([[3, 0, 0], [0, 3, 0], [0, 0, 0]]))
    assert (res["rows"], res["columns"]) == (2, 2)
    # expected counts are all 1.5 < 5
    assert res["min_expected"] == pytest.approx(1.5)
    assert res["small_expected"] is True
    single = compare.contingency_statistics(np.array([[5, 0], [7, 0]]))
    assert np.isnan(single["chi2"])


def test_adjust_pvalues_by_hand():
    # Holm: sorted 0.01, 0.03, 0.04 times 3, 2, 1 = 0.03, 0.06, 0.04; running max 0.03, 0.06, 0.06
    assert compare.adjust_pvalues([0.01, 0.04, 0.03], "holm") == pytest.approx([0.03, 0.06, 0.06])
    # BH: 0.01×3/1 = 0.03, 0.03×3/2 = 0.045, 0.04×3/3 = 0.04; running min from the top: 0.03, 0.04, 0.04
    assert compare.adjust_pvalues([0.01, 0.04, 0.03], "bh") == pytest.approx([0.03, 0.04, 0.04])
    # NaN stays NaN and is not counted as a test; adjusted values are capped at 1
    out = compare.adjust_pvalues([0.01, np.nan, 0.6], "holm")
    assert out[0] == pytest.approx(0.02) and np.isnan(out[1]) and out[2] == pytest.approx(0.6)
    assert compare.adjust_pvalues([0.6, 0.7], "holm").max() <= 1.0
    with pytest.raises(ValueError):
        compare.adjust_pvalues([0.1], "bonferroni-ish")


# --------------------------------------------------------------------------------------------------------------
# outlet × group tests
# --------------------------------------------------------------------------------------------------------------


def test_outlet_group_test_matches_hand_computed_2x3():
    attributions = from_table(TABLE_2X3)
    out = compare.outlet_group_test(attributions, articles_for(attributions), n_permutations=99)
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["outlets"], row["groups"], row["attributions"], row["articles"]) == (2, 3, 100, 6)
    assert row["chi2"] == pytest.approx(475 / 36)
    assert row["p_value"] == pytest.approx(math.exp(-475 / 72))
    assert row["cramers_v"] == pytest.approx(0.335980, abs=1e-6)
    assert row["small_expected"] is np.False_ or row["small_expected"] is False
    assert row["warning"] == ""


def test_outlet_group_residuals_by_hand():
    attributions = from_table(TABLE_2X3)
    res = compare.outlet_group_residuals(attributions, articles_for(attributions)).set_index(["outlet", "group"])
    # adjusted residual = (O − E) / sqrt(E (1 − row/n)(1 − col/n))
    # (A, US): (20 − 12) / sqrt(12 × 0.6 × 0.7) = 8 / sqrt(5.04) = 3.563483
    assert res.loc[("A", US), "adjusted_residual"] == pytest.approx(8 / math.sqrt(5.04))
    assert res.loc[("A", US), "adjusted_residual"] == pytest.approx(3.563483, abs=1e-6)
    # Pearson residual (A, US): 8 / sqrt(12) = 2.309401
    assert res.loc[("A", US), "pearson_residual"] == pytest.approx(2.309401, abs=1e-6)
    # (A, experts): (10 − 16) / sqrt(16 × 0.6 × 0.6) = −6 / 2.4 = −2.5
    # (B, experts): (30 − 24) / sqrt(24 × 0.4 × 0.6) = 6 / 2.4 = 2.5
    assert res.loc[("A", EXP), "adjusted_residual"] == pytest.approx(-2.5)
    assert res.loc[("B", EXP), "adjusted_residual"] == pytest.approx(2.5)
    assert res.loc[("B", RU), "expected"] == pytest.approx(18)
    assert res.loc[("A", US), "row_share"] == pytest.approx(0.5)
    assert not res["small_expected"].any()


def test_residuals_2x2_equal_magnitude_and_square_to_chi2():
    # for a 2 × 2 table every adjusted residual has the same magnitude, and its square is chi2:
    # [[10, 20], [30, 40]] -> |r| = 2 / sqrt(12 × 0.7 × 0.6) = 0.890871, r² = 200/252
    attributions = from_table({"A": {US: 10, RU: 20}, "B": {US: 30, RU: 40}})
    res = compare.outlet_group_residuals(attributions)
    assert res["adjusted_residual"].abs().to_numpy() == pytest.approx([0.890871] * 4, abs=1e-6)
    assert res.set_index(["outlet", "group"]).loc[("A", US), "adjusted_residual"] < 0


def test_small_expected_counts_give_a_warning():
    attributions = from_table({"A": {US: 3}, "B": {RU: 3}})
    out = compare.outlet_group_test(attributions, n_permutations=0).iloc[0]
    assert bool(out["small_expected"]) is True
    assert "expected counts" in out["warning"]
    res = compare.outlet_group_residuals(attributions)
    assert res["small_expected"].all()


def test_article_permutation_p_planted_and_null():
    # planted: A quotes only US officials, B only Russian officials, 6 articles each
    planted = from_table({"A": {US: 18}, "B": {RU: 18}}, articles_per_outlet=6)
    p = compare.outlet_group_test(planted, n_permutations=199).iloc[0]["permutation_p_value"]
    assert p < 0.05
    # null: both outlets publish identical articles (2 US + 1 RU each) -> chi2 = 0, every permutation ties
    null = from_table({"A": {US: 12, RU: 6}, "B": {US: 12, RU: 6}}, articles_per_outlet=6)
    out = compare.outlet_group_test(null, n_permutations=199).iloc[0]
    assert out["chi2"] == pytest.approx(0.0)
    assert out["permutation_p_value"] == pytest.approx(1.0)
    assert out["p_value"] == pytest.approx(1.0)


def test_small_outlets_flagged_pooled_or_excluded_never_dropped():
    counts = {"A": {US: 10, RU: 5}, "B": {US: 4, RU: 12}, "C": {US: 1, RU: 3}, "D": {US: 2}}
    rows = []
    for outlet, cells in counts.items():
        n_articles = 1 if outlet in ("C", "D") else 3
        for group, n in cells.items():
            for i, k in enumerate(split(n, n_articles)):
                rows += attribution_rows(outlet, f"{outlet}-{i}", group, k)
    attributions = frame(rows)

    flagged = compare.outlet_group_test(attributions, min_articles=3, n_permutations=0).iloc[0]
    assert flagged["outlets"] == 4
    assert flagged["small_outlets"] == "C; D"
    assert "fewer than 3 articles" in flagged["warning"]
    res = compare.outlet_group_residuals(attributions, min_articles=3)
    assert set(res.loc[res["small_outlet"], "outlet"]) == {"C", "D"}

    pooled = compare.outlet_group_test(attributions, min_articles=3, small_outlets="pool", n_permutations=0).iloc[0]
    assert pooled["outlets"] == 3
    assert pooled["pooled_outlets"] == "C; D"
    res = compare.outlet_group_residuals(attributions, min_articles=3, small_outlets="pool")
    pool = res[res["outlet"] == "other outlets (pooled)"].set_index("group")
    # the pooled row holds C's and D's attributions: US 1 + 2 = 3, RU 3
    assert pool.loc[US, "observed"] == 3 and pool.loc[RU, "observed"] == 3
    assert pool["articles"].iloc[0] == 2

    excluded = compare.outlet_group_test(attributions, min_articles=3, small_outlets="exclude", n_permutations=0)
    assert excluded.iloc[0]["outlets"] == 2
    assert excluded.iloc[0]["excluded_outlets"] == "C; D"
    res = compare.outlet_group_residuals(attributions, min_articles=3, small_outlets="exclude")
    kept = res[res["outlet"] == "C"]
    assert len(kept) == 2 and kept["expected"].isna().all()
    assert kept.set_index("group").loc[RU, "observed"] == 3
    with pytest.raises(ValueError):
        compare.outlet_group_test(attributions, small_outlets="drop")


def test_outlet_without_attributions_is_kept_and_named():
    attributions = from_table(TABLE_2X3)
    articles = articles_for(attributions, extra=[("z-1", "Z"), ("z-2", "Z"), ("z-3", "Z")])
    out = compare.outlet_group_test(articles=articles, attributions=attributions, n_permutations=0).iloc[0]
    assert out["outlets_without_attributions"] == "Z"
    assert out["chi2"] == pytest.approx(475 / 36)  # Z carries no information, the test is that of A and B
    res = compare.outlet_group_residuals(attributions, articles)
    z = res[res["outlet"] == "Z"]
    assert len(z) == 3 and (z["observed"] == 0).all() and z["adjusted_residual"].isna().all()
    assert (z["articles"] == 3).all()
    pairs = compare.pairwise_outlet_tests(attributions, articles)
    assert len(pairs) == 3
    with_z = pairs[(pairs["outlet_a"] == "Z") | (pairs["outlet_b"] == "Z")]
    assert with_z["p_value"].isna().all() and with_z["p_holm"].isna().all()
    assert (with_z["warning"].str.contains("no attributions")).all()
    # the only real test (A vs B) is not corrected for the two impossible ones
    ab = pairs[(pairs["outlet_a"] == "A") & (pairs["outlet_b"] == "B")].iloc[0]
    assert ab["p_holm"] == pytest.approx(ab["p_value"])


def test_pairwise_outlet_tests_by_hand_and_holm():
    counts = {"A": {US: 20, RU: 10, EXP: 10}, "B": {US: 10, RU: 20, EXP: 30}, "C": {US: 20, RU: 10, EXP: 10}}
    pairs = compare.pairwise_outlet_tests(from_table(counts))
    assert list(zip(pairs["outlet_a"], pairs["outlet_b"])) == [("A", "B"), ("A", "C"), ("B", "C")]
    p = pairs.set_index(["outlet_a", "outlet_b"])
    # A vs B and B vs C are the hand-computed 2 × 3 table; A vs C are identical rows: chi2 = 0, p = 1
    assert p.loc[("A", "B"), "chi2"] == pytest.approx(475 / 36)
    assert p.loc[("B", "C"), "chi2"] == pytest.approx(475 / 36)
    assert p.loc[("A", "C"), "chi2"] == pytest.approx(0.0)
    assert p.loc[("A", "C"), "p_value"] == pytest.approx(1.0)
    # Holm over three tests: the two equal smallest p-values are multiplied by 3 then 2 -> both 3p (running max)
    raw = math.exp(-475 / 72)
    assert p.loc[("A", "B"), "p_holm"] == pytest.approx(3 * raw)
    assert p.loc[("B", "C"), "p_holm"] == pytest.approx(3 * raw)
    # BH: 3p/1 and 3p/2 -> running min from the top -> both 3p/2
    assert p.loc[("A", "B"), "p_bh"] == pytest.approx(1.5 * raw)
    assert bool(p.loc[("A", "B"), "significant"]) and not bool(p.loc[("A", "C"), "significant"])
    bh = compare.pairwise_outlet_tests(from_table(counts), correction="bh")
    assert bh["p_adjusted"].tolist() == pytest.approx(bh["p_bh"].tolist())


# --------------------------------------------------------------------------------------------------------------
# attribution mix and the bootstrap
# --------------------------------------------------------------------------------------------------------------


def mix_example() -> tuple[pd.DataFrame, pd.DataFrame]:
    # outlet A: a1 has 2 US attributions (10 quoted words in all) and 1 RU (0 words); a2 has 1 RU (5 words);
    #           a3 has no attribution at all. Outlet B: b1, no attribution.
    rows = attribution_rows("A", "a1", US, 2, quoted_words=5) + attribution_rows("A", "a1", RU, 1)
    rows += attribution_rows("A", "a2", RU, 1, quoted_words=5)
    attributions = frame(rows)
    articles = pd.DataFrame(
        {"article_id": ["a1", "a2", "a3", "b1", "x9"], "outlet": ["A", "A", "A", "B", "B"],
         "title": ["t"] * 5, "status": ["ok", "ok", "ok", "ok", "duplicate"]}
    )  # fmt: skip
    return attributions, articles


def test_mix_per_article_by_hand_keeps_articles_without_attributions():
    attributions, articles = mix_example()
    per = compare.attribution_mix_per_article(attributions, articles).set_index(["article_id", "group"])
    # a1: US 2 of 3 attributions, 10 of 10 quoted words
    assert per.loc[("a1", US), "share"] == pytest.approx(2 / 3)
    assert per.loc[("a1", US), "voice_share"] == pytest.approx(1.0)
    assert per.loc[("a1", RU), "voice_share"] == pytest.approx(0.0)
    # a3 and b1 have rows, zero counts, undefined shares; the duplicate x9 is not an article to count
    assert per.loc[("a3", US), "attributions"] == 0 and np.isnan(per.loc[("a3", US), "share"])
    assert ("b1", RU) in per.index
    assert "x9" not in per.index.get_level_values(0)
    assert list(per.index.get_level_values(0).unique()) == ["a1", "a2", "a3", "b1"]


def test_mix_per_outlet_by_hand():
    attributions, articles = mix_example()
    mix = compare.attribution_mix_per_outlet(attributions, articles, n_boot=200).set_index(["outlet", "group"])
    # A: US 2 of 4 attributions, 10 of 15 quoted words; RU 2 of 4 and 5 of 15; 3 articles, RU in 2 of them
    assert mix.loc[("A", US), "share"] == pytest.approx(0.5)
    assert mix.loc[("A", US), "voice_share"] == pytest.approx(10 / 15)
    assert mix.loc[("A", RU), "voice_share"] == pytest.approx(5 / 15)
    assert mix.loc[("A", US), "articles"] == 3
    assert mix.loc[("A", RU), "articles_with_group"] == 2
    assert mix.loc[("A", US), "outlet_attributions"] == 4
    # B has no attributions: listed, 1 article, shares undefined
    assert mix.loc[("B", US), "articles"] == 1
    assert mix.loc[("B", US), "attributions"] == 0
    assert np.isnan(mix.loc[("B", US), "share"]) and np.isnan(mix.loc[("B", US), "share_low"])
    # groups in data/groups.csv order: US officials before Russian officials
    assert compare.attribution_mix_per_outlet(attributions, articles, n_boot=0)["group"].tolist()[:2] == [US, RU]


def varied_outlet(copies: int) -> pd.DataFrame:
    """Ten articles with different US/RU mixes, repeated ``copies`` times (same shares, more articles)."""
    rows = []
    mixes = [(3, 1), (1, 3), (2, 2), (4, 0), (0, 2), (5, 1), (1, 1), (2, 3), (3, 3), (0, 4)]
    for c in range(copies):
        for i, (us, ru) in enumerate(mixes):
            rows += attribution_rows("A", f"a{c}-{i}", US, us, quoted_words=4)
            rows += attribution_rows("A", f"a{c}-{i}", RU, ru, quoted_words=6)
    return frame(rows)


def test_bootstrap_interval_contains_estimate_and_shrinks_with_more_articles():
    small = compare.attribution_mix_per_outlet(varied_outlet(1), n_boot=1000).set_index("group")
    large = compare.attribution_mix_per_outlet(varied_outlet(10), n_boot=1000).set_index("group")
    for table in (small, large):
        for column in ("share", "voice_share"):
            assert table.loc[US, f"{column}_low"] <= table.loc[US, column] <= table.loc[US, f"{column}_high"]
    # identical shares (US 3+1+2+4+0+5+1+2+3+0 = 21 of 21 + 20 = 41 attributions), ten times the articles
    assert small.loc[US, "share"] == pytest.approx(21 / 41) == large.loc[US, "share"]
    width_small = small.loc[US, "share_high"] - small.loc[US, "share_low"]
    width_large = large.loc[US, "share_high"] - large.loc[US, "share_low"]
    assert width_small > 0
    assert width_large < 0.6 * width_small  # about 1/sqrt(10) in theory


def test_bootstrap_is_seeded_and_outlets_are_independent():
    attributions = varied_outlet(1)
    first = compare.attribution_mix_per_outlet(attributions, n_boot=300)
    again = compare.attribution_mix_per_outlet(attributions, n_boot=300)
    pd.testing.assert_frame_equal(first, again)
    other = compare.attribution_mix_per_outlet(attributions, n_boot=300, random_state=7)
    assert not np.allclose(first["share_low"], other["share_low"])
    # adding another outlet does not change outlet A's interval
    with_b = pd.concat([attributions, from_table({"B": {US: 3, RU: 4}})], ignore_index=True)
    both = compare.attribution_mix_per_outlet(with_b, n_boot=300)
    pd.testing.assert_frame_equal(both[both["outlet"] == "A"].reset_index(drop=True), first)


# --------------------------------------------------------------------------------------------------------------
# placement
# --------------------------------------------------------------------------------------------------------------


def placement_example() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = attribution_rows("A", "x1", US, speaker="Donald Trump", paragraph_index=0)
    rows += attribution_rows("A", "x1", RU, speaker="Dmitry Peskov", paragraph_index=1)
    rows += attribution_rows("A", "x1", "unnamed sources", speaker="unnamed US official", speaker_type="unnamed",
                             paragraph_index=2)  # fmt: skip
    rows += attribution_rows("A", "x1", RU, speaker="Vladimir Putin", paragraph_index=3)
    rows += attribution_rows("A", "x3", "Hungarian sources", speaker="Viktor Orbán", paragraph_index=0)
    rows += attribution_rows("A", "x3", US, speaker="Donald Trump", paragraph_index=1)
    attributions = frame(rows)
    articles = pd.DataFrame(
        {
            "article_id": ["x1", "x2", "x3"],
            "outlet": ["A", "A", "A"],
            # x1: Putin and Trump named (surnames); x2 quotes nobody; x3: 'Orban' without accent, and
            # 'Trumpets' must not count as Trump, nor 'official' as the unnamed official
            "title": ["Putin warns Trump over missiles", "Kremlin silent", "Orban hears Trumpets, official says"],
        }
    )
    return attributions, articles


def test_placement_per_article_by_hand():
    attributions, articles = placement_example()
    per = compare.placement_per_article(attributions, articles).set_index(["article_id", "group"])
    assert per.loc[("x1", US), "quoted_first"] and not per.loc[("x1", RU), "quoted_first"]
    assert per.loc[("x1", RU), "last_word"] and not per.loc[("x1", US), "last_word"]
    assert per.loc[("x1", US), "in_headline"] and per.loc[("x1", RU), "in_headline"]
    assert not per.loc[("x1", "unnamed sources"), "in_headline"]
    assert per.loc[("x1", US), "in_lede"] and not per.loc[("x1", RU), "in_lede"]
    assert per.loc[("x3", "Hungarian sources"), "in_headline"]
    assert not per.loc[("x3", US), "in_headline"]
    flags = ["quoted", "quoted_first", "last_word", "in_headline", "in_lede"]
    assert not per.loc[("x2", US), flags].any()  # an article quoting nobody: all false, but present


def test_placement_per_outlet_shares_of_all_articles():
    attributions, articles = placement_example()
    out = compare.placement_per_outlet(attributions, articles).set_index("group")
    # 3 articles (x2 quotes nobody). US: quoted in x1 and x3 (2/3), first in x1 (1/3), last in x3 (1/3),
    # headline in x1 (1/3), lede in x1 (1/3). Russian: last word in x1, headline x1, never in the lede.
    assert (out["articles"] == 3).all()
    assert out.loc[US, "quoted"] == 2 and out.loc[US, "quoted_share"] == pytest.approx(2 / 3)
    assert out.loc[US, "quoted_first_share"] == pytest.approx(1 / 3)
    assert out.loc[US, "last_word_share"] == pytest.approx(1 / 3)
    assert out.loc[US, "in_headline_share"] == pytest.approx(1 / 3)
    assert out.loc[RU, "in_lede"] == 0 and out.loc[RU, "last_word"] == 1
    assert out.loc["Hungarian sources", "quoted_first"] == 1 and out.loc["Hungarian sources", "in_lede"] == 1


def test_placement_uses_registry_aliases():
    attributions, articles = placement_example()
    articles = articles.assign(title=["POTUS weighs options", "Kremlin silent", "Budapest waits"])
    actors = pd.DataFrame({"name": ["Donald Trump"], "aliases": ["POTUS|President Trump"]})
    without = compare.placement_per_article(attributions, articles).set_index(["article_id", "group"])
    with_aliases = compare.placement_per_article(attributions, articles, actors=actors).set_index(
        ["article_id", "group"]
    )
    assert not without.loc[("x1", US), "in_headline"]
    assert with_aliases.loc[("x1", US), "in_headline"]


# --------------------------------------------------------------------------------------------------------------
# balance
# --------------------------------------------------------------------------------------------------------------


def test_side_balance_by_hand():
    # outlet A, three articles: quoted words US 10+10+10 = 30, RU 5+5 = 10, experts 10; total 50.
    rows = []
    for i in range(3):
        rows += attribution_rows("A", f"a{i}", US, 1, quoted_words=10)
    rows += attribution_rows("A", "a0", RU, 1, quoted_words=5) + attribution_rows("A", "a1", RU, 1, quoted_words=5)
    rows += attribution_rows("A", "a2", EXP, 1, quoted_words=10)
    attributions = frame(rows)
    articles = pd.DataFrame({"article_id": ["a0", "a1", "a2", "b0"], "outlet": ["A", "A", "A", "B"]})
    out = compare.side_balance(attributions, US, RU, articles).set_index("outlet")
    # shares 30/50 = 0.6 and 10/50 = 0.2, difference 0.4
    assert out.loc["A", "share_a"] == pytest.approx(0.6) and out.loc["A", "share_b"] == pytest.approx(0.2)
    assert out.loc["A", "balance"] == pytest.approx(0.4)
    assert out.loc["A", "balance_low"] <= 0.4 <= out.loc["A", "balance_high"]
    # B has an article but quotes nobody: kept, balance undefined
    assert out.loc["B", "articles"] == 1 and np.isnan(out.loc["B", "balance"])
    # log2((30 + 0.5) / (10 + 0.5)) = log2(2.904762) = ln 2.904762 / ln 2 = 1.066351 / 0.693147 = 1.538420
    log = compare.side_balance(attributions, US, RU, measure="log_ratio").set_index("outlet")
    assert log.loc["A", "balance"] == pytest.approx(1.538420, abs=1e-6)
    # by attributions: US 3 of 6, RU 2 of 6 -> 1/6
    count = compare.side_balance(attributions, US, RU, weight="attributions").set_index("outlet")
    assert count.loc["A", "balance"] == pytest.approx(1 / 6)
    with pytest.raises(ValueError):
        compare.side_balance(attributions, US, RU, measure="ratio")


# --------------------------------------------------------------------------------------------------------------
# framing
# --------------------------------------------------------------------------------------------------------------


def framing_example() -> pd.DataFrame:
    # A: US neutral 3, doubting 1; RU neutral 1, doubting 3; plus a continuation without a cue category
    rows = attribution_rows("A", "a1", US, 3) + attribution_rows("A", "a1", US, 1, cue_category="doubting")
    rows += attribution_rows("A", "a2", RU, 1) + attribution_rows("A", "a2", RU, 3, cue_category="doubting")
    rows += attribution_rows("A", "a2", RU, 1, cue_category=None)
    # B quotes only US officials
    rows += attribution_rows("B", "b1", US, 2)
    return frame(rows)


def test_cue_framing_shares_by_hand():
    out = compare.cue_framing(framing_example()).set_index(["outlet", "group", "cue_category"])
    assert out.loc[("A", US, "doubting"), "share"] == pytest.approx(0.25)
    assert out.loc[("A", RU, "doubting"), "share"] == pytest.approx(0.75)
    assert out.loc[("A", RU, "doubting"), "group_attributions"] == 4  # the uncategorised one is left out
    assert out.loc[("B", US, "neutral"), "share"] == pytest.approx(1.0)
    assert ("B", RU, "neutral") not in out.index


def test_cue_framing_test_fisher_by_hand():
    # [[3, 1], [1, 3]], margins 4, 4, 4, 4: P(k) = C(4,k)² / C(8,4) = 1, 16, 36, 16, 1 (/70).
    # observed k = 3 has probability 16/70; two-sided p sums tables no more likely: (1 + 16 + 16 + 1)/70 = 34/70
    # odds ratio = (3 × 3)/(1 × 1) = 9; expected counts are 2 < 5, so "auto" uses the exact test
    out = compare.cue_framing_test(framing_example(), US, RU).set_index("outlet")
    assert out.loc["A", "method"] == "fisher"
    assert out.loc["A", "statistic"] == pytest.approx(9.0)
    assert out.loc["A", "p_value"] == pytest.approx(34 / 70)
    # B has no Russian officials: kept with a note and no p-value; so the Holm correction covers one test
    assert np.isnan(out.loc["B", "p_value"]) and "Russian officials" in out.loc["B", "note"]
    assert out.loc["A", "p_adjusted"] == pytest.approx(34 / 70)


def test_cue_framing_test_chi2_by_hand_and_planted_effect():
    # [[30, 10], [10, 30]]: chi2 = n (ad − bc)² / (r1 r2 c1 c2) = 80 × 800² / 40⁴ = 20
    rows = attribution_rows("A", "a1", US, 30) + attribution_rows("A", "a1", US, 10, cue_category="doubting")
    rows += attribution_rows("A", "a2", RU, 10) + attribution_rows("A", "a2", RU, 30, cue_category="doubting")
    out = compare.cue_framing_test(frame(rows), US, RU, method="chi2").iloc[0]
    assert out["method"] == "chi-square"
    assert out["statistic"] == pytest.approx(20.0)
    assert out["p_value"] == pytest.approx(stats.chi2.sf(20, 1)) and out["p_value"] < 1e-4
    # a 2 × 3 table with small counts uses a seeded Monte Carlo exact test, identical on a second run
    rows = attribution_rows("A", "a1", US, 5) + attribution_rows("A", "a1", RU, 1)
    rows += attribution_rows("A", "a1", RU, 4, cue_category="doubting") + attribution_rows("A", "a1", US, 1,
                                                                                           cue_category="written")
    first = compare.cue_framing_test(frame(rows), US, RU, n_resamples=999)
    assert first.iloc[0]["method"].startswith("fisher-freeman-halton")
    assert first.iloc[0]["p_value"] < 0.05
    pd.testing.assert_frame_equal(first, compare.cue_framing_test(frame(rows), US, RU, n_resamples=999))


# --------------------------------------------------------------------------------------------------------------
# tone
# --------------------------------------------------------------------------------------------------------------


def test_tone_by_voice_by_hand():
    sentences = pd.DataFrame(
        {
            "article_id": ["a1", "a1", "a2", "b1"],
            "outlet": ["A", "A", "A", "B"],
            "voice": ["own", "quoted", "own", "own"],
            "tone": ["negative", "positive", "neutral", "neutral"],
            "tone_score": [-0.5, 0.6, 0.1, 0.0],
        }
    )
    out = compare.tone_by_voice(sentences).set_index(["outlet", "voice"])
    # A own: (−0.5 + 0.1)/2 = −0.2, one negative of two; A quoted: 0.6, positive
    assert out.loc[("A", "own"), "tone_score"] == pytest.approx(-0.2)
    assert out.loc[("A", "own"), "negative_share"] == pytest.approx(0.5)
    assert out.loc[("A", "own"), "articles"] == 2
    assert out.loc[("A", "quoted"), "positive_share"] == pytest.approx(1.0)
    # B quotes nobody: the quoted row is there, with 0 sentences
    assert out.loc[("B", "quoted"), "sentences"] == 0 and np.isnan(out.loc[("B", "quoted"), "tone_score"])


def test_quoted_tone_by_group_by_hand_and_in_profiles():
    # A: US quoted at −0.6 (negative) and 0.2 (neutral) -> mean −0.2, half negative; RU at 0.5 (positive);
    # one RU attribution without a score is left out
    rows = attribution_rows("A", "a1", US, 1, content_tone="negative", content_tone_score=-0.6)
    rows += attribution_rows("A", "a1", US, 1, content_tone="neutral", content_tone_score=0.2)
    rows += attribution_rows("A", "a2", RU, 1, content_tone="positive", content_tone_score=0.5)
    rows += attribution_rows("A", "a2", RU, 1, content_tone=None, content_tone_score=np.nan)
    attributions = frame(rows)
    out = compare.quoted_tone_by_group(attributions).set_index("group")
    assert out.index.tolist() == [US, RU]
    assert out.loc[US, "content_tone_score"] == pytest.approx(-0.2)
    assert out.loc[US, "negative_share"] == pytest.approx(0.5)
    assert out.loc[RU, "attributions"] == 1 and out.loc[RU, "positive_share"] == pytest.approx(1.0)
    profiles = compare.outlet_profiles(attributions, features=["tone"]).set_index("outlet")
    assert profiles.loc["A", f"quoted tone: {US}"] == pytest.approx(-0.2)


def article_tone_table(outlet: str, own: list[float], quoted: list[float]) -> pd.DataFrame:
    n = len(own)
    return pd.DataFrame(
        {
            "article_id": [f"{outlet}{i}" for i in range(n)], "outlet": outlet, "sentences": 10,
            "tone_score": 0.0, "own_voice_sentences": 6, "own_voice_tone": own, "quoted_voice_sentences": 4,
            "quoted_voice_tone": quoted,
        }
    )  # fmt: skip


def test_tone_voice_test_exact_planted_and_null():
    # planted: 12 articles, quoted voice higher in every one. 2^12 = 4096 sign patterns ≤ 9999, so the test is
    # exact: only "all +" and "all −" are as extreme, p = 2/4096.
    own = [-0.4 + 0.01 * i for i in range(12)]
    planted = article_tone_table("A", own, [o + 0.8 for o in own])
    # null: differences +0.1, −0.1, +0.2, −0.2, … average exactly 0 -> every pattern is as extreme, p = 1
    diffs = [0.1, -0.1, 0.2, -0.2, 0.3, -0.3]
    null = article_tone_table("B", [0.0] * 6, diffs)
    out = compare.tone_voice_test(pd.concat([planted, null], ignore_index=True)).set_index("outlet")
    assert out.loc["A", "p_value"] == pytest.approx(2 / 4096)
    assert out.loc["A", "difference"] == pytest.approx(0.8)
    assert out.loc["B", "p_value"] == pytest.approx(1.0)
    assert out.loc["B", "difference"] == pytest.approx(0.0, abs=1e-12)
    # Holm over two outlets: 2 × 2/4096
    assert out.loc["A", "p_adjusted"] == pytest.approx(4 / 4096)


def test_tone_voice_test_monte_carlo_planted_null_and_unpaired():
    rng = np.random.default_rng(3)
    own = rng.normal(0, 0.1, 25)
    planted = article_tone_table("A", list(own), list(own + 0.5 + rng.normal(0, 0.1, 25)))
    null = article_tone_table("B", list(own), list(own + rng.normal(0, 0.1, 25)))
    unpaired = article_tone_table("C", [0.1, 0.2], [np.nan, np.nan]).assign(quoted_voice_sentences=0)
    table = pd.concat([planted, null, unpaired], ignore_index=True)
    out = compare.tone_voice_test(table, n_permutations=2000).set_index("outlet")
    assert out.loc["A", "p_value"] < 0.05
    assert out.loc["B", "p_value"] > 0.05
    assert out.loc["C", "paired_articles"] == 0 and np.isnan(out.loc["C", "p_value"])
    pd.testing.assert_frame_equal(out, compare.tone_voice_test(table, n_permutations=2000).set_index("outlet"))


def actor_tone_rows(outlet: str, actor: str, tones: list[float], sentences: list[int] | None = None) -> list[dict]:
    sentences = sentences or [2] * len(tones)
    return [
        {"article_id": f"{outlet}{i}", "outlet": outlet, "actor": actor, "actor_type": "person",
         "group": RU if actor == "Vladimir Putin" else US, "sentences": s, "tone_score": t,
         "negative": s if t < 0 else 0, "neutral": 0, "positive": s if t >= 0 else 0}
        for i, (t, s) in enumerate(zip(tones, sentences))
    ]  # fmt: skip


def test_actor_tone_by_outlet_weighted_mean_by_hand():
    # A about Putin: 1 sentence at +0.2 and 3 at −0.2 -> (0.2 − 0.6)/4 = −0.1; 3 of 4 sentences negative
    rows = actor_tone_rows("A", "Vladimir Putin", [0.2, -0.2], [1, 3]) + actor_tone_rows("B", "Vladimir Putin", [0.5])
    out = compare.actor_tone_by_outlet(pd.DataFrame(rows), n_permutations=99).set_index(["outlet", "target"])
    assert out.loc[("A", "Vladimir Putin"), "tone_score"] == pytest.approx(-0.1)
    assert out.loc[("A", "Vladimir Putin"), "negative_share"] == pytest.approx(0.75)
    assert out.loc[("A", "Vladimir Putin"), "others_tone_score"] == pytest.approx(0.5)
    assert out.loc[("A", "Vladimir Putin"), "difference_from_others"] == pytest.approx(-0.6)
    by_group = compare.actor_tone_by_outlet(pd.DataFrame(rows), by="group", n_permutations=0)
    assert by_group["target"].unique().tolist() == [RU]


def test_actor_tone_permutation_planted_and_null():
    # planted: A writes about Putin at −0.6 ± small, B and C at +0.6 ± small, 8 articles each
    wobble = [0.0, 0.02, -0.02, 0.04, -0.04, 0.01, -0.01, 0.03]
    rows = actor_tone_rows("A", "Vladimir Putin", [-0.6 + w for w in wobble])
    rows += actor_tone_rows("B", "Vladimir Putin", [0.6 + w for w in wobble])
    rows += actor_tone_rows("C", "Vladimir Putin", [0.6 - w for w in wobble])
    # null: Trump gets exactly the same eight scores in every outlet -> between-outlet sum of squares 0, p = 1
    for outlet in "ABC":
        rows += actor_tone_rows(outlet, "Donald Trump", [0.1 + w for w in wobble])
    table = pd.DataFrame(rows)
    omnibus = compare.actor_tone_test(table, n_permutations=499).set_index("target")
    assert omnibus.loc["Vladimir Putin", "p_value"] < 0.05
    assert omnibus.loc["Donald Trump", "statistic"] == pytest.approx(0.0, abs=1e-12)
    assert omnibus.loc["Donald Trump", "p_value"] == pytest.approx(1.0)
    cells = compare.actor_tone_by_outlet(table, n_permutations=499).set_index(["outlet", "target"])
    assert cells.loc[("A", "Vladimir Putin"), "p_value"] < 0.05
    assert cells.loc[("A", "Donald Trump"), "p_value"] > 0.05
    assert list(cells.index.get_level_values(0)) == sorted(cells.index.get_level_values(0))


# --------------------------------------------------------------------------------------------------------------
# profiles and the outlet map
# --------------------------------------------------------------------------------------------------------------


def test_outlet_profiles_match_the_mix():
    attributions = from_table(TABLE_2X3)
    articles = articles_for(attributions)
    profiles = compare.outlet_profiles(attributions, articles)
    assert profiles["outlet"].tolist() == ["A", "B"]
    row = profiles.set_index("outlet")
    assert row.loc["A", f"share: {US}"] == pytest.approx(0.5)
    assert row.loc["B", f"share: {EXP}"] == pytest.approx(0.5)
    assert row.loc["A", "cue: neutral"] == pytest.approx(1.0)
    assert f"first: {US}" in profiles.columns and f"headline: {US}" in profiles.columns
    tone = article_tone_table("A", [0.1, 0.3], [0.5, 0.5])
    with_tone = compare.outlet_profiles(attributions, articles, article_tone=tone, features=["tone"]).set_index(
        "outlet"
    )
    # own-voice tone weighted by own sentences: (6 × 0.1 + 6 × 0.3)/12 = 0.2; B has no tone rows
    assert with_tone.loc["A", "tone: own voice"] == pytest.approx(0.2)
    assert np.isnan(with_tone.loc["B", "tone: own voice"])
    with pytest.raises(ValueError):
        compare.outlet_profiles(attributions, features=["colour"])


def planted_profiles() -> pd.DataFrame:
    # two obvious families: P* quote US officials, Q* Russian officials, with small differences inside
    return pd.DataFrame(
        {
            "outlet": ["P1", "P2", "P3", "Q1", "Q2", "Q3"],
            "share: US": [0.80, 0.75, 0.78, 0.20, 0.25, 0.22],
            "share: RU": [0.10, 0.15, 0.12, 0.70, 0.65, 0.68],
            "cue: doubting": [0.05, 0.04, 0.06, 0.30, 0.28, 0.31],
            "constant": [1.0] * 6,
        }
    )


@pytest.mark.parametrize("method", ["agglomerative", "kmeans"])
def test_outlet_map_recovers_planted_clusters(method):
    profiles = planted_profiles().sample(frac=1.0, random_state=1)  # input order must not matter
    out = compare.outlet_map(profiles, n_clusters=2, method=method)
    assert list(out.columns) == compare.MAP_COLUMNS
    assert out["outlet"].tolist() == ["P1", "P2", "P3", "Q1", "Q2", "Q3"]
    assert out["cluster"].tolist() == [1, 1, 1, 2, 2, 2]
    # the first component separates the families, and carries nearly all the variance
    assert (np.sign(out["pc1"].iloc[:3]) != np.sign(out["pc1"].iloc[3:].to_numpy())).all()
    assert out["pc1_explained_variance"].iloc[0] > 0.9
    assert out["pc1_explained_variance"].iloc[0] + out["pc2_explained_variance"].iloc[0] <= 1 + 1e-9
    pd.testing.assert_frame_equal(out, compare.outlet_map(profiles, n_clusters=2, method=method))


def test_outlet_map_loadings_and_small_inputs():
    loadings = compare.outlet_map_loadings(planted_profiles())
    assert set(loadings["component"]) == {"pc1", "pc2"}
    assert "constant" not in set(loadings["feature"])  # constant features carry nothing and are dropped
    pc1 = loadings[loadings["component"] == "pc1"]
    assert (pc1["loading"].abs().diff().dropna() <= 1e-12).all()  # sorted by decreasing |loading|
    two = compare.outlet_map(planted_profiles().iloc[[0, 3]], n_clusters=3)
    assert len(two) == 2 and (two["pc2"] == 0).all() and two["cluster"].tolist() == [1, 2]


def test_demo_like_pipeline_runs_on_one_table():
    attributions = from_table({"A": {US: 6, RU: 2, EXP: 3}, "B": {US: 2, RU: 6, EXP: 1}, "C": {US: 4, RU: 4}})
    articles = articles_for(attributions)
    profiles = compare.outlet_profiles(attributions, articles)
    out = compare.outlet_map(profiles, n_clusters=2)
    assert out["outlet"].tolist() == ["A", "B", "C"]


# --------------------------------------------------------------------------------------------------------------
# inputs are never modified
# --------------------------------------------------------------------------------------------------------------


def test_no_function_mutates_its_inputs():
    attributions = framing_example().assign(title="x")
    articles = articles_for(attributions, extra=[("z-1", "Z")])
    sentences = pd.DataFrame({"article_id": ["a1"], "outlet": ["A"], "voice": ["own"], "tone": ["neutral"],
                              "tone_score": [0.0]})  # fmt: skip
    article_tone = article_tone_table("A", [0.1, 0.2, 0.3], [0.3, 0.2, 0.5])
    actor_tone = pd.DataFrame(actor_tone_rows("A", "Vladimir Putin", [0.1, -0.3]) +
                              actor_tone_rows("B", "Vladimir Putin", [0.2]))  # fmt: skip
    profiles = planted_profiles()
    inputs = [attributions, articles, sentences, article_tone, actor_tone, profiles]
    before = [t.copy(deep=True) for t in inputs]
    calls = [
        lambda: compare.attribution_mix_per_article(attributions, articles),
        lambda: compare.attribution_mix_per_outlet(attributions, articles, n_boot=50),
        lambda: compare.outlet_group_test(attributions, articles, n_permutations=9, small_outlets="pool"),
        lambda: compare.outlet_group_residuals(attributions, articles, small_outlets="exclude"),
        lambda: compare.pairwise_outlet_tests(attributions, articles),
        lambda: compare.placement_per_outlet(attributions, articles),
        lambda: compare.side_balance(attributions, US, RU, articles, n_boot=50),
        lambda: compare.cue_framing_test(attributions, US, RU),
        lambda: compare.tone_by_voice(sentences),
        lambda: compare.quoted_tone_by_group(attributions.assign(content_tone="neutral", content_tone_score=0.0)),
        lambda: compare.tone_voice_test(article_tone, n_permutations=99),
        lambda: compare.actor_tone_by_outlet(actor_tone, n_permutations=99),
        lambda: compare.actor_tone_test(actor_tone, n_permutations=99),
        lambda: compare.outlet_profiles(attributions, articles, article_tone, actor_tone),
        lambda: compare.outlet_map(profiles),
        lambda: compare.outlet_map_loadings(profiles),
    ]
    for call in calls:
        result = call()
        assert isinstance(result, pd.DataFrame)
        assert all(result is not t for t in inputs)
    for original, now in zip(before, inputs):
        pd.testing.assert_frame_equal(original, now)
