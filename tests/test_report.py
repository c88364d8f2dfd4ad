"""The report command: notebooks found from the package, run with papermill, rendered to HTML with figures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit import paths
from toolkit.cli import main
from toolkit.report import NotebooksNotFound, find_notebooks, is_analysis_folder, load_analysis, notebook_question


def test_notebooks_are_found_from_the_package():
    found = find_notebooks()
    assert [p.name[:2] for p in found] == ["01", "02", "03", "04", "05", "06"]
    assert all(p.parent == paths.notebooks_dir() for p in found)
    title, question = notebook_question(found[1])
    assert title.startswith("02") and question.startswith("**Question:**")


def test_missing_notebooks_are_reported_clearly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TOOLKIT_NOTEBOOKS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(NotebooksNotFound, match="TOOLKIT_NOTEBOOKS_DIR"):
        find_notebooks()
    assert main(["report", str(paths.DEMO_CORPUS), "--out", str(tmp_path / "out")]) == 2
    assert "notebooks folder" in capsys.readouterr().err


def test_load_analysis_runs_the_demo_corpus_and_restricts_outlets(tmp_path):
    data = load_analysis(out=tmp_path, outlets=["Kyiv Ledger", "Vostok Herald"])
    assert is_analysis_folder(tmp_path / "analysis")
    assert data.outlets == ["Kyiv Ledger", "Vostok Herald"]
    assert set(data.attributions["outlet"]) == {"Kyiv Ledger", "Vostok Herald"}
    assert len(data.articles) == 12 and data.figures == tmp_path / "figures"
    assert data.groups[0] == "unnamed sources"  # the order of data/groups.csv
    assert data.has_tone


def test_report_command_writes_html_and_figures_for_the_demo_corpus(tmp_path, capfd):
    out = tmp_path / "out"
    assert main(["report", str(paths.DEMO_CORPUS), "--out", str(out), "--notebooks", "02"]) == 0
    reports = out / "reports"
    html = (reports / "02-attribution-mix-across-outlets.html").read_text(encoding="utf-8")
    assert "<img" in html and "load_analysis(" not in html  # outputs kept, code left out
    assert "Liberty Forge" in html
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert 'href="02-attribution-mix-across-outlets.html"' in index
    figures = reports / "figures"
    for stem in ("02-attribution-share", "02-voice-share", "02-residuals", "02-placement", "02-official-shares",
                 "02-side-balance"):
        assert (figures / f"{stem}.png").stat().st_size > 1000
        assert (figures / f"{stem}.csv").read_text(encoding="utf-8").count("\n") >= 2
    assert (reports / "notebooks" / "02-attribution-mix-across-outlets.ipynb").is_file()
    assert (out / "analysis" / "attributions.csv").is_file()
    captured = capfd.readouterr()  # the kernel's own stderr too
    assert "wrote" in captured.out
    assert "WARNING" not in captured.err and "Traceback" not in captured.err


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets")
def test_the_notebook_kernel_talks_over_unix_sockets_not_tcp(tmp_path):
    import nbformat

    from toolkit.report import execute_notebook

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("transport = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from ipykernel.connect import get_connection_info\n"
                                  "print(get_connection_info(unpack=True)['transport'])"),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source, executed = tmp_path / "probe.ipynb", tmp_path / "executed.ipynb"
    nbformat.write(notebook, source)
    execute_notebook(source, executed, {"transport": "x"}, kernel_name="python3", cwd=tmp_path)
    outputs = [output for cell in nbformat.read(executed, as_version=4).cells for output in cell.get("outputs", [])]
    assert [output.get("text", "").strip() for output in outputs] == ["ipc"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["executed.ipynb", "probe.ipynb"]  # no socket left


def test_helsinki_slice_renders_the_attribution_mix(shared_dir, tmp_path):
    from toolkit.report import render_reports
    from toolkit.slices import select_slice, write_slice

    source = shared_dir / "data" / "allsides" / "articles.jsonl.gz"
    if not source.is_file():
        pytest.skip("../shared/data/allsides/articles.jsonl.gz is missing")
    chosen = select_slice(source, "helsinki")
    assert 50 <= len(chosen) <= 70 and 15 <= chosen["source"].nunique() <= 22
    assert chosen["date"].between("2018-07-01", "2018-08-05").all()
    written = write_slice(tmp_path / "helsinki", "helsinki", source)
    assert sum(1 for _ in open(written["corpus"], encoding="utf-8")) == len(chosen)
    assert "Mike Pompeo" in written["actors"].read_text(encoding="utf-8")
    html = render_reports(written["corpus"], tmp_path / "out", actors=written["actors"], notebooks=["02"], log=False)
    assert [p.name for p in html] == ["02-attribution-mix-across-outlets.html", "index.html"]
    balance = (tmp_path / "out" / "reports" / "figures" / "02-side-balance.csv").read_text(encoding="utf-8")
    assert "CNN" in balance and "Fox News" in balance
