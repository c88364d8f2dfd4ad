"""Find every attribution in news articles: direct quotes, reported speech, mixed quotes, "according to X",
and continuation quotes, each with its cue, its content's character offsets and a resolved speaker.

Rules over a spaCy dependency parse, in the manner of the best open extractors: a reporting verb (from the
lexicon ``data/cue_verbs.csv``) with a clausal complement or an adjacent quotation; "according to" phrases;
quotation-only sentences that carry on the previous speaker. Quotation marks are paired by
:mod:`toolkit.quotes`, which never fails on unbalanced marks. Speakers are resolved by :mod:`toolkit.speakers`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from tqdm.auto import tqdm

from .clean import DATELINE
from .nlp import load_pipeline
from .parsing import cue_forms, parse_documents
from .paths import data_path
from .quotes import Quote, find_quotes
from .registry import fold
from .speakers import (ActorIndex, ArticleContext, GroupMap, Speaker, SpeakerResolver, SpeakerWords,
                       default_group_map, default_speaker_words, document_text, given_name_gender, leading_titles,
                       ordinary_case)

ATTRIBUTION_COLUMNS = [
    "article_id", "outlet", "attribution_index", "paragraph_index", "sentence_index", "kind", "cue", "cue_text",
    "cue_category", "speaker", "speaker_text", "speaker_type", "speaker_country", "speaker_role", "group", "via",
    "content", "content_start", "content_end", "quoted_words", "speaker_start", "speaker_end", "cue_start",
    "cue_end",
]
KINDS = ["direct", "indirect", "mixed", "according_to", "continuation"]
CHARACTERIZING = {"call", "describe", "characterize", "characterise", "term", "label", "dub", "brand"}
QUOTING = {"quote", "cite"}
OBJECT_CUES = {
    "note", "cite", "mention", "announce", "confirm", "deny", "acknowledge", "admit", "criticize", "criticise",
    "praise", "blast", "slam", "accuse", "condemn", "denounce", "reject", "dismiss", "welcome", "propose",
    "demand", "describe", "reveal", "disclose", "predict", "question", "dispute", "hail", "tout", "recount",
    "recall", "repeat", "reiterate", "echo", "call", "label", "brand", "term", "dub", "characterize",
    "characterise", "charge", "fault", "applaud", "commend", "lament", "decry", "mock", "ridicule", "attack",
    "defend", "endorse", "back", "laud", "promise", "pledge", "vow", "threaten", "urge", "recommend", "report",
    "tweet", "retweet", "stress", "emphasize", "emphasise",  # 'tweeted her thanks to the president', 'stressed his experience'
    "say",  # 'Trump says racist things', 'said goodbye', and a clause whose subject the parser took for an object
}
REPORTING_OBJECT = {"describe", "characterize", "characterise"}  # 'described the meeting' reports it
INTENTION_NOUNS = {"plan", "intention", "intent", "decision", "bid", "effort", "proposal", "offer", "commitment",
                   "promise", "pledge", "willingness", "readiness", "desire", "determination", "refusal", "hope"}
TOPIC_PREPOSITIONS = {"speak": {"of"}, "comment": {"on"}, "remark": {"on"}, "respond": {"to"}, "reply": {"to"},
                      "answer": {"to"}, "testify": {"on"}, "write": {"of"}, "complain": {"of"}, "warn": {"of", "against"},
                      "boast": {"of"}}
ANSWERED = {"request", "question", "inquiry", "query", "criticism", "comment", "remark", "charge", "accusation",
            "allegation", "call", "message", "email", "e-mail", "letter", "report", "claim", "statement", "attack",
            "news", "announcement", "demand", "tweet", "post", "speech", "decision", "ruling", "suggestion", "critic",
            "complaint", "concern", "challenge", "invitation", "offer", "proposal", "threat", "warning"}
COLON_IMPERATIVES = {"follow", "contact", "email", "reach", "subscribe", "click", "read", "watch", "see", "listen",
                     "sign", "join", "like", "share", "download", "visit", "call"}  # 'Follow X on Twitter: @x'
SOURCE_LABELS = {"poll", "polls", "survey", "study", "newspaper", "editorial", "sources", "insiders", "officials"}
SPEECH_NOUNS = {"claim", "call", "statement", "assertion", "allegation", "accusation", "suggestion", "insistence",
                "promise", "pledge", "vow", "warning", "demand", "argument", "remark", "comment", "plea", "appeal",
                "prediction", "denial", "admission"}  # 'her claim that …', 'his calls for …'
ISSUED_TEXTS = {"statement", "letter", "tweet", "post", "message", "release", "email", "e-mail", "memo", "note", "video",
                "ad", "advertisement", "op-ed", "editorial", "column", "essay", "speech", "filing", "brief", "report",
                "notice", "announcement", "communique", "mailer", "flyer", "ruling", "opinion", "petition"}
ANSWERS = {"yes", "no", "so", "nope", "yeah", "absolutely", "definitely", "maybe"}
ADDRESSING = {"tell", "ask", "warn", "inform", "assure", "remind", "urge", "advise", "promise", "notify"}
OBJECT_PREPOSITIONS = {"to", "with", "about", "against", "between", "toward", "towards", "regarding", "among", "into"}
AUDIENCES = {"reporter", "journalist", "supporter", "crowd", "audience", "voter", "press", "people", "viewer", "listener",
             "reader", "host", "interviewer", "camera", "twitter", "facebook", "instagram", "television", "tv", "radio"}
HEADLINE_STOPS = {"who", "that", "which", "to", "under", "for", "with", "a", "an", "is", "are", "was", "were", "will",
                  "would", "may", "might", "can", "could", "should", "not", "in", "on", "at", "after", "before", "as", "by",
                  "from", "over", "why", "how", "what", "when", "if", "does", "do", "did", "has", "have", "had", "be",
                  "been", "it", "this", "these", "there", "here", "but", "or", "i", "we", "you", "don’t", "don't"}
HEADLINE_IRREGULAR = {"said": "say", "says": "say", "told": "tell", "wrote": "write", "spoke": "speak"}
HEADLINE_NOT_CUES = {"back", "charge", "question", "attack", "call", "report"}  # nouns as often as verbs: 'Back', 'Question'
DEMAND_NOUNS = {"call", "demand", "plea", "appeal"}
TITLE_SMALL_WORDS = {"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "with", "from", "by", "is"}
QUOTE_ONLY_CUES = {"continue", "go", "answer", "reply", "begin", "conclude", "interject", "chime", "offer"}
DEMANDING = {"urge", "vow", "pledge", "promise", "threaten", "demand", "ask", "call", "beg", "implore", "warn"}
NOT_SPEAKERS = {"i", "we", "you", "me", "us", "one", "who", "which", "that", "what"}
NARRATORS = {"i", "we"}  # the writer speaking outside any quotation: 'I told the judge that …'
GERUND_CUES = {"report", "deny", "admit", "acknowledge", "recall", "suggest", "propose", "recommend", "describe",
               "mention", "confess", "concede", "reiterate", "repeat"}
SUBJECTS = {"nsubj", "nsubjpass"}
ADVERBIAL_MARKS = {"after", "before", "when", "whenever", "while", "because", "since", "although", "though", "until",
                   "once", "unless", "whereas"}
CONTENT_DEPS = {"ccomp"}
CLOSING_CUES = {"say", "tell", "add", "note", "write", "post", "tweet", "report", "explain", "insist", "argue", "contend",
                "maintain", "predict", "estimate", "acknowledge", "admit", "concede", "claim", "warn", "caution",
                "recall", "confirm", "stress", "emphasize", "observe", "reply", "remark", "suggest", "assert"}
_QUOTE_CHARS = "\"“”‘’'«»"
_NOUN_PHRASE_TAGS = {"DT", "PRP$", "JJ", "CD", "NN", "NNS", "NNP", "NNPS", "POS"}
_SAME_SPEAKER = {"he", "she"}  # a cue with these subjects between a quote and the next goes on with its speaker
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SENTENCE_GAP = re.compile(r"[.!?…][\"”’']{0,2}[ \t\u00a0]+$")
_DASH_SIGNATURE = re.compile(
    r"[ \t\u00a0]*(?P<dash>[―—])[ \t\u00a0]*(?P<name>[A-Z][\w.'’-]*(?:[ \u00a0][A-Z][\w.'’-]*){0,4})"
    r"(?=[ \t\u00a0]*(?:[.,(]|\n|$))")
_SPEAKER_COLON = re.compile(
    r"(?:^|(?<=\n)|(?<=[.!?][ ]))[\"“]?(?:(?P<inverted>Said|Says|Added|Adds|Asked|Asks|Wrote|Writes|Explained|Continued|Noted|Replied|Countered)[ \u00a0])?(?P<name>[A-Z][\w.'’-]*(?:[ \u00a0][A-Za-z][\w.'’-]*){0,4})"
    r"(?:,[ \u00a0](?P<role>[A-Z][\w'’-]*(?:\.[\w'’-]+)*(?:[ \u00a0][A-Za-z][\w'’-]*(?:\.[\w'’-]+)*){0,7}\.?))?"  # 'RACHEL MARTIN, HOST:'
    r":(?:[ \u00a0]+(?P<content>\S[^\n]*)|(?=[ \t\u00a0]*\n[ \t\u00a0\n]*(?P<next>[^\n]+)))")  # or on the next line
PARTY_STATE = re.compile(r"[RDI]-(?!DAY\b)[A-Z][A-Za-z.]*")  # 'R-TEXAS', 'D-N.Y.' after a US lawmaker's name
OUTLET_POSSESSIVE = re.compile(r"(?P<outlet>[A-Z][\w.&-]*)['’][sS][ \u00a0](?P<person>[A-Z][A-Z.'’ -]*)")  # "ABC's JEFF ZELENY"
NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
COLON_LABELS = {"note", "correction", "update", "updated", "photo", "photos", "video", "watch", "read more",
                "related", "editor s note", "analysis", "opinion", "exclusive", "breaking", "source", "sources",
                "credit", "caption", "q", "a", "question", "answer", "listen", "see also", "more", "warning",
                "disclaimer", "transcript", "partial transcript", "full transcript", "live", "tags", "topics",
                "filed under", "category", "getty", "reuters", "ap", "afp", "image", "graphic", "chart", "map",
                "from", "to", "subject", "date", "by", "the bottom line", "bottom line", "why it matters"}


@dataclass(frozen=True)
class CueLexicon:
    """Reporting verbs with their framing category; two-word cues ("point out") need their particle."""

    categories: dict[str, str]

    @classmethod
    def load(cls, path: str | Path | None = None) -> "CueLexicon":
        table = pd.read_csv(path or data_path("cue_verbs.csv"), dtype=str, keep_default_na=False)
        missing = {"lemma", "category"} - set(table.columns)
        if missing:
            raise ValueError(f"{path or 'cue_verbs.csv'}: missing column(s) {', '.join(sorted(missing))}")
        return cls({row.lemma.strip().lower(): row.category.strip() for row in table.itertuples()})

    def category_of(self, token: Token) -> str | None:
        lemma = token.lemma_.lower()
        particles = [c.lower_ for c in token.children if c.dep_ in {"prt", "acomp", "oprd", "ccomp", "advmod"}
                     and c.i == token.i + 1]
        for particle in particles:
            if f"{lemma} {particle}" in self.categories:
                return self.categories[f"{lemma} {particle}"]
        return self.categories.get(lemma)


@lru_cache(maxsize=4)
def default_cue_lexicon() -> CueLexicon:
    return CueLexicon.load()


@dataclass
class Found:
    """An attribution found in one document, before it becomes a table row."""

    kind: str
    content_start: int
    content_end: int
    cue: Token | None
    speaker_span: Span | None
    speaker: Speaker | None
    sentence: Span
    via: Speaker | None = None
    cue_lemma: str | None = None
    cue_text: str | None = None
    cue_category: str | None = None
    clause_head: Token | None = None  # the head of the reported clause, when the content is one
    keeps_reports: bool = False  # a journalist's transcript turn ('MARTIN: …'): reports inside it stay attributions


class QuoteIndex:
    """Look up the quotation covering a character position."""

    def __init__(self, quotes: list[Quote]):
        self.quotes = quotes
        self.starts = [q.outer_start for q in quotes]

    def covering(self, position: int) -> Quote | None:
        i = bisect.bisect_right(self.starts, position) - 1
        if i >= 0 and self.quotes[i].contains(position):
            return self.quotes[i]
        return None

    def overlapping(self, start: int, end: int) -> list[Quote]:
        return [q for q in self.quotes if q.start < end and q.end > start]


class DocumentExtractor:
    """Extract the attributions of one parsed article."""

    def __init__(self, doc: Doc, context: ArticleContext, lexicon: CueLexicon):
        self.doc = doc
        self.text = document_text(doc)
        self.quotes = QuoteIndex(find_quotes(self.text))
        self.context = context
        self.resolver = SpeakerResolver(context)
        self.lexicon = lexicon
        self.words = context.words
        self.index = context.index

    # ----------------------------------------------------------------------------------------------- run

    def run(self) -> list[Found]:
        found: list[Found] = []
        for token in self.doc:
            if self.quotes.covering(token.idx) is not None:
                continue
            if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
                item = self._according_to(token)
            elif (token.pos_ in {"VERB", "AUX"} or self._verb_read_as_noun(token)) and self.lexicon.category_of(token):
                item = self._cue(token)
            elif token.pos_ == "VERB" and token.lemma_.lower() in QUOTE_ONLY_CUES:
                item = self._cue(token, quotes_only=True)
            elif token.pos_ == "NOUN" and token.lemma_.lower() in SPEECH_NOUNS:
                item = self._noun_cue(token)
            else:
                item = None
            if item is not None:
                found.append(item)
        found = self._resolve_nesting(found)
        found = self._drop_overlaps(found)
        self._merge_following_quotes(found)
        found.extend(self._dash_attributions(found))
        colons = self._colon_attributions(found)
        if colons:
            found = [f for f in found if not any(c.content_start <= f.content_start and f.content_end <= c.content_end
                                                 for c in colons if not c.keeps_reports)]
            found.extend(colons)
        found.extend(self._colon_blocks(found))
        found.extend(self._headline_attributions(found))
        found.extend(self._nearby_cues(found))
        found.extend(self._continuations(found))
        found.sort(key=lambda f: (f.content_start, f.content_end))
        return found

    # ---------------------------------------------------------------------------------------- cue verbs

    @staticmethod
    def _verb_read_as_noun(token: Token) -> bool:
        """'But Trump claims that …': the tagger sometimes reads a reporting verb as a plural noun with the
        speaker as its compound; a 'that' clause under it gives it away."""
        if token.pos_ != "NOUN":
            return False
        if any(c.dep_ == "nsubj" for c in token.children):  # 'one blogger asking, "…"'
            return True
        return (token.tag_ == "NNS"
                and any(c.dep_ == "ccomp" and any(g.dep_ == "mark" for g in c.children) for c in token.children)
                and any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in token.children))

    def _cue(self, verb: Token, quotes_only: bool = False) -> Found | None:
        subject, via = self._subject(verb)
        if verb.lemma_.lower() == "ask" and verb.tag_ == "VBN" and not any(c.dep_ == "nsubj" for c in verb.children) \
                and self._speaker_read_as_head(verb) is None:
            return self._asked(verb)  # 'Asked about the missiles, Trump said': Trump was asked, not asking
        if subject is None:
            subject = self._subject_before(verb)
        if subject is None:
            subject = self._speaker_after_quote(verb)
        if subject is None or subject.lower_ in NOT_SPEAKERS and not self._narrator(subject) \
                and not (subject.lower_ == "one" and any(c.dep_ == "prep" for c in subject.children)):
            return None
        if quotes_only:
            quote = self._adjacent_quote(verb, subject)
            content = self._direct_with_split(quote, verb, subject) if quote is not None else None
        else:
            content = self._content(verb, subject)
        if content is None:
            return None
        kind, start, end = content
        speaker_span = self._speaker_span(subject)
        speaker = self.resolver.resolve(speaker_span, verb, (start, end))
        return Found(kind, start, end, verb, speaker_span, speaker, verb.sent, via=via,
                     cue_lemma=verb.lemma_.lower(), cue_text=verb.text,
                     cue_category=self.lexicon.category_of(verb) or "neutral", clause_head=self._clause_head(verb))

    def _noun_cue(self, noun: Token) -> Found | None:
        """'Clinton's claim that 90 percent of her e-mails were …', 'his calls for increased surveillance', 'claims by
        intelligence agencies that …': a reporting noun with its owner or its 'by' phrase as the speaker and a
        'that' clause, a 'for' phrase (demands) or a 'to' clause as the content."""
        owner = next((c for c in noun.children if c.dep_ == "poss" and c.lower_ not in {"its", "their"} | NOT_SPEAKERS), None)
        if owner is None:
            by = next((c for c in noun.rights if c.dep_ == "prep" and c.lower_ in {"by", "from"}), None)
            owner = next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None
        if owner is None or self.quotes.covering(owner.idx) is not None:
            return None
        lemma = noun.lemma_.lower()
        content: list[Token] = []
        for child in noun.rights:
            if child.dep_ in {"acl", "ccomp", "relcl"} and any(g.dep_ == "mark" and g.lower_ == "that" for g in child.children):
                content = [t for t in child.subtree if not (t.dep_ == "mark" and t.head.i == child.i and t.lower_ == "that")]
            elif child.dep_ in {"acl", "xcomp"} and any(g.dep_ == "aux" and g.lower_ == "to" and g.i < child.i
                                                          for g in child.children):
                content = list(child.subtree)[1:] if child.left_edge.lower_ == "to" else list(child.subtree)
            elif child.dep_ == "prep" and child.lower_ == "for" and lemma in DEMAND_NOUNS:
                content = [t for t in child.subtree if t.i != child.i]
            if content:
                break
        if not content:
            return None
        start, end = self._trim(content[0].idx, content[-1].idx + len(content[-1]))
        if end - start < 3:
            return None
        speaker_span = self._speaker_span(owner)
        speaker = self.resolver.resolve(speaker_span, noun, (start, end))
        kind = "mixed" if self.quotes.overlapping(start, end) else "indirect"
        return Found(kind, start, end, noun, speaker_span, speaker, noun.sent, cue_lemma=lemma, cue_text=noun.text,
                     cue_category=self.lexicon.categories.get(lemma, "neutral"))

    def _subject_before(self, verb: Token) -> Token | None:
        """'In a statement to the Observer, her adviser, Jake Sullivan, said: …', 'About 4 in 10 say …': the parser
        hung the speaker elsewhere, but the noun phrase right before the cue verb is its subject."""
        if verb.dep_ != "ROOT" or verb.tag_ not in {"VBD", "VBZ", "VBP"}:
            return None
        position = verb.i - 1
        while position >= verb.sent.start and self.doc[position].is_punct and self.doc[position].text in ",—–-":
            position -= 1
        if position < verb.sent.start or self.quotes.covering(self.doc[position].idx) is not None:
            return None
        top = self.doc[position]
        while top.head.i != verb.i and top.head.i < verb.i and top.head is not top:
            top = top.head
        if top.pos_ in {"VERB", "AUX", "NOUN"} and top.dep_ in CONTENT_DEPS and top.head.i == verb.i:
            named = self._apposition_read_as_clause(verb, top)
            if named is not None:
                return named
        if top.head.i != verb.i or top.pos_ not in {"PROPN", "NOUN", "NUM", "ADP"}:
            return None
        if top.pos_ == "ADP":  # 'In Kyiv, Iryna Koval, a political scientist at …, said'
            if top.lower_ in {"according", "to"}:
                return None
            noun = next((c for c in top.children if c.dep_ == "pobj"), None)
            chain = []
            while noun is not None:
                noun = next((c for c in noun.children if c.dep_ in {"appos", "conj"} and c.i > noun.i), None)
                if noun is not None:
                    chain.append(noun)
            return next((t for t in chain if t.ent_type_ == "PERSON"), chain[0] if chain else None)
        person = next((t for t in top.subtree if t.ent_type_ == "PERSON" and t.i < verb.i), None)
        if person is not None and top.pos_ == "PROPN":  # 'Maksym Zhuravel of … insisted', misparsed
            while person.i + 1 < verb.i and self.doc[person.i + 1].ent_type_ == "PERSON" and self.doc[person.i + 1].ent_iob_ == "I":
                person = self.doc[person.i + 1]
            return person
        while top.pos_ == "PROPN" and top.i + 1 < verb.i and self.doc[top.i + 1].pos_ == "PROPN":
            top = self.doc[top.i + 1]  # 'Maksym Zhuravel of …': the name's last word heads it
        return top

    def _speaker_after_quote(self, verb: Token) -> Token | None:
        """'“…,” Mr. Daniloff, now 81 and retired in Cambridge, Mass., said by telephone', '“…,” Brent Bozell III,
        founder of …, tells …': the parser hung the cue on the quotation's own verb and left it no subject; the
        name (or 'he', 'the spokesman') right after the closing mark, before the cue, is the speaker."""
        if any(c.dep_ in SUBJECTS for c in verb.children if self.quotes.covering(c.idx) is None) \
                or self.quotes.covering(verb.idx) is not None:
            return None
        quote = next((q for q in reversed(self.quotes.quotes) if q.outer_end <= verb.idx), None)
        if quote is None or not re.search(r"[,?!][ \t\u00a0]*$", self.text[max(quote.start, quote.end - 1):quote.outer_end]
                                          .rstrip("\"“”‘’'«» \t\u00a0") or self.text[quote.end - 1:quote.end]):
            return None
        between = [t for t in self.doc[verb.sent.start:verb.i] if t.idx >= quote.outer_end]
        words = [t for t in between if not t.is_punct and not t.is_space]
        if not words or len(between) > 25 or words[0].idx != self._next_non_space(self._skip_punct(quote.outer_end)) \
                or any(t.text in {";", ":", "(", ")"} or self.quotes.covering(t.idx) is not None
                       or t.pos_ in {"VERB", "AUX"} and self.lexicon.category_of(t) for t in between):
            return None
        first = words[0]
        if first.pos_ == "PRON":
            return first if first.lower_ in {"he", "she", "they"} and len(words) == 1 else None
        if first.pos_ not in {"PROPN", "DET"} or not first.text[:1].isupper() and first.pos_ == "PROPN":
            return None
        run = [first]
        for token in self.doc[first.i + 1:verb.i]:
            if token.pos_ not in {"PROPN", "NOUN", "ADJ", "NUM"} and token.tag_ != "POS":
                break
            run.append(token)
        head = next((t for t in reversed(run) if t.pos_ in {"PROPN", "NOUN"}), None)
        if head is None or first.pos_ == "DET" and head.pos_ != "NOUN":
            return None
        rest = self.text[run[-1].idx + len(run[-1]):verb.idx].strip()
        if rest and not (rest.startswith(",") and rest.endswith(",")):
            return None  # a name, its apposition between commas, then the cue
        return head

    def _narrator(self, subject: Token) -> bool:
        """'“Okay,” I said': the writer as a speaker, in first-person reporting (never inside a quotation)."""
        return subject.lower_ in NARRATORS and subject.dep_ == "nsubj" and self.quotes.covering(subject.idx) is None

    def _asked(self, verb: Token) -> Found | None:
        """'Asked about the missiles, Trump …', 'when asked by a reporter whether …', 'X was asked why …': the
        question put is reported speech of the questioner (the agent, if named; else unnamed); the content is
        what was asked."""
        if verb.tag_ != "VBN":
            return None
        tokens = self._question(verb)
        if not tokens:
            return None
        start, end = self._trim(tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
        if end - start < 3:
            return None
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        asker = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        speaker_span = self._speaker_span(asker) if asker is not None else None
        speaker = self.resolver.resolve(speaker_span, verb, (start, end)) if speaker_span is not None else None
        kind = "mixed" if self.quotes.overlapping(start, end) else "indirect"
        return Found(kind, start, end, verb, speaker_span, speaker, verb.sent, cue_lemma="ask", cue_text=verb.text,
                     cue_category=self.lexicon.category_of(verb) or "neutral")

    def _question(self, verb: Token) -> list[Token]:
        """What a form of 'ask' asks: 'about …', or a clause opening with 'if', 'whether' or a wh-word ('asked
        the students if they were …'); not a request ('asked to leave', 'asked them to vote')."""
        about = next((c for c in verb.rights if c.dep_ == "prep" and c.lower_ == "about"), None) or next(
            (t for t in verb.subtree if t.i > verb.i and t.dep_ == "prep" and t.lower_ == "about"
             and t.head.i <= verb.i + 6 and self.quotes.covering(t.idx) is None), None)
        if about is not None:
            return [t for t in about.subtree if t.i != about.i]
        clause = next((c for c in verb.children if c.dep_ in {"ccomp", "xcomp", "advcl"} and c.i > verb.i
                       and c.left_edge.lower_ in {"if", "whether", "why", "how", "what", "who", "whom", "which",
                                                  "when", "where"}), None)
        return list(clause.subtree) if clause is not None else []

    def _subject(self, verb: Token) -> tuple[Token | None, Speaker | None]:
        """The cue's subject, inherited through conjunctions and participles; 'X quoted Y as saying'."""
        if verb.dep_ == "pcomp" and verb.head.lower_ == "as" and verb.head.head.lemma_ in QUOTING:
            quoting = verb.head.head
            quoted = next((c for c in quoting.children if c.dep_ in {"dobj", "nsubjpass"}), None)
            outer = next((c for c in quoting.children if c.dep_ == "nsubj"), None)
            via = self.resolver.resolve(self._speaker_span(outer), quoting) if outer is not None else None
            return quoted, via
        if self._verb_read_as_noun(verb):
            return next((c for c in verb.children if c.dep_ == "nsubj"),
                        next((c for c in verb.children if c.dep_ == "compound" and c.pos_ == "PROPN"), None)), None
        inverted = self._inverted_subject(verb) or self._speaker_read_as_head(verb)
        if inverted is not None:
            return inverted, None
        if verb.dep_ == "acl" and verb.tag_ == "VBD" and verb.head.pos_ in {"NOUN", "PROPN"} and verb.head.i < verb.i \
                and not any(c.dep_ in SUBJECTS | {"agent"} for c in verb.children) \
                and self.quotes.covering(verb.head.idx) is None:
            return verb.head, None  # 'In Philadelphia, a group of rabbis called for …': a past tense, not a participle
        if verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.lemma_.lower() in ISSUED_TEXTS \
                and verb.head.dep_ == "dobj" and verb.head.head.pos_ == "VERB":
            issuer = next((c for c in verb.head.head.children if c.dep_ == "nsubj"), None)
            if issuer is not None:  # 'Trump issued a statement saying …', 'the campaign released an ad saying …'
                return issuer, None
        if self._as_reported(verb):
            return self._as_reported_source(verb), None
        if verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.pos_ in {"NOUN", "PROPN"} and verb.head.i < verb.i \
                and verb.head.dep_ != "ROOT" and not any(c.dep_ in SUBJECTS for c in verb.children) \
                and self.quotes.covering(verb.head.idx) is None:
            return verb.head, None  # '911 calls saying shots have been fired', 'staff members suggesting someone …'
            # (not when the parser left the noun heading the sentence: 'A sign saying the road was closed stood …')
        token, inherited = verb, False
        for _ in range(5):
            subjects = [c for c in token.children if c.dep_ in SUBJECTS and self.quotes.covering(c.idx) is None
                        and not (c.pos_ == "PRON" and c.lower_ in NOT_SPEAKERS and self._inside_any_quote(c))]
            subject = subjects[0] if subjects else None
            if len(subjects) > 1 and subjects[1].i < token.i:  # 'The council, the mayor said, will vote': the nearer
                subject = subjects[-1] if subjects[-1].i < token.i else subjects[1]
            climb = inherited and self._is_complement(token) and self.quotes.covering(token.head.idx) is None
            if subject is not None and not climb:
                if subject.lower_ in {"who", "which", "that"} and token.dep_ == "relcl":
                    return token.head, None
                return subject, None
            if climb:
                token = token.head  # 'said X had been … and wrote …': the parser hung 'wrote' on the complement
                continue
            if token.dep_ in {"conj", "advcl", "xcomp", "acomp"} and token.head is not token:
                token, inherited = token.head, True  # '… and added', 'adding', 'was quick to retort'
                continue
            if token.dep_ == "pcomp" and token.head.dep_ == "prep" and token.head.head.pos_ in {"VERB", "AUX"}:
                token, inherited = token.head.head, True  # 'responded by saying …'
                continue
            if token.dep_ == "relcl":
                return token.head, None
            break
        return None, None

    @staticmethod
    def _as_reported(verb: Token) -> bool:
        """'As reported by The Post, …', 'As stated in Davis' commentary, …': a passive 'as' clause with no subject
        of its own, whose source is its 'by' or 'in' phrase, never the subject of the sentence it reports."""
        return verb.dep_ == "advcl" and verb.tag_ == "VBN" and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children) \
            and not any(c.dep_ in SUBJECTS for c in verb.children)

    @staticmethod
    def _as_reported_source(verb: Token) -> Token | None:
        for child in verb.children:
            if child.dep_ == "agent" or child.dep_ == "prep" and child.lower_ in {"in", "by"}:
                source = next((c for c in child.children if c.dep_ == "pobj"), None)
                if source is not None:
                    return source
        return None

    def _has_own_content(self, verb: Token) -> bool:
        """'… and warned North Korea to refrain', '…, adding that …': a coordinated report of its own."""
        lemma = verb.lemma_.lower()
        return any(c.dep_ in CONTENT_DEPS or (c.dep_ == "xcomp" and lemma in DEMANDING)
                   or (c.dep_ == "dobj" and lemma in OBJECT_CUES and c.pos_ != "PRON") for c in verb.children)

    def _clause_head(self, verb: Token) -> Token | None:
        """The verb heading a cue's reported clause (for nesting: 'Ushakov said [Putin had warned that …]')."""
        clause = self._reported_clause(verb)
        if clause is not None:
            return clause
        return verb.head if self._reverse_content(verb) else None

    def _inside_any_quote(self, token: Token) -> bool:
        return self.quotes.covering(token.idx) is not None

    def _inverted_subject(self, verb: Token) -> Token | None:
        """'“…,” added Lauten, who …': right after a closing quotation mark, the name the parser took for an
        object is the speaker."""
        if any(c.dep_ in SUBJECTS for c in verb.children):
            return None
        before = self.text[max(0, verb.idx - 4):verb.idx]
        if not re.search(r"[\"”’'][ \t\u00a0]*$", before):
            return None
        found = next((c for c in verb.rights if c.pos_ == "PROPN" and c.dep_ in {"dobj", "npadvmod", "attr", "appos", "dative"}
                      or c.i == verb.i + 1 and c.text[:1].isupper() and c.dep_ in {"advmod", "npadvmod", "dobj", "attr"}
                      and c.pos_ in {"ADV", "NOUN", "ADJ", "PROPN"}), None)  # '”, said Skelly,' read as an adverb
        return found if found is not None else self._name_given_to_a_later_verb(verb)

    def _name_given_to_a_later_verb(self, verb: Token) -> Token | None:
        """'“…,” said David Brock, a Clinton confidant who heads the super PAC Correct the Record': the name right
        after the cue, which the parser made the subject of a verb further on ('Correct')."""
        run = []
        for token in self.doc[verb.i + 1:verb.sent.end]:
            if token.pos_ != "PROPN" or not token.text[:1].isupper():
                break
            run.append(token)
        if run and run[-1].dep_ in SUBJECTS and run[-1].head.i > run[-1].i \
                and self.quotes.covering(run[-1].head.idx) is None:  # not '“The risk,” said X, “is that …”'
            return run[-1]
        return None

    def _speaker_read_as_head(self, verb: Token) -> Token | None:
        """'“What if …?” the 43-year-old asked in …': right after a closing quotation mark, the parser read the cue
        as a participle modifying the speaker; the noun it hangs on is the speaker."""
        head = verb.head
        if verb.dep_ != "acl" or head.i != verb.i - 1 or head.pos_ not in {"NOUN", "PROPN"} or \
                any(c.dep_ in SUBJECTS | {"agent"} for c in verb.children):
            return None
        before = self.text[max(0, head.left_edge.idx - 4):head.left_edge.idx]
        return head if re.search(r"[\"”’'][ \t\u00a0]*$", before) else None

    def _is_complement(self, token: Token) -> bool:
        """A clause that is the content of a cue verb (not a cue itself)."""
        return token.dep_ == "ccomp" and token.head is not token and bool(self.lexicon.category_of(token.head)) \
            and not self.lexicon.category_of(token)

    def _content(self, verb: Token, subject: Token) -> tuple[str, int, int] | None:
        clause = self._reported_clause(verb) or self._that_clause_in_phrase(verb) or self._that_clause_of_governor(verb)
        if clause is not None:
            start, end = self._clause_span(clause)
            stray_subject = self._object_as_subject(verb, clause) or self._fronted_subject(verb, subject, clause)
            if stray_subject is not None:
                start = stray_subject.left_edge.idx
            for sequel in (c for c in verb.rights if c.dep_ in CONTENT_DEPS and c.i > clause.i > verb.i):
                end = max(end, self._clause_span(sequel)[1])  # 'said the Iranians released by … were close to …'
            end = self._quoted_sequel(verb, clause, end)
            if clause.i > verb.i:
                end = self._reported_sequel(verb, clause, end)
            if clause.i < verb.i:  # 'Facebook created the tool, a spokeswoman said, and it has used it since'
                parenthetical = self._parenthetical(verb, subject)
                if parenthetical is not None and parenthetical[0] <= start:
                    end = max(end, parenthetical[1])
            return self._classify(start, end, verb, subject)
        inverted = self._that_clause_read_as_head(verb)
        if inverted is not None:
            return self._classify(*inverted, verb, subject)
        if self._reverse_content(verb):
            head = verb.head
            excluded = {t.i for t in verb.subtree}
            sentence = verb.sent
            tokens = [t for t in head.subtree if t.i not in excluded and sentence.start <= t.i < sentence.end and not t.is_space
                      and not (t.is_punct and t.text not in _QUOTE_CHARS and t.i == verb.left_edge.i - 1)]
            if self._as_reported(verb) and tokens and tokens[0].i < verb.left_edge.i:
                tokens = [t for t in tokens if t.i < verb.left_edge.i]  # '…, as first reported by Politico.'
            if tokens:
                start, end = self._trim(tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
                parenthetical = self._parenthetical(verb, subject)
                if parenthetical is not None and parenthetical[0] <= start <= parenthetical[1]:
                    end = max(end, parenthetical[1])
                if end > start:
                    return self._classify(start, end, verb, subject)
        demand = self._demand(verb) if verb.lemma_.lower() == "call" else None
        if demand is not None:
            return demand
        question = self._question(verb) if verb.lemma_.lower() == "ask" else []
        if question:
            start, end = self._trim(question[0].idx, question[-1].idx + len(question[-1]))
            if end - start >= 3:
                return self._classify(start, end, verb, subject)
        if verb.lemma_.lower() in CHARACTERIZING:
            characterization = self._characterization(verb)
            if characterization is not None:
                return characterization
        answer = self._short_answer(verb)
        if answer is not None:
            return answer
        quote = self._adjacent_quote(verb, subject)
        if quote is not None:
            return self._direct_with_split(quote, verb, subject)
        parenthetical = self._parenthetical(verb, subject) if not self._has_object(verb) else None
        if parenthetical is not None:
            return self._classify(*parenthetical, verb, subject)
        trailing = self._closing_cue(verb, subject)
        if trailing is not None:
            return self._classify(*trailing, verb, subject)
        return self._quoted_object(verb) or self._demand(verb) or self._object_content(verb) or self._topic(verb)

    def _short_answer(self, verb: Token) -> tuple[str, int, int] | None:
        """'72 percent of Democrats said yes', 'half said so', '43 percent said the same', 'he said no': an answer
        word right after 'say' or 'answer' is what was said (poll results report answers this way)."""
        if verb.lemma_.lower() not in {"say", "answer", "reply", "respond"}:
            return None
        position = verb.i + 1
        while position < len(self.doc) and self.doc[position].dep_ in {"advmod", "neg"} and self.doc[position].lower_ not in ANSWERS \
                and position < verb.i + 3:
            position += 1
        if position >= len(self.doc):
            return None
        word = self.doc[position]
        if word.lower_ in ANSWERS and word.head.i == verb.i:
            end = word
        elif word.lower_ == "the" and position + 1 < len(self.doc) and self.doc[position + 1].lower_ in {"same", "opposite"} \
                and self.doc[position + 1].head.i == verb.i:
            end = self.doc[position + 1]
        else:
            return None
        if self.quotes.covering(word.idx) is not None:
            return None
        after = self.doc[end.i + 1] if end.i + 1 < len(self.doc) else None
        if after is not None and not after.is_punct and after.dep_ not in {"cc", "prep", "npadvmod", "advmod"} \
                and after.lower_ not in {"while", "and", "but", "when", "in", "on", "to", "of", "about"}:
            return None  # 'said so many things', 'said no one'
        return "indirect", word.idx, end.idx + len(end)

    def _parenthetical(self, verb: Token, subject: Token) -> tuple[int, int] | None:
        """'The permit, his campaign said, had been issued in May': a cue clause set off by commas inside the
        sentence it reports; the content is the sentence around it (start to end, the cue clause inside)."""
        sentence = verb.sent
        left = min(verb.idx, subject.left_edge.idx)
        right = self._cue_clause_end(verb, subject, appositions=True)
        before = self.text[sentence.start_char:left].rstrip()
        after = self.text[right:sentence.end_char].lstrip()
        if not before.endswith(",") or not after.startswith(",") or before[:-1].rstrip()[-1:] in _QUOTE_CHARS:
            return None  # '“A,” he said, “B”' is a split quotation
        if self.quotes.covering(left) is not None or len(_WORD.findall(before)) < 2 or len(_WORD.findall(after)) < 2:
            return None
        start, end = self._trim(sentence.start_char, sentence.end_char)
        return (start, end) if end > start else None

    def _closing_cue(self, verb: Token, subject: Token) -> tuple[int, int] | None:
        """'Those who take on heavy debt struggle, even with a "good" job, he said.': a short cue clause that
        closes its sentence after a comma reports the clause before it, though the parser did not link the two.
        Only verbs that report this way ('…, police said', '…, Ash Carter told a Senate panel Wednesday'), and
        only after a clause with a subject of its own that opens the sentence (not 'In an interview, he said')."""
        if verb.lemma_.lower() not in CLOSING_CUES or verb.dep_ not in {"ROOT", "conj"} or subject.i > verb.i or any(
                c.i > verb.i and c.dep_ not in {"npadvmod", "advmod", "prep", "dative", "dobj", "punct"}
                or c.dep_ == "dobj" and verb.lemma_.lower() not in ADDRESSING for c in verb.children):
            return None
        sentence = verb.sent
        left = min(verb.idx, subject.left_edge.idx)
        before = self.text[sentence.start_char:left].rstrip()
        after = self.text[verb.idx + len(verb):sentence.end_char]
        if not before.endswith(",") or before[:-1].rstrip()[-1:] in _QUOTE_CHARS or len(_WORD.findall(after)) > 8:
            return None
        opening = self.doc.char_span(sentence.start_char, sentence.start_char + len(before) - 1, alignment_mode="contract")
        if opening is None or len(opening) < 3 or opening[0].pos_ in {"SCONJ", "ADP"} or self.quotes.covering(left) \
                or not any(t.dep_ in {"nsubj", "nsubjpass", "expl"} and t.head.pos_ in {"VERB", "AUX"} for t in opening):
            return None
        start, end = self._trim(opening.start_char, opening.end_char)
        return (start, end) if end > start else None

    @staticmethod
    def _has_object(verb: Token) -> bool:
        return any(c.dep_ in {"dobj", "xcomp", "ccomp", "prep"} and c.i > verb.i and c.dep_ != "prep" for c in verb.children)

    def _reported_clause(self, verb: Token) -> Token | None:
        """The cue's clausal complement; with one on each side ('… terrorism: 47% say the United States should …'),
        the one after the cue, unless the one before runs into the cue with no colon or semicolon between."""
        clauses = [c for c in verb.children if c.dep_ in CONTENT_DEPS]
        if len(clauses) > 1 and clauses[0].i < verb.i < clauses[-1].i:
            if self._colon_after(clauses[0], verb) or self._introduced(verb, clauses[-1]) \
                    or self._between_subject_and_cue(verb, clauses[0]) or self._adverbial(clauses[0]):
                return clauses[-1]
        if len(clauses) == 1 and clauses[0].i < verb.i and (
                self._colon_after(clauses[0], verb) and any(c.dep_ in {"dobj", "oprd", "xcomp"} and c.i > verb.i
                                                            for c in verb.children)
                or self._colon_after(clauses[0], verb, marks={":"})
                and not self.quotes.overlapping(*self._clause_span(clauses[0]))):
            return None  # 'Others sounded equivocal: Jane Harman called it “the least bad option”', 'We have been
            # here before: Osama bin Laden declared war on …': a sentence the cue's clause explains, not its content
        if len(clauses) == 1 and clauses[0].i < verb.i and self._adverbial(clauses[0]) \
                and not self.quotes.overlapping(*self._clause_span(clauses[0])):
            return None  # 'After the senator suspended his campaign, Cruz said …': when, not what
        return clauses[0] if clauses else self._gerund_subject_clause(verb)

    @staticmethod
    def _adverbial(clause: Token) -> bool:
        """'In a statement released shortly after the senator suspended his campaign, Cruz said he …': a clause
        before the cue that opens with 'after', 'when', 'because' … is the time or the reason, not what was said."""
        return any(c.dep_ == "mark" and c.lower_ in ADVERBIAL_MARKS for c in clause.children)

    def _gerund_subject_clause(self, verb: Token) -> Token | None:
        """'He said legalizing it could put thousands of people to work': the parser took the gerund that opens
        the reported clause for the cue's own complement and hung the clause's verb on it."""
        if verb.lemma_.lower() in GERUND_CUES:
            return None  # 'denied having met him' is a gerund report of its own
        gerund = next((c for c in verb.children if c.dep_ == "xcomp" and c.tag_ == "VBG" and c.i > verb.i
                       and all(t.dep_ in {"advmod", "punct"} for t in self.doc[verb.i + 1:c.left_edge.i])), None)
        if gerund is None:
            return None
        finite = any(c.dep_ in CONTENT_DEPS and any(g.dep_ in SUBJECTS | {"aux"} or g.tag_ in {"VBD", "VBZ", "VBP", "MD"}
                                                    for g in [c, *c.children]) for c in gerund.children)
        return gerund if finite else None

    def _colon_after(self, clause: Token, verb: Token, marks: frozenset[str] | set[str] = frozenset({":", ";"})) -> bool:
        """Whether a colon (or semicolon) stands between a clause before the cue (it may end the clause) and the cue."""
        last = max((t for t in clause.subtree if not t.is_punct), key=lambda t: t.i, default=clause)
        return any(t.text in marks for t in self.doc[last.i + 1:verb.i])

    def _between_subject_and_cue(self, verb: Token, clause: Token) -> bool:
        """'Jeffrey Salkin, a Hollywood, Fla., rabbi helping to organize the boycott, said he …': a 'clause' the
        parser found between the cue's subject and the cue is the subject's apposition, not what was said."""
        return any(c.dep_ in SUBJECTS and c.i < clause.left_edge.i for c in verb.children) \
            or self._apposition_read_as_clause(verb, clause) is not None

    def _apposition_read_as_clause(self, verb: Token, clause: Token) -> Token | None:
        """The name of 'Name, a … rabbi …, said he …' when the parser made the apposition a clause before the cue
        (with the name as its subject) and the cue has a clause of its own after it."""
        if clause.i > verb.i or not any(c.dep_ in CONTENT_DEPS and c.i > verb.i for c in verb.children):
            return None
        name = next((c for c in clause.children if c.dep_ in SUBJECTS and c.pos_ == "PROPN"
                     and c.left_edge.i == clause.left_edge.i), None)
        if name is None or name.i + 1 >= verb.i or self.doc[name.i + 1].text != "," \
                or self.doc[verb.i - 1].text != ",":
            return None
        return name

    def _introduced(self, verb: Token, clause: Token) -> bool:
        """A clause that follows the cue with no comma between and opens with 'that' is what the cue reports,
        whatever the parser hung before it: 'Claiming the criticism is designed to …, Trump told Fox that "they …"'
        (but 'It makes a difference, she said in an interview, that Cruz …' is one content)."""
        first = clause.left_edge
        return first.lower_ == "that" and first.dep_ == "mark" and not any(t.text == "," for t in self.doc[verb.i + 1:first.i])

    @staticmethod
    def _opens_with_that(clause: Token) -> bool:
        first = next((t for t in clause.subtree if not t.is_punct), clause)
        return first.lower_ == "that" and first.dep_ == "mark" and first.head.i == clause.i

    def _that_clause_of_governor(self, verb: Token) -> Token | None:
        """'The Kremlin continued to maintain, despite the reports, that no summit …': the parser hung the 'that'
        clause on the verb governing the cue ('continued') instead of the cue."""
        if verb.dep_ != "xcomp":
            return None
        return next((c for c in verb.head.children if c.dep_ in {"ccomp", "advcl"} and c.i > verb.i
                     and self._opens_with_that(c)), None)

    def _that_clause_read_as_head(self, verb: Token) -> tuple[int, int] | None:
        """'The nominee continues to insist, most recently in an interview, that he wants to …': the parser made
        the 'that' clause the head of the sentence, and the cue (or the verb governing it) its complement."""
        governor = verb.head if verb.dep_ == "xcomp" else verb
        head = governor.head
        if governor.dep_ != "ccomp" or head.i <= verb.i:
            return None
        mark = next((g for g in head.children if g.dep_ == "mark" and g.lower_ == "that" and g.i > verb.i), None)
        if mark is None or any(t.i > verb.i and t.i < mark.i and t.pos_ in {"VERB", "AUX"} for t in governor.subtree):
            return None
        tokens = [t for t in head.subtree if t.i > mark.i]
        if not tokens:
            return None
        start, end = self._trim(tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
        return (start, end) if end > start else None

    @staticmethod
    def _that_clause_in_phrase(verb: Token) -> Token | None:
        """'says in a statement that the race …', 'wrote on Facebook that …': the parser hung the reported
        clause on the noun of the cue's phrase."""
        for prep in verb.rights:
            if prep.dep_ not in {"prep", "dobj", "dative"}:
                continue
            for clause in prep.subtree:  # also deeper: 'is telling customers at a Manchester breakfast spot that …'
                if clause.dep_ in {"acl", "relcl", "ccomp"} and clause.i > clause.head.i and clause.head.pos_ in {"NOUN", "PROPN"} \
                        and (any(g.dep_ == "mark" and g.lower_ == "that" for g in clause.children)
                             or clause.left_edge.lower_ == "that" and clause.left_edge.pos_ == "SCONJ"
                             and any(g.dep_ == "nsubj" and g.pos_ != "SCONJ" for g in clause.children)) \
                        and all(a.pos_ not in {"VERB", "AUX"} for a in clause.ancestors if a.i > verb.i and a.i < clause.i) \
                        and (prep.dep_ == "prep" or clause.head.i != prep.i):
                    return clause
        return None

    def _object_content(self, verb: Token) -> tuple[str, int, int] | None:
        """'noted the clot's existence', 'criticized the plan as reckless', 'called her vote a mistake':
        for verbs whose object is what is said, the object (with its complement) is the content."""
        if verb.lemma_.lower() not in OBJECT_CUES:
            return None
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        if obj is None:
            return self._gerund_content(verb) or self._named_as(verb)
        if obj.pos_ == "PRON" and obj.lower_ in {"it", "this", "that", "nothing", "something", "so"} \
                or obj.lower_ in {"little", "much", "more", "less", "anything"} and obj.left_edge.i == obj.right_edge.i:
            return None  # 'said little', 'did not reveal much': how much was said, not what
        if obj.text.startswith("@") and obj.left_edge.i == obj.right_edge.i:
            return None  # 'He tweets @pmorici1': where, not what
        tokens = [] if obj.lower_ in {"what", "which"} else list(obj.subtree)
        complements = [c for c in verb.rights if c.i > obj.i and c.dep_ in {"oprd", "xcomp", "ccomp"}]
        if verb.lemma_.lower() in CHARACTERIZING - REPORTING_OBJECT and not complements and not self.quotes.overlapping(
                obj.left_edge.idx, obj.right_edge.idx + len(obj.right_edge)):
            return None  # 'called an emergency meeting', 'called Alicia Machado on Friday'
        for child in verb.rights:
            if child.i > obj.i and (child.dep_ in {"oprd", "xcomp", "ccomp"} or
                                    child.dep_ == "prep" and child.lower_ in {"as", "for", "of", "over", "at"} or
                                    child.dep_ == "advcl" and child.left_edge.lower_ == "as" or
                                    child.dep_ == "advcl" and child.left_edge.lower_ == "to"
                                    and obj.lemma_.lower() in INTENTION_NOUNS or  # 'announced plans this week to give …'
                                    self._object_modifier(child, tokens)):
                tokens.extend(child.subtree)
        if not tokens:
            return None
        start, end = self._trim(min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens))
        if end - start < 3:
            return None
        quotes = self.quotes.overlapping(start, end)
        if quotes:
            return "mixed", start, max(end, quotes[-1].end)
        return "indirect", start, end

    def _named_as(self, verb: Token) -> tuple[str, int, int] | None:
        """'O'Malley calling Trump a fascist': the parser read the person named as the cue's complement and the
        name given as that person's object; both together are what was said."""
        if verb.lemma_.lower() not in CHARACTERIZING:
            return None
        named = next((c for c in verb.children if c.dep_ in {"xcomp", "oprd"} and c.i == verb.i + 1
                      and c.pos_ in {"PROPN", "NOUN", "PRON"}), None)
        if named is None or not any(g.i > named.i and g.pos_ in {"NOUN", "ADJ"} and g.dep_ in {"dobj", "attr", "oprd", "appos"}
                                    for g in named.children):
            return None
        start, end = self._trim(named.left_edge.idx, named.right_edge.idx + len(named.right_edge))
        return ("mixed" if self.quotes.overlapping(start, end) else "indirect"), start, end

    @staticmethod
    def _object_modifier(child: Token, tokens: list[Token]) -> bool:
        """'recalled her opposition to …', 'announced the deal with state lawmakers', 'charging the Islamic State
        with …': a phrase the parser hung on the cue right after its object belongs to the object; not a date, a
        place or the audience ('praised him to reporters on Monday')."""
        if child.dep_ != "prep" or child.lower_ not in OBJECT_PREPOSITIONS or not tokens \
                or child.i != max(t.i for t in tokens) + 1:
            return False
        if any(t.dep_ == "dobj" and t.pos_ in {"PROPN", "PRON"} for t in tokens):
            return False  # 'praised Obama after the meeting': a person praised, then the circumstances
        pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
        return pobj is not None and pobj.ent_type_ not in {"DATE", "TIME", "GPE", "LOC", "FAC"} \
            and pobj.lemma_.lower() not in AUDIENCES

    def _topic(self, verb: Token) -> tuple[str, int, int] | None:
        """'spoke about the assault', 'commented on the verdict', 'did not respond to a request for comment':
        with no clause or object, what the speech was about is its content."""
        lemma = verb.lemma_.lower()
        wanted = TOPIC_PREPOSITIONS.get(lemma, set()) | {"about"}
        prep = next((c for c in verb.rights if c.dep_ == "prep" and c.lower_ in wanted), None)
        obj = next((c for c in prep.children if c.dep_ in {"pobj", "pcomp"}), None) if prep is not None else None
        if obj is None or obj.pos_ == "PRON" and obj.lower_ in {"it", "this", "that", "them", "him", "her"}:
            return None
        if prep.lower_ == "to" and obj.lemma_.lower() not in ANSWERED:
            return None  # 'responded to the reporters with a smile': not what was answered
        start, end = self._trim(obj.left_edge.idx, obj.right_edge.idx + len(obj.right_edge))
        if end - start < 3:
            return None
        return ("mixed" if self.quotes.overlapping(start, end) else "indirect"), start, end

    def _gerund_content(self, verb: Token) -> tuple[str, int, int] | None:
        """'reported holding investments in …', 'denied having met him': a gerund clause is what is said."""
        if verb.lemma_.lower() not in GERUND_CUES:
            return None
        clause = next((c for c in verb.rights if c.dep_ in {"xcomp", "ccomp"} and c.tag_ == "VBG"
                       and c.left_edge.i == c.i), None)
        if clause is None:
            return None
        start, end = self._trim(clause.idx, clause.right_edge.idx + len(clause.right_edge))
        return ("mixed" if self.quotes.overlapping(start, end) else "indirect"), start, end

    def _demand(self, verb: Token) -> tuple[str, int, int] | None:
        """'called for steep new tariffs', 'called on Congress to act', 'urged voters to register', 'vowed to
        veto it': what is demanded or promised is the content."""
        lemma = verb.lemma_.lower()
        if lemma == "call":
            prep = next((c for c in verb.children if c.dep_ == "prep" and c.i > verb.i and (
                c.lower_ == "for" or c.lower_ in {"on", "upon"} and c.i == verb.i + 1)), None) or next(
                (c for c in verb.rights if c.dep_ == "advcl" and c.left_edge.lower_ == "for"), None)  # not 'called him on Friday'
            if prep is None:
                return None
            tokens = list(prep.subtree)[1:]
            tokens += [t for c in verb.children if c.dep_ in {"xcomp", "ccomp"} and c.i > prep.i for t in c.subtree]
        elif lemma in DEMANDING:
            complement = next((c for c in verb.children if c.dep_ in {"xcomp", "ccomp"}), None)
            if complement is None:
                return None
            if lemma in {"promise", "threaten"} and complement.dep_ == "xcomp" and complement.lemma_.lower() in {"be", "become"}:
                return None  # 'the debate promised to be a crucial moment': likelihood, not a promise
            obj = next((c for c in verb.children if c.dep_ in {"dobj", "dative"} and c.i < complement.i), None)
            tokens = (list(obj.subtree) if obj is not None else []) + list(complement.subtree)
        else:
            return None
        tokens = [t for t in tokens if not (t.dep_ == "aux" and t.lower_ == "to" and t.i == tokens[0].i)] or tokens
        if not tokens:
            return None
        start, end = self._trim(min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens))
        return ("mixed" if self.quotes.overlapping(start, end) else "indirect"), start, end

    def _quoted_object(self, verb: Token) -> tuple[str, int, int] | None:
        """'restated his preference for “a peaceful political-diplomatic resolution”': a quoted object."""
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        if obj is None:
            return None
        start, end = obj.left_edge.idx, obj.right_edge.idx + len(obj.right_edge)
        quotes = self.quotes.overlapping(start, end)
        if not quotes:
            return None
        return "mixed", start, max(end, quotes[-1].end)

    def _quoted_sequel(self, verb: Token, clause: Token, end: int) -> int:
        """'told Fox News the reading may be "a bit of theater," but it is "not insignificant …"': the parser
        hangs the second reported clause on the cue verb; with a quotation in it, it is still reported speech."""
        for child in verb.rights:
            if child.dep_ != "conj" or child.i < clause.i or self.lexicon.category_of(child):
                continue
            subject = next((c for c in child.children if c.dep_ in SUBJECTS), None)
            if subject is None or self.quotes.covering(subject.idx) is not None \
                    or self.quotes.covering(child.left_edge.idx) is not None:
                continue  # a split quote's second half is handled as one quotation
            child_end = child.right_edge.idx + len(child.right_edge)
            quotes = self.quotes.overlapping(child.left_edge.idx, child_end)
            if quotes and not self.text[end:child.left_edge.idx].count("\n"):
                return max(child_end, quotes[-1].end)
        return end

    def _fronted_subject(self, verb: Token, subject: Token, clause: Token) -> Token | None:
        """'The council, the mayor said, will vote …': the parser gave the cue the reported clause's subject too;
        it stands before the speaker, a comma between, and the clause has no subject of its own."""
        if clause.i < verb.i or any(c.dep_ in SUBJECTS | {"expl"} for c in clause.children):
            return None
        fronted = next((c for c in verb.children if c.dep_ in SUBJECTS and c.i < subject.left_edge.i), None)
        if fronted is None or self.text[fronted.right_edge.idx + len(fronted.right_edge):subject.left_edge.idx].strip() != ",":
            return None
        return fronted

    def _reported_sequel(self, verb: Token, clause: Token, end: int) -> int:
        """'said that A and that B', 'said she hoped to get it back, and then would continue …': a second reported
        clause the parser coordinated with the cue verb - opening with 'that', or with no subject of its own and a
        backshifted auxiliary ('would', 'had') - is part of what was said."""
        for child in verb.rights:
            if child.dep_ != "conj" or child.i < clause.i or self.lexicon.category_of(child) \
                    or self.quotes.covering(child.left_edge.idx) is not None:
                continue
            that = any(g.dep_ == "mark" and g.lower_ == "that" for g in child.children)
            backshifted = not any(g.dep_ in SUBJECTS for g in child.children) and any(
                g.dep_ == "aux" and g.lower_ in {"would", "could", "should", "might", "had"} for g in child.children)
            if (that or backshifted) and "\n" not in self.text[end:child.left_edge.idx]:
                edge = child.right_edge
                end = max(end, self._trim(child.left_edge.idx, edge.idx + len(edge))[1])
        return end

    @staticmethod
    def _object_as_subject(verb: Token, clause: Token) -> Token | None:
        """'told Trump the missiles would …', 'said life for the next generation would be worse': the parser may
        take the clause's subject for an object (and its modifier for one of the cue's phrases)."""
        if any(c.dep_ in SUBJECTS | {"expl"} for c in clause.children):
            return None
        for obj in (c for c in verb.children if c.dep_ == "dobj" and c.i < clause.left_edge.i):
            edge = obj.right_edge.i
            for prep in (c for c in verb.children if c.dep_ == "prep" and c.i == edge + 1 and c.i < clause.left_edge.i
                         and verb.lemma_.lower() not in ADDRESSING and clause.left_edge.lower_ != "that"):
                edge = prep.right_edge.i  # not 'tells reporters outside a polling place that …'
            if edge + 1 == clause.left_edge.i:
                return obj
        return None

    def _reverse_content(self, verb: Token) -> bool:
        """'Budapest was the likely venue, the Kremlin aide said': the parse hangs the cue on its content."""
        head = verb.head
        if head is verb or head.pos_ not in {"VERB", "AUX"}:
            return False
        if verb.dep_ == "parataxis":
            return True
        if verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children):
            return True  # "As the Post reported, the inspector general issued subpoenas" 
        return (verb.dep_ == "ccomp" and head.i < verb.i and not any(c.dep_ == "mark" for c in verb.children)
                and not self.lexicon.category_of(head))

    def _classify(self, start: int, end: int, verb: Token, subject: Token) -> tuple[str, int, int]:
        """Reported clause, quotation, or reported clause with a quoted fragment."""
        overlapping = self.quotes.overlapping(start, end)
        if overlapping:
            if len(overlapping) == 1 and self._only_quote(start, end, overlapping[0]):
                return self._direct_with_split(overlapping[0], verb, subject)
            start = min([start, *(q.outer_start for q in overlapping if q.outer_start >= start - 2)])
            end = max([end, *(q.outer_end if q.end <= end + 2 else q.end for q in overlapping if q.start >= start)])
            return "mixed", *self._trim(start, end)
        return "indirect", start, end

    def _only_quote(self, start: int, end: int, quote: Quote) -> bool:
        """Whether a clause is all quotation, but for a word or so ('that', a conjunction)."""
        outside = self.text[start:max(start, quote.outer_start)] + " " + self.text[min(end, quote.outer_end):end]
        words = [w.lower() for w in _WORD.findall(outside)]
        return all(w in {"that", "and", "but", "so", "then"} for w in words) and quote.end - quote.start >= 0.5 * (end - start)

    def _direct_with_split(self, quote: Quote, verb: Token, subject: Token) -> tuple[str, int, int]:
        """A quotation, joined with its second half when the cue sits inside a split quote."""
        start, end = quote.start, quote.end
        if quote.outer_start > verb.idx and subject.head.i == verb.i:
            clause_start = min(verb.idx, subject.left_edge.idx)
            before = [q for q in self.quotes.quotes if q.outer_end <= clause_start
                      and re.fullmatch(r"[ \t\u00a0]*[,:;—–-]?[ \t\u00a0]*", self.text[q.outer_end:clause_start])]
            if before and re.search(r"[.!?…][\"“”‘’'«» \t\u00a0]*$", self.text[before[-1].start:before[-1].outer_end]):
                before = []  # '“We are not terrorists.” Mr. Zahed said: “…”': a finished sentence, another speaker's
            if before and re.fullmatch(r"[ \t\u00a0]*[,:]?[ \t\u00a0]*", self.text[self._cue_clause_end(verb, subject, True):quote.outer_start]):
                start = before[-1].start
        if quote.outer_end <= verb.idx:
            clause_end = self._cue_clause_end(verb, subject, appositions=True)
            after = self.quotes.covering(self._next_non_space(self._skip_punct(clause_end)))
            gap = self.text[clause_end:after.outer_start] if after is not None else ""
            if after is not None and after.outer_start >= clause_end and \
                    re.fullmatch(r"[ \t\u00a0]*[,:;—–-]?[ \t\u00a0]*", gap) and \
                    not (not gap.strip() and self._short_title(after)):  # 'said on NBC's “Meet the Press.”'
                end = after.end
        return "direct", start, end

    def _adjacent_quote(self, verb: Token, subject: Token) -> Quote | None:
        """A quotation right before the cue clause ("…," she said) or right after it (told reporters: "…")."""
        sentence = verb.sent
        left = min(verb.idx, subject.left_edge.idx)
        before = [q for q in self.quotes.quotes if q.outer_end <= left
                  and (sentence.start_char <= q.outer_end or self._cue_sentence_is_bare(sentence, verb, subject))
                  and not self.text[q.outer_end:left].strip(" ,;:—–-")]
        if before and self._inside_opening_phrase(verb, before[-1]):
            return None  # 'Bemoaning the “phony system,” Trump accused Holt of …': the opening phrase's words
        if before:
            return before[-1]
        right = self._cue_clause_end(verb, subject)
        gap = self.text[right:right + 6]
        match = re.match(r"^\s*[:,]?\s*", gap)
        position = right + (match.end() if match else 0)
        quote = self.quotes.covering(position)
        if quote is not None and quote.outer_start == position and self.text[right:position].strip() in {":", ","}:
            return quote
        return None

    def _inside_opening_phrase(self, verb: Token, quote: Quote) -> bool:
        """Whether a quotation before the cue lies inside a participle phrase that opens the cue's sentence with
        a verb of its own before the quotation ('Bemoaning the “phony system,” Trump accused …')."""
        for child in verb.lefts:
            if child.dep_ != "advcl" or child.tag_ not in {"VBG", "VBN"} or child.idx >= quote.outer_start \
                    or self.quotes.covering(child.idx) is not None:
                continue
            edge = child.right_edge
            if child.left_edge.idx <= quote.outer_start and quote.start <= edge.idx + len(edge):
                return True
        return False

    @staticmethod
    def _cue_sentence_is_bare(sentence: Span, verb: Token, subject: Token) -> bool:
        """'“… for baseball?” Obama said.': the parser closed the sentence at the question mark, leaving the cue
        and its speaker alone in a sentence of their own."""
        return sentence.start_char >= min(verb.idx, subject.left_edge.idx) - 1 and verb.i - sentence.start <= 6

    def _cue_clause_end(self, verb: Token, subject: Token, appositions: bool = False) -> int:
        """Where the cue's own words end: 'Schiff told Capital Download on Wednesday|, "…"'. With
        ``appositions``, the speaker's apposition counts ('said X, a fellow at Y|, "…"'), never a relative
        clause ('…, whose book "…" examines')."""
        speaker_end = subject.idx + len(subject)
        for child in subject.rights:
            if child.dep_ in {"relcl", "acl"} or (child.dep_ == "appos" and not appositions):
                break
            if child.dep_ in {"appos", "prep", "compound", "flat", "amod", "nummod"}:
                edge = max((t for t in child.subtree if t.dep_ != "relcl"), key=lambda t: t.i)
                speaker_end = edge.idx + len(edge)
        right = max(verb.idx + len(verb), speaker_end if subject.i > verb.i else verb.idx + len(verb))
        for child in verb.rights:
            if child.dep_ in {"dobj", "dative", "prep", "npadvmod", "advmod", "nsubj"} and self.quotes.covering(child.idx) is None:
                clauses = {t.i for c in child.subtree if c.dep_ in {"relcl", "acl"} and c.i > child.i
                           and any(self.lexicon.category_of(g) for g in c.subtree if g.pos_ == "VERB") for t in c.subtree}
                edge = max((t for t in child.subtree if self.quotes.covering(t.idx) is None and t.i not in clauses),
                           key=lambda t: t.i)
                right = max(right, edge.idx + len(edge))
        return right

    def _characterization(self, verb: Token) -> tuple[str, int, int] | None:
        """'described the talks as "…"', 'called it "very productive"', 'calls it "the pearl" on the Silk Road':
        the cue's object and complements, up to a coordinated report ('… and accused him of …'), when a
        quotation is among them."""
        children = []
        for child in verb.rights:
            if child.dep_ in {"cc", "conj"}:
                break  # 'called him divisive and accused him of …': the next report is its own
            if child.dep_ == "punct":
                continue
            before = self.doc[child.left_edge.i - 1] if child.left_edge.i > 0 else None
            if children and before is not None and (before.text in {",", "—", "–", "--"} or before.text in {'"', "”", "''"}
                                                    and self.doc[before.i - 1].text == ","):
                break  # 'called him a "moderate," a subtle dig at …': the writer's aside
            children.append(child)
        if not children:
            return None
        reports = {t.i for c in children for r in c.subtree if r.dep_ == "conj" and r.pos_ == "VERB"
                   and self.lexicon.category_of(r) for t in self.doc[r.left_edge.i - 1:r.right_edge.i + 1]}
        tokens = sorted((t for c in children for t in c.subtree if t.i not in reports), key=lambda t: t.i)
        aside = next((t.i + (t.text not in {",", "—", "–", "--"}) for t in tokens if t.i + 1 < len(self.doc) and t.i > tokens[0].i
                      and (t.text in {",", "—", "–", "--"} and self.quotes.covering(t.idx) is None
                           or t.text in {'"', "”", "''"} and self.doc[t.i - 1].text == ",")
                      and any(d.left_edge.i == t.i + 1 and d.dep_ in {"relcl", "appos", "advcl", "acl", "npadvmod"}
                              for d in self.doc[t.i + 1:min(len(self.doc), t.i + 8)])), None)
        if aside is not None:  # 'called him a "moderate," a subtle dig at …', '…, linking to a story …'
            tokens = [t for t in tokens if t.i < aside] or tokens
        start = children[0].left_edge.idx if children[0].left_edge.i > verb.i else children[0].idx
        end = max(t.idx + len(t) for t in tokens)
        quotes = self.quotes.overlapping(start, end)
        if not quotes:
            return None
        for quote in quotes:
            end = max(end, quote.outer_end if quote.end <= end + 2 else quote.end)
        start, end = self._trim(start, end)
        return "mixed", start, end

    # ----------------------------------------------------------------------------------- according to

    def _according_to(self, according: Token) -> Found | None:
        to = next(c for c in according.children if c.lower_ == "to")
        source = next((c for c in to.children if c.dep_ == "pobj"), None)
        speaker_span = self._speaker_span(source) if source is not None else self._noun_phrase_after(to)
        if speaker_span is None:
            return None
        speaker = self.resolver.resolve(speaker_span, according.head)
        sentence = according.sent
        phrase = {t.i for t in according.subtree} | {t.i for t in speaker_span}
        clause = according.head if according.head is not according else according
        scope = [t for t in clause.subtree if sentence.start <= t.i < sentence.end] if clause.pos_ in {"VERB", "AUX"} else list(sentence)
        words = [t for t in sentence if not t.is_space and not (t.is_punct and t.text not in _QUOTE_CHARS)]
        if words and words[-1].i in phrase and words[0].i not in phrase:
            scope = [t for t in sentence if t.i < according.i]  # '…, according to X.': all the sentence before
        tokens = [t for t in scope if t.i not in phrase and not t.is_space and not (t.is_punct and t.text not in _QUOTE_CHARS)]
        brackets = self._brackets_around(according)
        if brackets is not None:  # 'Iowa (93 percent of voters there were white, according to exit polls)'
            tokens = [t for t in sentence if brackets[0] < t.i < brackets[1] and t.i not in phrase and not t.is_space
                      and not (t.is_punct and t.text not in _QUOTE_CHARS)]
        if not tokens:
            return None
        start, end = self._trim(tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
        if end - start < 3:
            return None
        return Found("according_to", start, end, according, speaker_span, speaker, sentence,
                     cue_lemma="according to", cue_text=f"{according.text} {to.text}", cue_category="neutral",
                     clause_head=self._reported_under(clause) or (clause if clause is not according else None))

    def _brackets_around(self, token: Token) -> tuple[int, int] | None:
        """The indices of the round brackets that enclose a token within its sentence, if any."""
        sentence = token.sent
        opening = next((t.i for t in reversed(sentence[:token.i - sentence.start]) if t.text in "()"), None)
        closing = next((t.i for t in sentence[token.i - sentence.start + 1:] if t.text in "()"), None)
        if opening is None or closing is None or self.doc[opening].text != "(" or self.doc[closing].text != ")":
            return None
        return opening, closing

    def _noun_phrase_after(self, token: Token) -> Span | None:
        """'according to the F.A.A.' parsed with no object: the words right after 'to' that can make up a name or
        a noun phrase ('the F.A.A.', 'a State Department official')."""
        end = token.i + 1
        while end < len(self.doc) and end < token.i + 8 and self.doc[end].tag_ in _NOUN_PHRASE_TAGS:
            end += 1
        nouns = [t for t in self.doc[token.i + 1:end] if t.tag_ in {"NN", "NNS", "NNP", "NNPS"}]
        return self.doc[token.i + 1:nouns[-1].i + 1] if nouns else None

    def _reported_under(self, token: Token) -> Token | None:
        """The cue verb whose report holds a token: '…warned that X would … undermine …, according to Ushakov'."""
        for candidate in [token, *token.ancestors]:
            if candidate.pos_ == "VERB" and self.lexicon.category_of(candidate) \
                    and any(c.dep_ in SUBJECTS for c in candidate.children):
                return candidate
        return None

    # ---------------------------------------------------------------------------------------- nesting

    def _resolve_nesting(self, found: list[Found]) -> list[Found]:
        """'According to Ushakov, Putin told Trump that …' and 'Ushakov said Putin had warned that …':
        keep the inner attribution, with the outer speaker as ``via``."""
        keep = []
        for outer in found:
            inner = [f for f in found if f is not outer and f.cue is not None and f.speaker_span is not None
                     and outer.clause_head is not None and f.cue.i == outer.clause_head.i
                     and outer.content_start <= f.speaker_span.start_char < outer.content_end
                     and outer.content_start <= f.content_start and f.content_end <= outer.content_end + 2
                     and f.kind != "according_to"]
            if inner and outer.kind in {"indirect", "according_to", "mixed"}:
                for f in inner:
                    f.via = f.via or outer.speaker
                continue
            if outer.kind == "according_to":
                host = next((f for f in found if f.kind != "according_to" and f.cue is not None
                             and outer.clause_head is not None and f.cue.i == outer.clause_head.i), None)
                if host is not None:
                    host.via = host.via or outer.speaker
                    continue
            keep.append(outer)
        return keep

    def _drop_overlaps(self, found: list[Found]) -> list[Found]:
        """Two cues claiming the same content (a split quote's two halves): keep the first found."""
        kept: list[Found] = []
        for item in sorted(found, key=lambda f: (f.content_start, -(f.content_end - f.content_start))):
            clash = next((k for k in kept if item.content_start < k.content_end and k.content_start < item.content_end
                          and _overlap(item, k) >= 0.8 * min(item.content_end - item.content_start, k.content_end - k.content_start)), None)
            if clash is None:
                kept.append(item)
        return kept

    # ------------------------------------------------------------------ quotes joined to their speaker

    def _claimed(self, found: list[Found], quote: Quote) -> bool:
        return any(f.content_start < quote.end and quote.start < f.content_end for f in found)

    def _merge_following_quotes(self, found: list[Found]) -> None:
        """'“A,” said X, a physicist. “B.”': quotation sentences that follow a direct quote's cue in the same
        paragraph, with nothing else between, are part of that quotation."""
        for item in found:
            if item.cue is None or item.kind == "according_to" or (item.kind != "direct" and item.cue.idx < item.content_start):
                continue
            others = [f for f in found if f is not item]
            position, first = item.content_end, True
            while True:
                following = next((q for q in self.quotes.quotes if q.outer_start >= position and q.start > item.content_end
                                  and not (first and self._title_in_cue_clause(item.cue, position, q))), None)
                if following is None or self._claimed(others, following) or not self._ends_a_sentence(following):
                    break
                between = self.text[position:following.outer_start]
                if "\n" in between:
                    break
                if first:  # the cue's sentence, then the next quotation: '…,” she said on Friday. “…'
                    if not (position <= item.cue.idx < following.outer_start and _SENTENCE_GAP.search(between)) \
                            or self._sentences_between(item.cue, following) > 0:
                        break
                elif between.strip(" \t\u00a0"):
                    break
                item.content_end = following.end
                position, first = following.outer_end, False

    def _short_title(self, quote: Quote) -> bool:
        words = _WORD.findall(self.text[quote.start:quote.end])
        return 0 < len(words) <= 5 and all(w[:1].isupper() or w.lower() in TITLE_SMALL_WORDS for w in words)

    def _title_in_cue_clause(self, cue: Token, position: int, quote: Quote) -> bool:
        """'“…,” Trump said on NBC's “Meet the Press.” “…”': a short quoted title after the cue, in its own clause
        (no sentence ends between the quote and it), is a name, not the next quotation."""
        return (cue.idx < quote.outer_start and self._short_title(quote)
                and quote.outer_start < cue.sent.end_char
                and "\n" not in self.text[position:quote.outer_start])

    def _sentences_between(self, cue: Token, quote: Quote) -> int:
        """Whole sentences between the cue's sentence and a quotation ('… says Roloson. Roloson supports X. “…”')."""
        sentence_end = cue.sent.end_char
        span = self.doc.char_span(sentence_end, quote.outer_start, alignment_mode="contract")
        if span is None:
            return 0
        return sum(1 for s in span.sents if any(not t.is_space and not t.is_punct for t in s))

    def _ends_a_sentence(self, quote: Quote) -> bool:
        """A quotation that is a sentence on its own: it ends in sentence punctuation, or its paragraph ends."""
        inside = self.text[quote.start:quote.end].rstrip()
        after = self.text[quote.outer_end:quote.outer_end + 3]
        return bool(re.search(r"[.!?…]$", inside)) or not after.strip() or after.startswith("\n")

    def _dash_attributions(self, found: list[Found]) -> list[Found]:
        """'“We can build a wall around him.” ― Steve Quinlan': a quotation signed with a dash and a name."""
        added = []
        for quote in self.quotes.quotes:
            if self._claimed(found, quote) or len(_WORD.findall(self.text[quote.start:quote.end])) < 4:
                continue
            match = _DASH_SIGNATURE.match(self.text, quote.outer_end)
            if match is None:
                continue
            span = self.doc.char_span(match.start("name"), match.end("name"), alignment_mode="expand")
            if span is None:
                continue
            speaker = self.resolver.resolve(span)
            added.append(Found("direct", quote.start, quote.end, None, span, speaker, span.sent,
                               cue_lemma="―", cue_text=match.group("dash"), cue_category="neutral"))
        return added

    def _colon_attributions(self, found: list[Found]) -> list[Found]:
        """Transcripts and headlines: 'WALLACE: Let's start …', 'Pat Caddell: Democrat voters worried …', and a
        transcript's labels with a role ('RACHEL MARTIN, HOST:'), whose words may start on the next line."""
        added = []
        labelled = self._transcript_people()
        for match in _SPEAKER_COLON.finditer(self.text):
            name, label, role = match.group("name"), fold_label(match.group("name")), match.group("role")
            capitals = name.isupper()
            possessive = OUTLET_POSSESSIVE.fullmatch(name)
            if possessive is not None:
                person = possessive.group("person").split()
                if len(person) < 2 or not (len(possessive.group("outlet")) <= 4 or given_name_gender(person[0])):
                    continue  # "TRUMP’s LIBERTARIAN:", "CANDIDATE'S POSITION:", "CLINTON'S BIG DAY:": headings
                capitals = True  # "ABC's JEFF ZELENY:", a reporter's item in a newsletter
            if label in COLON_LABELS or label.split()[:1] in ([w] for w in COLON_IMPERATIVES):
                continue
            if role is not None and not (capitals and self._transcript_label(name, role)):
                continue  # 'WIN FLORIDA, OHIO:', 'ROMNEY, RYAN GET THEIR WINGS:'
            content = "content" if match.group("content") is not None else "next"
            following = _SPEAKER_COLON.match(self.text, match.start(content)) if content == "next" else None
            if content == "next" and (role is None and fold(name) not in labelled
                                      or following is not None and following.group("name").isupper()):
                continue  # a heading ('THE NOTE:') over a paragraph; a label alone on its line, then another label
            named = role is not None or possessive is not None or (
                self._capitals_label_names(name, match.start("name"), labelled) if capitals else
                self._names_someone(match.start("name"), match.end("name")) or label.split()[-1] in self._source_nouns)
            named = named or (match.group("inverted") is not None and all(w[:1].isupper() for w in name.split()))
            quoted = any(c in _QUOTE_CHARS.replace("'", "") for c in match.group(content)[:3]) or bool(
                find_quotes(match.group(content)))
            if not named or not quoted and (len(_WORD.findall(match.group(content))) <= 4 or " and " in f" {label} "):
                continue  # subheads ('Kasich: Now or never.') and topics ('Netanyahu and Obama: A tortured relationship')
            if not quoted and "\n" not in self.text[:match.start()] and match.group(content).rstrip().endswith("?"):
                continue  # a headline asking about someone: 'Ted Cruz: Constitutional conservative or …?'
            start, end = self._trim(match.start(content), match.end(content))
            if end - start < 10 or any(f.content_start < end and start < f.content_end and not
                                       (start <= f.content_start and f.content_end <= end) for f in found):
                continue
            span = self.doc.char_span(match.start("name"), match.end("name"), alignment_mode="expand")
            if span is None:
                continue
            if capitals:  # a possessive's reporter ('ABC's JEFF ZELENY') is of the media
                speaker = self._transcript_speaker(possessive.group("person") if possessive else name, role,
                                                   match.start("name"), labelled)
                if possessive is not None and speaker.role == "unknown":
                    speaker = replace(speaker, role="media")
                self.context.add_mention(match.start("name"), speaker)
            else:
                speaker = self.resolver.resolve(span)
            added.append(Found("direct", start, end, None, span, speaker, span.sent,
                               cue_lemma=":", cue_text=":", cue_category="neutral",
                               keeps_reports=capitals and speaker.role == "media"))  # a host's, like narration
        return added

    def _capitals_label_names(self, name: str, position: int, labelled: dict[str, list[tuple[int, Speaker]]]
                              ) -> bool:
        """Whether a label in capitals without a role names someone: the surname of a transcript's labelled
        speaker or of a registered person, or a name the article also writes in ordinary case."""
        return fold(name) in labelled or fold(name) in self.index.surnames or self._capitals_name(name, position)

    def _transcript_people(self) -> dict[str, list[tuple[int, Speaker]]]:
        """The people a transcript's labels with a role name ('MARA LIASSON, BYLINE:'), by folded surname, each with
        the label's position, so that 'LIASSON:' is Mara Liasson even when her labelled turn is too short to count
        ('Good morning.')."""
        labelled: dict[str, list[tuple[int, Speaker]]] = {}
        for match in _SPEAKER_COLON.finditer(self.text):
            name, role = match.group("name"), match.group("role")
            if role is not None and name.isupper() and self._transcript_label(name, role):
                self._transcript_speaker(name, role, match.start("name"), labelled)
        return labelled

    def _transcript_label(self, name: str, role: str) -> bool:
        """'MARA LIASSON, BYLINE', 'JOHN KERRY, SECRETARY OF STATE': a name of two to four words, then a role."""
        words = name.split()
        role_words = role.split()
        a_name = 2 <= len(words) <= 4 and all(re.fullmatch(r"[^\W\d_][\w.'’-]*", w) and w[0].isupper() for w in words)
        if not a_name:
            return False
        if self.words.label_role_in(role_words) is not None or PARTY_STATE.fullmatch(role) is not None:
            return True  # 'HOST', 'BYLINE', 'R-OHIO' only ever follow a name
        first = words[leading_titles(words, keep=1)]
        return self.words.role_in(role_words) is not None and given_name_gender(first) is not None  # not 'STOCKS FALL'

    def _transcript_speaker(self, name: str, role: str | None, position: int,
                            labelled: dict[str, list[tuple[int, Speaker]]]) -> Speaker:
        """The speaker a transcript label in capitals names: a registered actor ('PRESIDENT DONALD TRUMP'), the
        person of an earlier label or of the article's text with that surname ('LIASSON' after 'MARA LIASSON,
        BYLINE' or 'Mara Liasson'), or the person the label names, with the role it gives ('HOST': media)."""
        words = name.split()
        titles, words = words[:leading_titles(words, keep=1)], words[leading_titles(words, keep=1):]
        written = ordinary_case(" ".join(words), self.text)
        registered = self.index.forms.get(fold(written))
        if registered is not None:
            return self.index.actors[registered]
        known = None
        if len(words) == 1:  # 'LIASSON', or 'SEN. WREN, D-N.Y.'
            known = (_labelled_before(labelled, fold(written), position)
                     or self.context.full_name_for(written, before=position)
                     or self.index.by_surname(written, self.context, position) or self.context.full_name_for(written))
            if role is None or known is not None and known.registered:
                return known or Speaker(written, "person")
        known = known or self.context.people.get(written)
        role_words = [*titles, *(role or "").split()]
        lawmaker = role is not None and PARTY_STATE.fullmatch(role) is not None
        speaker = Speaker(known.name if known else written, "person",
                          self.words.country_in(role_words) or ("US" if lawmaker else None) or (known and known.country),
                          self.words.label_role_in(role_words) or self.words.role_in(role_words)
                          or ("official" if lawmaker else None) or (known.role if known else "unknown"),
                          known.registered if known else False, known.gender if known else None)
        surname = next((w for w in reversed(words) if fold(w) not in NAME_SUFFIXES), words[-1])
        if all(speaker != other for _, other in labelled.get(fold(surname), [])):
            labelled.setdefault(fold(surname), []).append((position, speaker))
        self.context.people[speaker.name] = speaker
        return speaker

    def _headline_attributions(self, found: list[Found]) -> list[Found]:
        """'Donald Trump Tweets A Wildly Inaccurate Graphic …', 'Salma Hayek Described Her Experience …', 'Clinton
        blasts Trump over …': a headline (the text's first line, one sentence) that opens with a name and a cue
        verb, which the parser misreads in title case. Only when nothing else was found in that line."""
        line_end = self.text.find("\n")
        line_end = len(self.text) if line_end < 0 else line_end
        line = self.text[:line_end].rstrip()
        words = list(re.finditer(r"\S+", line))
        if not 4 <= len(words) <= 25 or line.endswith("?") or re.search(r"[a-z0-9][.!?][\"”’']?\s+[A-Z]", line) \
                or any(f.content_start < line_end for f in found):
            return []
        lemmas = {entry for entry in self.lexicon.categories if " " not in entry}  # not 'make' of 'make clear'
        title = sum(w.group()[:1].isupper() or w.group()[:1].isdigit() for w in words) >= 0.7 * len(words)
        for k, word in enumerate(words[1:7], start=1):
            form = word.group().strip(",;:").lower()
            lemma = _headline_lemma(form, lemmas)
            if lemma is None:
                continue
            speaker_words = [w.group() for w in words[:k]]
            if any(w.lower() in HEADLINE_STOPS or w[-1:] in ",;:" or re.search(r"['’]s?$", w) for w in speaker_words) \
                    or not speaker_words[0][:1].isupper() or title and not all(w[:1].isupper() or w[:1].isdigit() for w in speaker_words) \
                    or not title and word.group()[:1].isupper():
                return []
            past = form != lemma and not form.endswith("s")
            if past and not title or form == lemma and not speaker_words[-1].lower().endswith("s"):
                return []  # 'Polls suggest …' (plural); a past tense only in title case
            start = self._next_non_space(word.end())
            rest = list(re.finditer(r"\S+", line[start:]))
            if lemma == "call" and rest and rest[0].group().lower() in {"out", "for", "on"}:
                start = self._next_non_space(start + rest[0].end())
            start, end = self._trim(start, len(line.rstrip(";")))
            if len(_WORD.findall(self.text[start:end])) < 2:
                return []
            span = self.doc.char_span(words[0].start(), words[k - 1].end(), alignment_mode="expand")
            if span is None:
                return []
            kind = "mixed" if self.quotes.overlapping(start, end) else "indirect"
            return [Found(kind, start, end, None, span, self.resolver.resolve(span), span.sent, cue_lemma=lemma,
                          cue_text=word.group(), cue_category=self.lexicon.categories.get(lemma, "neutral"))]
        return []

    @property
    def _source_nouns(self) -> set[str]:
        return self.context.words.unnamed | SOURCE_LABELS

    def _capitals_name(self, name: str, position: int) -> bool:
        """'WALLACE: …' in a transcript: a label in capitals is a speaker when the article writes it elsewhere in
        ordinary case as a person's or body's name ('Chris Wallace'), not a place or a shout ('BOOM:', 'KABUL:')."""
        for match in re.finditer(rf"\b{re.escape(name)}\b", self.text, flags=re.IGNORECASE):
            if match.start() == position or match.group().isupper() or not match.group()[:1].isupper():
                continue
            span = self.doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is not None and all(t.ent_type_ in {"PERSON", "ORG", "NORP", ""} for t in span):
                return True
        return False

    def _names_someone(self, start: int, end: int) -> bool:
        """Whether a label before a colon is a name ('Pat Caddell', 'Poll'), not a clause ('Ushakov told reporters')."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or any(t.pos_ in {"VERB", "AUX", "PRON", "SCONJ"} for t in span):
            return False
        return (any(e.label_ in {"PERSON", "ORG", "NORP"} for e in span.ents)
                or any(s <= span.root.i < e for s, e, _ in self.context.registry_spans)
                or self._surname_of_someone(span))

    def _surname_of_someone(self, span: Span) -> bool:
        """'Lewandowski: FBI director acted as …' in a headline: the last word of a person named in the article."""
        if len(span) > 3 or not all(t.text[:1].isupper() for t in span):
            return False
        last = span[-1].text
        return any(e.label_ == "PERSON" and len(e) > 1 and e[-1].text == last and not (span.start <= e.start < span.end)
                   for e in self.doc.ents)

    # ---------------------------------------------------------------------------------- continuations

    def _continuations(self, found: list[Found]) -> list[Found]:
        """A quotation standing alone (no cue in its sentences) carries the previous quoted speaker."""
        claimed = sorted((f.content_start, f.content_end) for f in found)
        added: list[Found] = []
        for quote in self.quotes.quotes:
            if any(s < quote.end and quote.start < e for s, e in claimed):
                continue
            if len(_WORD.findall(self.text[quote.start:quote.end])) < 4 or not self._stands_alone(quote):
                continue
            previous = [f for f in found + added if f.content_end <= quote.outer_start]
            if not previous:
                continue
            last = max(previous, key=lambda f: f.content_end)
            between = self.text[last.content_end:quote.outer_start]
            if between.count("\n\n") > 1 or self._names_someone_between(max(last.content_end, last.sentence.end_char), quote.outer_start):
                continue
            span = self.doc.char_span(quote.start, quote.end, alignment_mode="expand")
            sentence = span.sent if span is not None else last.sentence
            added.append(Found("continuation", quote.start, quote.end, None, last.speaker_span, last.speaker, sentence,
                               via=last.via))
        return added

    def _colon_blocks(self, found: list[Found]) -> list[Found]:
        """'A post … provides the following commentary:\n\n“Expect more of this. …”': a quotation introduced by
        a sentence ending in a colon belongs to that sentence's subject."""
        added: list[Found] = []
        for quote in self.quotes.quotes:
            if self._claimed(found + added, quote):
                continue
            before = self.text[:quote.outer_start].rstrip()
            if not before.endswith(":"):
                continue
            colon = self.doc.char_span(len(before) - 1, len(before), alignment_mode="expand")
            if colon is None:
                continue
            root = colon.sent.root
            subject = next((c for c in root.children if c.dep_ in SUBJECTS and self.quotes.covering(c.idx) is None), None)
            if subject is None or subject.lower_ in NOT_SPEAKERS:
                continue
            speaker_span = self._speaker_span(subject)
            speaker = self.resolver.resolve(speaker_span, root, (quote.start, quote.end))
            added.append(Found("direct", quote.start, quote.end, root, speaker_span, speaker, root.sent,
                               cue_lemma=root.lemma_.lower(), cue_text=root.text,
                               cue_category=self.lexicon.category_of(root) or "neutral"))
        return added

    def _nearby_cues(self, found: list[Found]) -> list[Found]:
        """Quotations the parse left unlinked, in a sentence whose cue verb has a subject: '“…” the ad says.'"""
        added: list[Found] = []
        for quote in self.quotes.quotes:
            if self._claimed(found + added, quote) or len(_WORD.findall(self.text[quote.start:quote.end])) < 5:
                continue
            span = self.doc.char_span(quote.outer_start, max(quote.outer_start + 1, quote.outer_end), alignment_mode="expand")
            if span is None:
                continue
            first, last = span[0].sent, span[-1].sent
            used = {f.cue.i for f in found + added if f.cue is not None}
            cues = [t for t in self.doc[first.start:last.end] if t.pos_ == "VERB" and t.i not in used
                    and self.quotes.covering(t.idx) is None and self.lexicon.category_of(t)]
            for verb in sorted(cues, key=lambda t: min(abs(t.idx - quote.outer_end), abs(t.idx - quote.outer_start))):
                subject, via = self._subject(verb)
                if subject is None or subject.lower_ in NOT_SPEAKERS or self.quotes.covering(subject.idx) is not None:
                    continue
                speaker_span = self._speaker_span(subject)
                speaker = self.resolver.resolve(speaker_span, verb, (quote.start, quote.end))
                added.append(Found("direct", quote.start, quote.end, verb, speaker_span, speaker, verb.sent, via=via,
                                   cue_lemma=verb.lemma_.lower(), cue_text=verb.text,
                                   cue_category=self.lexicon.category_of(verb)))
                break
        return added

    def _stands_alone(self, quote: Quote) -> bool:
        span = self.doc.char_span(quote.outer_start, max(quote.outer_start + 1, quote.outer_end), alignment_mode="expand")
        if span is None:
            return False
        first_sentence, last_sentence = span[0].sent, span[-1].sent
        outside = [t for t in self.doc[first_sentence.start:last_sentence.end]
                   if not span.start <= t.i < span.end and not t.is_punct and not t.is_space]
        return not outside

    def _names_someone_between(self, start: int, end: int) -> bool:
        """Another cue-bearing sentence between a quote and a candidate continuation breaks the chain."""
        span = self.doc.char_span(start, end, alignment_mode="contract")
        if span is None:
            return False
        return any(t.pos_ == "VERB" and self.lexicon.category_of(t) and self.quotes.covering(t.idx) is None
                   and any(c.dep_ in SUBJECTS and c.lower_ not in _SAME_SPEAKER for c in t.children) for t in span)

    # ---------------------------------------------------------------------------------------- helpers

    def _speaker_span(self, subject: Token) -> Span:
        keep = [subject]
        for child in subject.lefts:
            keep.extend(child.subtree)
        for child in subject.rights:
            if child.dep_ == "acl" and child.tag_ in {"VBD", "VBG"} and self.lexicon.category_of(child):
                continue  # the cue itself, misread as the speaker's participle ('911 calls saying …')
            if child.dep_ in {"prep", "amod", "compound", "flat", "nummod", "acl"} and child.i == keep[-1].i + 1 or \
                    (child.dep_ in {"prep", "amod", "acl"} and child.i <= subject.i + 2):
                keep.extend(child.subtree)
        indices = sorted(t.i for t in keep if not t.is_punct or t.i == subject.i)
        start, end = indices[0], indices[-1] + 1
        while end - 1 > start and self.doc[end - 1].is_punct:
            end -= 1
        return self.doc[start:end]

    def _clause_span(self, clause: Token) -> tuple[int, int]:
        """The reported clause, without 'that' and without coordinated reports of their own ('and wrote …')."""
        separate = {t.i for c in clause.subtree if c.dep_ in {"conj", "advcl"} and c.i > clause.i and c.pos_ == "VERB"
                    and self.lexicon.category_of(c) and (not any(g.dep_ in SUBJECTS for g in c.children)
                                                         and self._has_own_content(c) or self._narrated_report(c)
                                                         or self._contrasted_report(c))
                    for t in c.subtree}
        semicolon = next((t.i for t in clause.subtree if t.text == ";" and t.i > clause.left_edge.i
                          and self.quotes.covering(t.idx) is None), None)
        if semicolon is not None:
            separate |= {t.i for t in clause.subtree if t.i >= semicolon}
        if separate:
            cut = min(separate)
            separate |= {t.i for t in clause.subtree if t.i >= cut}
        aside = {t.i for c in clause.subtree if c.lower_ == "according" and c.i > clause.left_edge.i
                 and any(g.lower_ == "to" for g in c.children) for t in c.subtree}  # '…, according to Ushakov'
        tokens = [t for t in clause.subtree if t.i not in separate and t.i not in aside]
        while tokens and tokens[-1].dep_ == "cc":
            tokens = tokens[:-1]
        while tokens and ((tokens[0].dep_ == "mark" or tokens[0].pos_ == "SCONJ") and tokens[0].lower_ in {"that"} or tokens[0].is_punct and tokens[0].text not in _QUOTE_CHARS):
            tokens = tokens[1:]
        if not tokens:
            return clause.idx, clause.idx + len(clause)
        start, end = self._trim(tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
        if not separate:  # 'she recalled thinking, "This is …"': the parse left the quotation outside
            following = self.quotes.covering(self._next_non_space(end + (self.text[end:end + 1] in ",:")))
            if following is not None and following.outer_start >= end and not self.text[end:following.outer_start].strip(" ,:"):
                end = following.end
        return start, end

    def _contrasted_report(self, verb: Token) -> bool:
        """'said life would be worse, while nine in 10 said they thought …': a cue with a subject of its own, set
        against the first report by 'while', 'whereas', 'but' or 'although', is another report."""
        if self.quotes.covering(verb.idx) is not None or not any(
                g.dep_ == "nsubj" and g.i < verb.i and self.quotes.covering(g.idx) is None for g in verb.children) \
                or any(g.dep_ == "mark" and g.lower_ == "that" for g in verb.children):
            return False  # not 'said A but that those requests were denied'
        marks = {g.lower_ for g in verb.children if g.dep_ in {"mark", "cc"} and g.i < verb.i}
        if verb.dep_ == "conj":
            marks |= {g.lower_ for g in verb.head.children if g.dep_ == "cc" and g.i < verb.i}
        return bool(marks & {"while", "whereas", "but", "although", "though", "yet"})

    def _narrated_report(self, verb: Token) -> bool:
        """'said the real extremist is Clinton, and he railed against the moderators': a coordinated cue verb whose
        subject is a third-person pronoun, outside any quotation, is the writer reporting another act of speech."""
        return verb.dep_ == "conj" and self.quotes.covering(verb.idx) is None and any(
            g.dep_ == "nsubj" and g.lower_ in {"he", "she", "they"} and g.i < verb.i for g in verb.children)

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        while start < end and (self.text[start].isspace() or self.text[start] in ",;:—–"):
            start += 1
        while end > start and (self.text[end - 1].isspace() or self.text[end - 1] in ".,;:—–"):
            end -= 1
        return start, end

    def _skip_punct(self, position: int) -> int:
        while position < len(self.text) and self.text[position] in ",;: \n—–":
            position += 1
        return position

    def _next_non_space(self, position: int) -> int:
        while position < len(self.text) and self.text[position].isspace():
            position += 1
        return min(position, max(len(self.text) - 1, 0))


def _headline_lemma(form: str, lemmas: set[str]) -> str | None:
    """The lexicon lemma of a present or past verb form in a headline ('tweets', 'praises', 'described', 'said')."""
    if form in HEADLINE_IRREGULAR:
        return HEADLINE_IRREGULAR[form]
    candidates = [form]
    if form.endswith("ies") or form.endswith("ied"):
        candidates.append(form[:-3] + "y")
    if form.endswith("es") or form.endswith("ed"):
        candidates += [form[:-2], form[:-1]]
        if len(form) > 4 and form[-3] == form[-4]:
            candidates.append(form[:-3])  # 'admitted'
    elif form.endswith("s"):
        candidates.append(form[:-1])
    return next((c for c in candidates if c in lemmas and (c not in HEADLINE_NOT_CUES or form.endswith("s"))), None)


def _labelled_before(labelled: dict[str, list[tuple[int, Speaker]]], surname: str, position: int) -> Speaker | None:
    """The person of the last transcript label with this surname before ``position`` (else of the first after)."""
    labels = labelled.get(surname, [])
    before = [speaker for at, speaker in labels if at < position]
    return before[-1] if before else labels[0][1] if labels else None


def fold_label(text: str) -> str:
    return re.sub(r"[^a-z]+", " ", text.lower()).strip()


def _overlap(a: Found, b: Found) -> int:
    return max(0, min(a.content_end, b.content_end) - max(a.content_start, b.content_start))


# ------------------------------------------------------------------------------------------------ public

def extract_attributions(
    articles: pd.DataFrame,
    *,
    nlp: Language | None = None,
    actors: pd.DataFrame | str | Path | None = None,
    groups: str | Path | None = None,
    cue_verbs: str | Path | None = None,
    batch_size: int = 32,
    progress: bool | None = None,
    parse: str = "selective",
) -> pd.DataFrame:
    """Find every attribution in the ``ok`` articles of a corpus table.

    Parameters
    ----------
    articles
        Output of :func:`toolkit.load_corpus` (needs ``article_id``, ``outlet``, ``text``; ``status`` if present).
    nlp
        A spaCy pipeline with parser and NER; default :func:`toolkit.nlp.load_pipeline`.
    actors, groups, cue_verbs
        Registry, group map and cue lexicon (tables or paths); defaults from ``data/``.
    progress
        Show a progress bar; ``None`` shows one only on an interactive terminal.
    parse
        ``selective`` (default) runs the whole pipeline only over the sentences that can hold an attribution
        and only tokenises the rest; ``full`` parses every sentence (see :mod:`toolkit.parsing`).

    Returns
    -------
    One row per attribution, columns :data:`ATTRIBUTION_COLUMNS`, ordered by article then position.
    """
    nlp = nlp or load_pipeline()
    index = _actor_index(nlp, actors)
    words = default_speaker_words()
    group_map = GroupMap(groups) if groups else default_group_map()
    lexicon = CueLexicon.load(cue_verbs) if cue_verbs else default_cue_lexicon()
    usable = articles if "status" not in articles else articles[articles["status"] == "ok"]
    records = list(usable[["article_id", "outlet"]].itertuples(index=False))
    pieces = [(number, offset, chunk) for number, text in enumerate(usable["text"].fillna("").astype(str).tolist())
              for offset, chunk in text_chunks(text)]
    if parse not in PARSE_MODES:
        raise ValueError(f"unknown parse mode {parse!r}; use one of {', '.join(PARSE_MODES)}")
    cue_words = cue_forms(nlp).words
    docs = parse_documents(nlp, (parse_text(chunk, cue_words) for _, _, chunk in pieces), batch_size=batch_size,
                           selective=parse == "selective")
    rows: list[dict] = []
    before = {"paragraph_index": 0, "sentence_index": 0, "article": None}
    for (number, offset, chunk), doc in tqdm(zip(pieces, docs), total=len(pieces), desc="attributions",
                                             unit=" text", disable=None if progress is None else not progress):
        record = records[number]
        if before["article"] != number:
            before = {"paragraph_index": 0, "sentence_index": 0, "article": number}
        found = attribution_rows(doc, record.article_id, record.outlet, index, words, group_map, lexicon, chunk)
        rows.extend(_shifted(row, offset, before["paragraph_index"], before["sentence_index"]) for row in found)
        before["paragraph_index"] += len(re.findall(r"\n\s*\n", chunk))
        before["sentence_index"] += sum(1 for _ in doc.sents)
    table = pd.DataFrame(rows, columns=ATTRIBUTION_COLUMNS).astype(
        {c: "Int64" for c in ("speaker_start", "speaker_end", "cue_start", "cue_end")})
    if len(pieces) > len(records):  # an article parsed in several pieces: number its attributions in one run
        table["attribution_index"] = table.groupby("article_id", sort=False).cumcount()
    return table


CHUNK_CHARACTERS = 100_000
PARSE_MODES = ("selective", "full")


def text_chunks(text: str, limit: int | None = None) -> list[tuple[int, str]]:
    """Split a very long text at paragraph breaks (else at line breaks, else at spaces) into pieces the parser
    can hold in memory (``CHUNK_CHARACTERS`` each at most); returns (offset, piece) pairs. Texts within the
    limit come back whole."""
    limit = limit or CHUNK_CHARACTERS
    if len(text) <= limit:
        return [(0, text)]
    pieces, start = [], 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = window.rfind("\n\n")
        if cut <= 0:
            cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        cut = cut if cut > 0 else limit
        pieces.append((start, text[start:start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def _shifted(row: dict, offset: int, paragraphs: int, sentences: int) -> dict:
    """A piece's row placed in its whole article: offsets and paragraph and sentence numbers moved on."""
    if offset:
        for column in ("content_start", "content_end", "speaker_start", "speaker_end", "cue_start", "cue_end"):
            if row[column] is not None:
                row[column] += offset
    row["paragraph_index"] += paragraphs
    row["sentence_index"] += sentences
    return row


def parse_text(text: str, cue_words: frozenset[str] | set[str] = frozenset()) -> str:
    """The text the parser sees: a dateline's dash becomes a full stop, so 'BUDAPEST — “…,” she said' does not
    make the city a subject; an aside in brackets right after a name is blanked, so 'Rep. Paul Ryan (R-WI) said'
    and 'Sen. Chris Murphy (a Connecticut Democrat so boyish …) says he …' parse as a name and its verb, unless
    it holds one of ``cue_words`` ('Sen. Jeff Flake (who told reporters that …) said': a report of its own). Same
    length as ``text``, so every offset still holds."""
    if "(" in text:
        text = _NAME_ASIDE.sub(lambda match: _blank_aside(match, cue_words), text)
    match = DATELINE.match(text)
    if not match or ":" in text[match.end("dateline"):match.end()]:  # 'WALLACE: …' is a speaker, not a place
        return text
    separator = text[match.end("dateline"):match.end()]
    return text[:match.end("dateline")] + "." + " " * (len(separator) - 1) + text[match.end():]


# a capitalised word, then an aside in brackets with no quotation marks or brackets of its own
_NAME_ASIDE = re.compile(r"(?<![\w.])(?P<name>[A-Z][\w.'’-]*)(?P<space>[ \t\u00a0])(?P<aside>\([^()\n\"“”«»]{1,120}\))")


def _blank_aside(match: re.Match, cue_words: frozenset[str] | set[str]) -> str:
    aside = match.group("aside")
    if re.fullmatch(r"\([A-Z][^()]* [^()]*[.!?]\)", aside):  # '… was Jewish. (He was not.)' is a sentence
        return match.group()
    if cue_words and any(word.lower() in cue_words for word in _WORD.findall(aside)):
        return match.group()
    return match.group("name") + match.group("space") + " " * len(match.group("aside"))


def attribution_rows(doc: Doc, article_id: str, outlet: str, index: ActorIndex, words: SpeakerWords,
                     group_map: GroupMap, lexicon: CueLexicon, text: str | None = None) -> list[dict]:
    """Attribution rows of one parsed article (``text``: the article's own text, if the parse saw a masked one)."""
    text = document_text(doc) if text is None else text
    _trim_entities(doc)
    context = ArticleContext.build(doc, index, words)
    found = DocumentExtractor(doc, context, lexicon).run()
    paragraph_starts = [0] + [m.end() for m in re.finditer(r"\n\s*\n", text)]
    sentence_starts = [s.start_char for s in doc.sents]
    rows = []
    for number, item in enumerate(found):
        speaker = item.speaker or Speaker("unknown", "person")
        content = text[item.content_start:item.content_end]
        rows.append({
            "article_id": article_id, "outlet": outlet, "attribution_index": number,
            "paragraph_index": bisect.bisect_right(paragraph_starts, item.content_start) - 1,
            "sentence_index": bisect.bisect_right(sentence_starts, item.content_start) - 1,
            "kind": item.kind, "cue": item.cue_lemma, "cue_text": item.cue_text, "cue_category": item.cue_category,
            "speaker": speaker.name,
            "speaker_text": text[item.speaker_span.start_char:item.speaker_span.end_char] if item.speaker_span is not None else None,
            "speaker_type": speaker.type, "speaker_country": speaker.country, "speaker_role": speaker.role,
            "group": group_map.group(speaker.type, speaker.role, speaker.country),
            "via": item.via.name if item.via is not None else None,
            "content": content, "content_start": item.content_start, "content_end": item.content_end,
            "quoted_words": _quoted_words(content, item.kind),
            "speaker_start": item.speaker_span.start_char if item.speaker_span is not None else None,
            "speaker_end": item.speaker_span.end_char if item.speaker_span is not None else None,
            "cue_start": item.cue.idx if item.cue is not None else None,
            "cue_end": item.cue.idx + len(item.cue) if item.cue is not None else None,
        })
    return rows


def _trim_entities(doc: Doc) -> None:
    """Entities end at a word: a blanked aside ('Mike Pence (R-IN) said' parsed as 'Mike Pence        said') leaves a
    run of spaces that the recogniser may take into the name before it."""
    if not any(e[-1].is_space or e[0].is_space for e in doc.ents):
        return
    trimmed = []
    for entity in doc.ents:
        words = [t for t in entity if not t.is_space]
        if words:
            trimmed.append(Span(doc, words[0].i, words[-1].i + 1, label=entity.label))
    doc.ents = trimmed


def _quoted_words(content: str, kind: str) -> int:
    if kind in {"direct", "continuation"}:
        return len(_WORD.findall(content))
    return sum(len(_WORD.findall(content[q.start:q.end])) for q in find_quotes(content))


_INDEX_CACHE: dict[tuple[int, int], ActorIndex] = {}


def _actor_index(nlp: Language, actors: pd.DataFrame | str | Path | None) -> ActorIndex:
    from .registry import load_actors

    table = load_actors(actors)
    key = (id(nlp), hash(pd.util.hash_pandas_object(table, index=False).sum()))
    if key not in _INDEX_CACHE:
        _INDEX_CACHE[key] = ActorIndex.build(nlp, table)
    return _INDEX_CACHE[key]
