"""Clean scraped article text: remove page furniture, keep every sentence of the body.

Text copied out of a browser or scraped without an extractor carries the page around the article: loading and
consent messages, the site's name and slogan, the headline twice, category labels, relative times, icon-font
ligature words glued to their labels (``scheduleOctober 17, 2025``), share buttons and comment counters. This
module removes them line by line, using the rules in ``data/cleaning_rules.csv`` (users can extend that file)
plus the layout of the page: lines above the first body paragraph and below the last one that are not prose.

The rule that outranks all others: a line in the body that reads as prose is never removed unless a rule
names it exactly. Every removed line is recorded with the rule that removed it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .paths import data_path

RULE_ACTIONS = {"drop", "ligature", "date", "related", "byline"}
AGENCY_WORDS = re.compile(
    r"\b(?:agenc(?:y|ies)|wires?|wire services|reuters|associated press|ap|afp|agence france-presse|tass|ria(?: novosti)?|"
    r"interfax|bloomberg|mti|ukrinform|xinhua|dpa|efe|ansa|upi|anadolu|kyodo|yonhap|pa media|sputnik)\b",
    re.IGNORECASE,
)
DATELINE = re.compile(
    r"^(?P<dateline>[A-Z][A-Z'.\-]+(?:[ /][A-Z][A-Z'.\-]+)*"
    r"(?:,\s+(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?|[A-Z][a-z]+))?"
    r"(?:\s*\([^)]{1,40}\))?)\s*(?:-|–|—|:)\s+(?=\S)"
)
_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$|[\"”’»]$")
_INNER_SENTENCE_END = re.compile(r"[a-z0-9\"'”’)][.!?…][\"'”’»)]*\s+[\"'“‘(]?[A-Z0-9]")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@dataclass(frozen=True)
class CleaningRule:
    name: str
    action: str
    regex: re.Pattern


@dataclass
class RemovedLine:
    """A line taken out of a document, where it was (1-based line number) and which rule took it."""

    line: int
    text: str
    rule: str

    def as_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "rule": self.rule}


@dataclass
class CleanedText:
    """The result of cleaning one document."""

    text: str
    title: str | None = None
    byline: str | None = None
    dateline: str | None = None
    published_hint: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)


def load_cleaning_rules(path: str | Path | None = None) -> tuple[CleaningRule, ...]:
    """Read the furniture rules (columns ``name, action, pattern, note``); patterns match whole lines.

    Raises ``ValueError`` naming the row when an action is unknown or a pattern does not compile.
    """
    return _load_rules_cached(str(path or data_path("cleaning_rules.csv")))


@lru_cache(maxsize=8)
def _load_rules_cached(path: str) -> tuple[CleaningRule, ...]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"name", "action", "pattern"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    rules = []
    for number, row in enumerate(table.itertuples(index=False), start=2):
        if row.action not in RULE_ACTIONS:
            raise ValueError(f"{path}, line {number}: unknown action {row.action!r}; use one of {sorted(RULE_ACTIONS)}")
        try:
            regex = re.compile(row.pattern, re.IGNORECASE)
        except re.error as err:
            raise ValueError(f"{path}, line {number} ({row.name}): pattern does not compile: {err}") from None
        rules.append(CleaningRule(row.name, row.action, regex))
    return tuple(rules)


# ------------------------------------------------------------------------------------------- line helpers

def normalize_text(text: str) -> str:
    """Unicode NFC, Unix newlines, no zero-width characters, no-break spaces as spaces, trimmed lines."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u2028", "\n")
    return "\n".join(re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n"))


def _key(line: str) -> str:
    return re.sub(r"\W+", " ", line.casefold()).strip()


def is_prose(line: str) -> bool:
    """A line reads as prose when it has several words and ends like a sentence, or is long."""
    words = len(line.split())
    return (words >= 6 and bool(_TERMINAL.search(line) or _INNER_SENTENCE_END.search(line))) or words >= 20


def _paragraphs(text: str, rules: tuple[CleaningRule, ...]) -> list[tuple[int, str]]:
    """Split text into (first line number, paragraph) pairs.

    Blank lines separate paragraphs. Inside a block, a line is joined to the previous one only when the text
    looks hard-wrapped: the previous line is long and does not end a sentence, and this one starts in lower
    case and matches no furniture rule (icon ligatures such as ``labelWorld`` also start in lower case).
    """
    paragraphs: list[tuple[int, str]] = []
    previous_blank = True
    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            previous_blank = True
            continue
        previous = paragraphs[-1][1] if paragraphs else ""
        wrapped = (not previous_blank and len(previous.split()) >= 8 and not _TERMINAL.search(previous)
                   and line[:1].islower() and _match_rule(line, rules) is None)
        if wrapped:
            paragraphs[-1] = (paragraphs[-1][0], previous + " " + line)
        else:
            paragraphs.append((number, line))
        previous_blank = False
    return paragraphs


def _match_rule(line: str, rules: tuple[CleaningRule, ...]) -> tuple[CleaningRule, re.Match] | None:
    for rule in rules:
        match = rule.regex.fullmatch(line)
        if match:
            return rule, match
    return None


def _parse_date(value: str) -> str | None:
    """The calendar date a date string names, in its own time zone ('2025-10-17T22:30:00-05:00' is the 17th);
    None for anything less than a day (a bare year)."""
    value = re.sub(r"(?i)^(?:published|updated|posted|last updated)\s*:?\s*", "", value).strip()
    iso = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if iso:
        return iso.group(0)
    if re.fullmatch(r"\d{4}", value):
        return None
    try:
        stamp = pd.to_datetime(value, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):
        return None
    return None if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")


# ---------------------------------------------------------------------------------------------- cleaning

def clean_text(raw: str, *, title: str | None = None, outlet: str | None = None,
               rules: tuple[CleaningRule, ...] | None = None) -> CleanedText:
    """Remove page furniture from one document's text and pull out title, byline and dateline.

    ``title`` and ``outlet``, when known from metadata, help: lines repeating them at the top are removed.
    Returns the cleaned text with paragraphs separated by blank lines.
    """
    rules = rules if rules is not None else load_cleaning_rules()
    result = CleanedText(text="")
    paragraphs = _paragraphs(normalize_text(raw), rules)
    verdicts: list[str | None] = [None] * len(paragraphs)  # rule name when removed
    labels: list[str | None] = [None] * len(paragraphs)

    for i, (_, line) in enumerate(paragraphs):
        hit = _match_rule(line, rules)
        if not hit:
            continue
        rule, match = hit
        if rule.action == "byline" and is_prose(line):
            continue
        verdicts[i] = rule.name
        if rule.action == "ligature":
            labels[i] = (match.groupdict().get("label") or "").strip() or None
        elif rule.action == "byline":
            labels[i] = line
        elif rule.action == "date":
            labels[i] = line

    body = [i for i, (_, line) in enumerate(paragraphs) if verdicts[i] is None and is_prose(line)]
    first, last = (body[0], body[-1]) if body else (len(paragraphs), -1)
    for i in range(first + 1, last):  # inside the body, prose is never furniture, whatever a rule says
        if verdicts[i] is not None and is_prose(paragraphs[i][1]):
            verdicts[i], labels[i] = None, None

    # Lines that repeat the title or the outlet's name, and any text glued to a ligature (often the date).
    title_key = _key(title) if title else None
    head_candidates = [i for i in range(min(first, len(paragraphs))) if verdicts[i] is None]
    if not title_key:
        title_key = _guess_title(paragraphs, head_candidates, outlet)
        result.title = next((paragraphs[i][1] for i in head_candidates if _key(paragraphs[i][1]) == title_key), None)

    tail_block = False
    for i, (_, line) in enumerate(paragraphs):
        if verdicts[i] is not None:
            if _rule_action(verdicts[i], rules) == "related":
                tail_block = i > first
            continue
        key = _key(line)
        if title_key and key == title_key and (i <= first or not is_prose(line)):
            verdicts[i] = "title_repeat"
        elif outlet and key == _key(outlet) and not is_prose(line):
            verdicts[i] = "site_name"
        elif i < first:
            verdicts[i] = "above_body"
        elif i > last:
            verdicts[i] = "below_body"
        elif tail_block and not is_prose(line) and len(line.split()) <= 15:
            verdicts[i] = "related_link"

    for i, (number, line) in enumerate(paragraphs):
        rule_name = verdicts[i]
        if rule_name is None:
            continue
        action = _rule_action(rule_name, rules)
        if action == "byline" and result.byline is None:
            result.byline = _byline_from(line, rules)
        elif action in {"ligature", "date"} and result.published_hint is None and _is_date(labels[i], rules):
            result.published_hint = _parse_date(labels[i])
        result.removed.append(RemovedLine(number, line, rule_name))

    kept = [line for i, (_, line) in enumerate(paragraphs) if verdicts[i] is None]
    if kept:
        match = DATELINE.match(kept[0])
        if match and len(match.group("dateline")) <= 60:
            result.dateline = match.group("dateline").strip()
    result.text = "\n\n".join(kept)
    return result


def _is_date(label: str | None, rules: tuple[CleaningRule, ...]) -> bool:
    return bool(label) and any(rule.action == "date" and rule.regex.fullmatch(label) for rule in rules)


def _rule_action(name: str, rules: tuple[CleaningRule, ...]) -> str | None:
    return next((rule.action for rule in rules if rule.name == name), None)


def _byline_from(line: str, rules: tuple[CleaningRule, ...]) -> str:
    for rule in rules:
        if rule.action == "byline":
            match = rule.regex.fullmatch(line)
            if match and match.groupdict().get("byline"):
                return "By " + match.group("byline").strip()
    return line


def _guess_title(paragraphs: list[tuple[int, str]], candidates: list[int], outlet: str | None) -> str | None:
    """The headline of a raw page: a line above the body that appears twice, else the last long one."""
    keys = [_key(paragraphs[i][1]) for i in candidates]
    outlet_key = _key(outlet) if outlet else None
    for key in keys:
        if key and keys.count(key) > 1 and key != outlet_key:
            return key
    long_lines = [k for k in keys if len(k.split()) >= 4 and k != outlet_key]
    return long_lines[-1] if long_lines else None


def credits_agency(byline: str | None) -> bool:
    """Whether a byline credits a news agency ("By Staff, Agencies", "Reuters", "AFP").

    >>> credits_agency("By Staff, Agencies")
    True
    >>> credits_agency("By Anna Kowal")
    False
    """
    return bool(byline) and bool(AGENCY_WORDS.search(byline))
