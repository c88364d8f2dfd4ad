"""Plain-text reports of what an analysis run computed, written beside its CSV outputs."""

from __future__ import annotations

import pandas as pd

from .corpus import corpus_summary


def outlet_overview(articles: pd.DataFrame) -> pd.DataFrame:
    """Per outlet: articles by status and the words of the usable (``ok``) ones, sorted by outlet."""
    table = pd.crosstab(articles["outlet"], articles["status"])
    for status in ("ok", "empty", "unreadable", "not_english", "duplicate"):
        if status not in table.columns:
            table[status] = 0
    ok = articles[articles["status"] == "ok"]
    table = table[["ok", "empty", "unreadable", "not_english", "duplicate"]]
    table["words_ok"] = ok.groupby("outlet")["n_words"].sum().reindex(table.index, fill_value=0)
    table["lines_removed"] = articles.groupby("outlet")["n_removed_lines"].sum().reindex(table.index, fill_value=0)
    return table.sort_index().reset_index()


def attribution_mix(attributions: pd.DataFrame) -> pd.DataFrame:
    """Attributions per outlet and group (counts, and each group's share of the outlet's attributions).

    A ``count`` column, when present, says how many attributions each row stands for (a table of counts)."""
    if attributions.empty:
        return pd.DataFrame(columns=["outlet", "group", "attributions", "share"])
    counts = (_row_counts(attributions).groupby([attributions["outlet"], attributions["group"]], sort=True).sum()
              .rename("attributions").rename_axis(["outlet", "group"]).reset_index())
    counts["share"] = (counts["attributions"] / counts.groupby("outlet")["attributions"].transform("sum")).round(3)
    return counts


def tone_by_voice_labels(sentences: pd.DataFrame) -> pd.DataFrame:
    """Per outlet and voice (own, quoted): sentences, and the share of each tone label.

    A ``count`` column, when present, says how many sentences each row stands for (a table of counts)."""
    if sentences.empty:
        return pd.DataFrame(columns=["outlet", "voice", "sentences", "negative", "neutral", "positive"])
    table = (_row_counts(sentences).groupby([sentences["outlet"], sentences["voice"], sentences["tone"]], sort=True)
             .sum().unstack("tone", fill_value=0).rename_axis(index=["outlet", "voice"], columns="tone"))
    table = table.reindex(columns=["negative", "neutral", "positive"], fill_value=0)
    counts = table.sum(axis=1)
    shares = table.div(counts, axis=0).round(3)
    shares.insert(0, "sentences", counts)
    return shares.reset_index().rename_axis(columns=None)


def _row_counts(table: pd.DataFrame) -> pd.Series:
    """How many items each row of a table stands for: its ``count`` column, else 1."""
    if "count" in table:
        return table["count"].astype("int64")
    return pd.Series(1, index=table.index, dtype="int64")


def corpus_report(articles: pd.DataFrame, attributions: pd.DataFrame | None = None,
                  sentences: pd.DataFrame | None = None) -> str:
    """A Markdown report of a loaded corpus: status counts, outlets, the attribution mix and the tone of own and
    quoted voice when given, and every problem to act on."""
    lines = ["# Corpus report", "", f"{len(articles)} input documents.", "", "## Status", ""]
    lines += _markdown_table(corpus_summary(articles))
    lines += ["", "## Outlets", ""]
    lines += _markdown_table(outlet_overview(articles))
    if attributions is not None:
        lines += ["", "## Who is quoted (attributions per outlet and group)", ""]
        lines += _markdown_table(attribution_mix(attributions))
    if sentences is not None:
        lines += ["", "## Tone of sentences, own voice and quoted voice (shares of each label)", ""]
        lines += _markdown_table(tone_by_voice_labels(sentences))
    problems = articles[articles["problem"].notna()][["source_path", "record", "status", "problem"]]
    lines += ["", "## Problems", ""]
    lines += _markdown_table(problems) if len(problems) else ["None."]
    ignored = articles.attrs.get("ignored_files") or []
    if ignored:
        lines += ["", f"{len(ignored)} web-page asset files (images, scripts, styles) were not read."]
    return "\n".join(lines) + "\n"


def _markdown_table(table: pd.DataFrame) -> list[str]:
    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return [header, rule, *body]
