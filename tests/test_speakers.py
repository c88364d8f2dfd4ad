"""Speaker resolution details (toolkit.speakers), through the extractor on real-looking news text."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.attributions import extract_attributions


def extract(text: str) -> pd.DataFrame:
    articles = pd.DataFrame({"article_id": ["t1"], "outlet": ["Test"], "text": [text], "status": ["ok"]})
    return extract_attributions(articles)


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a possessive pronoun with no one in the article to own it is not a name ("his's campaign")
        ("His campaign said the permit was valid.", "His campaign"),
        # negative: with its owner named, the body is the owner's
        ("Senator Mark Ellis was in Ohio. His campaign said the permit was valid.", "Mark Ellis's campaign"),
    ],
)
def test_possessive_pronoun_owners(text, speaker):
    frame = extract(text)
    assert list(frame.speaker) == [speaker]
