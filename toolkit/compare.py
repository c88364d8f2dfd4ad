"""Statistics that compare outlets: who is quoted, where, with which verbs, and in what tone.

Every function takes the toolkit's tidy tables (see the README) and returns a new tidy ("long") DataFrame with
one row per unit named in its docstring, sorted in a stable order (outlets alphabetically, groups in the order of
``data/groups.csv`` followed by any other group alphabetically). Inputs are never modified.

The tables used:

``attributions``
    ``article_id, outlet, attribution_index, paragraph_index, speaker, speaker_type, group, cue_category,
    quoted_words`` (and, once tone exists, ``content_tone, content_tone_score``).
``articles``
    ``article_id, outlet, title, status``. Optional in most functions, but pass it: articles in which nobody is
    quoted are only known from it, and they count as articles (they dilute shares of articles and are resampled
    by the bootstrap). Only ``ok`` articles are used when a ``status`` column is present.
``article_tone``
    ``article_id, outlet, sentences, tone_score, own_voice_sentences, own_voice_tone, quoted_voice_sentences,
    quoted_voice_tone``.
``sentences``
    ``article_id, outlet, paragraph_index, sentence_index, voice, tone, tone_score, ...``.
``actor_tone``
    ``article_id, outlet, actor, actor_type, group, sentences, tone_score, negative, neutral, positive``.

Uncertainty is always computed over *articles*, the unit an outlet actually publishes: bootstrap intervals resample
articles within each outlet, and permutation tests permute whole articles. Attributions inside one article are not
independent, so the classical chi-square and G tests (which treat attributions as independent draws) are reported
together with an article-level permutation p-value. All random procedures take ``random_state`` (default
:data:`DEFAULT_RANDOM_STATE`) and give identical results on identical input; each outlet gets its own random
stream derived from the seed and the outlet's name, so adding an outlet does not change another outlet's interval.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .paths import data_path
from .registry import fold, split_list

__all__ = [
    "CUE_CATEGORIES",
    "DEFAULT_RANDOM_STATE",
    "actor_tone_by_outlet",
    "actor_tone_test",
    "adjust_pvalues",
    "attribution_mix_per_article",
    "attribution_mix_per_outlet",
    "contingency_statistics",
    "cue_framing",
    "cue_framing_test",
    "default_group_order",
    "outlet_group_residuals",
    "outlet_group_test",
    "outlet_map",
    "outlet_map_loadings",
    "outlet_profiles",
    "pairwise_outlet_tests",
    "placement_per_article",
    "placement_per_outlet",
    "quoted_tone_by_group",
    "side_balance",
    "tone_by_voice",
    "tone_voice_test",
]

DEFAULT_RANDOM_STATE = 20251016
"""Seed used by every random procedure unless ``random_state`` is given."""

CUE_CATEGORIES: tuple[str, ...] = ("neutral", "assertive", "doubting", "emotive", "conceding", "written")
"""Framing categories of reporting verbs, in the order of ``data/cue_verbs.csv``'s documentation."""

SmallOutlets = Literal["flag", "pool", "exclude"]
Correction = Literal["holm", "bh", "none"]


# --------------------------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------------------------


def default_group_order() -> list[str]:
    """The attribution-mix groups in the order of ``data/groups.csv`` (duplicates removed).

    Returns
    -------
    list of str
        For the bundled file: unnamed sources, media, experts, US officials, Russian officials, Hungarian sources,
        Ukrainian officials, European officials, other officials, other sources, unknown.
    """
    try:
        table = pd.read_csv(data_path("groups.csv"), dtype=str, keep_default_na=False)
    except (OSError, ValueError):
        return []
    return list(dict.fromkeys(g for g in table.get("group", pd.Series(dtype=str)) if g))


def _order_groups(observed: Iterable[str], groups: Sequence[str] | None = None) -> list[str]:
    """``groups`` when given, else the observed groups in the default order, unknown ones alphabetically after."""
    if groups is not None:
        return list(dict.fromkeys(groups))
    seen = {g for g in observed if isinstance(g, str) and g}
    default = [g for g in default_group_order() if g in seen]
    return default + sorted(seen - set(default))


def _stream(random_state: int | None, label: str) -> np.random.Generator:
    """A random generator for one outlet (or test), derived from the seed and a label, stable across runs."""
    if random_state is None:
        return np.random.default_rng()
    return np.random.default_rng([int(random_state), zlib.crc32(label.encode("utf-8"))])


def _require(table: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {', '.join(missing)}")


def _article_universe(attributions: pd.DataFrame, articles: pd.DataFrame | None) -> pd.DataFrame:
    """``article_id, outlet`` of every article to count: the ``ok`` articles given, plus any article that has
    attributions, sorted by outlet then article."""
    _require(attributions, ["article_id", "outlet"], "attributions")
    frames = [attributions[["article_id", "outlet"]]]
    if articles is not None:
        _require(articles, ["article_id", "outlet"], "articles")
        usable = articles
        if "status" in articles.columns:
            usable = articles[articles["status"].astype("string").fillna("ok") == "ok"]
        frames.insert(0, usable[["article_id", "outlet"]])
    universe = pd.concat(frames, ignore_index=True).astype({"article_id": str, "outlet": str})
    universe = universe.drop_duplicates("article_id", keep="first")
    return universe.sort_values(["outlet", "article_id"], kind="stable").reset_index(drop=True)


def _per_article_matrix(
    attributions: pd.DataFrame, article_ids: Sequence[str], column: str, values: str | None = None
) -> pd.DataFrame:
    """Article × ``column`` table of attribution counts (or sums of ``values``), zero-filled, in the given order."""
    frame = attributions.assign(article_id=attributions["article_id"].astype(str))
    if values is None:
        table = frame.groupby(["article_id", column], sort=True).size()
    else:
        table = pd.to_numeric(frame[values], errors="coerce").fillna(0).groupby(
            [frame["article_id"], frame[column]], sort=True
        ).sum()
    wide = table.unstack(fill_value=0) if len(table) else pd.DataFrame(index=pd.Index([], name="article_id"))
    return wide.reindex(index=list(article_ids), fill_value=0).fillna(0)


def _bootstrap_ratio(
    numerators: np.ndarray, denominators: np.ndarray, n_boot: int, ci: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of ``sum(numerators) / sum(denominators)`` resampling rows (articles).

    ``numerators`` is (articles × k), ``denominators`` (articles,). Returns (low, high), each of length k; NaN when
    there are no articles or every resample has a zero denominator.
    """
    n, k = numerators.shape
    nan = np.full(k, np.nan)
    if n == 0 or n_boot <= 0:
        return nan, nan.copy()
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)  # resample articles
    boot_num = weights @ numerators
    boot_den = weights @ denominators
    keep = boot_den > 0
    if not keep.any():
        return nan, nan.copy()
    ratios = boot_num[keep] / boot_den[keep, None]
    alpha = (1.0 - ci) / 2.0
    low, high = np.quantile(ratios, [alpha, 1.0 - alpha], axis=0)
    return low, high


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def adjust_pvalues(pvalues: Sequence[float] | np.ndarray | pd.Series, method: Correction = "holm") -> np.ndarray:
    """Correct p-values for multiple comparisons; missing p-values stay missing and do not count as tests.

    Parameters
    ----------
    pvalues : array-like of float
        Raw p-values (NaN allowed).
    method : {"holm", "bh", "none"}
        Holm's step-down family-wise correction, Benjamini–Hochberg false discovery rate, or none.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order, capped at 1.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    if method == "none":
        out[ok] = q
    elif method == "holm":
        order = np.argsort(q, kind="stable")
        stepped = np.maximum.accumulate((m - np.arange(m)) * q[order])
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(stepped, 1.0)
        out[ok] = adjusted
    elif method == "bh":
        out[ok] = stats.false_discovery_control(q, method="bh")
    else:
        raise ValueError(f"unknown correction {method!r}; use 'holm', 'bh' or 'none'")
    return out


# --------------------------------------------------------------------------------------------------------------
# attribution mix
# --------------------------------------------------------------------------------------------------------------

MIX_ARTICLE_COLUMNS = [
    "article_id", "outlet", "group", "attributions", "article_attributions", "share",
    "quoted_words", "article_quoted_words", "voice_share",
]  # fmt: skip

MIX_OUTLET_COLUMNS = [
    "outlet", "group", "articles", "articles_with_group", "attributions", "outlet_attributions", "share",
    "share_low", "share_high", "quoted_words", "outlet_quoted_words", "voice_share", "voice_share_low",
    "voice_share_high",
]  # fmt: skip


def attribution_mix_per_article(
    attributions: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each group's attributions and quoted words in each article.

    Parameters
    ----------
    attributions : pandas.DataFrame
        The attributions table (``article_id, outlet, group, quoted_words``).
    articles : pandas.DataFrame, optional
        The articles table, so that articles without attributions get rows (with zero counts).
    groups : sequence of str, optional
        Groups to report and their order; default: the observed groups in ``data/groups.csv`` order. Shares are
        always of *all* the article's attributions, including groups not listed.

    Returns
    -------
    pandas.DataFrame
        One row per article × group: ``article_id, outlet, group, attributions, article_attributions, share``
        (of the article's attributions; NaN when it has none), ``quoted_words, article_quoted_words,
        voice_share`` (share of the words inside quotation marks; NaN when the article quotes no words).
        Sorted by outlet, article, group order.
    """
    _require(attributions, ["article_id", "outlet", "group", "quoted_words"], "attributions")
    universe = _article_universe(attributions, articles)
    order = _order_groups(attributions["group"], groups)
    ids = universe["article_id"].tolist()
    counts = _per_article_matrix(attributions, ids, "group")
    words = _per_article_matrix(attributions, ids, "group", "quoted_words")
    total_counts = counts.sum(axis=1).to_numpy(dtype=float)
    total_words = words.sum(axis=1).to_numpy(dtype=float)
    counts = counts.reindex(columns=order, fill_value=0)
    words = words.reindex(columns=order, fill_value=0)
    n, k = len(ids), len(order)
    table = pd.DataFrame(
        {
            "article_id": np.repeat(universe["article_id"].to_numpy(), k),
            "outlet": np.repeat(universe["outlet"].to_numpy(), k),
            "group": np.tile(np.asarray(order, dtype=object), n),
            "attributions": counts.to_numpy(dtype=np.int64).reshape(-1),
            "article_attributions": np.repeat(total_counts, k).astype(np.int64),
            "quoted_words": words.to_numpy(dtype=float).reshape(-1).astype(np.int64),
            "article_quoted_words": np.repeat(total_words, k).astype(np.int64),
        }
    )
    table["share"] = _ratio(table["attributions"], table["article_attributions"])
    table["voice_share"] = _ratio(table["quoted_words"], table["article_quoted_words"])
    table["group"] = table["group"].astype(str)
    return table[MIX_ARTICLE_COLUMNS]


def attribution_mix_per_outlet(
    attributions: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    groups: Sequence[str] | None = None,
    n_boot: int = 2000,
    ci: float = 0.95,
    random_state: int | None = DEFAULT_RANDOM_STATE,
) -> pd.DataFrame:
    """Each group's share of an outlet's attributions and of its quoted words, with bootstrap intervals.

    Shares are pooled over the outlet's articles (a group's attributions divided by all the outlet's
    attributions), and their intervals come from resampling the outlet's *articles* with replacement, articles
    without attributions included.

    Parameters
    ----------
    attributions, articles, groups
        As in :func:`attribution_mix_per_article`.
    n_boot : int
        Bootstrap resamples (0 leaves the intervals empty).
    ci : float
        Coverage of the percentile intervals.
    random_state : int or None
        Seed; ``None`` draws fresh randomness.

    Returns
    -------
    pandas.DataFrame
        One row per outlet × group: ``outlet, group, articles`` (in the outlet), ``articles_with_group``
        (articles quoting the group at least once), ``attributions, outlet_attributions, share, share_low,
        share_high, quoted_words, outlet_quoted_words, voice_share, voice_share_low, voice_share_high``. Shares
        are NaN for an outlet with no attributions (or no quoted words); the outlet is still listed.
    """
    per_article = attribution_mix_per_article(attributions, articles, groups)
    order = _order_groups(attributions["group"], groups)
    rows = []
    for outlet, part in per_article.groupby("outlet", sort=True):
        n_articles = part["article_id"].nunique()
        counts = part["attributions"].to_numpy(dtype=float).reshape(n_articles, len(order))
        words = part["quoted_words"].to_numpy(dtype=float).reshape(n_articles, len(order))
        total_counts = part["article_attributions"].to_numpy(dtype=float).reshape(n_articles, len(order))[:, 0]
        total_words = part["article_quoted_words"].to_numpy(dtype=float).reshape(n_articles, len(order))[:, 0]
        rng = _stream(random_state, str(outlet))
        share_low, share_high = _bootstrap_ratio(counts, total_counts, n_boot, ci, rng)
        voice_low, voice_high = _bootstrap_ratio(words, total_words, n_boot, ci, rng)
        for j, group in enumerate(order):
            rows.append(
                {
                    "outlet": outlet,
                    "group": group,
                    "articles": n_articles,
                    "articles_with_group": int((counts[:, j] > 0).sum()),
                    "attributions": int(counts[:, j].sum()),
                    "outlet_attributions": int(total_counts.sum()),
                    "share": float(_ratio(counts[:, j].sum(), total_counts.sum())),
                    "share_low": share_low[j],
                    "share_high": share_high[j],
                    "quoted_words": int(words[:, j].sum()),
                    "outlet_quoted_words": int(total_words.sum()),
                    "voice_share": float(_ratio(words[:, j].sum(), total_words.sum())),
                    "voice_share_low": voice_low[j],
                    "voice_share_high": voice_high[j],
                }
            )
    return pd.DataFrame(rows, columns=MIX_OUTLET_COLUMNS)


# --------------------------------------------------------------------------------------------------------------
# outlet × group tests
# --------------------------------------------------------------------------------------------------------------


def contingency_statistics(table: np.ndarray | pd.DataFrame, bias_correction: bool = True) -> dict[str, float]:
    """Chi-square and G tests and Cramér's V of one contingency table (no continuity correction).

    Rows or columns that are entirely zero are removed first (they carry no information and would make
    expected counts zero).

    Parameters
    ----------
    table : array-like of non-negative counts, shape (r, c)
    bias_correction : bool
        Report Bergsma's (2013) bias-corrected Cramér's V in ``cramers_v`` instead of the plain one
        (``cramers_v_plain`` is always given).

    Returns
    -------
    dict
        ``n, rows, columns, chi2, dof, p_value, g, g_p_value, cramers_v, cramers_v_plain, min_expected,
        share_expected_below_5, small_expected`` (Cochran's rule broken: an expected count below 1 or more than
        20% below 5). Statistics are NaN when fewer than two rows or columns remain.
    """
    observed = np.asarray(table, dtype=float)
    observed = observed[observed.sum(axis=1) > 0][:, observed.sum(axis=0) > 0] if observed.size else observed
    r, c = observed.shape if observed.ndim == 2 else (0, 0)
    n = float(observed.sum()) if observed.size else 0.0
    result: dict[str, float] = {
        "n": n, "rows": r, "columns": c, "chi2": np.nan, "dof": np.nan, "p_value": np.nan, "g": np.nan,
        "g_p_value": np.nan, "cramers_v": np.nan, "cramers_v_plain": np.nan, "min_expected": np.nan,
        "share_expected_below_5": np.nan, "small_expected": False,
    }  # fmt: skip
    if r < 2 or c < 2:
        return result
    expected = stats.contingency.expected_freq(observed)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    g = float(2.0 * terms.sum())
    dof = (r - 1) * (c - 1)
    phi2 = chi2 / n
    plain = math.sqrt(phi2 / (min(r, c) - 1))
    if n > 1:
        phi2_corr = max(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
        r_corr = r - (r - 1) ** 2 / (n - 1)
        c_corr = c - (c - 1) ** 2 / (n - 1)
        denom = min(r_corr - 1, c_corr - 1)
        corrected = math.sqrt(phi2_corr / denom) if denom > 0 else np.nan
    else:
        corrected = np.nan
    below5 = float((expected < 5).mean())
    result.update(
        chi2=chi2, dof=dof, p_value=float(stats.chi2.sf(chi2, dof)), g=g, g_p_value=float(stats.chi2.sf(g, dof)),
        cramers_v=corrected if bias_correction else plain, cramers_v_plain=plain,
        min_expected=float(expected.min()), share_expected_below_5=below5,
        small_expected=bool(expected.min() < 1 or below5 > 0.2),
    )  # fmt: skip
    return result


def _adjusted_residuals(observed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected counts, Pearson residuals and adjusted standardised residuals (Haberman) of a table; cells of
    all-zero rows or columns get NaN."""
    observed = np.asarray(observed, dtype=float)
    n = observed.sum()
    rows = observed.sum(axis=1, keepdims=True)
    cols = observed.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = rows @ cols / n if n > 0 else np.full(observed.shape, np.nan)
        expected = np.where(expected > 0, expected, np.nan)
        pearson = (observed - expected) / np.sqrt(expected)
        adjusted = (observed - expected) / np.sqrt(expected * (1 - rows / n) * (1 - cols / n))
    adjusted = np.where(np.isfinite(adjusted), adjusted, np.nan)
    return expected, pearson, adjusted


def _outlet_group_counts(
    attributions: pd.DataFrame,
    articles: pd.DataFrame | None,
    groups: Sequence[str] | None,
    min_articles: int,
    small_outlets: SmallOutlets,
    pooled_label: str,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per-article group counts, the article → test-row mapping, and a per-row summary.

    Returns ``(counts, universe, rows)``: ``counts`` is article × group; ``universe`` has ``article_id, outlet,
    row`` (the outlet or the pooled label; NaN when excluded); ``rows`` has ``row, articles, small_outlet,
    outlets`` for every outlet or pool, excluded ones included.
    """
    _require(attributions, ["article_id", "outlet", "group"], "attributions")
    if small_outlets not in ("flag", "pool", "exclude"):
        raise ValueError("small_outlets must be 'flag', 'pool' or 'exclude'")
    universe = _article_universe(attributions, articles)
    order = _order_groups(attributions["group"], groups)
    counts = _per_article_matrix(attributions, universe["article_id"].tolist(), "group").reindex(
        columns=order, fill_value=0
    )
    sizes = universe.groupby("outlet", sort=True)["article_id"].size()
    small = sizes[sizes < min_articles].index.tolist()
    row = universe["outlet"].astype(object)
    if small_outlets == "pool" and small:
        row = row.where(~universe["outlet"].isin(small), pooled_label)
    elif small_outlets == "exclude":
        row = row.where(~universe["outlet"].isin(small), None)
    universe = universe.assign(row=row)
    summaries = []
    for outlet, n in sizes.items():
        summaries.append({"outlet": outlet, "articles": int(n), "small_outlet": bool(n < min_articles)})
    per_outlet = pd.DataFrame(summaries, columns=["outlet", "articles", "small_outlet"])
    return counts, universe, per_outlet


def _row_table(counts: pd.DataFrame, universe: pd.DataFrame) -> pd.DataFrame:
    """Test rows × groups table (rows sorted, the pooled row last)."""
    included = universe[universe["row"].notna()]
    table = counts.loc[included["article_id"]].groupby(included["row"].to_numpy()).sum()
    pooled = [r for r in table.index if r not in set(universe["outlet"])]
    ordered = sorted(r for r in table.index if r not in pooled) + sorted(pooled)
    return table.reindex(ordered)


def _article_permutation_p(
    counts: pd.DataFrame, universe: pd.DataFrame, n_permutations: int, rng: np.random.Generator
) -> float:
    """Permutation p-value of the chi-square statistic when whole articles swap outlets (rows)."""
    included = universe[universe["row"].notna()]
    matrix = counts.loc[included["article_id"]].to_numpy(dtype=float)
    keep_cols = matrix.sum(axis=0) > 0
    matrix = matrix[:, keep_cols]
    labels, uniques = pd.factorize(included["row"], sort=True)
    if len(uniques) < 2 or matrix.shape[1] < 2 or n_permutations <= 0:
        return np.nan

    def statistic(lab: np.ndarray) -> float:
        onehot = np.zeros((len(uniques), len(lab)))
        onehot[lab, np.arange(len(lab))] = 1.0
        table = onehot @ matrix
        table = table[table.sum(axis=1) > 0]
        if table.shape[0] < 2:
            return 0.0
        expected = stats.contingency.expected_freq(table)
        return float(((table - expected) ** 2 / expected).sum())

    observed = statistic(labels)
    hits = 0
    for _ in range(n_permutations):
        if statistic(rng.permutation(labels)) >= observed - 1e-9:
            hits += 1
    return (hits + 1) / (n_permutations + 1)


TEST_COLUMNS = [
    "outlets", "groups", "articles", "attributions", "chi2", "dof", "p_value", "g", "g_p_value",
    "permutation_p_value", "cramers_v", "cramers_v_plain", "bias_corrected", "min_expected",
    "share_expected_below_5", "small_expected", "small_outlets", "pooled_outlets", "excluded_outlets",
    "outlets_without_attributions", "warning",
]  # fmt: skip


def outlet_group_test(
    attributions: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    groups: Sequence[str] | None = None,
    min_articles: int = 3,
    small_outlets: SmallOutlets = "flag",
    pooled_label: str = "other outlets (pooled)",
    bias_correction: bool = True,
    n_permutations: int = 999,
    random_state: int | None = DEFAULT_RANDOM_STATE,
) -> pd.DataFrame:
    """Do outlets quote the groups in different proportions? One test over the outlet × group table.

    Parameters
    ----------
    attributions, articles, groups
        As in :func:`attribution_mix_per_article`.
    min_articles : int
        Outlets with fewer articles are "small".
    small_outlets : {"flag", "pool", "exclude"}
        Keep small outlets and name them in ``small_outlets`` (default); pool them into one row called
        ``pooled_label``; or leave them out of the test and name them in ``excluded_outlets``.
    bias_correction : bool
        Whether ``cramers_v`` is bias-corrected (Bergsma 2013).
    n_permutations : int
        Permutations for ``permutation_p_value``, which permutes whole articles between outlets and so does not
        assume attributions are independent (0 skips it).
    random_state : int or None
        Seed of the permutations.

    Returns
    -------
    pandas.DataFrame
        One row: ``outlets, groups`` (sizes of the tested table), ``articles, attributions, chi2, dof, p_value``
        (Pearson, no continuity correction), ``g, g_p_value`` (likelihood-ratio G-test), ``permutation_p_value,
        cramers_v, cramers_v_plain, bias_corrected, min_expected, share_expected_below_5, small_expected``,
        ``small_outlets, pooled_outlets, excluded_outlets, outlets_without_attributions`` (``"; "``-joined names)
        and ``warning`` (a sentence when the asymptotic p-values should not be trusted, else empty).
    """
    counts, universe, per_outlet = _outlet_group_counts(
        attributions, articles, groups, min_articles, small_outlets, pooled_label
    )
    table = _row_table(counts, universe)
    nonzero = table[table.sum(axis=1) > 0]
    result = contingency_statistics(nonzero.to_numpy(), bias_correction=bias_correction)
    small = per_outlet.loc[per_outlet["small_outlet"], "outlet"].tolist()
    without = [r for r in table.index[table.sum(axis=1) == 0]]
    p_perm = _article_permutation_p(counts, universe, n_permutations, _stream(random_state, "outlet_group_test"))
    warnings = []
    if result["small_expected"]:
        warnings.append(
            f"{result['share_expected_below_5']:.0%} of expected counts are below 5 (minimum "
            f"{result['min_expected']:.2f}); trust the permutation p-value rather than the chi-square or G p-value"
        )
    if small and small_outlets == "flag":
        warnings.append(f"outlets with fewer than {min_articles} articles: {'; '.join(small)}")
    if without:
        warnings.append(f"not tested, no attributions: {'; '.join(map(str, without))}")
    row = {
        "outlets": int(result["rows"]),
        "groups": int(result["columns"]),
        "articles": int(universe["row"].notna().sum()),
        "attributions": int(result["n"]),
        "chi2": result["chi2"],
        "dof": result["dof"],
        "p_value": result["p_value"],
        "g": result["g"],
        "g_p_value": result["g_p_value"],
        "permutation_p_value": p_perm,
        "cramers_v": result["cramers_v"],
        "cramers_v_plain": result["cramers_v_plain"],
        "bias_corrected": bias_correction,
        "min_expected": result["min_expected"],
        "share_expected_below_5": result["share_expected_below_5"],
        "small_expected": result["small_expected"],
        "small_outlets": "; ".join(small),
        "pooled_outlets": "; ".join(small) if small_outlets == "pool" else "",
        "excluded_outlets": "; ".join(small) if small_outlets == "exclude" else "",
        "outlets_without_attributions": "; ".join(map(str, without)),
        "warning": "; ".join(warnings),
    }
    return pd.DataFrame([row], columns=TEST_COLUMNS)


RESIDUAL_COLUMNS = [
    "outlet", "group", "articles", "observed", "expected", "row_share", "pearson_residual",
    "adjusted_residual", "small_expected", "small_outlet",
]  # fmt: skip


def outlet_group_residuals(
    attributions: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    groups: Sequence[str] | None = None,
    min_articles: int = 3,
    small_outlets: SmallOutlets = "flag",
    pooled_label: str = "other outlets (pooled)",
) -> pd.DataFrame:
    """Which cells drive the outlet × group difference: adjusted standardised residuals per cell.

    An adjusted residual (Haberman 1973) is (observed − expected) / sqrt(expected × (1 − row share of n) ×
    (1 − column share of n)); under independence it is roughly standard normal, so |r| > 1.96 marks a cell
    that departs from independence at about the 5% level (before any correction for the number of cells).

    Parameters
    ----------
    attributions, articles, groups, min_articles, small_outlets, pooled_label
        As in :func:`outlet_group_test`.

    Returns
    -------
    pandas.DataFrame
        One row per outlet (or pooled row) × group: ``outlet, group, articles, observed, expected, row_share``
        (the group's share of the row), ``pearson_residual, adjusted_residual, small_expected`` (expected count
        below 5), ``small_outlet``. Outlets excluded from the test, or without attributions, keep their rows with
        NaN expected counts and residuals.
    """
    counts, universe, per_outlet = _outlet_group_counts(
        attributions, articles, groups, min_articles, small_outlets, pooled_label
    )
    table = _row_table(counts, universe)
    tested = table[table.sum(axis=1) > 0]
    tested = tested.loc[:, tested.sum(axis=0) > 0]
    expected, pearson, adjusted = _adjusted_residuals(tested.to_numpy(dtype=float))
    frames = {
        "expected": pd.DataFrame(expected, index=tested.index, columns=tested.columns),
        "pearson_residual": pd.DataFrame(pearson, index=tested.index, columns=tested.columns),
        "adjusted_residual": pd.DataFrame(adjusted, index=tested.index, columns=tested.columns),
    }
    small_by_outlet = per_outlet.set_index("outlet")["small_outlet"]
    # excluded outlets keep their rows, under their own names, after the tested ones
    key = universe["row"].fillna(universe["outlet"]).to_numpy()
    all_counts = counts.groupby(key).sum()
    articles_by_row = pd.Series(key).value_counts()
    row_names = list(table.index) + sorted(set(all_counts.index) - set(table.index))
    rows = []
    for name in row_names:
        observed_row = all_counts.loc[name]
        total = observed_row.sum()
        is_small = bool(small_by_outlet.get(name, articles_by_row.get(name, 0) < min_articles))
        for group in counts.columns:
            def cell(key: str) -> float:
                frame = frames[key]
                if name in frame.index and group in frame.columns:
                    return float(frame.loc[name, group])
                return np.nan

            exp = cell("expected")
            rows.append(
                {
                    "outlet": name,
                    "group": group,
                    "articles": int(articles_by_row.get(name, 0)),
                    "observed": int(observed_row[group]),
                    "expected": exp,
                    "row_share": float(observed_row[group] / total) if total > 0 else np.nan,
                    "pearson_residual": cell("pearson_residual"),
                    "adjusted_residual": cell("adjusted_residual"),
                    "small_expected": bool(exp < 5) if not np.isnan(exp) else False,
                    "small_outlet": is_small,
                }
            )
    return pd.DataFrame(rows, columns=RESIDUAL_COLUMNS)


PAIRWISE_COLUMNS = [
    "outlet_a", "outlet_b", "articles_a", "articles_b", "attributions_a", "attributions_b", "chi2", "dof",
    "p_value", "g", "g_p_value", "cramers_v", "min_expected", "small_expected", "p_holm", "p_bh",
    "p_adjusted", "significant", "small_outlet", "warning",
]  # fmt: skip


def pairwise_outlet_tests(
    attributions: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    groups: Sequence[str] | None = None,
    min_articles: int = 3,
    small_outlets: SmallOutlets = "flag",
    pooled_label: str = "other outlets (pooled)",
    correction: Correction = "holm",
    alpha: float = 0.05,
    bias_correction: bool = True,
) -> pd.DataFrame:
    """Chi-square tests of the group mix for every pair of outlets, corrected for multiple comparisons.

    Parameters
    ----------
    attributions, articles, groups, min_articles, small_outlets, pooled_label, bias_correction
        As in :func:`outlet_group_test`.
    correction : {"holm", "bh", "none"}
        Which adjusted p-value goes into ``p_adjusted`` and decides ``significant`` (both Holm and
        Benjamini–Hochberg are always reported).
    alpha : float
        Level for ``significant``.

    Returns
    -------
    pandas.DataFrame
        One row per pair (``outlet_a`` < ``outlet_b`` alphabetically, pooled row last): ``articles_a,
        articles_b, attributions_a, attributions_b, chi2, dof, p_value, g, g_p_value, cramers_v, min_expected,
        small_expected, p_holm, p_bh, p_adjusted, significant, small_outlet`` (either side small), ``warning``.
        Pairs with an outlet without attributions have NaN statistics and do not count as tests.
    """
    counts, universe, per_outlet = _outlet_group_counts(
        attributions, articles, groups, min_articles, small_outlets, pooled_label
    )
    table = _row_table(counts, universe)
    sizes = universe[universe["row"].notna()].groupby("row", sort=True)["article_id"].size()
    small_rows = {r for r in table.index if sizes.get(r, 0) < min_articles}
    rows = []
    for a, b in itertools.combinations(table.index, 2):
        pair = table.loc[[a, b]].to_numpy(dtype=float)
        res = contingency_statistics(pair, bias_correction=bias_correction)
        notes = []
        if pair[0].sum() == 0 or pair[1].sum() == 0:
            notes.append("an outlet has no attributions")
        if res["small_expected"]:
            notes.append(f"small expected counts (minimum {res['min_expected']:.2f})")
        if a in small_rows or b in small_rows:
            notes.append(f"fewer than {min_articles} articles")
        rows.append(
            {
                "outlet_a": a, "outlet_b": b, "articles_a": int(sizes.get(a, 0)), "articles_b": int(sizes.get(b, 0)),
                "attributions_a": int(pair[0].sum()), "attributions_b": int(pair[1].sum()), "chi2": res["chi2"],
                "dof": res["dof"], "p_value": res["p_value"], "g": res["g"], "g_p_value": res["g_p_value"],
                "cramers_v": res["cramers_v"], "min_expected": res["min_expected"],
                "small_expected": res["small_expected"], "small_outlet": a in small_rows or b in small_rows,
                "warning": "; ".join(notes),
            }
        )  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in PAIRWISE_COLUMNS if c not in ("p_holm", "p_bh", "p_adjusted",
                                                                                 "significant")])
    out["p_holm"] = adjust_pvalues(out["p_value"], "holm")
    out["p_bh"] = adjust_pvalues(out["p_value"], "bh")
    out["p_adjusted"] = adjust_pvalues(out["p_value"], correction)
    out["significant"] = (out["p_adjusted"] < alpha).fillna(False).astype(bool)
    return out[PAIRWISE_COLUMNS]


# --------------------------------------------------------------------------------------------------------------
# placement
# --------------------------------------------------------------------------------------------------------------

PLACEMENT_ARTICLE_COLUMNS = [
    "article_id", "outlet", "group", "quoted", "quoted_first", "last_word", "in_headline", "in_lede",
]  # fmt: skip

PLACEMENT_OUTLET_COLUMNS = [
    "outlet", "group", "articles", "quoted", "quoted_share", "quoted_first", "quoted_first_share", "last_word",
    "last_word_share", "in_headline", "in_headline_share", "in_lede", "in_lede_share",
]  # fmt: skip


def _name_variants(speaker: str, speaker_type: object, aliases: Mapping[str, Sequence[str]]) -> list[str]:
    """Folded names by which a speaker may appear in a headline: the name, registry aliases, and the surname
    of a person (three letters or more)."""
    if not isinstance(speaker, str) or speaker_type in ("unnamed",) or speaker.startswith("unnamed "):
        return []
    names = [speaker, *aliases.get(speaker, ())]
    if speaker_type == "person":
        tokens = fold(speaker).split()
        if len(tokens) > 1 and len(tokens[-1]) >= 3:
            names.append(tokens[-1])
    return [f for f in dict.fromkeys(fold(n) for n in names) if f]


def placement_per_article(
    attributions: pd.DataFrame,
    articles: pd.DataFrame,
    groups: Sequence[str] | None = None,
    actors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Where each group is quoted in each article: first, last, in the headline, in the lede.

    Parameters
    ----------
    attributions : pandas.DataFrame
        Needs ``article_id, outlet, attribution_index, paragraph_index, speaker, group``; ``speaker_type`` is
        used when present (unnamed speakers are never matched in headlines; persons also by surname).
    articles : pandas.DataFrame
        Needs ``article_id, outlet, title``.
    groups : sequence of str, optional
        As in :func:`attribution_mix_per_article`.
    actors : pandas.DataFrame, optional
        The actors registry (``name, aliases``) so that aliases count as headline mentions.

    Returns
    -------
    pandas.DataFrame
        One row per article × group, booleans: ``quoted`` (at least one attribution), ``quoted_first`` (the
        group's speaker has the article's first attribution), ``last_word`` (its last attribution),
        ``in_headline`` (a speaker of the group quoted in the article is named in the title, case and accents
        ignored), ``in_lede`` (quoted in the first paragraph, ``paragraph_index == 0``).
    """
    _require(attributions, ["article_id", "outlet", "attribution_index", "paragraph_index", "speaker", "group"],
             "attributions")  # fmt: skip
    _require(articles, ["article_id", "outlet", "title"], "articles")
    universe = _article_universe(attributions, articles)
    order = _order_groups(attributions["group"], groups)
    alias_map: dict[str, list[str]] = {}
    if actors is not None and "name" in actors.columns:
        for name, aliases in zip(actors["name"], actors.get("aliases", pd.Series(index=actors.index, dtype=object))):
            if isinstance(name, str):
                alias_map[name] = split_list(aliases)
    titles = articles.assign(article_id=articles["article_id"].astype(str)).drop_duplicates("article_id")
    title_by_article = {
        a: f" {fold(t)} " if isinstance(t, str) else "" for a, t in zip(titles["article_id"], titles["title"])
    }
    attr = attributions.assign(article_id=attributions["article_id"].astype(str))
    attr = attr.sort_values(["article_id", "attribution_index"], kind="stable")
    first = attr.groupby("article_id", sort=False)["group"].first()
    last = attr.groupby("article_id", sort=False)["group"].last()
    lede = attr[attr["paragraph_index"] == 0].groupby("article_id")["group"].agg(set)
    quoted = attr.groupby("article_id")["group"].agg(set)
    types = attr["speaker_type"] if "speaker_type" in attr.columns else pd.Series(None, index=attr.index)
    headline: dict[str, set[str]] = {}
    for article_id, speaker, speaker_type, group in zip(attr["article_id"], attr["speaker"], types, attr["group"]):
        title = title_by_article.get(article_id, "")
        if title and any(f" {v} " in title for v in _name_variants(speaker, speaker_type, alias_map)):
            headline.setdefault(article_id, set()).add(group)
    rows = []
    for article_id, outlet in zip(universe["article_id"], universe["outlet"]):
        for group in order:
            rows.append(
                {
                    "article_id": article_id, "outlet": outlet, "group": group,
                    "quoted": group in quoted.get(article_id, set()),
                    "quoted_first": first.get(article_id) == group,
                    "last_word": last.get(article_id) == group,
                    "in_headline": group in headline.get(article_id, set()),
                    "in_lede": group in lede.get(article_id, set()),
                }
            )  # fmt: skip
    return pd.DataFrame(rows, columns=PLACEMENT_ARTICLE_COLUMNS)


def placement_per_outlet(
    attributions: pd.DataFrame,
    articles: pd.DataFrame,
    groups: Sequence[str] | None = None,
    actors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per outlet and group: in how many (and which share of) the outlet's articles the group is quoted, quoted
    first, has the last word, is named in the headline, is quoted in the lede.

    Parameters
    ----------
    attributions, articles, groups, actors
        As in :func:`placement_per_article`.

    Returns
    -------
    pandas.DataFrame
        One row per outlet × group: ``outlet, group, articles`` (all the outlet's articles, those without
        attributions included), and for each of ``quoted, quoted_first, last_word, in_headline, in_lede`` the
        number of articles and ``<name>_share`` of the outlet's articles.
    """
    per_article = placement_per_article(attributions, articles, groups, actors)
    measures = ["quoted", "quoted_first", "last_word", "in_headline", "in_lede"]
    grouped = per_article.groupby(["outlet", "group"], sort=False)
    table = grouped[measures].sum().astype(np.int64)
    table.insert(0, "articles", grouped["article_id"].size())
    table = table.reset_index()
    for m in measures:
        table[f"{m}_share"] = _ratio(table[m], table["articles"])
    order = {g: i for i, g in enumerate(_order_groups(attributions["group"], groups))}
    table = table.sort_values(["outlet", "group"], key=lambda s: s.map(order) if s.name == "group" else s,
                              kind="stable")  # fmt: skip
    return table[PLACEMENT_OUTLET_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------------
# balance between two sides
# --------------------------------------------------------------------------------------------------------------

BALANCE_COLUMNS = [
    "outlet", "side_a", "side_b", "weight", "measure", "articles", "value_a", "value_b", "outlet_total",
    "share_a", "share_b", "balance", "balance_low", "balance_high",
]  # fmt: skip


def side_balance(
    attributions: pd.DataFrame,
    side_a: str,
    side_b: str,
    articles: pd.DataFrame | None = None,
    weight: Literal["quoted_words", "attributions"] = "quoted_words",
    measure: Literal["difference", "log_ratio"] = "difference",
    pseudocount: float = 0.5,
    n_boot: int = 2000,
    ci: float = 0.95,
    random_state: int | None = DEFAULT_RANDOM_STATE,
) -> pd.DataFrame:
    """Balance between two sides of a story in each outlet, e.g. US against Russian officials.

    Parameters
    ----------
    attributions : pandas.DataFrame
        Needs ``article_id, outlet, group`` (and ``quoted_words`` for the default weight).
    side_a, side_b : str
        The two groups.
    articles : pandas.DataFrame, optional
        So that articles quoting neither side count (and are resampled).
    weight : {"quoted_words", "attributions"}
        Voice measured as words inside quotation marks (default) or as attributions.
    measure : {"difference", "log_ratio"}
        ``share_a − share_b`` (shares of all the outlet's voice, in [-1, 1]; 0 is balance), or
        ``log2((a + pseudocount) / (b + pseudocount))`` (1 means side A has twice side B's voice).
    pseudocount : float
        Added to both sides for the log ratio, so that a side never quoted does not give infinity.
    n_boot, ci, random_state
        Bootstrap over the outlet's articles, as in :func:`attribution_mix_per_outlet`.

    Returns
    -------
    pandas.DataFrame
        One row per outlet: ``outlet, side_a, side_b, weight, measure, articles, value_a, value_b`` (totals of
        the weight), ``outlet_total, share_a, share_b, balance, balance_low, balance_high``.
    """
    _require(attributions, ["article_id", "outlet", "group"], "attributions")
    if weight not in ("quoted_words", "attributions"):
        raise ValueError("weight must be 'quoted_words' or 'attributions'")
    if measure not in ("difference", "log_ratio"):
        raise ValueError("measure must be 'difference' or 'log_ratio'")
    universe = _article_universe(attributions, articles)
    ids = universe["article_id"].tolist()
    values = None if weight == "attributions" else "quoted_words"
    matrix = _per_article_matrix(attributions, ids, "group", values)
    total = matrix.sum(axis=1).to_numpy(dtype=float)
    sides = matrix.reindex(columns=[side_a, side_b], fill_value=0).to_numpy(dtype=float)

    def balance(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
        if measure == "log_ratio":
            return np.log2((a + pseudocount) / (b + pseudocount))
        return _ratio(a - b, t)

    rows = []
    outlets = universe["outlet"].to_numpy()
    for outlet in sorted(set(outlets)):
        mask = outlets == outlet
        s, t = sides[mask], total[mask]
        a, b, tt = s[:, 0].sum(), s[:, 1].sum(), t.sum()
        low = high = np.nan
        n = int(mask.sum())
        if n_boot > 0 and n > 0:
            rng = _stream(random_state, str(outlet))
            w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)
            boot = balance(w @ s[:, 0], w @ s[:, 1], w @ t)
            boot = boot[np.isfinite(boot)]
            if boot.size:
                alpha = (1 - ci) / 2
                low, high = (float(x) for x in np.quantile(boot, [alpha, 1 - alpha]))
        rows.append(
            {
                "outlet": outlet, "side_a": side_a, "side_b": side_b, "weight": weight, "measure": measure,
                "articles": n, "value_a": int(a), "value_b": int(b), "outlet_total": int(tt),
                "share_a": float(_ratio(a, tt)), "share_b": float(_ratio(b, tt)),
                "balance": float(balance(np.array([a]), np.array([b]), np.array([tt]))[0]),
                "balance_low": low, "balance_high": high,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=BALANCE_COLUMNS)


# --------------------------------------------------------------------------------------------------------------
# framing: cue-verb categories
# --------------------------------------------------------------------------------------------------------------

FRAMING_COLUMNS = ["outlet", "group", "cue_category", "attributions", "group_attributions", "share"]


def _order_categories(observed: Iterable[object], categories: Sequence[str] | None) -> list[str]:
    if categories is not None:
        return list(dict.fromkeys(categories))
    seen = {c for c in observed if isinstance(c, str) and c}
    return [c for c in CUE_CATEGORIES if c in seen] + sorted(seen - set(CUE_CATEGORIES))


def cue_framing(
    attributions: pd.DataFrame,
    groups: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Which reporting-verb categories each outlet uses for each group ("claimed" for one side, "said" for the
    other?).

    Attributions without a cue category (continuations of an earlier quotation) are left out.

    Parameters
    ----------
    attributions : pandas.DataFrame
        Needs ``outlet, group, cue_category``.
    groups : sequence of str, optional
        Groups to report (default: all observed, in ``data/groups.csv`` order).
    categories : sequence of str, optional
        Categories to report (default: observed ones in :data:`CUE_CATEGORIES` order).

    Returns
    -------
    pandas.DataFrame
        One row per outlet × group (that has categorised attributions) × category: ``outlet, group,
        cue_category, attributions, group_attributions`` (the group's categorised attributions in the outlet),
        ``share`` (of those; e.g. the share of "doubting" cues).
    """
    _require(attributions, ["outlet", "group", "cue_category"], "attributions")
    cats = _order_categories(attributions["cue_category"], categories)
    order = _order_groups(attributions["group"], groups)
    usable = attributions[attributions["cue_category"].notna() & attributions["group"].isin(order)]
    counts = usable.groupby(["outlet", "group", "cue_category"], sort=True).size()
    totals = usable.groupby(["outlet", "group"], sort=True).size()
    rows = []
    for outlet in sorted(usable["outlet"].astype(str).unique()):
        for group in order:
            total = int(totals.get((outlet, group), 0))
            if total == 0:
                continue
            for cat in cats:
                n = int(counts.get((outlet, group, cat), 0))
                rows.append({"outlet": outlet, "group": group, "cue_category": cat, "attributions": n,
                             "group_attributions": total, "share": n / total})  # fmt: skip
    return pd.DataFrame(rows, columns=FRAMING_COLUMNS)


FRAMING_TEST_COLUMNS = [
    "outlet", "group_a", "group_b", "attributions_a", "attributions_b", "categories", "method", "statistic",
    "p_value", "p_adjusted", "cramers_v", "min_expected", "note",
]  # fmt: skip


def cue_framing_test(
    attributions: pd.DataFrame,
    group_a: str,
    group_b: str,
    categories: Sequence[str] | None = None,
    method: Literal["auto", "chi2", "exact"] = "auto",
    correction: Correction = "holm",
    n_resamples: int = 9999,
    random_state: int | None = DEFAULT_RANDOM_STATE,
) -> pd.DataFrame:
    """Per outlet: do the cue categories used for ``group_a`` differ from those used for ``group_b``?

    Parameters
    ----------
    attributions : pandas.DataFrame
        Needs ``outlet, group, cue_category``.
    group_a, group_b : str
        The two groups compared.
    categories : sequence of str, optional
        Categories to keep (default: all).
    method : {"auto", "chi2", "exact"}
        ``chi2``: Pearson's chi-square on the 2 × k table. ``exact``: Fisher's exact test for a 2 × 2 table, a
        Monte Carlo Fisher–Freeman–Halton test (``n_resamples`` random tables with the observed margins) for
        larger ones. ``auto`` (default): exact when an expected count is below 5, else chi-square.
    correction : {"holm", "bh", "none"}
        Adjustment over outlets, in ``p_adjusted``.
    n_resamples : int
        Monte Carlo tables for exact tests larger than 2 × 2.
    random_state : int or None
        Seed of the Monte Carlo tests (one stream per outlet).

    Returns
    -------
    pandas.DataFrame
        One row per outlet: ``outlet, group_a, group_b, attributions_a, attributions_b, categories`` (used, i.e.
        not zero for both), ``method, statistic`` (chi-square, or the odds ratio for Fisher 2 × 2, or the table's
        probability for Fisher–Freeman–Halton), ``p_value, p_adjusted, cramers_v, min_expected, note`` (why a
        test could not be run). Outlets where either group has no categorised attributions are kept with NaN.
    """
    if method not in ("auto", "chi2", "exact"):
        raise ValueError("method must be 'auto', 'chi2' or 'exact'")
    framing = cue_framing(attributions, groups=[group_a, group_b], categories=categories)
    outlets = sorted(attributions["outlet"].astype(str).unique())
    cats = _order_categories(attributions["cue_category"], categories)
    rows = []
    for outlet in outlets:
        part = framing[framing["outlet"] == outlet]
        wide = part.pivot_table(index="group", columns="cue_category", values="attributions", aggfunc="sum")
        wide = wide.reindex(index=[group_a, group_b], columns=cats).fillna(0).to_numpy(dtype=float)
        n_a, n_b = int(wide[0].sum()), int(wide[1].sum())
        used = wide[:, wide.sum(axis=0) > 0]
        row = {"outlet": outlet, "group_a": group_a, "group_b": group_b, "attributions_a": n_a,
               "attributions_b": n_b, "categories": int(used.shape[1]), "method": "", "statistic": np.nan,
               "p_value": np.nan, "cramers_v": np.nan, "min_expected": np.nan, "note": ""}  # fmt: skip
        if n_a == 0 or n_b == 0:
            row["note"] = f"no categorised attributions of {group_a if n_a == 0 else group_b}"
        elif used.shape[1] < 2:
            row["note"] = "both groups get a single cue category"
            row["p_value"] = 1.0
            row["method"] = "none"
        else:
            res = contingency_statistics(used)
            row["cramers_v"] = res["cramers_v"]
            row["min_expected"] = res["min_expected"]
            exact = method == "exact" or (method == "auto" and res["min_expected"] < 5)
            if not exact:
                row.update(method="chi-square", statistic=res["chi2"], p_value=res["p_value"])
            elif used.shape[1] == 2:
                fisher = stats.fisher_exact(used.astype(np.int64))
                row.update(method="fisher", statistic=float(fisher.statistic), p_value=float(fisher.pvalue))
            else:
                mc = stats.MonteCarloMethod(n_resamples=n_resamples, rng=_stream(random_state, outlet))
                fisher = stats.fisher_exact(used.astype(np.int64), method=mc)
                row.update(method="fisher-freeman-halton (monte carlo)", statistic=float(fisher.statistic),
                           p_value=float(fisher.pvalue))  # fmt: skip
        rows.append(row)
    out = pd.DataFrame(rows, columns=[c for c in FRAMING_TEST_COLUMNS if c != "p_adjusted"])
    out["p_adjusted"] = adjust_pvalues(out["p_value"], correction)
    return out[FRAMING_TEST_COLUMNS]


# --------------------------------------------------------------------------------------------------------------
# tone
# --------------------------------------------------------------------------------------------------------------


def _sign_flip_p(differences: np.ndarray, n_permutations: int, rng: np.random.Generator) -> float:
    """Two-sided paired permutation (sign-flip) p-value of the mean difference; exact when 2**n is at most
    ``n_permutations``."""
    d = np.asarray(differences, dtype=float)
    n = d.size
    if n == 0:
        return np.nan
    observed = abs(d.mean())
    if 2**n <= max(n_permutations, 1):
        signs = np.array(list(itertools.product((-1.0, 1.0), repeat=n)))
        null = np.abs(signs @ d / n)
        return float((null >= observed - 1e-12).mean())
    signs = rng.choice(np.array([-1.0, 1.0]), size=(n_permutations, n))
    null = np.abs(signs @ d / n)
    return float(((null >= observed - 1e-12).sum() + 1) / (n_permutations + 1))


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else np.nan


def _permutation_diff_p(
    values: np.ndarray, weights: np.ndarray, inside: np.ndarray, n_permutations: int, rng: np.random.Generator
) -> float:
    """Two-sided permutation p-value of the difference between the weighted means inside and outside a set of
    units (labels permuted over units)."""
    if inside.sum() == 0 or (~inside).sum() == 0 or n_permutations <= 0:
        return np.nan
    vw = values * weights
    labels = np.tile(inside, (n_permutations, 1))
    labels = rng.permuted(labels, axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        m_in = labels @ vw / (labels @ weights)
        m_out = (1 - labels) @ vw / ((1 - labels) @ weights)
    null = np.abs(m_in - m_out)
    observed = abs(_weighted_mean(values[inside], weights[inside]) - _weighted_mean(values[~inside], weights[~inside]))
    null = null[np.isfinite(null)]
    return float(((null >= observed - 1e-12).sum() + 1) / (null.size + 1))


def _between_ss(values: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Weighted between-group sum of squares for each row of ``labels`` (permutations × units)."""
    grand = _weighted_mean(values, weights)
    labels = np.atleast_2d(labels)
    total = np.zeros(labels.shape[0])
    for j in range(k):
        mask = (labels == j).astype(float)
        w = mask @ weights
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(w > 0, mask @ (values * weights) / np.where(w > 0, w, 1.0), grand)
        total += w * (m - grand) ** 2
    return total


TONE_VOICE_COLUMNS = [
    "outlet", "voice", "articles", "sentences", "tone_score", "negative_share", "neutral_share", "positive_share",
]  # fmt: skip


def tone_by_voice(sentences: pd.DataFrame) -> pd.DataFrame:
    """Tone of each outlet's own voice and of the voices it quotes.

    Parameters
    ----------
    sentences : pandas.DataFrame
        The sentences table (``article_id, outlet, voice, tone, tone_score``).

    Returns
    -------
    pandas.DataFrame
        One row per outlet × voice (``own`` then ``quoted``; a voice absent from an outlet has 0 sentences and
        NaN tone): ``outlet, voice, articles`` (with at least one sentence in that voice), ``sentences,
        tone_score`` (mean over sentences), ``negative_share, neutral_share, positive_share``.
    """
    _require(sentences, ["article_id", "outlet", "voice", "tone", "tone_score"], "sentences")
    rows = []
    for outlet in sorted(sentences["outlet"].astype(str).unique()):
        part = sentences[sentences["outlet"].astype(str) == outlet]
        for voice in ("own", "quoted"):
            v = part[part["voice"] == voice]
            n = len(v)
            tone = v["tone"].astype(str)
            rows.append(
                {
                    "outlet": outlet, "voice": voice, "articles": int(v["article_id"].nunique()), "sentences": n,
                    "tone_score": float(pd.to_numeric(v["tone_score"]).mean()) if n else np.nan,
                    "negative_share": float((tone == "negative").mean()) if n else np.nan,
                    "neutral_share": float((tone == "neutral").mean()) if n else np.nan,
                    "positive_share": float((tone == "positive").mean()) if n else np.nan,
                }
            )  # fmt: skip
    return pd.DataFrame(rows, columns=TONE_VOICE_COLUMNS)


TONE_VOICE_TEST_COLUMNS = [
    "outlet", "articles", "paired_articles", "own_voice_tone", "quoted_voice_tone", "difference", "p_value",
    "p_adjusted",
]  # fmt: skip


def tone_voice_test(
    article_tone: pd.DataFrame,
    n_permutations: int = 9999,
    correction: Correction = "holm",
    random_state: int | None = DEFAULT_RANDOM_STATE,
) -> pd.DataFrame:
    """Per outlet: is the tone of the voices it quotes different from the tone of its own voice?

    A paired test over articles: each article with both own-voice and quoted sentences gives one difference
    (quoted − own tone); the signs of the differences are flipped at random (exactly, over all sign patterns, for
    up to ``log2(n_permutations)`` articles).

    Parameters
    ----------
    article_tone : pandas.DataFrame
        Needs ``article_id, outlet, own_voice_sentences, own_voice_tone, quoted_voice_sentences,
        quoted_voice_tone``.
    n_permutations : int
        Random sign patterns.
    correction : {"holm", "bh", "none"}
        Adjustment over outlets, in ``p_adjusted``.
    random_state : int or None
        Seed (one stream per outlet).

    Returns
    -------
    pandas.DataFrame
        One row per outlet: ``outlet, articles, paired_articles, own_voice_tone, quoted_voice_tone`` (means over
        the paired articles), ``difference`` (quoted − own), ``p_value, p_adjusted``.
    """
    _require(article_tone, ["article_id", "outlet", "own_voice_sentences", "own_voice_tone",
                            "quoted_voice_sentences", "quoted_voice_tone"], "article_tone")  # fmt: skip
    rows = []
    for outlet in sorted(article_tone["outlet"].astype(str).unique()):
        part = article_tone[article_tone["outlet"].astype(str) == outlet]
        own = pd.to_numeric(part["own_voice_tone"], errors="coerce").to_numpy(dtype=float)
        quoted = pd.to_numeric(part["quoted_voice_tone"], errors="coerce").to_numpy(dtype=float)
        paired = (
            (pd.to_numeric(part["own_voice_sentences"]).to_numpy() > 0)
            & (pd.to_numeric(part["quoted_voice_sentences"]).to_numpy() > 0)
            & np.isfinite(own)
            & np.isfinite(quoted)
        )
        d = quoted[paired] - own[paired]
        rows.append(
            {
                "outlet": outlet, "articles": len(part), "paired_articles": int(paired.sum()),
                "own_voice_tone": float(own[paired].mean()) if paired.any() else np.nan,
                "quoted_voice_tone": float(quoted[paired].mean()) if paired.any() else np.nan,
                "difference": float(d.mean()) if d.size else np.nan,
                "p_value": _sign_flip_p(d, n_permutations, _stream(random_state, outlet)),
            }
        )  # fmt: skip
    out = pd.DataFrame(rows, columns=TONE_VOICE_TEST_COLUMNS[:-1])
    out["p_adjusted"] = adjust_pvalues(out["p_value"], correction)
    return out[TONE_VOICE_TEST_COLUMNS]


QUOTED_TONE_COLUMNS = [
    "outlet", "group", "attributions", "content_tone_score", "negative_share", "neutral_share", "positive_share",
]  # fmt: skip


def quoted_tone_by_group(attributions: pd.DataFrame, groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Tone of what each group is quoted as saying, per outlet (from the attributions' ``content_tone`` and
    ``content_tone_score``).

    Parameters
    ----------
    attributions : pandas.DataFrame
        Needs ``outlet, group, content_tone, content_tone_score``; attributions without a score are left out.
    groups : sequence of str, optional
        As in :func:`attribution_mix_per_article`.

    Returns
    -------
    pandas.DataFrame
        One row per outlet × group with scored attributions: ``outlet, group, attributions, content_tone_score``
        (mean), ``negative_share, neutral_share, positive_share`` (of the attributions' labels).
    """
    _require(attributions, ["outlet", "group", "content_tone", "content_tone_score"], "attributions")
    scored = attributions[pd.to_numeric(attributions["content_tone_score"], errors="coerce").notna()]
    order = _order_groups(attributions["group"], groups)
    rows = []
    for (outlet, group), part in scored.groupby([scored["outlet"].astype(str), "group"], sort=True):
        if group not in order:
            continue
        labels = part["content_tone"].astype(str)
        rows.append(
            {
                "outlet": outlet, "group": group, "attributions": len(part),
                "content_tone_score": float(pd.to_numeric(part["content_tone_score"]).mean()),
                "negative_share": float((labels == "negative").mean()),
                "neutral_share": float((labels == "neutral").mean()),
                "positive_share": float((labels == "positive").mean()),
            }
        )  # fmt: skip
    out = pd.DataFrame(rows, columns=QUOTED_TONE_COLUMNS)
    rank = {g: i for i, g in enumerate(order)}
    out = out.sort_values(["outlet", "group"], key=lambda col: col.map(rank) if col.name == "group" else col,
                          kind="stable")  # fmt: skip
    return out.reset_index(drop=True)


ACTOR_TONE_COLUMNS = [
    "outlet", "target", "articles", "sentences", "tone_score", "negative_share", "neutral_share", "positive_share",
    "others_articles", "others_tone_score", "difference_from_others", "p_value", "p_adjusted",
]  # fmt: skip


def actor_tone_by_outlet(
    actor_tone: pd.DataFrame,
    by: Literal["actor", "group"] = "actor",
    actors: Sequence[str] | None = None,
    n_permutations: int = 1999,
    correction: Correction = "holm",
    random_state: int | None = DEFAULT_RANDOM_STATE,
) -> pd.DataFrame:
    """Tone toward each actor (or group of actors) in each outlet, compared with the other outlets.

    The tone of an outlet toward an actor is the sentence-weighted mean ``tone_score`` of the sentences about the
    actor. Each cell is tested against all other outlets' articles about the same actor: outlet labels are
    permuted over articles (each article keeps its sentences about the actor together).

    Parameters
    ----------
    actor_tone : pandas.DataFrame
        Needs ``article_id, outlet, actor, group, sentences, tone_score, negative, neutral, positive``.
    by : {"actor", "group"}
        Report each actor, or pool actors by group.
    actors : sequence of str, optional
        Keep only these actors (or groups), in this order; default all, sorted.
    n_permutations : int
        Permutations per cell (0 skips the tests).
    correction : {"holm", "bh", "none"}
        Adjustment over all tested cells, in ``p_adjusted``.
    random_state : int or None
        Seed (one stream per cell).

    Returns
    -------
    pandas.DataFrame
        One row per outlet × target present in the data: ``outlet, target`` (the actor or group), ``articles,
        sentences, tone_score, negative_share, neutral_share, positive_share, others_articles,
        others_tone_score, difference_from_others, p_value, p_adjusted``.
    """
    units, targets = _actor_targets(actor_tone, by, actors)
    rows = []
    for target in targets:
        part = units[units["target"] == target]
        if part.empty:
            continue
        values = part["tone_score"].to_numpy(dtype=float)
        weights = part["sentences"].to_numpy(dtype=float)
        outlets = part["outlet"].to_numpy()
        for outlet in sorted(set(outlets)):
            inside = outlets == outlet
            sub = part[inside]
            n_sent = float(sub["sentences"].sum())
            rng = _stream(random_state, f"{outlet}\x1f{target}")
            rows.append(
                {
                    "outlet": outlet, "target": target, "articles": int(inside.sum()), "sentences": int(n_sent),
                    "tone_score": _weighted_mean(values[inside], weights[inside]),
                    "negative_share": float(sub["negative"].sum() / n_sent) if n_sent else np.nan,
                    "neutral_share": float(sub["neutral"].sum() / n_sent) if n_sent else np.nan,
                    "positive_share": float(sub["positive"].sum() / n_sent) if n_sent else np.nan,
                    "others_articles": int((~inside).sum()),
                    "others_tone_score": _weighted_mean(values[~inside], weights[~inside]),
                    "p_value": _permutation_diff_p(values, weights, inside, n_permutations, rng),
                }
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in ACTOR_TONE_COLUMNS if c not in ("difference_from_others",
                                                                               "p_adjusted")])
    out["difference_from_others"] = out["tone_score"] - out["others_tone_score"]
    out["p_adjusted"] = adjust_pvalues(out["p_value"], correction)
    out = out.sort_values(["outlet"], kind="stable").reset_index(drop=True)
    return out[ACTOR_TONE_COLUMNS]


def _actor_targets(actor_tone: pd.DataFrame, by: str, actors) -> tuple[pd.DataFrame, list]:
    """Checked actor-tone units (one per article and target) and the targets to report, in order."""
    if by not in ("actor", "group"):
        raise ValueError("by must be 'actor' or 'group'")
    _require(actor_tone, ["article_id", "outlet", by, "sentences", "tone_score", "negative", "neutral", "positive"],
             "actor_tone")  # fmt: skip
    units = _actor_units(actor_tone, by)
    targets = list(dict.fromkeys(actors)) if actors is not None else sorted(units["target"].unique())
    return units, targets


def _actor_units(actor_tone: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per article × target with sentence-weighted tone (pooling actors of a group in an article)."""
    frame = actor_tone[actor_tone[by].notna() & (pd.to_numeric(actor_tone["sentences"]) > 0)]
    frame = frame.assign(
        target=frame[by].astype(str),
        outlet=frame["outlet"].astype(str),
        sentences=pd.to_numeric(frame["sentences"]).astype(float),
        weighted=pd.to_numeric(frame["tone_score"]) * pd.to_numeric(frame["sentences"]),
    )
    grouped = frame.groupby(["target", "outlet", "article_id"], sort=True)[
        ["sentences", "weighted", "negative", "neutral", "positive"]
    ].sum()
    grouped["tone_score"] = grouped["weighted"] / grouped["sentences"]
    return grouped.reset_index()


ACTOR_TEST_COLUMNS = ["target", "outlets", "articles", "sentences", "tone_score", "statistic", "p_value",
                      "p_adjusted"]  # fmt: skip


def actor_tone_test(
    actor_tone: pd.DataFrame,
    by: Literal["actor", "group"] = "actor",
    actors: Sequence[str] | None = None,
    n_permutations: int = 1999,
    correction: Correction = "holm",
    random_state: int | None = DEFAULT_RANDOM_STATE,
) -> pd.DataFrame:
    """Per actor (or group): does the tone toward it differ between outlets at all? One omnibus test each.

    The statistic is the sentence-weighted between-outlet sum of squares of article tone scores; outlet labels
    are permuted over articles.

    Parameters
    ----------
    actor_tone, by, actors, n_permutations, correction, random_state
        As in :func:`actor_tone_by_outlet`.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``target, outlets, articles, sentences, tone_score`` (overall), ``statistic,
        p_value`` (NaN when only one outlet mentions it), ``p_adjusted``.
    """
    units, targets = _actor_targets(actor_tone, by, actors)
    rows = []
    for target in targets:
        part = units[units["target"] == target]
        if part.empty:
            continue
        values = part["tone_score"].to_numpy(dtype=float)
        weights = part["sentences"].to_numpy(dtype=float)
        labels, uniques = pd.factorize(part["outlet"], sort=True)
        k = len(uniques)
        statistic = float(_between_ss(values, weights, labels, k)[0])
        p = np.nan
        if k >= 2 and n_permutations > 0:
            rng = _stream(random_state, target)
            perms = rng.permuted(np.tile(labels, (n_permutations, 1)), axis=1)
            null = _between_ss(values, weights, perms, k)
            p = float(((null >= statistic - 1e-12).sum() + 1) / (n_permutations + 1))
        rows.append({"target": target, "outlets": k, "articles": len(part), "sentences": int(weights.sum()),
                     "tone_score": _weighted_mean(values, weights), "statistic": statistic, "p_value": p})
    out = pd.DataFrame(rows, columns=ACTOR_TEST_COLUMNS[:-1])
    out["p_adjusted"] = adjust_pvalues(out["p_value"], correction)
    return out[ACTOR_TEST_COLUMNS]


# --------------------------------------------------------------------------------------------------------------
# outlet profiles and the outlet map
# --------------------------------------------------------------------------------------------------------------


def outlet_profiles(
    attributions: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    article_tone: pd.DataFrame | None = None,
    actor_tone: pd.DataFrame | None = None,
    groups: Sequence[str] | None = None,
    features: Sequence[str] = ("mix", "voice", "cues", "placement", "tone"),
) -> pd.DataFrame:
    """One row per outlet of the features that describe how it sources a story.

    Parameters
    ----------
    attributions : pandas.DataFrame
        The attributions table.
    articles : pandas.DataFrame, optional
        The articles table; needed for ``placement`` (skipped without it) and to count quote-less articles.
    article_tone, actor_tone : pandas.DataFrame, optional
        Tone tables; the ``tone`` features need at least one of them.
    groups : sequence of str, optional
        Groups to describe (default: all observed).
    features : sequence of str
        Families to include: ``mix`` (``share: <group>``, shares of attributions), ``voice`` (``voice:
        <group>``, shares of quoted words), ``cues`` (``cue: <category>``, shares of categorised attributions),
        ``placement`` (``first: <group>`` and ``headline: <group>``, shares of articles), ``tone`` (``tone: own
        voice``, ``tone: quoted voice`` from ``article_tone``; ``tone toward: <group>`` from ``actor_tone``;
        ``quoted tone: <group>`` from the attributions' ``content_tone_score`` when present).

    Returns
    -------
    pandas.DataFrame
        ``outlet`` then one float column per feature, one row per outlet, sorted by outlet. Features that cannot
        be computed for an outlet (e.g. voice shares when it quotes no words) are NaN.
    """
    known = {"mix", "voice", "cues", "placement", "tone"}
    unknown = set(features) - known
    if unknown:
        raise ValueError(f"unknown feature families: {', '.join(sorted(unknown))}")
    universe = _article_universe(attributions, articles)
    outlets = sorted(universe["outlet"].unique())
    profile = pd.DataFrame(index=pd.Index(outlets, name="outlet"))
    if "mix" in features or "voice" in features:
        mix = attribution_mix_per_outlet(attributions, articles, groups, n_boot=0)
        for family, column in (("mix", "share"), ("voice", "voice_share")):
            if family in features:
                wide = mix.pivot(index="outlet", columns="group", values=column)
                order = _order_groups(attributions["group"], groups)
                for g in order:
                    profile[f"{'share' if family == 'mix' else 'voice'}: {g}"] = wide[g].reindex(outlets)
    if "cues" in features and "cue_category" in attributions.columns:
        usable = attributions[attributions["cue_category"].notna()]
        cats = _order_categories(usable["cue_category"], None)
        table = pd.crosstab(usable["outlet"].astype(str), usable["cue_category"]).reindex(
            index=outlets, columns=cats, fill_value=0
        )
        shares = table.div(table.sum(axis=1).where(table.sum(axis=1) > 0), axis=0)
        for c in cats:
            profile[f"cue: {c}"] = shares[c]
    if "placement" in features and articles is not None and "title" in articles.columns:
        place = placement_per_outlet(attributions, articles, groups)
        for measure, label in (("quoted_first_share", "first"), ("in_headline_share", "headline")):
            wide = place.pivot(index="outlet", columns="group", values=measure)
            for g in _order_groups(attributions["group"], groups):
                profile[f"{label}: {g}"] = wide[g].reindex(outlets) if g in wide.columns else np.nan
    if "tone" in features:
        if article_tone is not None:
            for voice in ("own", "quoted"):
                n = pd.to_numeric(article_tone[f"{voice}_voice_sentences"], errors="coerce").fillna(0)
                t = pd.to_numeric(article_tone[f"{voice}_voice_tone"], errors="coerce").fillna(0)
                sums = (n * t).groupby(article_tone["outlet"].astype(str)).sum()
                counts = n.groupby(article_tone["outlet"].astype(str)).sum()
                profile[f"tone: {voice} voice"] = (sums / counts.where(counts > 0)).reindex(outlets)
        if actor_tone is not None and len(actor_tone):
            units = _actor_units(actor_tone, "group")
            units = units.assign(weighted=units["tone_score"] * units["sentences"])
            agg = units.groupby(["outlet", "target"])[["weighted", "sentences"]].sum()
            wide = (agg["weighted"] / agg["sentences"]).unstack()
            for g in _order_groups(units["target"], groups):
                if g in wide.columns:
                    profile[f"tone toward: {g}"] = wide[g].reindex(outlets)
        if {"content_tone", "content_tone_score"} <= set(attributions.columns):
            quoted = quoted_tone_by_group(attributions, groups)
            wide = quoted.pivot(index="outlet", columns="group", values="content_tone_score")
            for g in _order_groups(attributions["group"], groups):
                if g in wide.columns:
                    profile[f"quoted tone: {g}"] = wide[g].reindex(outlets)
    return profile.astype(float).reset_index()


def _standardised_features(profiles: pd.DataFrame) -> tuple[list[str], np.ndarray, list[str]]:
    """Outlets, the z-scored feature matrix (NaN → column mean, i.e. 0; constant columns dropped), and the
    names of the features kept."""
    _require(profiles, ["outlet"], "profiles")
    frame = profiles.sort_values("outlet", kind="stable")
    features = frame.drop(columns=["outlet"]).apply(pd.to_numeric, errors="coerce").astype(float)
    features = features.loc[:, features.notna().any(axis=0)]
    means = features.mean(axis=0)
    stds = features.std(axis=0, ddof=0)
    keep = stds[stds > 1e-12].index.tolist()
    z = ((features[keep] - means[keep]) / stds[keep]).fillna(0.0)
    return frame["outlet"].astype(str).tolist(), z.to_numpy(dtype=float), keep


MAP_COLUMNS = ["outlet", "pc1", "pc2", "cluster", "pc1_explained_variance", "pc2_explained_variance"]


def outlet_map(
    profiles: pd.DataFrame,
    n_clusters: int = 3,
    method: Literal["agglomerative", "kmeans"] = "agglomerative",
    random_state: int | None = DEFAULT_RANDOM_STATE,
) -> pd.DataFrame:
    """Place outlets on a two-dimensional map (PCA of their standardised profiles) and group them into clusters.

    Features are z-scored across outlets (missing values set to the mean, constant features dropped), projected
    on their first two principal components, and clustered in the full standardised space.

    Parameters
    ----------
    profiles : pandas.DataFrame
        From :func:`outlet_profiles`: ``outlet`` plus numeric feature columns.
    n_clusters : int
        Clusters (at most the number of outlets).
    method : {"agglomerative", "kmeans"}
        Ward agglomerative clustering (deterministic) or k-means (seeded, 10 starts).
    random_state : int or None
        Seed for k-means.

    Returns
    -------
    pandas.DataFrame
        One row per outlet, sorted by outlet: ``outlet, pc1, pc2, cluster`` (1, 2, … numbered in the order the
        clusters first appear in the sorted outlets), ``pc1_explained_variance, pc2_explained_variance`` (share
        of the total variance, the same on every row). A component that cannot exist (fewer than three outlets,
        or a single feature) is 0 with explained variance 0. The sign of each component is fixed so that its
        largest loading is positive.
    """
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.decomposition import PCA

    outlets, z, _ = _standardised_features(profiles)
    n = len(outlets)
    coords = np.zeros((n, 2))
    explained = np.zeros(2)
    if n >= 2 and z.shape[1] >= 1:
        k = min(2, n - 1 if n > 1 else 1, z.shape[1])
        pca = PCA(n_components=k, svd_solver="full").fit(z)
        components = pca.components_.copy()
        for i in range(k):
            if components[i, np.argmax(np.abs(components[i]))] < 0:
                components[i] *= -1
        coords[:, :k] = (z - z.mean(axis=0)) @ components.T
        explained[:k] = pca.explained_variance_ratio_[:k]
    k_clusters = max(1, min(n_clusters, n))
    if n == 0:
        labels = np.array([], dtype=int)
    elif k_clusters == 1 or z.shape[1] == 0:
        labels = np.zeros(n, dtype=int)
    elif method == "kmeans":
        seed = None if random_state is None else int(random_state) % (2**32)
        labels = KMeans(n_clusters=k_clusters, n_init=10, random_state=seed).fit_predict(z)
    elif method == "agglomerative":
        labels = AgglomerativeClustering(n_clusters=k_clusters, linkage="ward").fit_predict(z)
    else:
        raise ValueError("method must be 'agglomerative' or 'kmeans'")
    renumber = {old: i + 1 for i, old in enumerate(dict.fromkeys(labels.tolist()))}
    return pd.DataFrame(
        {
            "outlet": outlets,
            "pc1": coords[:, 0],
            "pc2": coords[:, 1],
            "cluster": np.array([renumber[x] for x in labels.tolist()], dtype=np.int64),
            "pc1_explained_variance": explained[0],
            "pc2_explained_variance": explained[1],
        },
        columns=MAP_COLUMNS,
    )


def outlet_map_loadings(profiles: pd.DataFrame) -> pd.DataFrame:
    """What the axes of :func:`outlet_map` mean: each standardised feature's loading on the two components.

    Parameters
    ----------
    profiles : pandas.DataFrame
        As in :func:`outlet_map`.

    Returns
    -------
    pandas.DataFrame
        One row per feature × component: ``feature, component`` (``pc1``, ``pc2``), ``loading``; sorted by
        component, then by decreasing absolute loading, then feature name.
    """
    from sklearn.decomposition import PCA

    outlets, z, names = _standardised_features(profiles)
    rows = []
    if len(outlets) >= 2 and z.shape[1] >= 1:
        k = min(2, len(outlets) - 1, z.shape[1])
        components = PCA(n_components=k, svd_solver="full").fit(z).components_.copy()
        for i in range(k):
            if components[i, np.argmax(np.abs(components[i]))] < 0:
                components[i] *= -1
            rows += [{"feature": f, "component": f"pc{i + 1}", "loading": float(v)} for f, v in
                     zip(names, components[i])]  # fmt: skip
    out = pd.DataFrame(rows, columns=["feature", "component", "loading"])
    if out.empty:
        return out
    out = out.assign(_abs=-out["loading"].abs()).sort_values(["component", "_abs", "feature"], kind="stable")
    return out.drop(columns="_abs").reset_index(drop=True)
