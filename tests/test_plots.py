"""toolkit.plots: figures return Axes with the expected bars and cells, keep one colour per group across
figures, never show anything, and save reproducible PNG + CSV pairs. Warnings are errors here."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.container import BarContainer, ErrorbarContainer  # noqa: E402

from toolkit import compare, plots  # noqa: E402
from toolkit.paths import data_path  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")

US, RU, EXP = "US officials", "Russian officials", "experts"


@pytest.fixture(autouse=True)
def _no_show_and_close(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("plotting functions must never call plt.show")

    monkeypatch.setattr(plt, "show", forbidden)
    yield
    plt.close("all")


def mix_table() -> pd.DataFrame:
    # three outlets × three groups; outlet C has no experts row at all (absent, drawn as a zero-width segment)
    rows = [
        ("A", US, 0.5, 0.4, 0.6), ("A", RU, 0.3, 0.2, 0.4), ("A", EXP, 0.2, 0.1, 0.3),
        ("B", US, 0.2, 0.1, 0.3), ("B", RU, 0.6, 0.5, 0.7), ("B", EXP, 0.2, 0.1, 0.3),
        ("C", US, 0.5, 0.3, 0.7), ("C", RU, 0.5, 0.3, 0.7),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["outlet", "group", "share", "share_low", "share_high"])


def bar_colors(ax: Axes) -> dict[str, tuple]:
    """label of each BarContainer -> face colour of its first bar."""
    return {c.get_label(): c.patches[0].get_facecolor() for c in ax.containers if isinstance(c, BarContainer)}


def test_palette_covers_the_default_groups_with_distinct_colours():
    groups = pd.read_csv(data_path("groups.csv"))["group"].unique().tolist()
    assert set(groups) <= set(plots.GROUP_PALETTE)
    assert len(set(plots.GROUP_PALETTE.values())) == len(plots.GROUP_PALETTE)
    assert plots.group_color(US) == plots.GROUP_PALETTE[US]


def test_fallback_colour_is_deterministic_and_not_a_palette_colour():
    colour = plots.group_color("Belarusian officials")
    assert colour == plots.group_color("Belarusian officials")
    assert colour in plots.FALLBACK_COLORS
    assert colour not in plots.GROUP_PALETTE.values()
    # CRC-32 of the name, not Python's salted hash: the value is fixed for all runs
    import zlib

    index = zlib.crc32("Belarusian officials".encode()) % len(plots.FALLBACK_COLORS)
    assert colour == plots.FALLBACK_COLORS[index]
    assert plots.group_palette([RU, "Belarusian officials", RU]) == {RU: plots.GROUP_PALETTE[RU],
                                                                       "Belarusian officials": colour}  # fmt: skip


def test_share_bars_count_positions_colours_and_whiskers():
    data = mix_table()
    before = data.copy(deep=True)
    ax = plots.plot_share_bars(data=data)
    assert isinstance(ax, Axes)
    # 3 outlets × 3 groups = 9 rectangles (C's missing experts segment has width 0)
    assert len(ax.patches) == 9
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C"]
    colours = bar_colors(ax)
    # groups stacked in data/groups.csv order: experts, US officials, Russian officials
    assert list(colours) == [EXP, US, RU]
    for group, colour in colours.items():
        assert colour == to_rgba(plots.GROUP_PALETTE[group])
    us = next(c for c in ax.containers if isinstance(c, BarContainer) and c.get_label() == US)
    # outlet A: experts 0.2 first, so the US segment starts at 0.2 and is 0.5 wide
    assert us.patches[0].get_x() == pytest.approx(0.2) and us.patches[0].get_width() == pytest.approx(0.5)
    # one whisker per segment with positive width: 8
    whiskers = sum(len(c.lines[2][0].get_segments()) for c in ax.containers if isinstance(c, ErrorbarContainer))
    assert whiskers == 8
    # the whisker of A's US segment runs from 0.2 + 0.4 to 0.2 + 0.6
    us_bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)][1]
    segment = us_bars.lines[2][0].get_segments()[0]
    assert sorted(segment[:, 0]) == pytest.approx([0.6, 0.8])
    pd.testing.assert_frame_equal(data, before)


def test_share_bars_without_intervals_and_on_a_given_axes():
    fig, ax = plt.subplots()
    data = mix_table().drop(columns=["share_low", "share_high"])
    out = plots.plot_share_bars(data=data, ax=ax, order=["C", "A"], hue_order=[US, RU], legend=False)
    assert out is ax
    assert len(ax.patches) == 4
    assert not [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert ax.get_legend() is None


def test_same_group_same_colour_in_two_figures():
    framing = pd.DataFrame(
        {"outlet": ["A", "A", "B", "B"], "group": [RU, US, RU, US], "cue_category": "doubting",
         "share": [0.5, 0.1, 0.2, 0.0], "group_attributions": [4, 10, 5, 3]}
    )  # fmt: skip
    ax1 = plots.plot_share_bars(data=mix_table())
    ax2 = plots.plot_cue_framing(data=framing)
    assert ax1.figure is not ax2.figure
    c1, c2 = bar_colors(ax1), bar_colors(ax2)
    assert c1[US] == c2[US] == to_rgba(plots.GROUP_PALETTE[US])
    assert c1[RU] == c2[RU] == to_rgba(plots.GROUP_PALETTE[RU])
    assert c1[US] != c1[RU]


def test_cue_framing_bars_count_heights_and_labels():
    data = pd.DataFrame(
        {
            "outlet": ["A", "A", "A", "A", "B", "B"],
            "group": [US, US, RU, RU, US, US],
            "cue_category": ["neutral", "doubting", "neutral", "doubting", "neutral", "doubting"],
            "share": [0.75, 0.25, 0.25, 0.75, 1.0, 0.0],
            "group_attributions": [4, 4, 4, 4, 2, 2],
        }
    )
    ax = plots.plot_cue_framing(data=data)
    # doubting only: 2 outlets × 2 groups = 4 bars (B has no Russian officials: height 0)
    assert len(ax.patches) == 4
    heights = {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}
    assert heights[US] == pytest.approx([0.25, 0.0])
    assert heights[RU] == pytest.approx([0.75, 0.0])
    assert sorted(t.get_text() for t in ax.texts) == ["n=2", "n=4", "n=4"]
    assert "doubting" in ax.get_ylabel()


def residual_table() -> pd.DataFrame:
    rows = [(o, g, r) for o, rs in {"A": [3.6, -1.0, -2.5], "B": [-3.6, 1.0, 2.5]}.items()
            for g, r in zip([US, RU, EXP], rs)]  # fmt: skip
    return pd.DataFrame(rows, columns=["outlet", "group", "adjusted_residual"])


def test_residual_heatmap_cells_and_centred_scale():
    ax = plots.plot_residual_heatmap(data=residual_table())
    mesh = ax.collections[0]
    assert mesh.get_array().size == 2 * 3
    # diverging map centred at 0: symmetric limits at the largest |residual|
    assert mesh.norm.vmin == pytest.approx(-3.6) and mesh.norm.vmax == pytest.approx(3.6)
    assert [t.get_text() for t in ax.get_xticklabels()] == [EXP, US, RU]
    assert len(ax.texts) == 6
    # the value in the first cell (A, experts) is -2.5
    assert np.asarray(mesh.get_array()).reshape(2, 3)[0, 0] == pytest.approx(-2.5)


def test_residual_heatmap_from_compare_and_given_scale():
    attributions = pd.DataFrame(
        {"article_id": ["a1", "a1", "b1", "b1", "b1"], "outlet": ["A", "A", "B", "B", "B"],
         "group": [US, US, RU, RU, US], "quoted_words": 0}
    )  # fmt: skip
    residuals = compare.outlet_group_residuals(attributions, min_articles=1)
    fig, ax = plt.subplots()
    assert plots.plot_residual_heatmap(data=residuals, ax=ax, vmax=4, annot=False) is ax
    assert ax.collections[0].norm.vmax == 4 and ax.collections[0].get_array().size == 4
    assert not ax.texts


def test_tone_heatmap_keeps_missing_cells():
    data = pd.DataFrame(
        {"outlet": ["A", "A", "B"], "target": ["Vladimir Putin", "Donald Trump", "Donald Trump"],
         "tone_score": [-0.4, 0.2, 0.1]}
    )  # fmt: skip
    ax = plots.plot_tone_heatmap(data=data)
    mesh = ax.collections[0]
    assert mesh.get_array().size == 4  # 2 outlets × 2 actors, B–Putin empty (masked)
    assert np.ma.count_masked(mesh.get_array()) == 1
    assert mesh.norm.vmin == pytest.approx(-0.4) and mesh.norm.vmax == pytest.approx(0.4)


def test_outlet_map_points_labels_and_axes():
    profiles = pd.DataFrame(
        {"outlet": ["P1", "P2", "Q1", "Q2"], "share: US": [0.8, 0.75, 0.2, 0.25], "share: RU": [0.1, 0.2, 0.7, 0.6]}
    )  # fmt: skip
    coords = compare.outlet_map(profiles, n_clusters=2)
    ax = plots.plot_outlet_map(data=coords)
    assert len(ax.collections) == 2  # one scatter per cluster
    assert sum(len(c.get_offsets()) for c in ax.collections) == 4
    assert sorted(t.get_text() for t in ax.texts) == ["P1", "P2", "Q1", "Q2"]
    assert "% of variance" in ax.get_xlabel()
    colours = [tuple(c.get_facecolor()[0]) for c in ax.collections]
    assert colours[0] != colours[1]


def test_save_figure_writes_reproducible_png_and_csv(tmp_path):
    data = mix_table()
    ax = plots.plot_share_bars(data=data)
    png, csv = plots.save_figure(ax, data, tmp_path / "figures" / "mix")
    assert png == tmp_path / "figures" / "mix.png" and csv == tmp_path / "figures" / "mix.csv"
    first = png.read_bytes()
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Matplotlib" not in first and b"Software" not in first
    pd.testing.assert_frame_equal(pd.read_csv(csv), data)
    assert b"\r\n" not in csv.read_bytes()
    # the same figure saved again (here through its Figure) gives identical bytes
    png2, _ = plots.save_figure(ax.figure, data, tmp_path / "again")
    assert png2.read_bytes() == first
    # and so does a freshly drawn copy of the figure
    png3, _ = plots.save_figure(plots.plot_share_bars(data=data), data, tmp_path / "fresh")
    assert png3.read_bytes() == first
