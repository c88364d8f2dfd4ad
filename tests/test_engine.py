"""The batch engine behind `analyze`: the same bytes whatever the batch size, cache state, format or engine."""

from __future__ import annotations

import shutil
import sqlite3

import pandas as pd
import pytest

from toolkit.analysis import ANALYSIS_TABLES
from toolkit.cli import main
from toolkit.engine import analyze_corpus
from toolkit.paths import DEMO_CORPUS

OUTLETS = ("meridian-wire", "vostok-herald", "liberty-forge")  # text, JSON Lines and HTML: 18 articles


@pytest.fixture()
def corpus(tmp_path):
    """A copy of part of the demo corpus, to edit."""
    folder = tmp_path / "corpus"
    for outlet in OUTLETS:
        shutil.copytree(DEMO_CORPUS / outlet, folder / outlet)
    return folder


def outputs(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def run(paths, out, *extra) -> int:
    return main(["analyze", *map(str, paths if isinstance(paths, list) else [paths]), "--out", str(out),
                 "--no-progress", *extra])


def test_same_bytes_whatever_the_batch_size_and_cache_state(corpus, tmp_path, monkeypatch):
    assert run(corpus, tmp_path / "whole", "--no-cache", "--batch-size", "1000", "--format", "both") == 0
    reference = outputs(tmp_path / "whole")
    assert set(reference) == {f"{name}.{ext}" for name in ("articles", "removed_lines", *ANALYSIS_TABLES)
                              for ext in ("csv", "parquet")} | {"report.md"}

    cold = analyze_corpus(corpus, tmp_path / "small", batch_size=4, formats=["both"], progress=False)
    assert (cold.analysed, cold.cached) == (18, 0)
    assert outputs(tmp_path / "small") == reference

    # a warm run takes every article from the cache and never loads the spaCy pipeline
    import toolkit.nlp

    def no_pipeline(*args, **kwargs):
        raise AssertionError("a run with every article cached loaded the pipeline")

    with monkeypatch.context() as patch:
        patch.setattr(toolkit.nlp, "load_pipeline", no_pipeline)
        warm = analyze_corpus(corpus, tmp_path / "small", batch_size=7, formats=["both"], progress=False)
    assert (warm.analysed, warm.cached) == (0, 18)
    assert outputs(tmp_path / "small") == reference


def test_a_warm_run_imports_neither_spacy_nor_scikit_learn_nor_scipy(corpus, tmp_path):
    """Its time is mostly the interpreter's start: the parser and the statistics stay unloaded (a fresh process,
    since this one has them already)."""
    import subprocess
    import sys

    out = tmp_path / "out"
    assert run(corpus, out) == 0
    reference = outputs(out)
    probe = ("import sys\nfrom toolkit.cli import main\n"
             f"code = main(['analyze', {str(corpus)!r}, '--out', {str(out)!r}, '--no-progress'])\n"
             "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'torch', 'sklearn', 'scipy'}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "18 ok articles taken from the cache, 0 analysed" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "0 []"
    assert outputs(out) == reference


def test_batches_end_at_the_article_or_character_limit():
    from toolkit.engine import _batches

    rows = [{"text": "x" * length} for length in (5, 5, 5, 30, 5, 5, 0, 5)]
    sizes = [[len(row["text"]) for row in batch] for batch in _batches(rows[:1], iter(rows[1:]), 3, characters=12)]
    assert sizes == [[5, 5], [5], [30], [5, 5, 0], [5]]  # a longer article than the limit is a batch of its own
    assert sum(len(b) for b in _batches([], iter(rows), 200)) == len(rows)  # nothing lost, nothing repeated


def test_same_bytes_whatever_the_character_limit_of_a_batch(corpus, tmp_path, monkeypatch):
    import toolkit.engine

    analyze_corpus(corpus, tmp_path / "usual", cache=False, progress=False)
    monkeypatch.setattr(toolkit.engine, "BATCH_CHARACTERS", 6000)  # batches of 2 articles
    small = analyze_corpus(corpus, tmp_path / "small", cache=False, progress=False)
    assert outputs(tmp_path / "small") == outputs(tmp_path / "usual")
    assert small.analysed == 18


def test_free_memory_is_handed_back_where_the_c_library_is_glibc():
    import platform

    from toolkit.engine import return_free_memory

    assert return_free_memory() == (platform.libc_ver()[0] == "glibc")


def test_only_changed_articles_are_analysed_again(corpus, tmp_path):
    out = tmp_path / "out"
    analyze_corpus(corpus, out, batch_size=5, progress=False)
    article = corpus / "meridian-wire" / "2025-10-17-tomahawk-decision.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("Tomahawk", "Tomahawk cruise", 1), encoding="utf-8")
    (corpus / "meridian-wire" / "2025-10-17-kyiv-europe-reactions.txt").unlink()
    again = analyze_corpus(corpus, out, batch_size=5, progress=False)
    assert (again.analysed, again.cached) == (1, 16)
    analyze_corpus(corpus, tmp_path / "fresh", cache=False, progress=False)
    assert outputs(out) == outputs(tmp_path / "fresh")


def test_a_retrained_tone_model_is_part_of_the_cache_key(tmp_path, monkeypatch):
    """Cached tone columns came from the model files of their run: another model file means another key."""
    from toolkit.engine import settings_key
    from toolkit.paths import data_dir

    data = tmp_path / "data"
    shutil.copytree(data_dir(), data, ignore=shutil.ignore_patterns("demo"))
    monkeypatch.setenv("TOOLKIT_DATA_DIR", str(data))
    actors = pd.read_csv(data / "actors.csv", dtype=str, keep_default_na=False)
    before = settings_key(actors, {"tone": "fast"})
    assert settings_key(actors, {"tone": "fast"}) == before
    card = data / "models" / "tone-fast.json"
    card.write_text(card.read_text(encoding="utf-8").replace('"tier"', '"tier" ', 1), encoding="utf-8")
    assert settings_key(actors, {"tone": "fast"}) != before
    retrained = settings_key(actors, {"tone": "fast"})
    model = data / "models" / "tone-fast.npz"
    weights = model.read_bytes()
    model.write_bytes(weights[:-1] + bytes([weights[-1] ^ 1]))
    assert settings_key(actors, {"tone": "fast"}) != retrained


def test_settings_are_part_of_the_cache_key(corpus, tmp_path):
    out = tmp_path / "out"
    analyze_corpus(corpus / "meridian-wire", out, progress=False)
    actors = pd.read_csv(DEMO_CORPUS.parents[1] / "actors.csv", dtype=str, keep_default_na=False)
    again = analyze_corpus(corpus / "meridian-wire", out, actors=actors.iloc[:-1], progress=False)
    assert again.cached == 0 and again.analysed == 6


def test_parquet_holds_the_same_tables_as_csv(corpus, tmp_path):
    assert run(corpus / "vostok-herald", tmp_path, "--format", "both", "--no-cache") == 0
    for name in ("articles", "attributions", "removed_lines"):
        from_parquet = pd.read_parquet(tmp_path / f"{name}.parquet")
        from_csv = pd.read_csv(tmp_path / f"{name}.csv", keep_default_na=False, na_values=[""])
        assert list(from_parquet.columns) == list(from_csv.columns)
        assert len(from_parquet) == len(from_csv)
    attributions = pd.read_parquet(tmp_path / "attributions.parquet")
    assert str(attributions["speaker_start"].dtype) == "Int64"
    assert run(corpus / "vostok-herald", tmp_path / "p", "--format", "parquet") == 0
    assert not list((tmp_path / "p").glob("*.csv"))


def test_scheduler_needs_the_dask_engine(tmp_path, capsys):
    assert run(DEMO_CORPUS / "meridian-wire", tmp_path, "--scheduler", "tcp://127.0.0.1:1") == 2
    assert "--engine dask" in capsys.readouterr().err


def test_local_cluster_workers_keep_the_adaptive_malloc_threshold_and_do_not_profile():
    """Dask's nannies set MALLOC_TRIM_THRESHOLD_, which makes the parser's arrays page-fault on every batch,
    and Dask's workers profile themselves (memory that grows with the run); the workers of our local cluster
    run without either and keep Dask's one-thread settings."""
    import os

    import dask

    from toolkit.engine import DaskExecutor
    from toolkit.registry import load_actors

    executor = DaskExecutor(None, 1, load_actors(None), {})
    try:
        environ = executor.client.run(lambda: {name: os.environ.get(name)
                                               for name in ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")})
        profiling = executor.client.run(lambda dask_worker: (dask.config.get("distributed.worker.profile.enabled"),
                                                             "profile" in dask_worker.periodic_callbacks))
    finally:
        executor.close()
    assert list(environ.values()) == [{"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"}]
    assert list(profiling.values()) == [(False, False)]
    assert dask.config.get("distributed.worker.profile.enabled")  # this process's settings are left as they were


def test_dask_engine_writes_the_same_bytes_as_the_local_engine(tmp_path):
    """The whole demo corpus on a two-process local cluster, in batches of 10, against one local batch."""
    assert run(DEMO_CORPUS, tmp_path / "local", "--no-cache", "--format", "both") == 0
    assert run(DEMO_CORPUS, tmp_path / "dask", "--engine", "dask", "--workers", "2", "--batch-size", "10",
               "--format", "both") == 0
    local, dask = outputs(tmp_path / "local"), outputs(tmp_path / "dask")
    assert set(local) == set(dask) and len(local) == 2 * (2 + len(ANALYSIS_TABLES)) + 1
    for name in local:
        assert local[name] == dask[name], name
    with sqlite3.connect(tmp_path / "dask" / ".cache" / "analysis.sqlite") as db:  # the driver cached every article
        assert db.execute("SELECT count(*) FROM results").fetchone()[0] == 36 + 1  # and the table templates


def test_analyze_runs_the_accurate_tier_in_the_precision_this_machine_resolves(corpus, tmp_path, monkeypatch):
    """``--tone-precision auto`` reaches the analysis as the precision it resolves to here (so the cache key holds
    it); other tiers never see the option."""
    pytest.importorskip("torch")
    from toolkit import analysis, tone_accurate

    seen = []
    real = analysis.analyze_articles

    def spy(articles, **options):
        seen.append({name: options.get(name) for name in ("tone", "tone_precision")})
        return real(articles, **{**options, "tone": "fast", "tone_precision": "auto"})  # quick: the fast tier

    monkeypatch.setattr(analysis, "analyze_articles", spy)
    monkeypatch.setattr(tone_accurate, "native_bfloat16", lambda: False)
    assert run(corpus / "meridian-wire", tmp_path / "accurate", "--no-cache", "--tone", "accurate") == 0
    assert run(corpus / "meridian-wire", tmp_path / "fast", "--no-cache", "--tone-precision", "float32") == 0
    assert seen[0] == {"tone": "accurate", "tone_precision": "int8"}
    assert seen[-1] == {"tone": "fast", "tone_precision": None}
