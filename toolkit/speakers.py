"""Resolve who speaks: turn the words that name a speaker into a person or body, with country, role and group.

Resolution is rules over the article and the actors registry (no coreference model can be installed offline):
registry names and aliases; surname-only and title-plus-surname mentions joined to the full name used earlier;
pronouns joined to the most recent compatible speaker or person; descriptions ("the Kremlin aide",
"Hungary's prime minister") matched through the registry's descriptors; unnamed sources kept as unnamed with
the affiliation they state. A country is assigned only with evidence: the registry, or nationality, city or
institution words in the text around the speaker. ``data/speaker_words.csv`` holds those words and
``data/groups.csv`` maps (type, role, country) to the attribution-mix group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from .paths import data_path
from .registry import fold, load_actors, split_list

PRONOUNS_SINGULAR = {"he", "she", "him", "her"}
PRONOUNS_PLURAL = {"they", "them"}
PRONOUNS_NEUTER = {"it"}
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those"}
INDEFINITE = {"a", "an", "one", "two", "three", "four", "several", "some", "many", "other", "another", "few", "multiple"}
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame"}
INSTITUTION_HEADS = {"office", "ministry", "government", "administration", "campaign", "team", "department",
                     "embassy", "mission", "cabinet", "presidency", "parliament", "council", "commission", "party"}
UNNAMED_KEEP = {"familiar", "close", "briefed", "knowledgeable", "involved", "aware"}


@dataclass(frozen=True)
class Speaker:
    """A resolved speaker."""

    name: str
    type: str = "person"  # person | institution | unnamed | media
    country: str | None = None
    role: str = "unknown"  # official | media | expert | other | unknown
    registered: bool = False


@dataclass
class SpeakerWords:
    """Words that reveal country (nationality, city, institution) and role, from data/speaker_words.csv."""

    country: dict[str, str]
    role: dict[str, str]
    unnamed: set[str]

    @classmethod
    def load(cls, path: str | Path | None = None) -> "SpeakerWords":
        table = pd.read_csv(path or data_path("speaker_words.csv"), dtype=str, keep_default_na=False)
        country = {fold(r.word): r.value for r in table.itertuples() if r.kind in {"country", "city"}}
        role = {fold(r.word): r.value for r in table.itertuples() if r.kind == "role"}
        unnamed = {fold(r.word) for r in table.itertuples() if r.kind == "unnamed"}
        return cls(country, role, unnamed)

    def country_in(self, words: list[str]) -> str | None:
        """The country named by the first nationality/city word (or two-word phrase) in ``words``."""
        folded = [fold(w) for w in words]
        for i in range(len(folded)):
            for size in (2, 1):
                phrase = " ".join(folded[i:i + size])
                if len(folded[i:i + size]) == size and phrase in self.country:
                    return self.country[phrase]
        return None

    def role_in(self, words: list[str]) -> str | None:
        folded = [fold(w) for w in words]
        for i in range(len(folded)):
            for size in (2, 1):
                phrase = " ".join(folded[i:i + size])
                if len(folded[i:i + size]) == size and phrase in self.role:
                    return self.role[phrase]
        return None


class GroupMap:
    """Map (speaker_type, speaker_role, speaker_country) to an attribution-mix group, first matching row wins."""

    def __init__(self, path: str | Path | None = None):
        table = pd.read_csv(path or data_path("groups.csv"), dtype=str, keep_default_na=False)
        missing = {"speaker_type", "speaker_role", "speaker_country", "group"} - set(table.columns)
        if missing:
            raise ValueError(f"{path or 'groups.csv'}: missing column(s) {', '.join(sorted(missing))}")
        self.rules = [(r.speaker_type, r.speaker_role, set(r.speaker_country.split("|")), r.group)
                      for r in table.itertuples()]
        self.groups = list(dict.fromkeys(r.group for r in table.itertuples()))

    def group(self, speaker_type: str, role: str, country: str | None) -> str:
        for type_, role_, countries, group in self.rules:
            if type_ not in ("*", speaker_type) or role_ not in ("*", role):
                continue
            if "*" in countries or (country is not None and country in countries):
                return group
        return "unknown"


@dataclass
class ActorIndex:
    """The actors registry, indexed for matching in parsed text."""

    actors: dict[str, Speaker]
    matcher: PhraseMatcher
    surnames: dict[str, set[str]]
    descriptors: dict[str, list[str]]
    titles: dict[str, str]
    order: dict[str, int]

    @classmethod
    def build(cls, nlp: Language, actors: pd.DataFrame | None = None) -> "ActorIndex":
        actors = load_actors() if actors is None else actors
        matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        table: dict[str, Speaker] = {}
        surnames: dict[str, set[str]] = {}
        descriptors: dict[str, list[str]] = {}
        titles: dict[str, str] = {}
        for row in actors.itertuples(index=False):
            kind = "media" if row.type == "media" else row.type
            table[row.name] = Speaker(row.name, kind, row.country or None, row.role, registered=True)
            forms = {row.name, *split_list(row.aliases)}
            forms |= {_strip_accents(f) for f in forms}
            matcher.add(row.name, [nlp.make_doc(f) for f in sorted(forms) if f])
            if row.type == "person":
                for form in forms:
                    parts = form.split()
                    if len(parts) >= 2:
                        surnames.setdefault(fold(parts[-1]), set()).add(row.name)
            for descriptor in split_list(row.descriptors):
                descriptors.setdefault(fold(descriptor), []).append(row.name)
            titles[row.name] = fold(row.title or "")
        return cls(table, matcher, surnames, descriptors, titles, {name: i for i, name in enumerate(table)})


    def by_surname(self, surname: str, context: "ArticleContext", before: int) -> Speaker | None:
        """A registered person by surname alone: the one the article mentions, else the first in the registry."""
        names = self.surnames.get(fold(surname))
        if not names:
            return None
        mentioned = context.last_mention(before, lambda s: s.name in names)
        if mentioned is not None:
            return mentioned
        return self.actors[min(names, key=self.order.__getitem__)]


def _strip_accents(text: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@dataclass
class Mention:
    """A person or body named in the article, at a character position."""

    position: int
    speaker: Speaker
    is_subject: bool = False


@dataclass
class ArticleContext:
    """What resolution knows about one article: registry matches, people and their descriptions."""

    doc: Doc
    index: ActorIndex
    words: SpeakerWords
    registry_spans: list[tuple[int, int, str]] = field(default_factory=list)  # token start, end, actor
    people: dict[str, Speaker] = field(default_factory=dict)  # full names seen, with what the text says of them
    mentions: list[Mention] = field(default_factory=list)
    speakers: list[tuple[int, Speaker]] = field(default_factory=list)  # (char position, speaker) of attributions

    @classmethod
    def build(cls, doc: Doc, index: ActorIndex, words: SpeakerWords) -> "ArticleContext":
        context = cls(doc, index, words)
        spans = sorted(((s, e, doc.vocab.strings[m]) for m, s, e in index.matcher(doc)), key=lambda x: (x[0], -(x[1] - x[0])))
        kept: list[tuple[int, int, str]] = []
        for start, end, name in spans:
            if kept and start < kept[-1][1]:
                continue
            kept.append((start, end, name))
        context.registry_spans = kept
        for start, end, name in kept:
            token = doc[end - 1]
            context.mentions.append(Mention(doc[start].idx, index.actors[name], token.dep_ in {"nsubj", "nsubjpass"}))
        covered = {i for s, e, _ in kept for i in range(s, e)}
        for ent in doc.ents:
            if ent.label_ != "PERSON" or any(t.i in covered for t in ent):
                continue
            name = _clean_name(_with_given_names(ent))
            if not name:
                continue
            if len(name.split()) >= 2 and name not in context.people:
                context.people[name] = _describe_unregistered(ent.root, name, "person", words)
            person = context.people.get(name) or context.full_name_for(name)
            if person is not None:
                context.mentions.append(Mention(ent.start_char, person, ent.root.dep_ in {"nsubj", "nsubjpass"}))
        context.mentions.sort(key=lambda m: m.position)
        return context

    def full_name_for(self, surname: str, before: int | None = None) -> Speaker | None:
        """The person with this surname named in full earlier in the article (registered or not)."""
        key = fold(surname)
        for mention in reversed(self.mentions):
            if before is not None and mention.position >= before:
                continue
            parts = mention.speaker.name.split()
            if mention.speaker.type == "person" and len(parts) >= 2 and fold(parts[-1]) == key:
                return mention.speaker
        matches = [p for name, p in self.people.items() if fold(name.split()[-1]) == key]
        return matches[-1] if matches else None

    def registry_match(self, span: Span) -> tuple[int, int, str] | None:
        """The registry match inside a span, preferring the one holding the span's head."""
        inside = [(s, e, n) for s, e, n in self.registry_spans if s >= span.start and e <= span.end]
        if not inside:
            return None
        with_head = [m for m in inside if m[0] <= span.root.i < m[1]]
        return (with_head or sorted(inside, key=lambda m: m[1] - m[0]))[-1]

    def last_mention(self, before: int, predicate) -> Speaker | None:
        for mention in reversed(self.mentions):
            if mention.position < before and predicate(mention.speaker):
                return mention.speaker
        return None


def _with_given_names(span: Span) -> Span:
    """Extend a name the tagger cut short ('Farkas' in 'Eszter Farkas') over the proper nouns before it."""
    start = span.start
    while start > 0 and span.doc[start - 1].pos_ == "PROPN" and span.doc[start - 1].ent_type_ in {"", "PERSON"} \
            and start - 1 < span.doc[start - 1].head.i < span.end:
        start -= 1
    return span.doc[start:span.end]


def _clean_name(span: Span) -> str:
    tokens = [t for t in span if not (t.is_punct or t.lower_ in DETERMINERS or t.tag_ == "POS" or fold(t.text) in HONORIFICS)]
    return " ".join(t.text for t in tokens).strip()


def _describe_unregistered(head: Token, name: str, kind: str, words: SpeakerWords) -> Speaker:
    """Country and role of a person not in the registry, from the words around the name (apposition, titles)."""
    around = [t for t in head.subtree if t.i < head.i or t.dep_ != "relcl"]
    appositions = [t for t in head.children if t.dep_ in {"appos", "acl"}]
    text_words = [t.text for t in around]
    for appos in appositions:
        text_words += [t.text for t in appos.subtree]
    compounds = [t.text for t in head.lefts]
    role = words.role_in(compounds + text_words) or "unknown"
    country = words.country_in(compounds + text_words)
    return Speaker(name, kind, country, role)


class SpeakerResolver:
    """Resolve a speaker phrase (the subject of a cue verb, or the object of "according to") in an article."""

    def __init__(self, context: ArticleContext):
        self.context = context
        self.words = context.words
        self.index = context.index

    def resolve(self, phrase: Span) -> Speaker:
        head = phrase.root
        lower = head.lower_
        if lower in PRONOUNS_SINGULAR | PRONOUNS_PLURAL | PRONOUNS_NEUTER or head.pos_ == "PRON":
            return self._pronoun(head)
        match = self.context.registry_match(phrase)
        if match is not None:
            start, end, name = match
            actor = self.index.actors[name]
            if start <= head.i < end or head.i < start or not _is_noun_head(head):
                return actor
            described = self._descriptor(phrase)
            if described is not None:
                return described
            return self._owned_by(phrase, actor)
        described = self._descriptor(phrase)
        if described is not None:
            return described
        surname = self._surname(phrase)
        if surname is not None:
            return surname
        person = self._person(phrase)
        if person is not None:
            return person
        unnamed = self._unnamed(phrase)
        if unnamed is not None:
            return unnamed
        return self._generic(phrase)

    # --- pronouns and descriptions

    def _pronoun(self, head: Token) -> Speaker:
        position = head.idx
        lower = head.lower_
        if lower in PRONOUNS_NEUTER:
            wanted = lambda s: s.type in {"institution", "media"}
        elif lower in PRONOUNS_PLURAL:
            wanted = lambda s: s.type in {"unnamed", "institution", "media"} and s.name.endswith("s")
        else:
            wanted = lambda s: s.type == "person"
        recent_speaker = next((s for p, s in reversed(self.context.speakers) if p < position and wanted(s)), None)
        recent_mention = self.context.last_mention(position, wanted)
        last_speaker_position = next((p for p, s in reversed(self.context.speakers) if p < position and wanted(s)), -1)
        mention_position = next((m.position for m in reversed(self.context.mentions)
                                 if m.position < position and wanted(m.speaker)), -1)
        if recent_speaker is not None and (recent_mention is None or last_speaker_position >= mention_position - 200):
            return recent_speaker
        if recent_mention is not None:
            return recent_mention
        return Speaker(head.text.lower(), "unnamed" if lower in PRONOUNS_PLURAL else "person")

    def _descriptor(self, phrase: Span) -> Speaker | None:
        tokens = [t for t in phrase if t.dep_ not in {"relcl", "appos"} and not t.is_punct]
        words = [fold(t.text) for t in tokens]
        while words and words[0] in DETERMINERS:
            words = words[1:]
        text = " ".join(words).replace(" s ", " s ")
        candidates: list[str] = []
        for size in range(len(words), 0, -1):
            for start in range(0, len(words) - size + 1):
                key = " ".join(words[start:start + size])
                key_possessive = key.replace(" s ", "s ") if " s " in key else key
                found = self.index.descriptors.get(key) or self.index.descriptors.get(key_possessive)
                if found and start + size == len(words):
                    candidates = found
                    break
            if candidates:
                break
        if not candidates:
            return self._generic_title(phrase, text)
        if len(candidates) == 1:
            return self.index.actors[candidates[0]]
        mentioned = self.context.last_mention(phrase.start_char, lambda s: s.name in candidates)
        return mentioned or self.index.actors[candidates[0]]

    def _generic_title(self, phrase: Span, text: str) -> Speaker | None:
        """'the president', 'the minister': the most recent person whose registry title has that word."""
        head = fold(phrase.root.text)
        first = fold(phrase[0].text)
        if first != "the" or head not in {"president", "minister", "premier", "chancellor", "secretary", "envoy",
                                          "spokesman", "spokeswoman", "aide", "leader", "adviser"}:
            return None
        modifiers = [fold(t.text) for t in phrase if t.i != phrase.root.i and fold(t.text) != "the"]
        country = self.words.country_in(modifiers)

        def fits(s: Speaker) -> bool:
            title = self.index.titles.get(s.name, "")
            return s.type == "person" and s.registered and (head in title or head == "leader") and (country is None or s.country == country)

        return self.context.last_mention(phrase.start_char, fits)

    def _owned_by(self, phrase: Span, actor: Speaker) -> Speaker:
        """'Zelensky's office', 'the Kremlin's spokesman': a body or person belonging to a registered actor."""
        name = " ".join(t.text for t in phrase if t.dep_ not in {"relcl", "appos"} and not t.is_punct
                        and not (t.i == phrase.start and t.lower_ in DETERMINERS))
        kind = "institution" if fold(phrase.root.text) in INSTITUTION_HEADS else "person"
        role = self.words.role_in([phrase.root.text]) or actor.role
        return Speaker(name, kind, actor.country, role)

    # --- people not resolved through the registry

    def _surname(self, phrase: Span) -> Speaker | None:
        """'Orbán', 'Mr. Ushakov', 'President Putin': one proper noun, perhaps after a title or honorific."""
        head = phrase.root
        if head.pos_ != "PROPN":
            return None
        proper = [t for t in phrase if t.pos_ == "PROPN" and t.i <= head.i]
        if len(proper) != 1:
            return None
        earlier = self.context.full_name_for(head.text, before=phrase.start_char)
        if earlier is not None:
            return earlier
        return self.index.by_surname(head.text, self.context, phrase.start_char)

    def _person(self, phrase: Span) -> Speaker | None:
        ents = [e for e in phrase.doc.ents if e.label_ == "PERSON" and e.start >= phrase.start and e.end <= phrase.end]
        if not ents:
            if phrase.root.pos_ != "PROPN" or phrase.root.ent_type_ in {"ORG", "GPE", "NORP"}:
                return None
            ents = [phrase.doc[phrase.root.i:phrase.root.i + 1]]
        ent = next((e for e in ents if e.start <= phrase.root.i < e.end), ents[-1])
        name = _clean_name(_with_given_names(ent))
        if not name:
            return None
        if len(name.split()) == 1:
            earlier = self.context.full_name_for(name)
            if earlier is not None:
                return earlier
            registered = self.index.by_surname(name, self.context, phrase.start_char)
            if registered is not None:
                return registered
        known = self.context.people.get(name)
        described = _describe_unregistered(phrase.root, name, "person", self.words)
        if known is not None:
            return replace(known, country=known.country or described.country,
                           role=known.role if known.role != "unknown" else described.role)
        self.context.people[name] = described
        return described

    def _unnamed(self, phrase: Span) -> Speaker | None:
        head = phrase.root
        if fold(head.lemma_) not in self.words.unnamed and fold(head.text) not in self.words.unnamed:
            return None
        if any(t.pos_ == "PROPN" and t.ent_type_ == "PERSON" for t in phrase):
            return None
        determiner = next((fold(t.text) for t in head.lefts if t.dep_ in {"det", "nummod", "amod"}), "")
        if determiner == "the" and head.tag_ != "NNS":
            return None  # "the official" refers back to someone named; left to the generic path
        words = [t.text for t in phrase if t.dep_ != "relcl"]
        country = self.words.country_in(words)
        noun = head.text.lower()
        qualifiers = [t.text.lower() for t in head.lefts if t.dep_ in {"amod", "compound"}
                      and fold(t.text) not in self.words.country and t.lower_ not in INDEFINITE]
        familiar = [t for t in head.rights if t.dep_ in {"amod", "acl", "prep"} and t.lower_ in UNNAMED_KEEP]
        adjective = _nationality_adjective(country)
        description = " ".join(["unnamed", *([adjective] if adjective else []), noun])
        if familiar and not adjective:
            description += " " + " ".join(t.text for t in familiar[0].subtree)
        role = self.words.role_in([noun] + qualifiers) or "unknown"
        return Speaker(re.sub(r"\s+", " ", description), "unnamed", country, role)

    def _generic(self, phrase: Span) -> Speaker:
        tokens = [t for t in phrase if t.dep_ not in {"relcl", "appos"} and not t.is_punct]
        while tokens and tokens[0].lower_ in DETERMINERS:
            tokens = tokens[1:]
        name = " ".join(t.text for t in tokens) or phrase.text
        head = phrase.root
        if head.ent_type_ == "ORG" or fold(head.text) in INSTITUTION_HEADS:
            kind = "institution"
        else:
            kind = "person"
        words = [t.text for t in phrase]
        role = self.words.role_in(words) or "unknown"
        if kind == "institution" and role == "unknown":
            role = "official" if fold(head.text) in INSTITUTION_HEADS else "unknown"
        return Speaker(name, kind, self.words.country_in(words), role)


def _is_noun_head(token: Token) -> bool:
    return token.pos_ in {"NOUN", "PROPN"}


_ADJECTIVES = {"US": "US", "RU": "Russian", "HU": "Hungarian", "UA": "Ukrainian", "EU": "European",
               "DE": "German", "FR": "French", "GB": "British", "PL": "Polish", "NATO": "NATO", "CN": "Chinese",
               "TR": "Turkish", "IT": "Italian"}


def _nationality_adjective(country: str | None) -> str | None:
    return _ADJECTIVES.get(country, country) if country else None


@lru_cache(maxsize=4)
def default_speaker_words() -> SpeakerWords:
    return SpeakerWords.load()


@lru_cache(maxsize=4)
def default_group_map() -> GroupMap:
    return GroupMap()
