"""The package façade: every public name reachable from ``toolkit``, each stage imported only when used."""

from __future__ import annotations

import subprocess
import sys

import pytest

import toolkit

HEAVY = ("spacy", "thinc", "torch", "sklearn", "scipy", "dask", "distributed", "seaborn")


def loaded_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport sys\nprint(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - our own probe's printed list


def test_every_public_name_is_the_stage_modules_own():
    import toolkit.compare
    import toolkit.engine
    import toolkit.sentiment

    assert toolkit.analyze_corpus is toolkit.engine.analyze_corpus
    assert toolkit.TargetSentiment is toolkit.sentiment.TargetSentiment
    assert toolkit.outlet_group_test is toolkit.compare.outlet_group_test
    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None, name
    assert set(toolkit.__all__) <= set(dir(toolkit))


@pytest.mark.parametrize("name", ["analyse_corpus", "nlp_pipeline", "_PRIVATE"])
def test_an_unknown_name_is_an_attribute_error(name):
    with pytest.raises(AttributeError, match=name):
        getattr(toolkit, name)


def test_star_import_gives_the_public_names():
    namespace: dict = {}
    exec("from toolkit import *", namespace)  # noqa: S102
    assert set(toolkit.__all__) <= set(namespace)


def test_importing_the_package_or_a_light_stage_loads_no_heavy_library():
    assert loaded_after("import toolkit") == []
    assert loaded_after("import toolkit.cli") == []
    assert loaded_after("from toolkit import load_corpus, clean_text, load_actors, DEMO_CORPUS") == []


def test_a_stage_loads_its_own_libraries_on_first_use():
    assert "spacy" in loaded_after("import toolkit; toolkit.load_pipeline")
    assert "scipy" in loaded_after("import toolkit; toolkit.outlet_group_test")
