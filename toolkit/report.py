"""Reports: the curated notebooks run on a corpus and rendered to HTML, with every figure as PNG + CSV.

:func:`render_reports` is what ``python -m toolkit report PATH [PATH ...] --out DIR`` runs. It analyses the corpus
once (or reads an existing ``analyze`` output folder), runs every notebook of :func:`toolkit.paths.notebooks_dir`
with papermill (its ``parameters`` cell pointed at that analysis), and converts each executed notebook to HTML
without the code cells (nbconvert ``--no-input``)::

    DIR/analysis/                 the analysis tables (articles.csv, attributions.csv, ...)
    DIR/reports/index.html        one link per notebook, with the question it answers
    DIR/reports/NN-name.html      each notebook, rendered without its code
    DIR/reports/figures/NN-*.png  every figure, beside the CSV of the numbers behind it (NN-*.csv)
    DIR/reports/notebooks/        the executed notebooks (open them in Jupyter to see the code)

The notebooks themselves call :func:`load_analysis` to get the tables, so that a notebook run by hand (default:
the bundled demo corpus) and a notebook run by a report read their data the same way.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .paths import DEMO_CORPUS, build_dir, data_path, notebooks_dir

__all__ = [
    "Analysis",
    "NotebooksNotFound",
    "find_notebooks",
    "is_analysis_folder",
    "load_analysis",
    "notebook_question",
    "render_reports",
    "setup_notebook",
]

#: Tables of an ``analyze`` output folder that the notebooks read (tone tables are optional).
REQUIRED_TABLES = ("articles", "attributions")
OPTIONAL_TABLES = ("sentences", "actor_tone", "article_tone")
NOTEBOOK_PATTERN = re.compile(r"^\d{2}-[\w-]+\.ipynb$")


class NotebooksNotFound(FileNotFoundError):
    """The notebooks folder is missing or holds no ``NN-name.ipynb`` notebooks."""


# --------------------------------------------------------------------------------------------------------------
# what the notebooks call
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Analysis:
    """The tables of one analysis, restricted to the chosen outlets, with the group order to use everywhere."""

    folder: Path
    figures: Path
    articles: pd.DataFrame
    attributions: pd.DataFrame
    sentences: pd.DataFrame | None = None
    actor_tone: pd.DataFrame | None = None
    article_tone: pd.DataFrame | None = None
    groups: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    actors: pd.DataFrame | None = None

    @property
    def has_tone(self) -> bool:
        return self.sentences is not None and self.article_tone is not None and self.actor_tone is not None

    def outlet_label(self, outlet: str) -> str:
        """``"Outlet (n=12)"``: the outlet with its number of analysed articles, for figure labels."""
        n = int((self.articles["outlet"] == outlet).sum())
        return f"{outlet} (n={n})"


def is_analysis_folder(path: str | os.PathLike) -> bool:
    """Whether ``path`` is an ``analyze`` output folder (it holds the articles and attributions tables)."""
    folder = Path(path)
    return folder.is_dir() and all(_table_file(folder, name) is not None for name in REQUIRED_TABLES)


def _table_file(folder: Path, name: str) -> Path | None:
    for ext in ("csv", "parquet"):
        candidate = folder / f"{name}.{ext}"
        if candidate.is_file():
            return candidate
    return None


def _read_table(folder: Path, name: str) -> pd.DataFrame | None:
    path = _table_file(folder, name)
    if path is None:
        return None
    if path.suffix == ".parquet":
        table = pd.read_parquet(path)
    else:
        table = pd.read_csv(path, dtype={"article_id": str, "outlet": str}, low_memory=False)
    return table


def _as_list(value: str | os.PathLike | Iterable | None) -> list | None:
    if value is None:
        return None
    if isinstance(value, (str, os.PathLike)):
        return [value]
    return list(value)


def _group_order_from_file(path: str | os.PathLike | None) -> list[str]:
    table = pd.read_csv(path or data_path("groups.csv"), dtype=str, keep_default_na=False)
    return list(dict.fromkeys(g for g in table.get("group", pd.Series(dtype=str)) if g))


def load_analysis(
    corpus: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    analysis: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
    actors: str | os.PathLike | None = None,
    outlets: Sequence[str] | None = None,
    groups: str | os.PathLike | None = None,
) -> Analysis:
    """The tables a notebook works on: an existing analysis folder, or the corpus analysed now.

    Parameters
    ----------
    corpus
        File(s) or folder(s) of articles, analysed with :func:`toolkit.engine.analyze_corpus` into
        ``out/analysis`` (cached, so a second run is quick). Default: the bundled demo corpus.
    analysis
        An ``analyze`` output folder to read instead of analysing ``corpus``.
    out
        Output folder: the analysis goes to ``out/analysis`` (when one is run) and figures to ``out/figures``.
        Default: ``build/notebooks`` (see :func:`toolkit.paths.build_dir`).
    actors
        Actors registry CSV for the analysis (default ``data/actors.csv``).
    outlets
        Keep only these outlets (default all).
    groups
        A groups CSV (``speaker_type, speaker_role, speaker_country, group``, first matching row wins). When
        given, every attribution's group is assigned again from it; its rows also give the order of the groups.
    """
    out_dir = Path(out) if out is not None else build_dir() / "notebooks"
    if analysis is not None:
        folder = Path(analysis)
        if not is_analysis_folder(folder):
            raise FileNotFoundError(f"{folder} is not an analysis folder (no articles and attributions tables); "
                                    "run `python -m toolkit analyze` first or pass a corpus instead")
    else:
        from .engine import analyze_corpus

        paths = _as_list(corpus) or [DEMO_CORPUS]
        folder = out_dir / "analysis"
        analyze_corpus([str(p) for p in paths], folder, actors=actors, progress=False)
    tables = {name: _read_table(folder, name) for name in REQUIRED_TABLES + OPTIONAL_TABLES}
    articles = tables["articles"]
    if "status" in articles.columns:
        articles = articles[articles["status"] == "ok"]
    keep = sorted(articles["outlet"].astype(str).unique()) if outlets is None else list(dict.fromkeys(outlets))
    unknown = sorted(set(keep) - set(articles["outlet"].astype(str)))
    if unknown:
        raise ValueError(f"no analysed articles from {', '.join(unknown)}")

    def restrict(table: pd.DataFrame | None) -> pd.DataFrame | None:
        if table is None:
            return None
        return table[table["outlet"].astype(str).isin(keep)].reset_index(drop=True)

    attributions = restrict(tables["attributions"])
    if groups is not None:
        from .speakers import GroupMap

        group_map = GroupMap(groups)
        attributions = attributions.assign(group=[
            group_map.group(t, r, None if pd.isna(c) else c)
            for t, r, c in zip(attributions["speaker_type"], attributions["speaker_role"],
                               attributions["speaker_country"])
        ])
    order = _group_order_from_file(groups)
    observed = set(attributions["group"].dropna().astype(str))
    group_order = [g for g in order if g in observed] + sorted(observed - set(order))
    from .registry import load_actors

    figures = out_dir / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    return Analysis(
        folder=folder, figures=figures, articles=restrict(articles), attributions=attributions,
        sentences=restrict(tables["sentences"]), actor_tone=restrict(tables["actor_tone"]),
        article_tone=restrict(tables["article_tone"]), groups=group_order, outlets=keep,
        actors=load_actors(actors) if actors is not None else load_actors(),
    )


def setup_notebook(dpi: int = 80) -> None:
    """Quiet, reproducible notebook output: modest inline figures, no progress bars, plain pandas floats."""
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt

    # tqdm.auto warns on import when ipywidgets is missing; the notebooks never show progress bars
    warnings.filterwarnings("ignore", message="IProgress not found")

    matplotlib.rcParams["figure.dpi"] = dpi
    matplotlib.rcParams["savefig.dpi"] = dpi
    matplotlib.rcParams["svg.hashsalt"] = "toolkit"
    plt.rcParams["figure.max_open_warning"] = 0
    os.environ["TQDM_DISABLE"] = "1"
    pd.set_option("display.precision", 3)
    pd.set_option("display.float_format", "{:.4f}".format)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_rows", 80)


# --------------------------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------------------------


def find_notebooks(folder: str | os.PathLike | None = None, names: Sequence[str] | None = None) -> list[Path]:
    """The numbered notebooks (``NN-name.ipynb``) of ``folder`` (default :func:`toolkit.paths.notebooks_dir`),
    in order; ``names`` keeps those whose file name starts with one of them (``"02"``, ``"02-attribution-mix"``)."""
    root = Path(folder) if folder is not None else notebooks_dir()
    if not root.is_dir():
        raise NotebooksNotFound(
            f"the notebooks folder {root} does not exist: the toolkit looks for notebooks/ beside the package "
            "(an editable install of the repository) or in $TOOLKIT_NOTEBOOKS_DIR"
        )
    found = sorted(p for p in root.iterdir() if NOTEBOOK_PATTERN.match(p.name))
    if names is not None:
        found = [p for p in found if any(p.name.startswith(n) for n in names)]
    if not found:
        wanted = f" matching {', '.join(names)}" if names else ""
        raise NotebooksNotFound(f"no notebooks NN-name.ipynb{wanted} in {root}")
    return found


def notebook_question(path: str | os.PathLike) -> tuple[str, str]:
    """The title (first heading) and question (rest of the first markdown cell's first paragraph) of a notebook."""
    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", ""))
            lines = [line.strip() for line in text.strip().splitlines()]
            title = lines[0].lstrip("#").strip() if lines else Path(path).stem
            paragraph = re.split(r"\n\s*\n", "\n".join(lines[1:]).strip())[0] if len(lines) > 1 else ""
            return title, " ".join(paragraph.split())
    return Path(path).stem, ""


def kernel_settings(socket_dir: str | os.PathLike) -> dict:
    """Settings of the notebooks' kernel manager: on Unix, the kernel talks to this process over Unix sockets
    in ``socket_dir`` (ZeroMQ ``ipc``) rather than over TCP ports on localhost, so rendering the reports opens
    no network port and ipykernel has no unencrypted TCP traffic to warn about on stderr. Elsewhere, Jupyter's
    default (TCP on localhost)."""
    if os.name != "posix":
        return {}
    return {"KernelManager": {"transport": "ipc", "ip": str(Path(socket_dir) / "kernel")}}


def execute_notebook(source: Path, executed: Path, parameters: dict, *, kernel_name: str, cwd: Path) -> None:
    """Run one notebook with papermill (its ``parameters`` cell set to ``parameters``) and save it executed."""
    import tempfile

    import papermill
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="toolkit-kernel-") as socket_dir:
        papermill.execute_notebook(
            str(source), str(executed), parameters=parameters, kernel_name=kernel_name, progress_bar=False,
            log_output=False, cwd=str(cwd), report_mode=False, config=Config(kernel_settings(socket_dir)),
        )


def render_reports(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    out: str | os.PathLike,
    *,
    actors: str | os.PathLike | None = None,
    outlets: Sequence[str] | None = None,
    groups: str | os.PathLike | None = None,
    notebooks: Sequence[str] | None = None,
    kernel_name: str = "python3",
    log: bool = True,
) -> list[Path]:
    """Run every notebook on a corpus (or an existing analysis folder) and render it to HTML under ``out/reports``.

    Parameters
    ----------
    paths
        Files or folders of articles, or one ``analyze`` output folder (it holds ``articles`` and
        ``attributions`` tables).
    out
        Output folder (see the module docstring for its layout).
    actors, outlets, groups
        Passed to every notebook's ``parameters`` cell (see :func:`load_analysis`).
    notebooks
        Only the notebooks whose names start with these (default all).
    kernel_name
        Jupyter kernel (default ``python3``: the kernel of the environment the toolkit is installed in).
    log
        Print one line per notebook rendered.

    Returns
    -------
    list of pathlib.Path
        The HTML files written, ``index.html`` last.
    """
    from nbconvert import HTMLExporter

    sources = find_notebooks(names=notebooks)
    paths = _as_list(paths)
    if not paths:
        raise ValueError("give at least one corpus path or analysis folder")
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"not found: {', '.join(missing)}")
    out = Path(out).resolve()
    reports = out / "reports"
    executed_dir = reports / "notebooks"
    executed_dir.mkdir(parents=True, exist_ok=True)
    if len(paths) == 1 and is_analysis_folder(paths[0]):
        analysis = Path(paths[0]).resolve()
    else:
        from .engine import analyze_corpus

        analysis = out / "analysis"
        analyze_corpus([str(p) for p in paths], analysis, actors=actors, progress=False)
    parameters = {
        "corpus": None,
        "analysis": str(analysis),
        "out": str(reports),
        "actors": None if actors is None else str(Path(actors).resolve()),
        "outlets": None if outlets is None else list(outlets),
        "groups": None if groups is None else str(Path(groups).resolve()),
    }
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    written: list[Path] = []
    entries: list[tuple[str, str, str]] = []
    for source in sources:
        executed = executed_dir / source.name
        execute_notebook(source, executed, parameters, kernel_name=kernel_name, cwd=reports)
        body, _ = exporter.from_filename(str(executed))
        target = reports / f"{source.stem}.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
        title, question = notebook_question(source)
        entries.append((target.name, title, question))
        if log:
            print(f"wrote {target}")
    index = reports / "index.html"
    index.write_text(_index_html(entries, analysis), encoding="utf-8")
    written.append(index)
    if log:
        print(f"wrote {index}")
    return written


def _index_html(entries: list[tuple[str, str, str]], analysis: Path) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(name)}">{html.escape(title)}</a><br><span>{html.escape(question)}</span></li>'
        for name, title, question in entries
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>newsvoices reports</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}}li{{margin:0.8em 0}}
span{{color:#444}}</style></head>
<body><h1>Who gets to speak: reports</h1>
<p>Analysis: <code>{html.escape(analysis.name)}</code>. Figures, with the numbers behind each one as CSV, are in
<a href="figures/">figures/</a>; the executed notebooks (with their code) in <a href="notebooks/">notebooks/</a>.</p>
<ol>
{items}
</ol></body></html>
"""
