"""Pairing quotation marks: curly, straight and single marks, apostrophes, multi-paragraph and unbalanced quotes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.quotes import find_quotes


def quoted(text: str) -> list[str]:
    return [text[q.start:q.end] for q in find_quotes(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“It was very productive,” Trump said.", ["It was very productive"]),
        ('He added: "We want to get peace."', ["We want to get peace."]),
        ("“A,” he said, “B and C.”", ["A", "B and C."]),
        ("Putin warned it would ‘severely undermine’ the talks.", ["severely undermine"]),
        ("He called it 'a great day' and left.", ["a great day"]),
        ("“Mixed marks\" in one quote.", ["Mixed marks"]),
        ("The guillemets «like these» also count.", ["like these"]),
        ("“First paragraph of a long quote.\n\n“Second paragraph ends it,” she said.",
         ["First paragraph of a long quote.\n\n“Second paragraph ends it"]),
        ("She said “this never closes.\n\nThe next paragraph has no mark.", ["this never closes."]),
        ("“One opens. “Another opens,” he said.", ["One opens.", "Another opens"]),
        ("“Outer with ‘inner’ words,” she said.", ["Outer with ‘inner’ words"]),
        # an opening mark glued to the words before it and followed by a space closes the open quote
        ("“That could create real problems,“ said Jim Clyburn.", ["That could create real problems"]),
        ("„So geht das“, sagte er.", ["So geht das"]),
        # a line break after a sentence's end closes an unclosed quote, as a blank line does (paragraphs on lines)
        ('He said "this never closes.\nThe next line is the reporter\'s. "They sue," he said.', ["this never closes.", "They sue"]),
        # negative: a line break inside a sentence (hard-wrapped text) does not
        ('A hard-wrapped quote: "this runs\non the next line," she said.', ["this runs\non the next line"]),
        # markup left in a text: attribute values are not quotations, the quotation after them is
        ('<tweet pic="" author="JebBush">Praying for the victims.</tweet> "We will win," she said.', ["We will win"]),
        # negative: a quotation after an equals sign with a space is still one
        ('The ruling = "a disgrace," he said.', ["a disgrace"]),
        # negative: after a space it opens a new quote (the previous one never closed)
        ("“First one. “Second one,” he said.", ["First one.", "Second one"]),
        # a closing mark where a quotation opens (start of a paragraph, before a word) opens it, as typed
        ("Photo: Getty.\n\n”Fear. I am truly afraid that he will win.” ― Karen Bobadilla",
         ["Fear. I am truly afraid that he will win."]),
        ("They wrote ”we are not afraid” on the banner.", ["we are not afraid"]),
    ],
)
def test_quotes_are_found(text, expected):
    assert quoted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hungary’s prime minister can’t wait; the leaders’ aides won't either.",
        "Prices rose in the ’90s and again in 2025.",
        "No quotation marks at all in this sentence.",
        "",
        "A stray closing mark” should not open anything.",
        "A stray closing mark ” after a space, with nothing after it either ”",
    ],
)
def test_apostrophes_and_stray_marks_are_not_quotes(text):
    assert quoted(text) == []


def test_unclosed_quote_is_flagged():
    (quote,) = find_quotes("He said “this never closes.\n\nNext.")
    assert quote.closed is False


def test_multi_paragraph_quote_counts_paragraphs():
    (quote,) = find_quotes("“One.\n\n“Two.\n\n“Three,” she said.")
    assert quote.paragraphs == 3 and quote.closed


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .,\n“”‘’\"'«»")), max_size=200))
def test_never_raises_and_spans_are_inside_the_text(text):
    for quote in find_quotes(text):
        assert 0 <= quote.outer_start <= quote.start <= quote.end <= quote.outer_end <= len(text)
