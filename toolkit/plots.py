"""Figures for comparing outlets, drawn with matplotlib and seaborn from the tidy tables of :mod:`toolkit.compare`.

Every plotting function takes ``data=`` (a tidy DataFrame), the names of the columns to use, and ``ax=None``
(a new figure is made when no Axes is given); it returns the Axes and never calls ``plt.show``. Each group has one
colour in every figure: :data:`GROUP_PALETTE` fixes the colours of the groups in ``data/groups.csv``, and any other
group gets a colour derived from its name (the same in every run and every figure), see :func:`group_color`.

:func:`save_figure` writes a figure as PNG together with the CSV of the numbers behind it, both byte-for-byte
reproducible.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Patch

from .compare import default_group_order

__all__ = [
    "CLUSTER_COLORS",
    "FALLBACK_COLORS",
    "GROUP_PALETTE",
    "group_color",
    "group_palette",
    "plot_cue_framing",
    "plot_outlet_map",
    "plot_residual_heatmap",
    "plot_share_bars",
    "plot_tone_heatmap",
    "save_figure",
]

GROUP_PALETTE: dict[str, str] = {
    "US officials": "#1f5fa8",
    "Russian officials": "#c8102e",
    "Ukrainian officials": "#e6b800",
    "European officials": "#6a3d9a",
    "Hungarian sources": "#2e8b57",
    "other officials": "#8c96c6",
    "experts": "#17becf",
    "media": "#a65628",
    "unnamed sources": "#7f7f7f",
    "other sources": "#f4a582",
    "unknown": "#d9d9d9",
}
"""Fixed colour of each group of the bundled ``data/groups.csv``."""

FALLBACK_COLORS: tuple[str, ...] = (
    "#e377c2", "#bcbd22", "#8dd3c7", "#fb8072", "#80b1d3", "#b3de69", "#bc80bd", "#ffed6f", "#1b9e77",
    "#d95f02", "#7570b3", "#66a61e",
)  # fmt: skip
"""Colours for groups outside :data:`GROUP_PALETTE`, picked by a checksum of the group's name."""

CLUSTER_COLORS: tuple[str, ...] = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
"""Colours of clusters 1, 2, … on the outlet map (repeating beyond seven)."""

RESIDUAL_CMAP = "RdBu_r"  # red: quoted more than expected; blue: less
TONE_CMAP = "RdYlGn"  # red: negative; green: positive


def group_color(group: str) -> str:
    """The colour of a group: from :data:`GROUP_PALETTE`, else a fallback chosen by the CRC-32 of its name
    (deterministic across runs and processes, unlike Python's ``hash``).

    Parameters
    ----------
    group : str

    Returns
    -------
    str
        A hex colour.
    """
    if group in GROUP_PALETTE:
        return GROUP_PALETTE[group]
    return FALLBACK_COLORS[zlib.crc32(str(group).encode("utf-8")) % len(FALLBACK_COLORS)]


def group_palette(groups: Iterable[str]) -> dict[str, str]:
    """``{group: colour}`` for the given groups (see :func:`group_color`)."""
    return {g: group_color(g) for g in dict.fromkeys(groups)}


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def _ordered(values: Iterable[object], order: Sequence[object] | None) -> list:
    """``order`` when given, else the values in first-seen order."""
    if order is not None:
        return list(dict.fromkeys(order))
    return list(dict.fromkeys(v for v in values if not (isinstance(v, float) and np.isnan(v))))


def _group_order(values: Iterable[str], order: Sequence[str] | None) -> list[str]:
    """``order`` when given, else the groups present in ``data/groups.csv`` order, others alphabetically."""
    if order is not None:
        return list(dict.fromkeys(order))
    present = {v for v in values if isinstance(v, str)}
    default = [g for g in (default_group_order() or list(GROUP_PALETTE)) if g in present]
    return default + sorted(present - set(default))


def plot_share_bars(
    data: pd.DataFrame,
    y: str = "outlet",
    x: str = "share",
    hue: str = "group",
    low: str | None = "share_low",
    high: str | None = "share_high",
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    ax: Axes | None = None,
    xlabel: str | None = None,
    legend: bool = True,
) -> Axes:
    """Stacked horizontal bars of each group's share per outlet, with the share's interval as a whisker.

    Each outlet is one bar made of one segment per group (``len(order) × len(hue_order)`` rectangles, zero-width
    for absent groups). A segment's whisker spans ``[start + low, start + high]``, where ``start`` is the left
    edge of the segment, so the whisker brackets the segment's right edge.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy, one row per outlet × group, e.g. :func:`toolkit.compare.attribution_mix_per_outlet`.
    y, x, hue : str
        Columns of the outlet, the share and the group.
    low, high : str or None
        Columns of the interval; ``None`` (or absent columns) draws no whiskers.
    order, hue_order : sequence of str, optional
        Outlets top to bottom (default: sorted) and groups left to right (default: ``data/groups.csv`` order).
    ax : matplotlib.axes.Axes, optional
    xlabel : str, optional
        Defaults to the share column's name.
    legend : bool
        Draw a legend of the groups beside the axes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    outlets = list(dict.fromkeys(order)) if order is not None else sorted(data[y].astype(str).unique())
    groups = _group_order(data[hue], hue_order)
    ax = _new_axes(ax, (8, 0.5 * len(outlets) + 1.5))
    table = data.assign(**{y: data[y].astype(str)}).set_index([y, hue])
    whiskers = low is not None and high is not None and low in data.columns and high in data.columns
    left = np.zeros(len(outlets))
    positions = np.arange(len(outlets))
    for group in groups:
        keys = list(zip(outlets, [group] * len(outlets)))
        shares = np.array([float(table[x].get(k, np.nan)) if k in table.index else np.nan for k in keys])
        widths = np.nan_to_num(shares, nan=0.0)
        ax.barh(positions, widths, left=left, color=group_color(group), edgecolor="white", linewidth=0.5,
                label=group, height=0.75)  # fmt: skip
        if whiskers:
            lo = np.array([float(table.loc[k, low]) if k in table.index else np.nan for k in keys])
            hi = np.array([float(table.loc[k, high]) if k in table.index else np.nan for k in keys])
            ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(shares) & (widths > 0)
            if ok.any():
                ends = left[ok] + widths[ok]
                err = np.vstack([np.clip(widths[ok] - lo[ok], 0, None), np.clip(hi[ok] - widths[ok], 0, None)])
                ax.errorbar(ends, positions[ok], xerr=err, fmt="none", ecolor="#222222", elinewidth=0.8, capsize=2)
        left = left + widths
    ax.set_yticks(positions, outlets)
    ax.invert_yaxis()
    ax.set_xlim(0, max(1.0, float(left.max()) if len(left) else 1.0))
    ax.set_xlabel(xlabel if xlabel is not None else x)
    ax.set_ylabel("")
    if legend:
        handles = [Patch(facecolor=group_color(g), label=g) for g in groups]
        ax.legend(handles=handles, title=hue, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def _heatmap(
    data: pd.DataFrame,
    row: str,
    col: str,
    value: str,
    row_order: Sequence[str] | None,
    col_order: Sequence[str] | None,
    ax: Axes | None,
    cmap: str,
    vmax: float | None,
    annot: bool,
    fmt: str,
    cbar_label: str,
) -> Axes:
    rows = list(dict.fromkeys(row_order)) if row_order is not None else sorted(data[row].astype(str).unique())
    cols = col_order
    wide = data.assign(**{row: data[row].astype(str)}).pivot(index=row, columns=col, values=value)
    wide = wide.reindex(index=rows, columns=list(cols)).astype(float)
    if vmax is None:
        finite = np.abs(wide.to_numpy()[np.isfinite(wide.to_numpy())])
        vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    ax = _new_axes(ax, (0.9 * len(cols) + 3, 0.5 * len(rows) + 2))
    # symmetric limits centre the diverging map at 0 (seaborn's ``center=`` would call a deprecated
    # matplotlib method and warn)
    sns.heatmap(wide, ax=ax, cmap=cmap, vmin=-vmax, vmax=vmax, annot=annot, fmt=fmt, linewidths=0.5,
                linecolor="white", cbar_kws={"label": cbar_label}, annot_kws={"fontsize": 8})  # fmt: skip
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=45)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    return ax


def plot_residual_heatmap(
    data: pd.DataFrame,
    row: str = "outlet",
    col: str = "group",
    value: str = "adjusted_residual",
    row_order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    ax: Axes | None = None,
    vmax: float | None = None,
    annot: bool = True,
) -> Axes:
    """Heatmap of adjusted standardised residuals (outlet × group), diverging colours centred at 0.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy, one row per cell, e.g. :func:`toolkit.compare.outlet_group_residuals`.
    row, col, value : str
        Columns of the rows, the columns and the residual.
    row_order, col_order : sequence of str, optional
        Default: sorted rows, groups in ``data/groups.csv`` order.
    ax : matplotlib.axes.Axes, optional
    vmax : float, optional
        Colour scale limit (symmetric); default the largest absolute residual.
    annot : bool
        Write each residual in its cell.

    Returns
    -------
    matplotlib.axes.Axes
    """
    cols = _group_order(data[col], col_order)
    return _heatmap(data, row, col, value, row_order, cols, ax, RESIDUAL_CMAP, vmax, annot, ".1f",
                    "adjusted residual (|r| > 2: more/less than expected)")  # fmt: skip


def plot_tone_heatmap(
    data: pd.DataFrame,
    row: str = "outlet",
    col: str = "target",
    value: str = "tone_score",
    row_order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    ax: Axes | None = None,
    vmax: float | None = None,
    annot: bool = True,
) -> Axes:
    """Heatmap of tone toward each actor (or group) in each outlet, red negative to green positive, centred at 0.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy, one row per outlet × actor, e.g. :func:`toolkit.compare.actor_tone_by_outlet`.
    row, col, value : str
        Columns of the outlet, the actor and the tone score.
    row_order, col_order : sequence of str, optional
        Default: both sorted.
    ax : matplotlib.axes.Axes, optional
    vmax : float, optional
        Colour scale limit (symmetric); default the largest absolute score.
    annot : bool
        Write each score in its cell.

    Returns
    -------
    matplotlib.axes.Axes
    """
    cols = list(dict.fromkeys(col_order)) if col_order is not None else sorted(data[col].astype(str).unique())
    return _heatmap(data, row, col, value, row_order, cols, ax, TONE_CMAP, vmax, annot, ".2f", "mean tone score")


def plot_outlet_map(
    data: pd.DataFrame,
    x: str = "pc1",
    y: str = "pc2",
    hue: str = "cluster",
    label: str = "outlet",
    ax: Axes | None = None,
) -> Axes:
    """Scatter of outlets on the PCA map, coloured by cluster and labelled by name.

    Axis labels give each component's share of the variance when ``<x>_explained_variance`` and
    ``<y>_explained_variance`` columns are present (as in :func:`toolkit.compare.outlet_map`).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per outlet.
    x, y, hue, label : str
        Columns of the coordinates, the cluster and the outlet name.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax, (7, 5.5))
    frame = data.sort_values(label, kind="stable")
    clusters = sorted(frame[hue].unique().tolist())
    colors = {c: CLUSTER_COLORS[i % len(CLUSTER_COLORS)] for i, c in enumerate(clusters)}
    for c in clusters:
        part = frame[frame[hue] == c]
        ax.scatter(part[x], part[y], s=70, color=colors[c], label=f"{hue} {c}", edgecolor="white", zorder=3)
    for _, row in frame.iterrows():
        ax.annotate(str(row[label]), (row[x], row[y]), xytext=(5, 4), textcoords="offset points", fontsize=9)
    ax.axhline(0, color="#cccccc", linewidth=0.8, zorder=1)
    ax.axvline(0, color="#cccccc", linewidth=0.8, zorder=1)
    for axis, column, setter in ((x, f"{x}_explained_variance", ax.set_xlabel),
                                 (y, f"{y}_explained_variance", ax.set_ylabel)):  # fmt: skip
        if column in frame.columns and len(frame):
            setter(f"{axis.upper()} ({float(frame[column].iloc[0]):.0%} of variance)")
        else:
            setter(axis)
    ax.legend(frameon=False, loc="best")
    return ax


def plot_cue_framing(
    data: pd.DataFrame,
    x: str = "outlet",
    y: str = "share",
    hue: str = "group",
    category: str | None = "cue_category",
    category_value: str | None = "doubting",
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    count: str | None = "group_attributions",
    ax: Axes | None = None,
) -> Axes:
    """Grouped bars: the share of one cue category (e.g. "doubting") for each group in each outlet.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy, e.g. :func:`toolkit.compare.cue_framing`.
    x, y, hue : str
        Columns of the outlet, the share and the group.
    category, category_value : str or None
        Keep the rows where ``data[category] == category_value``; ``None`` uses ``data`` as it is (one row per
        outlet × group).
    order, hue_order : sequence of str, optional
        Outlets (default: sorted) and groups (default: ``data/groups.csv`` order). One bar per outlet × group
        (height 0 when the group is absent from the outlet).
    count : str or None
        Column with the number of attributions behind each share, written above its bar (``n=…``) so that a
        share of 1 out of 1 is not mistaken for a pattern; ``None`` or an absent column writes nothing.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = data
    if category is not None and category_value is not None:
        frame = data[data[category] == category_value]
    outlets = list(dict.fromkeys(order)) if order is not None else sorted(frame[x].astype(str).unique())
    groups = _group_order(frame[hue], hue_order)
    ax = _new_axes(ax, (max(6.0, 1.2 * len(outlets) + 2), 4.5))
    indexed = frame.assign(**{x: frame[x].astype(str)}).set_index([x, hue])
    values = indexed[y]
    counts = indexed[count] if count is not None and count in frame.columns else None
    width = 0.8 / max(len(groups), 1)
    positions = np.arange(len(outlets))
    for i, group in enumerate(groups):
        heights = [float(values.get((o, group), np.nan)) if (o, group) in values.index else np.nan for o in outlets]
        centres = positions - 0.4 + width * (i + 0.5)
        ax.bar(centres, np.nan_to_num(heights, nan=0.0), width=width, color=group_color(group), label=group)
        if counts is not None:
            for centre, o, h in zip(centres, outlets, heights):
                if (o, group) in counts.index and np.isfinite(h):
                    ax.annotate(f"n={int(counts[(o, group)])}", (centre, h), xytext=(0, 2), textcoords="offset points",
                                ha="center", va="bottom", fontsize=6, rotation=90)  # fmt: skip
    ax.set_xticks(positions, outlets, rotation=30, ha="right")
    ax.set_ylabel(f"share of {category_value} cues" if category_value else y)
    ax.set_ylim(0, max(1.0, float(np.nanmax(values.to_numpy(dtype=float), initial=0.0))))
    handles = [Patch(facecolor=group_color(g), label=g) for g in groups]
    ax.legend(handles=handles, title=hue, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def save_figure(
    ax_or_fig: Axes | Figure | SubFigure, data: pd.DataFrame, path_stem: str | Path, dpi: int = 150
) -> tuple[Path, Path]:
    """Write a figure as ``<path_stem>.png`` and the table behind it as ``<path_stem>.csv``.

    Both files are reproducible byte for byte: the PNG carries no software or time metadata, and the CSV is
    written without the index, with ``\\n`` line endings.

    Parameters
    ----------
    ax_or_fig : matplotlib Axes, Figure or SubFigure
    data : pandas.DataFrame
        The numbers plotted (tidy).
    path_stem : str or pathlib.Path
        Path without extension; missing folders are created.
    dpi : int

    Returns
    -------
    tuple of pathlib.Path
        The PNG and CSV paths.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(ax_or_fig, Axes):
        figure = ax_or_fig.get_figure(root=True)
    elif isinstance(ax_or_fig, SubFigure):
        figure = ax_or_fig.get_figure(root=True)
    else:
        figure = ax_or_fig
    png = stem.with_name(stem.name + ".png")
    csv = stem.with_name(stem.name + ".csv")
    figure.savefig(png, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    data.to_csv(csv, index=False, lineterminator="\n")
    return png, csv
