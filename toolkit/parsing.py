"""Parse article texts with the spaCy pipeline: the one place the attribution engine calls ``nlp.pipe``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc


def parse_documents(nlp: Language, texts: Iterable[str], batch_size: int = 32) -> Iterator[Doc]:
    """Parsed documents for ``texts``, in order, one per text, each with the same text."""
    return nlp.pipe(texts, batch_size=batch_size)
