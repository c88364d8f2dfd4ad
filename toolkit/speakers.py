"""Resolve who speaks: turn the words that name a speaker into a person or body, with country, role and group.

Resolution is rules over the article and the actors registry (no coreference model can be installed offline):

- registry names and aliases ("Russian President Vladimir Putin", "the Kremlin", "TASS");
- surname-only and title-plus-surname mentions joined to the full name used earlier in the article, or to the
  registry ("Orbán", "Mr. Ushakov");
- pronouns joined to the most recent person (or body) of the right gender and number named as a subject;
- descriptions matched through the registry's descriptors ("the Kremlin aide", "Hungary's prime minister"),
  and "the president" to the most recent president named;
- possessives ("Zelensky's office", "his office") to the body the registry knows, or to the owner's country;
- unnamed sources kept as unnamed, with the affiliation they state ("unnamed US official").

A country is assigned only with evidence: the registry, or nationality, city and institution words in the
words that describe the speaker (``data/speaker_words.csv``), or the place the sentence puts them in.
``data/groups.csv`` maps (type, role, country) to the attribution-mix group.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from .paths import data_path
from .registry import fold, load_actors, split_list

PRONOUN_GENDER = {"he": "male", "him": "male", "his": "male", "she": "female", "her": "female", "hers": "female"}
PRONOUNS_PLURAL = {"they", "them", "their"}
PRONOUNS_NEUTER = {"it", "its"}
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those"}
COUNTING = {"a", "an", "one", "two", "three", "four", "five", "several", "some", "many", "other", "another", "few",
            "multiple", "senior", "top", "high", "ranking", "high-ranking", "junior", "most", "more"}
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame"}
INSTITUTION_HEADS = {"office", "ministry", "government", "administration", "campaign", "team", "department",
                     "embassy", "mission", "cabinet", "presidency", "parliament", "council", "commission", "party",
                     "spokesman", "spokeswoman", "spokesperson", "press service", "staff"}
TITLE_HEADS = {"president", "minister", "premier", "chancellor", "secretary", "envoy", "spokesman", "spokeswoman",
               "aide", "leader", "adviser", "advisor", "ambassador", "official", "diplomat"}
PERSON_NOUNS = {"pro", "man", "woman", "politician", "candidate", "nominee", "activist", "chairman", "chairwoman",
                "executive", "billionaire", "star", "founder", "organizer", "organiser", "veteran", "anchor", "host",
                "author", "businessman", "businesswoman", "lawyer", "attorney", "mogul", "incumbent", "challenger"}
OFFICE_WORDS = {"office", "team", "camp", "aides", "staff", "administration", "presidency", "press service"}
MEDIA_NOUNS = {"agency", "site", "website", "outlet", "newspaper", "paper", "daily", "weekly", "broadcaster",
               "channel", "network", "portal", "tabloid", "publication", "wire", "service", "station", "magazine"}
PARTY_WORDS = {"democratic", "democrat", "democrats", "republican", "republicans", "conservative", "liberal",
               "labour", "green", "socialist"}
SOURCE_NOUNS = {"people", "person", "persons", "source", "sources", "insider", "insiders"}
SUBJECTS = {"nsubj", "nsubjpass"}


@dataclass(frozen=True)
class Speaker:
    """A resolved speaker."""

    name: str
    type: str = "person"  # person | institution | unnamed | media
    country: str | None = None
    role: str = "unknown"  # official | media | expert | other | unknown
    registered: bool = False
    gender: str | None = None


# --------------------------------------------------------------------------------------------- data files

@dataclass
class SpeakerWords:
    """Words that reveal country (nationality, city, institution) and role, from data/speaker_words.csv; the
    ``label_role`` words are roles only in a transcript's speaker label ('RACHEL MARTIN, HOST:')."""

    country: dict[str, str]
    role: dict[str, str]
    unnamed: set[str]
    label_role: dict[str, str] = field(default_factory=dict)  # 'HOST', 'BYLINE' after a transcript speaker's name

    @classmethod
    def load(cls, path: str | Path | None = None) -> "SpeakerWords":
        table = pd.read_csv(path or data_path("speaker_words.csv"), dtype=str, keep_default_na=False)
        country = {fold(r.word): r.value for r in table.itertuples() if r.kind in {"country", "city"}}
        role = {fold(r.word): r.value for r in table.itertuples() if r.kind == "role"}
        unnamed = {fold(r.word) for r in table.itertuples() if r.kind == "unnamed"}
        label_role = {fold(r.word): r.value for r in table.itertuples() if r.kind == "label_role"}
        return cls(country, role, unnamed, label_role)

    def _first(self, words: list[str], table: dict[str, str]) -> str | None:
        folded = [fold(w) for w in words]
        for i in range(len(folded)):
            for size in (2, 1):
                if i + size <= len(folded):
                    value = table.get(" ".join(folded[i:i + size]))
                    if value:
                        return value
        return None

    def country_in(self, words: list[str]) -> str | None:
        """The country named by the first nationality, city or country word (or two-word name) in ``words``."""
        joined = " ".join(words).lower()
        if re.search(r"-\s*american\b", joined):
            return "US"
        return self._first(words, self.country)

    def label_role_in(self, words: list[str]) -> str | None:
        """The role named by a transcript label's role words ('HOST', 'BYLINE', 'FOX NEWS ANCHOR'), if any."""
        return self._first(words, self.label_role)

    def role_in(self, words: list[str]) -> str | None:
        """The role named by the first role word in ``words``; a former or retired official speaks as an expert."""
        role = self._first(words, self.role)
        if role == "official" and any(fold(w) in {"former", "retired", "ex"} for w in words):
            return "expert"
        return role


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


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@dataclass
class ActorIndex:
    """The actors registry, indexed for matching in parsed text."""

    actors: dict[str, Speaker]
    matcher: PhraseMatcher
    forms: dict[str, str]
    surnames: dict[str, set[str]]
    descriptors: dict[str, list[str]]
    titles: dict[str, str]
    order: dict[str, int]

    @classmethod
    def build(cls, nlp: Language, actors: pd.DataFrame | None = None) -> "ActorIndex":
        actors = load_actors() if actors is None else actors
        matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        table: dict[str, Speaker] = {}
        forms_index: dict[str, str] = {}
        surnames: dict[str, set[str]] = {}
        descriptors: dict[str, list[str]] = {}
        titles: dict[str, str] = {}
        for row in actors.itertuples(index=False):
            gender = getattr(row, "gender", "") or None
            table[row.name] = Speaker(row.name, row.type, row.country or None, row.role, True, gender)
            forms = {row.name, *split_list(row.aliases)}
            forms |= {_strip_accents(f) for f in forms}
            matcher.add(row.name, [nlp.make_doc(f) for f in sorted(forms) if f])
            for form in forms:
                forms_index.setdefault(fold(form), row.name)
                parts = form.split()
                if row.type == "person" and len(parts) >= 2:
                    surnames.setdefault(fold(parts[-1]), set()).add(row.name)
            for descriptor in split_list(row.descriptors):
                descriptors.setdefault(fold(descriptor), []).append(row.name)
            titles[row.name] = fold(row.title or "")
        order = {name: i for i, name in enumerate(table)}
        return cls(table, matcher, forms_index, surnames, descriptors, titles, order)

    def by_surname(self, surname: str, context: "ArticleContext", before: int) -> Speaker | None:
        """A registered person by surname alone: the one the article mentions, else the first in the registry."""
        names = self.surnames.get(fold(surname))
        if not names:
            return None
        mentioned = context.last_mention(before, lambda s: s.name in names)
        if mentioned is not None:
            return mentioned
        return self.actors[min(names, key=self.order.__getitem__)]


# ---------------------------------------------------------------------------------------- article context

@dataclass
class Mention:
    """A person or body named in the article, at a character position."""

    position: int
    speaker: Speaker
    is_subject: bool = False


@dataclass
class ArticleContext:
    """What resolution knows about one article: registry matches, people, and who was named where."""

    doc: Doc
    index: ActorIndex
    words: SpeakerWords
    registry_spans: list[tuple[int, int, str]] = field(default_factory=list)  # token start, end, actor
    people: dict[str, Speaker] = field(default_factory=dict)  # unregistered full names, as first described
    mentions: list[Mention] = field(default_factory=list)
    genders: dict[str, str] = field(default_factory=dict)  # learnt from pronouns that refer to a person
    sentence_starts: list[int] | None = None

    @classmethod
    def build(cls, doc: Doc, index: ActorIndex, words: SpeakerWords) -> "ArticleContext":
        context = cls(doc, index, words)
        spans = sorted(((s, e, doc.vocab.strings[m]) for m, s, e in index.matcher(doc)),
                       key=lambda x: (x[0], -(x[1] - x[0])))
        for start, end, name in spans:
            if context.registry_spans and start < context.registry_spans[-1][1]:
                continue
            context.registry_spans.append((start, end, name))
            root = doc[start:end].root
            context.mentions.append(Mention(doc[start].idx, index.actors[name], root.dep_ in SUBJECTS))
        covered = {i for s, e, _ in context.registry_spans for i in range(s, e)}
        for ent in doc.ents:
            if not is_person_entity(ent) or any(t.i in covered for t in ent):
                continue
            name = written_name(person_name(ent))
            if len(name.split()) >= 2 and name not in context.people:
                context.people[name] = describe_person(ent.root, name, words)
            person = context.people.get(name) or context.full_name_for(name, before=ent.start_char)
            if person is None and len(name.split()) == 1 and ent.label_ == "PERSON" and ent.root.dep_ in SUBJECTS:
                person = index.by_surname(name, context, ent.start_char) or Speaker(name, "person")
            if person is not None:
                context.mentions.append(Mention(ent.start_char, person, ent.root.dep_ in SUBJECTS))
        named = {m.position for m in context.mentions}
        for token in doc:  # surnames the tagger missed or mislabelled ("Rybakov dismissed", "Trump gave")
            if token.i in covered or token.idx in named or not token.text[:1].isupper():
                continue
            if token.pos_ not in {"PROPN", "NOUN"} or any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in token.children):
                continue
            person = context.full_name_for(token.text, before=token.idx) or \
                (index.by_surname(token.text, context, token.idx) if token.pos_ == "PROPN" or token.dep_ in SUBJECTS else None)
            if person is not None:
                context.mentions.append(Mention(token.idx, person, token.dep_ in SUBJECTS))
                named.add(token.idx)
        context.mentions.sort(key=lambda m: m.position)
        return context

    def add_mention(self, position: int, speaker: Speaker) -> None:
        bisect.insort(self.mentions, Mention(position, speaker, True), key=lambda m: m.position)

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
        """The registry match inside a span that holds the span's head word, if any."""
        return next(((s, e, n) for s, e, n in self.registry_spans
                     if s >= span.start and e <= span.end and s <= span.root.i < e), None)

    def gender_of(self, speaker: Speaker) -> str | None:
        """Registry gender, else what pronouns in this article showed, else the usual gender of the given name."""
        if speaker.gender or speaker.name in self.genders:
            return speaker.gender or self.genders[speaker.name]
        if speaker.type == "person" and len(speaker.name.split()) >= 2:
            return given_name_gender(speaker.name.split()[0])
        return None

    def nearest_mention(self, pronoun: Token, predicate, keep=lambda m: True, window: int = 1500) -> Speaker | None:
        """The antecedent of a pronoun: among fitting mentions before it, those of the nearest sentence that has
        any (a subject preferred there); sentences further back only when nearer ones name no one."""
        before = pronoun.idx
        candidates = [m for m in self.mentions
                      if before - window <= m.position < before and predicate(m.speaker) and keep(m)]
        if not candidates:
            candidates = [m for m in self.mentions if m.position < before and predicate(m.speaker) and keep(m)]
            return candidates[-1].speaker if candidates else None
        if self.sentence_starts is None:
            self.sentence_starts = [s.start_char for s in self.doc.sents]
        starts = self.sentence_starts
        sentence_of = lambda position: bisect.bisect_right(starts, position)
        nearest = sentence_of(candidates[-1].position)
        in_sentence = [m for m in candidates if sentence_of(m.position) == nearest]
        subjects = [m for m in in_sentence if m.is_subject]
        if subjects:
            return subjects[-1].speaker
        if nearest == sentence_of(before):  # 'Of Obama, he said': a subject a sentence back beats that object
            earlier = [m for m in candidates if sentence_of(m.position) == nearest - 1 and m.is_subject]
            if earlier:
                return earlier[-1].speaker
        return in_sentence[-1].speaker

    def last_mention(self, before: int, predicate, subjects_first: bool = False, window: int = 100000) -> Speaker | None:
        candidates = [m for m in self.mentions if before - window <= m.position < before and predicate(m.speaker)]
        if subjects_first and any(m.is_subject for m in candidates):
            candidates = [m for m in candidates if m.is_subject]
        return candidates[-1].speaker if candidates else None


# ------------------------------------------------------------------------------------- names and evidence

ORGANISATION_WORDS = {
    "institute", "institution", "centre", "center", "university", "college", "school", "ministry", "agency", "news",
    "times", "post", "journal", "herald", "tribune", "gazette", "party", "council", "forum", "foundation", "group",
    "bank", "company", "corp", "inc", "ltd", "press", "tv", "radio", "office", "department", "government",
    "committee", "commission", "union", "organization", "organisation", "association", "service", "services",
    "network", "channel", "house", "kremlin", "pentagon", "parliament", "congress", "senate", "court", "fund",
    "academy", "club", "circle", "society", "studies", "review", "daily", "weekly", "nation", "wire", "dispatch",
    "forge", "ledger", "media", "magazine", "project", "initiative", "alliance", "federation", "embassy",
}


def is_person_entity(ent: Span) -> bool:
    """A PERSON entity, or one the tagger labelled ORG but that reads as a personal name ('Helena Brandt'):
    two to four capitalised proper nouns with no organisation word among them."""
    if ent.label_ == "PERSON":
        return True
    if ent.label_ != "ORG":
        return False
    words = [t for t in ent if not (t.is_punct or t.lower_ in DETERMINERS)]
    return (2 <= len(words) <= 4 and all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in words)
            and not any(fold(t.text) in ORGANISATION_WORDS for t in words))


def person_name(span: Span) -> Span:
    """The name inside a PERSON span, extended over given names the tagger cut off ('Eszter Farkas',
    'Jean-Luc Moreau') and stripped of titles ('Retired Rear Admiral Carl Dunmore' -> 'Carl Dunmore')."""
    doc = span.doc
    start, end = span.start, span.end
    while start > 0 and (doc[start - 1].pos_ == "PROPN" and doc[start - 1].ent_type_ in {"", "PERSON"}
                         and start - 1 < doc[start - 1].head.i < end
                         or doc[start - 1].text == "-" and start > 1 and not doc[start - 2].whitespace_):
        start -= 1
    while start < end - 1 and (doc[start].is_punct or fold(doc[start].text) in HONORIFICS | DETERMINERS
                               or (doc[start].is_title or doc[start].is_upper) and _is_title(doc[start].text)):
        start += 1
    while end - 1 > start and (doc[end - 1].is_punct or doc[end - 1].tag_ == "POS"):
        end -= 1
    return doc[start:end]


_TITLE_WORDS = {"retired", "rear", "vice", "admiral", "general", "gen", "colonel", "col", "major", "captain",
                "president", "prime", "minister", "foreign", "secretary", "ambassador", "senator", "sen", "rep",
                "representative", "governor", "gov", "mayor", "professor", "dr", "mr", "mrs", "ms", "chancellor",
                "spokesman", "spokeswoman", "deputy", "former", "ex", "analyst", "commentator", "researcher",
                "historian", "lieutenant", "lt", "sergeant", "sgt", "judge", "justice", "envoy", "special",
                "defence", "defense", "state", "kremlin", "aide", "adviser", "chief", "director", "economist",
                "army", "navy", "air", "force", "marine", "corps", "gen.", "col.", "lt.", "sgt.", "capt", "capt."}


def leading_titles(words: list[str], keep: int = 2) -> int:
    """How many of a name's first words are titles ('SEN. TED CRUZ': 1), leaving at least ``keep`` words."""
    count = 0
    while len(words) - count > keep and (_is_title(words[count]) or fold(words[count]) in HONORIFICS):
        count += 1
    return count


def _is_title(word: str) -> bool:
    """'Gen.', 'SENATOR', 'Retired': a title before a name, unless it is also a given name ('Marine Le Pen')."""
    return fold(word) in _TITLE_WORDS and fold(word) not in _given_names()


def ordinary_case(name: str, text: str) -> str:
    """How ``text`` writes a name given in capitals ('LIASSON' -> 'Liasson', 'SARAH MCCAMMON' -> 'Sarah McCammon',
    'URSULA VON DER LEYEN' -> 'Ursula von der Leyen'), else each run of letters capitalised ('H.R. Mcmaster',
    "Beto O'Rourke"), short words without a vowel kept in capitals ('DJ')."""
    for match in re.finditer(rf"\b{re.escape(name)}\b", text, flags=re.IGNORECASE):
        if not match.group().isupper() and match.group()[:1].isupper():
            return match.group()
    return re.sub(r"[^\W\d_]+", _capitalised, name)


def _capitalised(match: re.Match) -> str:
    letters = match.group()
    if len(letters) <= 3 and not re.search(r"[AEIOUYaeiouy]", letters):
        return letters
    return letters[:1] + letters[1:].lower()


def written_name(span: Span) -> str:
    """A person's name as text (:func:`span_name`); a name of two or more words in capitals, as in a transcript's
    label ('JIM ACOSTA'), is given as the article writes it elsewhere, else capitalised ('Jim Acosta')."""
    name = span_name(span)
    if name.isupper() and len(name.split()) >= 2:
        return ordinary_case(name, span.doc.text)
    return name


def span_name(span: Span) -> str:
    """A name as text, hyphenated parts joined: 'Jean - Luc Moreau' stays 'Jean-Luc Moreau'."""
    return "".join(t.text + (t.whitespace_ if not t.is_punct or t.text != "-" else "") for t in span).strip()


def description_tokens(head: Token) -> list[Token]:
    """The words that describe a person: titles before the name, appositions, 'of/at/from' phrases and
    relative clauses after it ('Rachel Okafor, director of … at the London-based …')."""
    tokens = [t for child in head.lefts for t in child.subtree]
    for child in head.rights:
        if child.dep_ in {"appos", "prep", "acl", "relcl", "amod", "npadvmod"}:
            tokens.extend(child.subtree)
    return sorted(tokens, key=lambda t: t.i)


def evidence_country(tokens: list[Token], words: SpeakerWords, head: Token | None = None) -> str | None:
    """Country evidence, strongest first: a nationality word on the name or its role noun ('a Dutch fellow',
    'Polish commentator Tomasz Wrona'), an 'X-based' institution, an 'in/from X' place, then any other
    country or city word among the descriptive tokens."""
    if not tokens:
        return None
    texts = [t.text for t in tokens]
    if head is not None:
        nouns = [head, *(c for c in head.children if c.dep_ == "appos")]
        nouns += [c for n in list(nouns) for c in n.children if c.dep_ == "compound" and c.pos_ == "NOUN"]
        modifiers = [c.text for n in nouns for c in n.children if c.dep_ in {"amod", "compound", "nmod"} and c.i < n.i]
        country = words.country_in(modifiers)
        if country:
            return country
    based = [t for t in tokens if t.lower_ in {"based", "-based"} and t.i > 0]
    for token in based:
        place = [x.text for x in token.doc[max(0, token.i - 3):token.i] if x.text != "-"]
        country = words.country_in(place[-2:]) or words.country_in(place[-1:])
        if country:
            return country
    for prepositions in ({"in", "from"}, {"at"}):
        for token in tokens:
            if token.lower_ in prepositions:
                place = [t.text for t in token.subtree if t.i > token.i]
                country = words.country_in(place)
                if country:
                    return country
    return words.country_in(texts)


def describe_person(head: Token, name: str, words: SpeakerWords) -> Speaker:
    """Country and role of a person not in the registry, from the words that describe them."""
    tokens = description_tokens(head)
    role = words.role_in([t.lemma_ if t.lemma_ == "teach" else t.text for t in tokens]) or "unknown"
    return Speaker(name, "person", evidence_country(tokens, words, head), role)


def scene_country(verb: Token | None, words: SpeakerWords) -> str | None:
    """'In central Kyiv, Natalia Bondar said …': a place phrase on the verb that introduces the speaker."""
    if verb is None:
        return None
    for child in verb.lefts:
        for token in child.subtree:
            if token.dep_ == "prep" and token.lower_ in {"in", "from"}:
                country = words.country_in([t.text for t in token.subtree if t.i > token.i])
                if country:
                    return country
    return None


def document_text(doc: Doc) -> str:
    """``doc.text``, joined once per document (spaCy joins its tokens' texts again at every call)."""
    text = doc.user_data.get("toolkit_text")
    if text is None:
        text = doc.user_data["toolkit_text"] = doc.text
    return text


def paragraph_scene(phrase: Span, words: SpeakerWords) -> str | None:
    """The place a paragraph opens in ('In central Kyiv, …', 'On the embankment below the Chain Bridge, …'),
    from the speaker's paragraph or the one before: where a resident or passer-by is speaking."""
    doc = phrase.doc
    text = document_text(doc)
    start = text.rfind("\n\n", 0, phrase.start_char)
    previous = text.rfind("\n\n", 0, max(start, 0))
    for paragraph_start in (start + 2 if start >= 0 else 0, previous + 2 if previous >= 0 else None):
        if paragraph_start is None or paragraph_start > phrase.start_char:
            continue
        span = doc.char_span(paragraph_start, min(len(text), paragraph_start + 1), alignment_mode="expand")
        if span is None:
            continue
        sentence = span[0].sent
        opener = [t for t in sentence if t.i < sentence.start + 12]
        comma = next((i for i, t in enumerate(opener) if t.text == ","), None)
        if comma is None or opener[0].lower_ not in {"in", "on", "at", "outside", "back", "across", "near", "from", "along"}:
            continue
        country = words.country_in([t.text for t in opener[:comma]])
        if country:
            return country
    return None


# --------------------------------------------------------------------------------------------- resolution

class SpeakerResolver:
    """Resolve a speaker phrase (the subject of a cue verb, or the object of "according to") in an article."""

    def __init__(self, context: ArticleContext):
        self.context = context
        self.words = context.words
        self.index = context.index

    def resolve(self, phrase: Span, verb: Token | None = None, content: tuple[int, int] | None = None) -> Speaker:
        """Resolve and remember the speaker (later pronouns can refer to it). People named inside the
        attribution's ``content`` span are not candidates for a pronoun speaker."""
        self._content = content
        speaker = self._resolve(phrase, verb)
        if speaker.type in {"person", "institution", "media", "unnamed"}:
            self.context.add_mention(phrase.start_char, speaker)
        return speaker

    def _resolve(self, phrase: Span, verb: Token | None) -> Speaker:
        head = phrase.root
        if head.lower_ in PRONOUN_GENDER or head.lower_ in PRONOUNS_PLURAL | PRONOUNS_NEUTER or head.pos_ == "PRON":
            return self._pronoun(head)
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        if owner is not None and owner.i >= phrase.start and fold(head.text) not in self.words.unnamed | SOURCE_NOUNS:
            owned = self._possessed(phrase, owner)
            if owned is not None:
                return owned
        match = self.context.registry_match(phrase)
        if match is not None:
            return self.index.actors[match[2]]
        named_media = self._named_media(phrase)
        if named_media is not None:
            return named_media
        for step in (self._descriptor, self._surname, self._person, self._unnamed, self._anaphoric, self._definite_person):
            found = step(phrase)
            if found is not None:
                if found.type == "person" and not found.registered and found.country is None:
                    found = replace(found, country=scene_country(verb, self.words)
                                    or paragraph_scene(phrase, self.words))
                    if found.country is not None:
                        self.context.people[found.name] = found
                return found
        return self._generic(phrase)

    # --- pronouns, descriptions, possessives

    def _pronoun(self, head: Token) -> Speaker:
        lower = head.lower_
        gender = PRONOUN_GENDER.get(lower)
        if lower in PRONOUNS_NEUTER:
            wanted = lambda s: s.type in {"institution", "media"}
        elif lower in PRONOUNS_PLURAL:
            wanted = lambda s: s.type in {"unnamed", "institution", "media"}
        else:
            wanted = lambda s: s.type == "person" and self.context.gender_of(s) in (None, gender)
        content = getattr(self, "_content", None)
        outside = (lambda m: not (content[0] <= m.position < content[1])) if content else (lambda m: True)
        found = self.context.nearest_mention(head, lambda s: wanted(s), outside)
        if found is None:
            return Speaker(head.text.lower(), "unnamed" if lower in PRONOUNS_PLURAL else "person")
        if gender and found.type == "person" and not found.gender:
            self.context.genders.setdefault(found.name, gender)
        return found

    def _descriptor(self, phrase: Span) -> Speaker | None:
        """'the Kremlin aide', "Hungary's prime minister": a registry descriptor. Never for an indefinite
        phrase: 'a Hungarian government spokesman' is an unnamed source, not the spokesman the registry knows."""
        if fold(phrase[0].text) in {"a", "an", "one", "two", "three", "several", "some", "another"}:
            return None
        words = _phrase_words(phrase)
        for start in range(len(words)):
            key = " ".join(words[start:])
            found = self.index.descriptors.get(key)
            if found:
                if len(found) == 1:
                    return self.index.actors[found[0]]
                mentioned = self.context.last_mention(phrase.start_char, lambda s: s.name in found)
                return mentioned or self.index.actors[found[0]]
        return self._generic_title(phrase)

    def _named_media(self, phrase: Span) -> Speaker | None:
        """'Kiev's Ukrinform agency', 'the TASS news agency'; 'the independent news site' for the outlet last named."""
        head = phrase.root
        if fold(head.text) not in MEDIA_NOUNS:
            return None
        for start, end, name in self.context.registry_spans:
            actor = self.index.actors[name]
            if start >= phrase.start and end <= phrase.end and actor.type == "media":
                return actor
        if fold(phrase[0].text) != "the" and not any(t.lower_ in {"state", "news"} for t in phrase):
            return None
        country = self.words.country_in([t.text for t in phrase if t.i != head.i])
        sentence = head.sent
        fits = lambda s: s.type == "media" and (country is None or s.country == country)
        return (self.context.last_mention(phrase.start_char, fits)
                or self.context.last_mention(sentence.end_char, fits, window=sentence.end_char - sentence.start_char))

    def _generic_title(self, phrase: Span) -> Speaker | None:
        """'the president', 'the Russian leader': the most recent registered person with that title."""
        head = fold(phrase.root.text)
        if fold(phrase[0].text) != "the" or head not in TITLE_HEADS - {"official", "diplomat"}:
            return None
        modifiers = [t.text for t in phrase if t.i != phrase.root.i and fold(t.text) != "the"]
        country = self.words.country_in(modifiers)

        def fits(s: Speaker) -> bool:
            title = self.index.titles.get(s.name, "")
            return (s.type == "person" and s.registered and (head in title or head == "leader")
                    and (country is None or s.country == country))

        return self.context.last_mention(phrase.start_char, fits, subjects_first=True)

    def _possessed(self, phrase: Span, owner: Token) -> Speaker | None:
        """'Zelensky's office', 'his office', 'the Kremlin's spokesman'."""
        head = phrase.root
        content, self._content = getattr(self, "_content", None), None  # 'his office said X about him'
        try:
            if owner.lower_ in PRONOUN_GENDER or owner.lower_ in PRONOUNS_PLURAL | PRONOUNS_NEUTER:
                owner_speaker = self._pronoun(owner)
            else:
                owner_span = phrase.doc[owner.left_edge.i:owner.i + 1]
                match = self.context.registry_match(owner_span)
                owner_speaker = (self.index.actors[match[2]] if match else
                                 self._descriptor(owner_span) or self._surname(owner_span) or self._person(owner_span))
        finally:
            self._content = content
        if owner_speaker is None or fold(owner_speaker.name) in PRONOUN_GENDER.keys() | PRONOUNS_PLURAL | PRONOUNS_NEUTER:
            return None  # 'his campaign' with no one to be 'his': not "his's campaign"
        tail = " ".join(fold(t.text) for t in phrase if t.i > owner.i and not t.is_punct and t.tag_ != "POS")
        tails = [tail] + (["office"] if fold(head.text) in OFFICE_WORDS else [])
        for form in (owner_speaker.name, owner_speaker.name.split()[-1]):
            for key in (f"{fold(form)} s {t}" for t in tails):
                name = self.index.forms.get(key) or (self.index.descriptors.get(key) or [None])[0]
                if name:
                    return self.index.actors[name]
        if fold(head.text) not in INSTITUTION_HEADS | TITLE_HEADS:
            return None
        kind = "institution" if fold(head.text) in INSTITUTION_HEADS - {"spokesman", "spokeswoman", "spokesperson"} else "person"
        role = self.words.role_in([head.text]) or owner_speaker.role
        return Speaker(f"{owner_speaker.name}'s {tail}", kind, owner_speaker.country, role)

    # --- people not resolved through the registry

    def _surname(self, phrase: Span) -> Speaker | None:
        """'Orbán', 'Mr. Ushakov', 'President Putin': one proper noun, perhaps after a title or honorific."""
        head = phrase.root
        if head.pos_ != "PROPN" and not (head.pos_ == "NOUN" and head.text[:1].isupper()):
            return None  # the tagger reads some surnames as common nouns ('Trump')
        proper = [t for t in phrase if (t.pos_ == "PROPN" or t.i == head.i) and t.i <= head.i]
        if len(proper) != 1:
            return None
        earlier = self.context.full_name_for(head.text, before=phrase.start_char)
        if earlier is not None:
            return earlier
        return self.index.by_surname(head.text, self.context, phrase.start_char)

    def _person(self, phrase: Span) -> Speaker | None:
        doc = phrase.doc
        ents = [e for e in doc.ents if is_person_entity(e) and e.start >= phrase.start and e.end <= phrase.end]
        if not ents:
            if phrase.root.pos_ != "PROPN" or phrase.root.ent_type_ in {"ORG", "GPE", "NORP", "LOC", "FAC"}:
                return None
            ents = [doc[phrase.root.i:phrase.root.i + 1]]
        ent = next((e for e in ents if e.start <= phrase.root.i < e.end), ents[-1])
        name = written_name(person_name(ent))
        if not name:
            return None
        if len(name.split()) == 1:
            earlier = self.context.full_name_for(name, before=phrase.start_char)
            if earlier is not None:
                return earlier
            registered = self.index.by_surname(name, self.context, phrase.start_char)
            if registered is not None:
                return registered
        described = describe_person(phrase.root, name, self.words)
        known = self.context.people.get(name)
        if known is not None:
            described = replace(known, country=known.country or described.country,
                                role=known.role if known.role != "unknown" else described.role)
        self.context.people[name] = described
        return described

    def _unnamed(self, phrase: Span) -> Speaker | None:
        head = phrase.root
        noun = fold(head.text)
        indefinite = fold(phrase[0].text) in COUNTING - {"senior", "top", "high", "ranking", "high-ranking", "junior", "most", "more"}
        if noun not in self.words.unnamed and fold(head.lemma_) not in self.words.unnamed \
                and not (indefinite and (noun in self.words.role or fold(head.lemma_) in self.words.role)):
            return None
        if any(t.ent_type_ == "PERSON" for t in phrase):
            return None
        first = fold(phrase[0].text)
        if first in {"the", "this", "that"} and head.tag_ != "NNS":
            return None  # "the official" refers back to someone; see _anaphoric
        return unnamed_speaker(phrase, self.words)

    def _anaphoric(self, phrase: Span) -> Speaker | None:
        """'the official', 'the source': the unnamed speaker last quoted with that noun."""
        noun = fold(phrase.root.text)
        if fold(phrase[0].text) not in {"the", "this", "that"} or noun not in self.words.unnamed:
            return None
        return self.context.last_mention(phrase.start_char, lambda s: s.type == "unnamed" and s.name.endswith(noun))

    def _definite_person(self, phrase: Span) -> Speaker | None:
        """'the communications pro', 'the Texas governor', 'the lawmaker': the person named just before."""
        head = phrase.root
        if fold(phrase[0].text) not in {"the", "this"} or head.pos_ != "NOUN":
            return None
        if fold(head.lemma_) not in self.words.role and fold(head.text) not in set(self.words.role) | PERSON_NOUNS:
            return None
        content = getattr(self, "_content", None)
        keep = (lambda m: not (content[0] <= m.position < content[1])) if content else (lambda m: True)
        return self.context.nearest_mention(head, lambda s: s.type == "person" and s.name != phrase.text, keep, window=600)

    def _generic(self, phrase: Span) -> Speaker:
        words = [t for t in phrase if not t.is_punct]
        while words and words[0].lower_ in DETERMINERS:
            words = words[1:]
        name = span_name(phrase.doc[words[0].i:words[-1].i + 1]) if words else phrase.text
        head = phrase.root
        texts = [t.text for t in phrase]
        institution = head.ent_type_ in {"ORG", "NORP", "GPE"} or fold(head.text) in INSTITUTION_HEADS
        role = self.words.role_in(texts) or ("official" if fold(head.text) in INSTITUTION_HEADS else "unknown")
        media = role == "media" and institution
        person = not institution and (head.ent_type_ == "PERSON" or head.pos_ == "PROPN" or
                                      fold(head.lemma_) in self.words.role or fold(head.text) in self.words.role)
        kind = "media" if media else "person" if person else "institution"
        return Speaker(name, kind, self.words.country_in(texts), role)


def _phrase_words(phrase: Span) -> list[str]:
    """Folded words of a description, determiners dropped, possessive 's kept as 's' ('hungary s prime minister')."""
    words = [fold(t.text) for t in phrase if not t.is_punct and t.dep_ not in {"relcl", "appos"}]
    while words and words[0] in DETERMINERS:
        words = words[1:]
    return [w for w in words if w]


_ADJECTIVES = {"US": "US", "RU": "Russian", "HU": "Hungarian", "UA": "Ukrainian", "EU": "European",
               "DE": "German", "FR": "French", "GB": "British", "PL": "Polish", "NATO": "NATO", "CN": "Chinese",
               "TR": "Turkish", "IT": "Italian", "BE": "Belgian", "AT": "Austrian", "CH": "Swiss"}


def unnamed_speaker(phrase: Span, words: SpeakerWords) -> Speaker:
    """Describe an unnamed source by the affiliation it states: 'unnamed US official', 'unnamed Russian
    source', 'unnamed European diplomats', 'unnamed source familiar with the talks'."""
    head = phrase.root
    tokens = [t for t in phrase if t.dep_ != "relcl"]
    country = words.country_in([t.text for t in tokens])
    qualifiers = [t for t in head.lefts if t.dep_ in {"amod", "compound", "nmod"}]
    kept = []
    for token in qualifiers:
        subtree = list(token.subtree)
        text = span_name(phrase.doc[subtree[0].i:subtree[-1].i + 1])
        folded = fold(text)
        if folded in COUNTING or (folded in words.country and folded not in PARTY_WORDS) \
                or folded in {"administration", "government"}:
            continue
        kept.append(text)
    noun = "source" if fold(head.text) in SOURCE_NOUNS else head.text.lower()
    party_only = country is not None and words.country_in(
        [t.text for t in tokens if fold(t.text) not in PARTY_WORDS]) is None
    adjective = _ADJECTIVES.get(country, country) if country and not party_only else None
    description = " ".join(["unnamed", *([adjective] if adjective else []), *kept, noun])
    familiar = next((t for t in head.rights if t.lower_ in {"familiar", "close", "briefed", "knowledgeable"}), None)
    if familiar is not None:
        description += " " + " ".join(t.text for t in familiar.subtree)
    role = words.role_in([head.text] + kept) or "unknown"
    return Speaker(re.sub(r"\s+", " ", description), "unnamed", country, role)


@lru_cache(maxsize=1)
def _given_names() -> dict[str, str]:
    table = pd.read_csv(data_path("given_names.csv"), dtype=str, keep_default_na=False)
    return {fold(row.name): row.gender for row in table.itertuples()}


def given_name_gender(name: str) -> str | None:
    """'female' for Hillary, 'male' for Maksym; None for names the list does not hold or that are unisex."""
    return _given_names().get(fold(name))


@lru_cache(maxsize=4)
def default_speaker_words() -> SpeakerWords:
    return SpeakerWords.load()


@lru_cache(maxsize=4)
def default_group_map() -> GroupMap:
    return GroupMap()
