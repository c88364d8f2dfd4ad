"""Selective parsing: which sentences get the whole pipeline, and the joined documents it builds."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.attributions import extract_attributions
from toolkit.nlp import load_pipeline
from toolkit.parsing import cue_forms, cue_word_forms, parse_documents, sentences_to_parse


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def parsed_sentences(text: str, nlp) -> list[str]:
    return [text[start:end] for start, end, parse in sentences_to_parse(text, cue_forms(nlp)) if parse]


@pytest.mark.parametrize("text, expected", [
    # a cue verb, and the sentence before it when a pronoun may point there
    ("Orbán met Putin in 2009. The weather was cold.\n\nHe said the summit would go ahead.",
     ["The weather was cold.", "He said the summit would go ahead."]),
    ("Orbán met Putin in 2009. The weather was cold.\n\nOrbán's spokesman said the summit would go ahead.",
     ["Orbán met Putin in 2009.", "Orbán's spokesman said the summit would go ahead."]),
    ("For Gábor Szalai, the sequence matters. “First the ministers. Then the presidents,” he told reporters.",
     ["For Gábor Szalai, the sequence matters.", "“First the ministers.", "Then the presidents,” he told reporters."]),
    # the sentence that first names the person a surname points back to, with the title
    ("National Security Adviser H.R. McMaster arrived in Riyadh. The trip lasted a week. Prices rose.\n\n"
     "McMaster said the talks went well.",
     ["National Security Adviser H.R. McMaster arrived in Riyadh.", "McMaster said the talks went well."]),
    # a quotation over two sentences: both are parsed, though only the second has a mark at its end
    ("Prices rose.\n\n“We will meet in Budapest. Nothing is settled yet,” Peskov told reporters.",
     ["“We will meet in Budapest.", "Nothing is settled yet,” Peskov told reporters."]),
    ("The talks, according to Ushakov, lasted two hours. Markets closed early.",
     ["The talks, according to Ushakov, lasted two hours."]),
    ("Snow fell overnight.\nWALLACE: What did the president promise?", ["WALLACE: What did the president promise?"]),
    ("Says Rubio, nothing is agreed.", ["Says Rubio, nothing is agreed."]),
    # irregular and doubled forms come from the lemmatizer's tables and the spelling rules
    ("Budapest is ready. Szijjártó wrote on Facebook that the venue was booked.",
     ["Szijjártó wrote on Facebook that the venue was booked."]),
    ("Kyiv admitted the losses.", ["Kyiv admitted the losses."]),
    # a two-word cue needs its particle; a quote-only cue needs a quotation beside it
    ("Oil prices made gains. Analysts pointed out that demand was weak.",
     ["Analysts pointed out that demand was weak."]),
    ("The index points higher. Talks went on for hours. The session began at noon.", []),
    ("Prices rose.\n\nThe minister went on:\n\n“We will not give up Donbas.”",
     ["The minister went on:", "“We will not give up Donbas.”"]),
    ("“We are ready,” he began. Stocks went up.", ["“We are ready,” he began."]),
    # 'state' and 'states' are mostly nouns: a cue only before 'that', a colon, a comma or a quotation
    ("Swing states voted early. The report states that turnout rose. State media stayed silent.",
     ["The report states that turnout rose."]),
    ("The letter states: “We object.” He stated his case.", ["The letter states: “We object.”", "He stated his case."]),
    # nothing here can hold an attribution: 'States' is a name, not the verb
    ("The United States and Hungary signed a deal. The ceremony took an hour.", []),
    ("", []),
])
def test_sentences_to_parse(nlp, text, expected):
    assert parsed_sentences(text, nlp) == expected


def test_cue_word_forms_cover_inflections_and_nothing_else(nlp):
    forms = cue_word_forms(nlp)
    assert {"said", "says", "saying", "told", "wrote", "written", "admitted", "denies", "insisted",
            "according"} <= forms
    assert not {"the", "summit", "budapest", "accuseed", "noteing"} & forms
    split = cue_forms(nlp)
    assert split.phrases["pointed"] == {"out"} and "made" in split.phrases and "said" not in split.phrases
    assert {"went", "began", "continued"} <= split.quote_only and not {"went", "made", "pointed"} & split.words


def test_selective_documents_keep_text_order_and_parse_only_what_is_needed(nlp):
    texts = [
        "Donald Trump met Vladimir Putin on Thursday. The meeting lasted two hours. Markets were calm.\n\n"
        "Oil prices fell on Friday.\n\nHe said the meeting would take place in Budapest.",
        "",
        "No one spoke.",
        "“It was a good call,” Trump wrote on Truth Social.",
    ]
    docs = list(parse_documents(nlp, texts, batch_size=2, selective=True))
    assert [doc.text for doc in docs] == texts
    first = docs[0]
    markets = next(t for t in first if t.text == "Markets")
    trump = next(t for t in first if t.text == "Trump")
    said = next(t for t in first if t.text == "said")
    assert markets.pos_ == "" and markets.ent_type_ == ""  # only tokenised
    assert said.pos_ == "VERB" and said.lemma_ == "say"   # parsed: the cue
    assert trump.ent_type_ == "" and trump.pos_ == ""   # two sentences back from the cue: not parsed
    oil = next(t for t in first if t.text == "Oil")
    assert oil.pos_ != ""  # the sentence before the cue is parsed
    sentences = [s.text.strip() for s in first.sents]
    assert "Markets were calm." in sentences and "Oil prices fell on Friday." in sentences


def test_groups_of_parses_held_together_are_bounded_in_characters_and_change_no_parse(nlp, monkeypatch):
    import toolkit.parsing

    texts = [f"“Talks No. {n} went well,” the Kremlin aide said. Markets were calm. Oil prices fell." for n in range(7)]
    groups = []
    real_group = toolkit.parsing._parse_group
    monkeypatch.setattr(toolkit.parsing, "_parse_group",
                        lambda nlp, group, *rest: groups.append(len(group)) or real_group(nlp, group, *rest))
    whole = [d.to_json() for d in parse_documents(nlp, texts, batch_size=32, selective=True)]
    assert groups == [7]
    monkeypatch.setattr(toolkit.parsing, "GROUP_CHARACTERS", 2 * len(texts[0]) + 1)
    groups.clear()
    bounded = [d.to_json() for d in parse_documents(nlp, texts, batch_size=32, selective=True)]
    assert groups == [2, 2, 2, 1]
    assert bounded == whole


ARTICLES = pd.DataFrame({
    "article_id": ["a1", "a2"],
    "outlet": ["Meridian Wire", "Vostok Herald"],
    "status": ["ok", "ok"],
    "text": [
        "BUDAPEST — Hungarian Prime Minister Viktor Orbán welcomed the plan on Friday.\n\n"
        "He said Budapest was ready to host the summit. “We are a country of peace,” Orbán told state radio.\n\n"
        "The venue has not been chosen.",
        "Kremlin aide Yury Ushakov briefed reporters after the call. "
        "According to Ushakov, Putin warned that Tomahawk missiles would damage relations. "
        "The call lasted two and a half hours.",
    ],
})


def test_selective_and_full_parse_find_the_same_attributions():
    selective = extract_attributions(ARTICLES, progress=False)
    full = extract_attributions(ARTICLES, progress=False, parse="full")
    assert len(selective) >= 3
    pd.testing.assert_frame_equal(selective, full)
    assert set(selective["speaker"]) >= {"Viktor Orbán", "Vladimir Putin"}


def test_unknown_parse_mode_is_refused():
    with pytest.raises(ValueError, match="parse mode"):
        extract_attributions(ARTICLES, progress=False, parse="fast")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["He said", "“", "”", "\"", "'", " ", "\n", "\n\n", ".", "Putin", "according to",
                                 "WALLACE:", "x", "É", "\t", "said", "—", "!", "?"]), max_size=40)
       .map("".join))
def test_selective_documents_always_hold_the_text(nlp, text):
    docs = list(parse_documents(nlp, [text, text + " It ended."], selective=True))
    assert [doc.text for doc in docs] == [text, text + " It ended."]
    assert sum(1 for _ in docs[0].sents) >= (1 if text else 0)
