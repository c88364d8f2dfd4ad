"""Registries of outlets and actors: the editable tables that tie names in the text to countries and roles.

``data/outlets.csv`` (outlet, domain, aliases, country, kind, notes) and ``data/actors.csv`` (name, type,
aliases, country, role, organisation, title, descriptors) describe one story. Another story is another pair of
files: pass their paths wherever a function takes ``outlets=`` or ``actors=``, or ``--outlets/--actors`` on
the command line. ``data/REGISTRIES.md`` documents the columns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from .paths import data_path

OUTLET_KINDS = {"wire", "state-owned", "public broadcaster", "private", "party-aligned"}
ACTOR_TYPES = {"person", "institution", "media"}
ACTOR_ROLES = {"official", "media", "expert", "other"}
OUTLET_COLUMNS = ["outlet", "domain", "aliases", "country", "kind", "notes"]
ACTOR_COLUMNS = ["name", "type", "aliases", "country", "role", "organisation", "title", "descriptors", "gender"]


class RegistryError(ValueError):
    """A registry file is missing, malformed, or holds values outside the documented ones."""


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name: 'Viktor Orbán' -> 'viktor orban'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", " ", stripped.casefold()).strip()


def slug(text: str) -> str:
    """'Meridian Wire' -> 'meridian-wire'."""
    return fold(text).replace(" ", "-").replace("_", "-")


def split_list(value: object) -> list[str]:
    """Split a ``|``-separated registry cell into its stripped, non-empty parts."""
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split("|") if part.strip()]


def _read_registry(path: str | Path | pd.DataFrame, columns: list[str], required: list[str]) -> pd.DataFrame:
    if isinstance(path, pd.DataFrame):
        table, path = path.copy().fillna("").astype(str), Path("<table>")
    else:
        path = Path(path)
        if not path.is_file():
            raise RegistryError(f"registry file not found: {path}")
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise RegistryError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    for column in columns:
        if column not in table.columns:
            table[column] = ""
    table = table[columns].apply(lambda col: col.str.strip())
    first_key = columns[0]
    blank = table.index[table[first_key] == ""]
    if len(blank):
        raise RegistryError(f"{path}: row {blank[0] + 2} has an empty {first_key!r}")
    duplicated = table[first_key][table[first_key].map(fold).duplicated()]
    if len(duplicated):
        raise RegistryError(f"{path}: {first_key} {duplicated.iloc[0]!r} appears twice")
    return table


def _label(path: object) -> str:
    return "<table>" if isinstance(path, pd.DataFrame) else str(path)


def _check_values(table: pd.DataFrame, path: object, column: str, allowed: set[str]) -> None:
    bad = table[~table[column].isin(allowed)]
    if len(bad):
        row = bad.index[0]
        raise RegistryError(f"{path}, row {row + 2}: {column} {bad[column].iloc[0]!r} is not one of {sorted(allowed)}")


def load_outlets(path: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate the outlets registry (a path, or a table to check and complete)."""
    path = path if isinstance(path, pd.DataFrame) else Path(path or data_path("outlets.csv"))
    table = _read_registry(path, OUTLET_COLUMNS, ["outlet", "country", "kind"])
    _check_values(table, _label(path), "kind", OUTLET_KINDS)
    return table


def load_actors(path: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate the actors registry (a path, or a table to check and complete)."""
    path = path if isinstance(path, pd.DataFrame) else Path(path or data_path("actors.csv"))
    table = _read_registry(path, ACTOR_COLUMNS, ["name", "type", "country", "role"])
    _check_values(table, _label(path), "type", ACTOR_TYPES)
    _check_values(table, _label(path), "role", ACTOR_ROLES)
    return table


@dataclass
class OutletIndex:
    """Look outlets up by name, alias, slug or web domain, returning the registry's canonical name."""

    by_name: dict[str, str]
    by_domain: dict[str, str]

    @classmethod
    def from_table(cls, outlets: pd.DataFrame) -> "OutletIndex":
        by_name: dict[str, str] = {}
        by_domain: dict[str, str] = {}
        for row in outlets.itertuples(index=False):
            for form in [row.outlet, *split_list(row.aliases)]:
                by_name.setdefault(fold(form), row.outlet)
                by_name.setdefault(fold(slug(form)), row.outlet)
            for domain in split_list(row.domain):
                by_domain.setdefault(_bare_domain(domain), row.outlet)
        return cls(by_name, by_domain)

    def lookup(self, name: str | None) -> str | None:
        """Canonical outlet for a name, alias or folder slug ('meridian-wire'), else None."""
        if not name:
            return None
        return self.by_name.get(fold(name)) or self.by_name.get(fold(name.replace("-", " ").replace("_", " ")))

    def lookup_url(self, url: str | None) -> str | None:
        """Canonical outlet whose domain hosts this URL (sub-domains included), else None."""
        if not url:
            return None
        try:
            host = _bare_domain(urlparse(url if "//" in url else "//" + url).hostname or "")
        except ValueError:  # 'http://[broken': no host to look up
            return None
        while host:
            if host in self.by_domain:
                return self.by_domain[host]
            _, _, host = host.partition(".")
        return None


def _bare_domain(domain: str) -> str:
    domain = domain.strip().lower()
    domain = re.sub(r"^[a-z]+://", "", domain).split("/")[0]
    return domain[4:] if domain.startswith("www.") else domain


def humanize_folder(name: str) -> str:
    """'crescent-dispatch' -> 'Crescent Dispatch' (for outlets that only a folder name gives)."""
    words = re.split(r"[-_ ]+", name.strip())
    return " ".join(w if w.isupper() else w.capitalize() for w in words if w)
