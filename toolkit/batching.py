"""Cut a stream into bounded groups: the engine's batches of articles and the parser's groups of texts.

Kept apart from the engine and the parser so that a run that finds every article in its cache, which still
cuts its input into batches, does not import spaCy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def bounded_groups(items: Iterable[T], size: int, limit: int, length: Callable[[T], int]) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items whose ``length`` adds up to at most ``limit`` (an item
    longer than that is a list of its own); every item once, in order."""
    group: list[T] = []
    total = 0
    for item in items:
        size_of_item = length(item)
        if group and (len(group) >= size or total + size_of_item > limit):
            yield group
            group, total = [], 0
        group.append(item)
        total += size_of_item
    if group:
        yield group
