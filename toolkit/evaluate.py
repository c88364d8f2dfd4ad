"""Score extracted attributions against gold annotation, the same way everywhere in the project.

The unit is an attribution's content span, in characters of the article text (../shared/design/attribution.md, "How we
score"). A predicted span and a gold span match at threshold ``t`` when their overlap covers at least ``t`` of
each; pairs are matched one to one, greedily by largest overlap, within an article. Precision, recall and F1
follow, overall and per outlet, at ``t = 0.3`` (lenient) and ``t = 0.8`` (strict). On top of that come
speaker and country accuracy for the demo corpus, speaker agreement for PolNeAR, and quote coverage and
speaker accuracy for BASIL. :func:`format_report` turns the tables into plain text.

Prediction tables are the output of ``toolkit.attributions.extract_attributions`` (article_id, outlet,
content_start, content_end, speaker, speaker_text, speaker_country, group, speaker_start, speaker_end …).
No function here modifies its inputs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from .datasets import is_person_label, strip_quotes

THRESHOLDS = (0.3, 0.8)
SPEAKER_THRESHOLD = 0.3
ALL = "(all)"
MATCH_COLUMNS = ["pred_index", "gold_index", "article_id", "overlap", "gold_coverage", "pred_coverage"]
STOP_WORDS = frozenset(
    "a an the of and or in on at to for from by with his her its their our my your he she it they we i you "
    "mr mrs ms dr".split()
)
_EPSILON = 1e-9


# --------------------------------------------------------------------------------------------------------
# Matching


def match_spans(pred: pd.DataFrame, gold: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Match predicted to gold content spans one to one, greedily by largest overlap, within each article.

    A pair is a candidate when the two spans share the article_id and their overlap (in characters) is at
    least ``threshold`` of the gold span's length and at least ``threshold`` of the predicted span's length.
    Candidates are taken in order of decreasing overlap; ties go to the earlier gold row, then the earlier
    predicted row (input order), so results are deterministic. Rows with missing offsets never match.

    Parameters
    ----------
    pred, gold
        Tables with article_id, content_start, content_end (end exclusive).
    threshold
        Minimum share of each span that the overlap must cover, in (0, 1].

    Returns
    -------
    DataFrame
        Columns :data:`MATCH_COLUMNS`: the index labels of the matched rows, the article, the overlap in
        characters and the share of the gold and of the predicted span it covers; in gold row order.
    """
    candidates = _candidates(pred, gold, threshold)
    if candidates.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS).astype({"overlap": "int64"})
    candidates = candidates.sort_values(["overlap", "gold_pos", "pred_pos"], ascending=[False, True, True],
                                        kind="stable")
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    keep = []
    for row in candidates.itertuples(index=False):
        if row.pred_pos in used_pred or row.gold_pos in used_gold:
            continue
        used_pred.add(row.pred_pos)
        used_gold.add(row.gold_pos)
        keep.append(row)
    matched = pd.DataFrame(keep, columns=candidates.columns).sort_values("gold_pos", kind="stable")
    return matched[MATCH_COLUMNS].reset_index(drop=True)


def _spans(table: pd.DataFrame, side: str) -> pd.DataFrame:
    spans = pd.DataFrame({
        "article_id": table["article_id"].to_numpy(),
        f"{side}_start": pd.to_numeric(table["content_start"], errors="coerce").to_numpy(dtype="float64"),
        f"{side}_end": pd.to_numeric(table["content_end"], errors="coerce").to_numpy(dtype="float64"),
        f"{side}_pos": np.arange(len(table)),
        f"{side}_index": table.index.to_numpy(),
    })
    return spans.dropna(subset=[f"{side}_start", f"{side}_end"])


def _candidates(pred: pd.DataFrame, gold: pd.DataFrame, threshold: float) -> pd.DataFrame:
    pairs = _spans(pred, "pred").merge(_spans(gold, "gold"), on="article_id", how="inner")
    overlap = (np.minimum(pairs["pred_end"], pairs["gold_end"])
               - np.maximum(pairs["pred_start"], pairs["gold_start"])).clip(lower=0)
    gold_length = pairs["gold_end"] - pairs["gold_start"]
    pred_length = pairs["pred_end"] - pairs["pred_start"]
    pairs = pairs.assign(
        overlap=overlap.astype("int64"),
        gold_coverage=overlap / gold_length.where(gold_length > 0),
        pred_coverage=overlap / pred_length.where(pred_length > 0),
    )
    ok = (overlap > 0) & (pairs["gold_coverage"] >= threshold - _EPSILON) & (
        pairs["pred_coverage"] >= threshold - _EPSILON)
    return pairs[ok]


# --------------------------------------------------------------------------------------------------------
# Content scores


def score_content(
    pred: pd.DataFrame,
    gold: pd.DataFrame,
    thresholds: Sequence[float] = THRESHOLDS,
    by: str | None = None,
    ignore: pd.Series | np.ndarray | str | None = None,
) -> pd.DataFrame:
    """Content-span precision, recall and F1 per threshold, overall and per group.

    Parameters
    ----------
    pred, gold
        Tables with article_id, content_start, content_end (and the ``by`` column, if given).
    thresholds
        Overlap thresholds (see :func:`match_spans`).
    by
        Column to group by (e.g. ``"outlet"``); the overall row is labelled :data:`ALL`.
    ignore
        Gold rows that are not required (a boolean mask aligned with ``gold``, or the name of a boolean
        column of ``gold``). Predictions are first matched to the required gold; a prediction left over that
        matches an ignored gold row (one to one, same threshold) counts neither as a true nor as a false
        positive. For PolNeAR pass ``~gold["is_speech"]``.

    Returns
    -------
    DataFrame
        [by,] threshold, n_pred, n_gold, n_match, n_ignored_pred, precision, recall, f1; the overall rows
        first, then groups in sorted order, thresholds ascending. Undefined ratios (nothing predicted, no
        gold) are NaN.
    """
    mask = _ignore_mask(gold, ignore)
    pred, gold = _unique_index(pred), _unique_index(gold)
    mask.index = gold.index
    rows = []
    for threshold in thresholds:
        required, ignored = _match_with_ignore(pred, gold, mask, threshold)
        rows += _count_rows(pred, gold[~mask], required, ignored, threshold, by)
    columns = ([by] if by else []) + ["threshold", "n_pred", "n_gold", "n_match", "n_ignored_pred",
                                       "precision", "recall", "f1"]
    table = _add_ratios(pd.DataFrame(rows))
    sort = ([by] if by else []) + ["threshold"]
    if by:
        table = table.assign(_first=table[by] != ALL).sort_values(["_first", *sort], kind="stable")
    else:
        table = table.sort_values(sort, kind="stable")
    return table[columns].reset_index(drop=True)


def _unique_index(table: pd.DataFrame) -> pd.DataFrame:
    """The table itself, or a renumbered copy when its index labels repeat (matches refer to labels)."""
    return table if table.index.is_unique else table.reset_index(drop=True)


def _ignore_mask(gold: pd.DataFrame, ignore: pd.Series | np.ndarray | str | None) -> pd.Series:
    if ignore is None:
        return pd.Series(False, index=gold.index)
    values = gold[ignore] if isinstance(ignore, str) else ignore
    values = np.asarray(values, dtype=bool)
    if len(values) != len(gold):
        raise ValueError(f"ignore has {len(values)} values for {len(gold)} gold rows")
    return pd.Series(values, index=gold.index)


def _match_with_ignore(pred: pd.DataFrame, gold: pd.DataFrame, mask: pd.Series,
                       threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matches against the required gold, then of the remaining predictions against the ignored gold."""
    required = match_spans(pred, gold[~mask.to_numpy()], threshold)
    if not mask.any():
        return required, pd.DataFrame(columns=MATCH_COLUMNS)
    remaining = pred.loc[~pred.index.isin(required["pred_index"])]
    return required, match_spans(remaining, gold[mask.to_numpy()], threshold)


def _count_rows(pred: pd.DataFrame, required_gold: pd.DataFrame, matches: pd.DataFrame, ignored: pd.DataFrame,
                threshold: float, by: str | None) -> list[dict]:
    scopes: list[tuple[str | None, pd.Series, pd.Series]] = [(None, pred["article_id"].notna(),
                                                              required_gold["article_id"].notna())]
    if by:
        groups = sorted(set(pred[by].dropna()) | set(required_gold[by].dropna()), key=str)
        scopes += [(group, pred[by] == group, required_gold[by] == group) for group in groups]
    rows = []
    for group, pred_in, gold_in in scopes:
        pred_ids = set(pred.index[pred_in])
        n_ignored = int(ignored["pred_index"].isin(pred_ids).sum())
        row = {"threshold": threshold, "n_pred": int(pred_in.sum()) - n_ignored, "n_gold": int(gold_in.sum()),
               "n_match": int(matches["gold_index"].isin(required_gold.index[gold_in]).sum()),
               "n_ignored_pred": n_ignored}
        if by:
            row[by] = ALL if group is None else group
        rows.append(row)
    return rows


def _add_ratios(table: pd.DataFrame) -> pd.DataFrame:
    precision = table["n_match"] / table["n_pred"].where(table["n_pred"] > 0)
    recall = table["n_match"] / table["n_gold"].where(table["n_gold"] > 0)
    total = precision + recall
    f1 = (2 * precision * recall / total.where(total > 0)).where(total != 0, 0.0)
    return table.assign(precision=precision, recall=recall, f1=f1)


# --------------------------------------------------------------------------------------------------------
# Demo corpus


def score_demo(
    pred: pd.DataFrame,
    gold: pd.DataFrame,
    group_of: Callable[[object, object, object], str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Score predictions on the demo corpus: content, speaker and country accuracy, and the attribution mix.

    Parameters
    ----------
    pred
        Extracted attributions (article_id, outlet, content_start, content_end, speaker, speaker_country,
        group).
    gold
        Output of :func:`toolkit.datasets.load_demo_gold`.
    group_of
        Maps a gold record's (speaker_type, speaker_role, speaker_country) to the group the extractor assigns
        (e.g. "US official"). Default: the gold ``group`` column, else its ``speaker_type``. Predictions
        always use their ``group`` column (else ``speaker_type``).

    Returns
    -------
    dict of DataFrames
        ``content`` (:func:`score_content` by outlet at 0.3 and 0.8), ``speaker`` (per outlet and overall:
        n_matched at 0.3, speaker_correct, speaker_accuracy, country_correct, country_accuracy) and ``mix``
        (outlet, group, gold_n, gold_share, pred_n, pred_share, difference = pred_share - gold_share).
    """
    pred, gold = _unique_index(pred), _unique_index(gold)
    pairs = _matched_pairs(pred, gold, SPEAKER_THRESHOLD)
    pairs = pairs.assign(
        speaker_correct=[_same_name(p, g) for p, g in zip(pairs["pred_speaker"], pairs["gold_speaker"])],
        country_correct=[_same_country(p, g) for p, g in zip(pairs["pred_speaker_country"],
                                                             pairs["gold_speaker_country"])],
    )
    speaker = _accuracy_table(pairs, {"speaker_correct": "speaker_accuracy",
                                      "country_correct": "country_accuracy"})
    return {"content": score_content(pred, gold, by="outlet"), "speaker": speaker,
            "mix": attribution_mix(pred, gold, group_of)}


def _matched_pairs(pred: pd.DataFrame, gold: pd.DataFrame, threshold: float,
                   mask: pd.Series | None = None) -> pd.DataFrame:
    """One row per matched pair: the outlet (from gold) and every column of both sides, prefixed."""
    required = gold if mask is None else gold[~mask.to_numpy()]
    matches = match_spans(pred, required, threshold)
    left = pred.loc[matches["pred_index"]].add_prefix("pred_").reset_index(drop=True)
    right = gold.loc[matches["gold_index"]].add_prefix("gold_").reset_index(drop=True)
    outlet = right["gold_outlet"] if "gold_outlet" in right else pd.Series(ALL, index=right.index)
    return pd.concat([matches.reset_index(drop=True), left, right], axis=1).assign(outlet=outlet.to_numpy())


def _accuracy_table(pairs: pd.DataFrame, measures: dict[str, str], base: pd.Series | None = None) -> pd.DataFrame:
    """Counts and shares of True in each measure column, overall and per outlet."""
    base = pd.Series(True, index=pairs.index) if base is None else base
    rows = []
    for outlet, part in [(ALL, pairs), *sorted(pairs.groupby("outlet", sort=True), key=lambda x: str(x[0]))]:
        row = {"outlet": outlet, "n_matched": len(part), "n_scored": int(base.loc[part.index].sum())}
        for column, name in measures.items():
            scored = part.loc[base.loc[part.index], column].astype(bool)
            row[column] = int(scored.sum())
            row[name] = scored.mean() if len(scored) else np.nan
        rows.append(row)
    columns = ["outlet", "n_matched", "n_scored"] + [c for pair in measures.items() for c in pair]
    return pd.DataFrame(rows, columns=columns)


def fold_name(name: object) -> str:
    """A name compared case- and accent-insensitively, whitespace collapsed ("Orbán " -> "orban")."""
    if not isinstance(name, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value == ""


def _same_name(predicted: object, gold: object) -> bool:
    return not _missing(predicted) and fold_name(predicted) == fold_name(gold)


def _same_country(predicted: object, gold: object) -> bool:
    if _missing(predicted) or _missing(gold):
        return _missing(predicted) and _missing(gold)
    return str(predicted).strip().upper() == str(gold).strip().upper()


def attribution_mix(pred: pd.DataFrame, gold: pd.DataFrame,
                    group_of: Callable[[object, object, object], str] | None = None) -> pd.DataFrame:
    """Share of each speaker group among gold and among predicted attributions, overall and per outlet.

    Parameters
    ----------
    pred, gold
        Predicted and gold attributions with an outlet column.
    group_of
        See :func:`score_demo`.

    Returns
    -------
    DataFrame
        outlet, group, gold_n, gold_share, pred_n, pred_share, difference; overall (:data:`ALL`) first, then
        outlets and groups in sorted order.
    """
    gold_groups = _gold_groups(gold, group_of)
    counts = [_group_counts(gold["outlet"], gold_groups, "gold"),
              _group_counts(pred["outlet"], _column_or_unknown(pred, "group", "speaker_type"), "pred")]
    table = pd.concat(counts, axis=1).fillna(0).astype("int64").reset_index()
    totals = table.groupby("outlet")[["gold_n", "pred_n"]].transform("sum")
    table = table.assign(gold_share=table["gold_n"] / totals["gold_n"].where(totals["gold_n"] > 0),
                         pred_share=table["pred_n"] / totals["pred_n"].where(totals["pred_n"] > 0))
    table = table.assign(difference=table["pred_share"] - table["gold_share"], _first=table["outlet"] != ALL)
    table = table.sort_values(["_first", "outlet", "group"], kind="stable")
    return table[["outlet", "group", "gold_n", "gold_share", "pred_n", "pred_share", "difference"]].reset_index(
        drop=True)


def _gold_groups(gold: pd.DataFrame, group_of: Callable | None) -> pd.Series:
    if group_of is not None:
        values = [group_of(t, r, c) for t, r, c in zip(gold["speaker_type"], gold["speaker_role"],
                                                         gold["speaker_country"])]
        return pd.Series(values, index=gold.index)
    return _column_or_unknown(gold, "group", "speaker_type")


def _column_or_unknown(table: pd.DataFrame, *columns: str) -> pd.Series:
    """The first of ``columns`` that the table has, else "unknown" for every row."""
    present = [column for column in columns if column in table]
    return table[present[0]] if present else pd.Series("unknown", index=table.index)


def _group_counts(outlets: pd.Series, groups: pd.Series, side: str) -> pd.Series:
    frame = pd.DataFrame({"outlet": outlets.astype(str).to_numpy(),
                          "group": groups.fillna("unknown").astype(str).to_numpy()})
    both = pd.concat([frame, frame.assign(outlet=ALL)], ignore_index=True)
    return both.groupby(["outlet", "group"]).size().rename(f"{side}_n")


# --------------------------------------------------------------------------------------------------------
# PolNeAR


def fold_continuations(pred: pd.DataFrame) -> pd.DataFrame:
    """PolNeAR's unit: each ``continuation`` row joined to the attribution it carries on.

    The extractor writes a quotation that carries on the previous speaker in a later paragraph as a row of its
    own (kind ``continuation``, same speaker). PolNeAR annotates such a run of quotation as ONE attribution whose
    content reaches from the first quotation to the last (on the train split, 34 of 35 continuations that gold
    covers lie in the same gold span as the quotation before them). Before scoring against PolNeAR, each
    continuation therefore extends the content of the row before it in the same article (offsets only; the
    text columns are left as they are); rows of other kinds are never joined. Returns a new table.
    """
    if pred.empty or "kind" not in pred:
        return pred
    order = pred.assign(_start=pd.to_numeric(pred["content_start"], errors="coerce"),
                        _end=pd.to_numeric(pred["content_end"], errors="coerce"))
    order = order.sort_values(["article_id", "_start", "_end"], kind="stable")
    keep, ends = [], {}
    previous_article, host = None, None
    for label, article, kind, end in zip(order.index, order["article_id"], order["kind"], order["_end"]):
        if kind == "continuation" and article == previous_article and host is not None and not pd.isna(end):
            ends[host] = max(ends.get(host, end), end)
            continue
        keep.append(label)
        host, previous_article = label, article
    folded = pred.loc[keep].copy()
    for label, end in ends.items():
        folded.loc[label, "content_end"] = max(int(folded.loc[label, "content_end"]), int(end))
    return folded.sort_index(kind="stable")


def score_polnear(pred: pd.DataFrame, gold: pd.DataFrame, fold: bool = True) -> dict[str, pd.DataFrame]:
    """Score predictions on PolNeAR: content by outlet (speech attributions required), spread and speaker.

    Parameters
    ----------
    pred
        Extracted attributions for the PolNeAR articles (offsets into their text, title line included).
        With ``fold`` (the default), continuation rows are first joined to the attribution they carry on
        (:func:`fold_continuations`), PolNeAR's unit of annotation.
    gold
        Output of :func:`toolkit.datasets.load_polnear`; rows with ``is_speech`` False are ignored (neither
        required nor counted against a prediction matching them).

    Returns
    -------
    dict of DataFrames
        ``content`` (:func:`score_content` by outlet at 0.3 and 0.8); ``spread`` (per threshold: lowest and
        highest outlet F1, the outlets, and spread = max - min); ``speaker`` (per outlet and overall, pairs
        matched at 0.3 to speech gold that has a source: n_matched, n_scored, speaker_agree, agreement). The
        predicted speaker agrees when ``speaker`` or ``speaker_text`` shares a word (case-insensitive, stop
        words ignored) with the gold source text, or when its speaker_start/speaker_end span overlaps the
        gold source span.
    """
    pred, gold = _unique_index(pred), _unique_index(gold)
    if fold:
        pred = fold_continuations(pred)
    mask = ~gold["is_speech"].astype(bool)
    content = score_content(pred, gold, by="outlet", ignore=mask)
    pairs = _matched_pairs(pred, gold, SPEAKER_THRESHOLD, mask)
    pairs = pairs.assign(speaker_agree=[_speaker_agrees(row) for row in pairs.to_dict("records")])
    has_source = pairs["gold_source_text"].map(lambda v: not _missing(v)) if len(pairs) else pd.Series(dtype=bool)
    speaker = _accuracy_table(pairs, {"speaker_agree": "agreement"}, base=has_source)
    return {"content": content, "spread": outlet_spread(content), "speaker": speaker}


def outlet_spread(content: pd.DataFrame, by: str = "outlet") -> pd.DataFrame:
    """Per threshold, the lowest and highest F1 across groups and their difference (the spread).

    Parameters
    ----------
    content
        Output of :func:`score_content` with ``by``.
    by
        The grouping column.

    Returns
    -------
    DataFrame
        threshold, min_f1, worst, max_f1, best, spread; thresholds ascending.
    """
    groups = content[(content[by] != ALL) & content["f1"].notna()]
    rows = []
    for threshold, part in groups.groupby("threshold", sort=True):
        ordered = part.sort_values(["f1", by], kind="stable")
        rows.append({"threshold": threshold, "min_f1": ordered["f1"].iloc[0], "worst": ordered[by].iloc[0],
                     "max_f1": ordered["f1"].iloc[-1], "best": ordered[by].iloc[-1],
                     "spread": ordered["f1"].iloc[-1] - ordered["f1"].iloc[0]})
    return pd.DataFrame(rows, columns=["threshold", "min_f1", "worst", "max_f1", "best", "spread"])


def content_words(text: object) -> set[str]:
    """Lower-case words of a name or phrase without stop words ("the Kremlin aide" -> {"kremlin", "aide"})."""
    if not isinstance(text, str):
        return set()
    return {word for word in re.findall(r"\w+", fold_name(text)) if word not in STOP_WORDS}


def _speaker_agrees(row: dict) -> bool:
    source_words = content_words(row.get("gold_source_text"))
    predicted = content_words(row.get("pred_speaker")) | content_words(row.get("pred_speaker_text"))
    if source_words & predicted:
        return True
    starts = (row.get("pred_speaker_start"), row.get("pred_speaker_end"),
              row.get("gold_source_start"), row.get("gold_source_end"))
    if any(_missing(value) for value in starts):
        return False
    pred_start, pred_end, gold_start, gold_end = (int(value) for value in starts)
    return min(pred_end, gold_end) > max(pred_start, gold_start)


# --------------------------------------------------------------------------------------------------------
# BASIL


def score_basil(pred: pd.DataFrame, articles: pd.DataFrame, phrases: pd.DataFrame,
                min_length: int = 12) -> pd.DataFrame:
    """Quote coverage and speaker accuracy on BASIL's quoted biased phrases, overall and per outlet.

    Parameters
    ----------
    pred
        Extracted attributions for the BASIL articles.
    articles, phrases
        Output of :func:`toolkit.datasets.load_basil`; only phrases of articles in ``articles`` count.
    min_length
        Minimum length of a phrase (its text without outer quotation marks and whitespace).

    Returns
    -------
    DataFrame
        outlet, n_phrases (``quote`` phrases of at least ``min_length`` characters), n_located (found in the
        text; coverage is over these), n_covered (the located span lies inside some predicted content span of
        the same article), coverage, n_named (covered phrases whose speaker is named), n_speaker_correct (the
        covering attribution, the one with the smallest content span if several, has a speaker containing the
        speaker's last name, case- and accent-insensitively), speaker_accuracy, and the same for the phrases
        whose speaker label names one person rather than a group (n_person, n_person_correct,
        person_accuracy; see :func:`toolkit.datasets.is_person_label`); overall first.
    """
    pred = _unique_index(pred)
    chosen = phrases[phrases["quote"].astype(bool)
                     & (phrases["txt"].map(lambda t: len(strip_quotes(str(t)))) >= min_length)
                     & phrases["article_id"].isin(articles["article_id"])]
    outlets = dict(zip(articles["article_id"], articles["outlet"]))
    cover = [_covering(pred, row) for row in chosen.itertuples(index=False)]
    scored = pd.DataFrame({
        "outlet": chosen["article_id"].map(outlets).to_numpy(),
        "located": chosen["found"].astype(bool).to_numpy(),
        "covered": [c is not None for c in cover],
        "named": chosen["speaker_last_name"].map(lambda v: not _missing(v)).to_numpy(),
        "person": chosen["speaker"].map(is_person_label).to_numpy(),
        "speaker_correct": [_has_last_name(c, name) for c, name in zip(cover, chosen["speaker_last_name"])],
    })
    parts = [(ALL, scored), *sorted(scored.groupby("outlet", sort=True), key=lambda x: str(x[0]))]
    return pd.DataFrame([_basil_row(outlet, part) for outlet, part in parts])


def _covering(pred: pd.DataFrame, phrase: object) -> pd.Series | None:
    """The predicted attribution with the smallest content span that contains the phrase, if any."""
    if not phrase.found or _missing(phrase.phrase_start):
        return None
    same = pred[pred["article_id"] == phrase.article_id]
    starts = pd.to_numeric(same["content_start"], errors="coerce").astype("float64")
    ends = pd.to_numeric(same["content_end"], errors="coerce").astype("float64")
    inside_mask = (starts <= phrase.phrase_start) & (ends >= phrase.phrase_end)
    inside = same[inside_mask.to_numpy()]
    if inside.empty:
        return None
    lengths = (ends - starts)[inside_mask].to_numpy()
    return inside.iloc[int(np.argmin(lengths))]


def _has_last_name(attribution: pd.Series | None, last_name: object) -> bool:
    if attribution is None or _missing(last_name):
        return False
    speaker = attribution.get("speaker")
    if _missing(speaker):
        speaker = attribution.get("speaker_text")
    return fold_name(str(last_name)) in fold_name(speaker)


def _basil_row(outlet: str, part: pd.DataFrame) -> dict:
    located = int(part["located"].sum())
    covered = int(part["covered"].sum())
    named = int((part["covered"] & part["named"]).sum())
    correct = int((part["covered"] & part["named"] & part["speaker_correct"]).sum())
    people = int((part["covered"] & part["person"]).sum())
    people_correct = int((part["covered"] & part["person"] & part["speaker_correct"]).sum())
    return {"outlet": outlet, "n_phrases": len(part), "n_located": located, "n_covered": covered,
            "coverage": covered / located if located else np.nan, "n_named": named,
            "n_speaker_correct": correct, "speaker_accuracy": correct / named if named else np.nan,
            "n_person": people, "n_person_correct": people_correct,
            "person_accuracy": people_correct / people if people else np.nan}


# --------------------------------------------------------------------------------------------------------
# Report


def format_report(tables: dict[str, pd.DataFrame], title: str = "Attribution evaluation") -> str:
    """Plain-text report of score tables: a heading per table, ratios with three decimals.

    Parameters
    ----------
    tables
        Named tables, e.g. the output of :func:`score_polnear`, in the order they should appear.
    title
        The report's first line.

    Returns
    -------
    str
    """
    lines = [title, "=" * len(title)]
    for name, table in tables.items():
        lines += ["", name, "-" * len(name), _format_table(table)]
    return "\n".join(lines) + "\n"


def _format_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "(no rows)"
    shown = table.copy()
    for column in shown.columns:
        if column == "threshold":
            shown[column] = shown[column].map(lambda v: f"{v:g}")
        elif pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "–" if pd.isna(v) else f"{v:.3f}")
    return shown.to_string(index=False)
