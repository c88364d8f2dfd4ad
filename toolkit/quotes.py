"""Find quoted spans in article text, the way real articles write them.

Handles curly (“ ” ‘ ’), straight (" ') and guillemet («») quotation marks, mixed in one article; apostrophes
that are not quotation marks (Hungary’s, can't, the ’90s); quotes that run over several paragraphs in news
style (no closing mark at the end of a paragraph, an opening mark at the start of the next); and quotes that
open and never close (they end with their paragraph). It never raises on unbalanced marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘‹"
SINGLE_CLOSE = "’›"
STRAIGHT_DOUBLE = '"'
STRAIGHT_SINGLE = "'"
# a blank line, or a line break after the end of a sentence (texts that set paragraphs on single lines)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|(?<=[.!?…”\"’)\]])[ \t\u00a0]*\n")


@dataclass(frozen=True)
class Quote:
    """A quoted span. ``start``/``end`` delimit the words inside the marks; ``outer_*`` include the marks."""

    start: int
    end: int
    outer_start: int
    outer_end: int
    closed: bool = True
    paragraphs: int = 1
    single: bool = False

    def contains(self, position: int) -> bool:
        return self.outer_start <= position < self.outer_end


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _is_opening(text: str, i: int) -> bool:
    """A straight or ambiguous mark opens a quote when it follows a space, a bracket, a dash or the start."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-/:" or before in DOUBLE_OPEN + SINGLE_OPEN) and not after.isspace()


def _single_marks(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """(position, 'open'|'close') for the single quotation marks of one paragraph, in one pass.

    ’ or ' between letters (can’t, Hungary’s), before a year (the ’90s), or after a plural's s when no single
    quote is open (the leaders’ talks) is an apostrophe, not a quotation mark."""
    marks: list[tuple[int, str]] = []
    open_single = False
    for i in range(start, end):
        ch = text[i]
        if ch not in SINGLE_OPEN + SINGLE_CLOSE + STRAIGHT_SINGLE:
            continue
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if (before.isalnum() and after.isalnum()) or (after.isdigit() and before.isspace()) \
                or (before in "sS" and after.isspace() and not open_single):
            continue
        if ch in SINGLE_OPEN or (ch == STRAIGHT_SINGLE and _is_opening(text, i)):
            marks.append((i, "open"))
            open_single = True
        else:
            marks.append((i, "close"))
            open_single = False
    return marks


def _pair(marks: list[tuple[int, str]]) -> tuple[list[tuple[int, int, bool]], int | None]:
    """Pair open/close marks left to right. Returns (open, close, closed) spans and a mark left open."""
    spans, open_at = [], None
    for position, kind in marks:
        if kind == "open":
            if open_at is not None:  # a new opening mark: the previous quote never closed
                spans.append((open_at, position, False))
            open_at = position
        elif open_at is not None:
            spans.append((open_at, position, True))
            open_at = None
    return spans, open_at


def _trimmed(text: str, open_at: int, close_at: int, closed: bool, paragraphs: int, single: bool) -> Quote | None:
    start, end = open_at + 1, close_at
    while start < end and (text[start].isspace() or text[start] == _FILLER):
        start += 1
    while end > start and (text[end - 1].isspace() or (text[end - 1] == "," and closed)):
        end -= 1
    if end <= start:
        return None
    outer_end = close_at + 1 if closed else close_at
    if closed and outer_end < len(text) and text[outer_end] == _FILLER:
        outer_end += 1
    return Quote(start, end, open_at, outer_end, closed, paragraphs, single)


def _misturned_closing(text: str, i: int) -> bool:
    """An opening mark that closes the open quote: glued to the word or punctuation before it and followed by a
    space, punctuation or the end ('crisis,“ said Noble', German „…“), as typed or autocorrected."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and before not in "([{—–-/" + DOUBLE_OPEN and (
        after.isspace() or after in ",.;:!?)]—–")


def _starts_with_opening(text: str, p_start: int, p_end: int) -> bool:
    first = _first_non_space(text, p_start)
    return first is not None and first < p_end and text[first] in DOUBLE_OPEN + STRAIGHT_DOUBLE


_DOUBLED = re.compile(r"''|``")
_FILLER = "\u2060"
_ATTRIBUTE = re.compile(r'(?<=[\w-])="[^"\n<>]*"')  # stands in for the second character of a doubled mark, so offsets keep their places


def find_quotes(text: str) -> list[Quote]:
    """All quoted spans of a text, in order, outermost only (quotes nested in a quote are part of it).

    Doubled marks (``like this'' in some archives) count as double quotation marks."""
    if "''" in text or "``" in text:
        text = _DOUBLED.sub('"' + _FILLER, text)
    if '="' in text:  # markup left in the text ('<tweet author="JebBush">'): attribute values are not quotations
        text = _ATTRIBUTE.sub(lambda m: m.group().replace('"', " "), text)
    quotes: list[Quote | None] = []
    paragraphs = _paragraph_spans(text)
    open_at: int | None = None
    spanned = 1
    for number, (p_start, p_end) in enumerate(paragraphs):
        skip = None
        if open_at is not None:  # a quote carried over from the paragraph before re-opens here
            skip = _first_non_space(text, p_start)
            spanned += 1
        paragraph_quotes: list[Quote | None] = []
        for i in range(p_start, p_end):
            ch = text[i]
            if i == skip or ch not in DOUBLE_OPEN + DOUBLE_CLOSE + STRAIGHT_DOUBLE:
                continue
            opening = (ch in DOUBLE_OPEN and not (open_at is not None and _misturned_closing(text, i))) or (
                ch == STRAIGHT_DOUBLE and (open_at is None or _is_opening(text, i))) or (
                ch in DOUBLE_CLOSE and open_at is None and _is_opening(text, i))  # '―\n”Mr. Trump embodies …”'
            if opening:
                if open_at is not None:  # a new opening mark: the previous quote never closed
                    paragraph_quotes.append(_trimmed(text, open_at, i, False, spanned, False))
                open_at, spanned = i, 1
            elif open_at is not None:
                paragraph_quotes.append(_trimmed(text, open_at, i, True, spanned, False))
                open_at, spanned = None, 1
        if open_at is not None:
            following = paragraphs[number + 1] if number + 1 < len(paragraphs) else None
            if following is None or not _starts_with_opening(text, *following):
                paragraph_quotes.append(_trimmed(text, open_at, p_end, False, spanned, False))
                open_at, spanned = None, 1
        doubles = [q for q in paragraph_quotes if q is not None]
        quotes.extend(paragraph_quotes)
        quotes.extend(_single_quotes(text, p_start, p_end, doubles, open_at))
    found = sorted((q for q in quotes if q is not None), key=lambda q: (q.outer_start, -q.outer_end))
    return _outermost(found)


def _single_quotes(text: str, p_start: int, p_end: int, doubles: list[Quote], still_open: int | None) -> list[Quote]:
    """Single-mark quotes outside double quotes (British style, headlines' fragments)."""
    marks = [m for m in _single_marks(text, p_start, p_end)
             if not any(q.contains(m[0]) for q in doubles) and (still_open is None or m[0] < still_open)]
    spans, _ = _pair(marks)
    return [_trimmed(text, o, c, True, 1, True) for o, c, closed in spans if closed]


def _first_non_space(text: str, start: int) -> int | None:
    match = re.compile(r"\S").search(text, start)
    return match.start() if match else None


def _outermost(quotes: list[Quote]) -> list[Quote]:
    result: list[Quote] = []
    for quote in quotes:
        if result and quote.outer_start >= result[-1].outer_start and quote.outer_end <= result[-1].outer_end:
            continue
        result.append(quote)
    return result
