"""Attribution extraction on real-looking news text: each form, positive and negative, and speaker resolution."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.attributions import ATTRIBUTION_COLUMNS, extract_attributions, parse_text


def extract(*paragraphs: str) -> pd.DataFrame:
    text = "\n\n".join(paragraphs)
    articles = pd.DataFrame({"article_id": ["t1"], "outlet": ["Test"], "text": [text], "status": ["ok"]})
    return extract_attributions(articles)


def triples(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(zip(frame.kind, frame.speaker, frame.content))


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # direct quotes: cue after, before (colon), inside (split quote)
        (["“It was very productive,” Trump said on Thursday."], [("direct", "Donald Trump", "It was very productive")]),
        (["Ushakov told reporters: “The preparation of a summit has begun.”"],
         [("direct", "Yury Ushakov", "The preparation of a summit has begun.")]),
        (["“We are ready,” said Eszter Farkas, an analyst at the Danube Policy Institute, “and we have done it before.”"],
         [("direct", "Eszter Farkas", "We are ready,” said Eszter Farkas, an analyst at the Danube Policy Institute, “and we have done it before.")]),
        # several sentences, and a quote over two paragraphs
        (["“Budapest is ready. The city has hosted summits before. It will do so again,” Orbán said."],
         [("direct", "Viktor Orbán", "Budapest is ready. The city has hosted summits before. It will do so again")]),
        (["“The first paragraph of the quote runs on.", "“And the second closes it,” said Mara Ellison, a historian."],
         [("direct", "Mara Ellison", "The first paragraph of the quote runs on.\n\n“And the second closes it")]),
        # straight and single marks, unbalanced marks
        (['"We want to get peace," Trump told reporters.'], [("direct", "Donald Trump", "We want to get peace")]),
        (["Putin told Trump the missiles would ‘severely undermine the prospects of a peaceful settlement’, Ushakov said."],
         [("mixed", "Vladimir Putin", "the missiles would ‘severely undermine the prospects of a peaceful settlement’")]),
        (["Andriy Levchuk, a Kyiv-based analyst, said: “This opens and never closes.", "The next paragraph is the reporter's."],
         [("direct", "Andriy Levchuk", "This opens and never closes.")]),
        # reported speech with reporting verbs
        (["Trump wrote on Truth Social that great progress was made."], [("indirect", "Donald Trump", "great progress was made")]),
        (["Hungary's prime minister wrote on X that preparations for the summit were under way."],
         [("indirect", "Viktor Orbán", "preparations for the summit were under way")]),
        (["Zelensky confirmed that Tomahawks were on his list."], [("indirect", "Volodymyr Zelensky", "Tomahawks were on his list")]),
        (["Orbán posted on X that Hungary was ready to host the summit."],
         [("indirect", "Viktor Orbán", "Hungary was ready to host the summit")]),
        (["President Putin told Trump that the missiles would not change the situation on the battlefield."],
         [("indirect", "Vladimir Putin", "the missiles would not change the situation on the battlefield")]),
        (["The Kremlin warned that the missiles would damage relations with Washington."],
         [("indirect", "Kremlin", "the missiles would damage relations with Washington")]),
        (["Budapest was the likely venue, the Kremlin aide said."], [("indirect", "Yury Ushakov", "Budapest was the likely venue")]),
        # mixed quotes and characterizations
        (["Trump said the call had been “very productive” and that a meeting was agreed."],
         [("mixed", "Donald Trump", "the call had been “very productive” and that a meeting was agreed")]),
        (["Ushakov described the conversation as “very substantive and extremely frank”."],
         [("mixed", "Yury Ushakov", "the conversation as “very substantive and extremely frank”")]),
        (["Mara Ellison, a historian, told the paper the plan may be “a bit of theatre,” but it is “not insignificant for Budapest.”"],
         [("mixed", "Mara Ellison", "the plan may be “a bit of theatre,” but it is “not insignificant for Budapest.”")]),
        # according to, institutions, unnamed sources
        (["According to the Kremlin, preparation of a summit has begun."],
         [("according_to", "Kremlin", "preparation of a summit has begun")]),
        (["The State Department said in a statement that Rubio would meet Lavrov first."],
         [("indirect", "State Department", "Rubio would meet Lavrov first")]),
        (["A senior administration official said the president had not ruled out a transfer."],
         [("indirect", "unnamed US official", "the president had not ruled out a transfer")]),
        (["People familiar with the talks said the summit could take place within two weeks."],
         [("indirect", "unnamed source familiar with the talks", "the summit could take place within two weeks")]),
        (["TASS reported that the two presidents had spoken for about two and a half hours."],
         [("indirect", "TASS", "the two presidents had spoken for about two and a half hours")]),
        # nested attributions
        (["According to Ushakov, Putin told Trump that Tomahawks would not change the situation on the battlefield."],
         [("indirect", "Vladimir Putin", "Tomahawks would not change the situation on the battlefield")]),
        # continuation quotes carry the speaker
        (["“We are ready to host the talks,” said Eszter Farkas, a researcher. “It is a moment for Hungary.”",
          "“Nobody else could do this.”"],
         [("direct", "Eszter Farkas", "We are ready to host the talks,” said Eszter Farkas, a researcher. “It is a moment for Hungary."),
          ("continuation", "Eszter Farkas", "Nobody else could do this.")]),
    ],
)
def test_attribution_forms(paragraphs, expected):
    assert triples(extract(*paragraphs)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the writer reporting in the first person, outside any quotation
        ("“Okay,” I said, trying to regroup.", [("direct", "i", "Okay")]),
        ("I told the judge that the sentence was unfair.", [("indirect", "i", "the sentence was unfair")]),
        # 'as X reported, …': the main clause is the content
        ("As the Washington Post reported on Friday, the inspector general issued subpoenas to the foundation.",
         [("indirect", "Washington Post", "the inspector general issued subpoenas to the foundation")]),
        # a question put by an unnamed questioner; the person asked is not its speaker
        ("Asked about the missiles, Trump neither confirmed nor ruled out a transfer.",
         [("indirect", "unknown", "the missiles")]),
        # a speaker the parser hung elsewhere: the noun phrase right before the cue
        ("About 4 in 10 say they want the next president to have more liberal policies.",
         [("indirect", "About 4 in 10", "they want the next president to have more liberal policies")]),
        ("In Kyiv, Iryna Koval, a political scientist at the Dnipro Strategy Group, said Ukrainians were watching the talks.",
         [("indirect", "Iryna Koval", "Ukrainians were watching the talks")]),
        ("One of the authors of the report, Ari Fleischer, said the nomination would test their conclusions.",
         [("indirect", "One of the authors of the report", "the nomination would test their conclusions")]),
        # a 'that' clause hung on the cue's phrase
        ("Kasich's chief strategist John Weaver says in a statement that the race will now be a four-man contest.",
         [("indirect", "John Weaver", "the race will now be a four-man contest")]),
        # demands, descriptions, gerunds, topics
        ("Hillary Clinton is calling for the United States to step up military efforts against the Islamic State.",
         [("indirect", "Hillary Clinton", "the United States to step up military efforts against the Islamic State")]),
        ("Obama has described the dinner as Washington celebrating itself.",
         [("indirect", "Obama", "the dinner as Washington celebrating itself")]),
        ("In his financial disclosure, the candidate reported holding investments in Ford Motor Co. and Apple Inc.",
         [("indirect", "candidate", "holding investments in Ford Motor Co. and Apple Inc")]),
        ("Groberg spoke about the unrealistic expectations of the senator's supporters.",
         [("indirect", "Groberg", "the unrealistic expectations of the senator's supporters")]),
        ("Sanders campaign spokesman Michael Briggs did not respond to requests for comment.",
         [("indirect", "Michael Briggs", "requests for comment")]),
        # content boundaries: a trailing 'according to' and a paragraph break stay outside; a speaker's
        # relative clause with a cue of its own is a second attribution, not the split quote's second half
        ("Nor are the delegates seeing any defections, according to several party officials.\n\nThe numbers are higher.",
         [("according_to", "unnamed party officials", "Nor are the delegates seeing any defections")]),
        ("“Donald Trump is a dictator in the making,” said Beck, who said there were “too many disturbing things for me.”",
         [("direct", "Beck", "Donald Trump is a dictator in the making"),
          ("mixed", "Beck", "there were “too many disturbing things for me.”")]),
        # a sentence of the reporter's between the cue and the next quotation: not merged into the first quote
        ("\"Immigration is important, but it's education,\" says Melissa Roloson, who works in retail. "
         "Roloson supports Hillary Clinton. \"I'm a college graduate, but I have student loans.\"",
         [("direct", "Melissa Roloson", "Immigration is important, but it's education"),
          ("continuation", "Melissa Roloson", "I'm a college graduate, but I have student loans.")]),
        # a headline 'Surname: what they said', the person named in full further on
        ("Ellison: The summit plan is mostly theatre for Budapest.\n\nMara Ellison, a historian, spoke to reporters on Friday.",
         [("direct", "Mara Ellison", "The summit plan is mostly theatre for Budapest")]),
        ("Highlights: the crowd cheered when the leaders arrived.\n\nMara Ellison, a historian, spoke to reporters on Friday.", []),
        # negatives: a request is not a question; speaking or answering someone says nothing reported
        ("Asked to leave, the protesters refused.", []),
        ("The senator spoke for an hour in the rain.", []),
        ("Peskov responded to the reporters with a smile.", []),
    ],
)
def test_reported_speech_the_parse_hides(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # quotation marks glued to the words around them, as in text scraped from HTML that lost its spaces
        ("“We will meet in Budapest within two weeks,”Trump said on Thursday.",
         [("direct", "Donald Trump", "We will meet in Budapest within two weeks")]),
        ("Orban wrote on Facebook:“The preparations are under way.”",
         [("direct", "Viktor Orbán", "The preparations are under way.")]),
        ("Szijjarto said,\"The date is not set.\"He left.", [("direct", "Péter Szijjártó", "The date is not set.")]),
        # glued quotation marks around words nobody says
        ("The “peace plan”was never published.", []),
    ],
)
def test_quotation_marks_without_spaces(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["The so-called “peace dividend” has not arrived, and the “realism” of the plan is doubtful."],
        ["Her memoir “The Long Thaw” was published in 2019 and sold well in Budapest."],
        ["The word “summit” appears in every headline this week."],
        ["Trump called Putin on Thursday, and the two men spoke for about two and a half hours."],
        ["Officials in Budapest prepared the venue while the leaders spoke."],
        ["“Summit season”"],
    ],
)
def test_not_attributions(paragraphs):
    assert extract(*paragraphs).empty


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a cue set off by commas inside the sentence it reports: the sentence around it is the content
        ("The permit, the county clerk said on Friday, had been approved in May.",
         [("indirect", "county clerk", "The permit, the county clerk said on Friday, had been approved in May")]),
        ("The council, the mayor said on Monday, will vote on the budget next week.",
         [("indirect", "mayor", "The council, the mayor said on Monday, will vote on the budget next week")]),
        ("Facebook created the tool to help in times of crisis, a spokeswoman, Anna White, said on Saturday, "
         "and it has activated it five times in the last year.",
         [("indirect", "unnamed spokeswoman", "Facebook created the tool to help in times of crisis, a spokeswoman, "
           "Anna White, said on Saturday, and it has activated it five times in the last year")]),
        # negatives: a cue with its own clause keeps it; a split quotation stays a quotation
        ("In May, the senator said the permit was valid.", [("indirect", "senator", "the permit was valid")]),
        ("“We will win,” she said, “and we will do it soon.”",
         [("direct", "she", "We will win,” she said, “and we will do it soon.")]),
    ],
)
def test_mid_sentence_cues(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a clause before a colon is the reporter's; the one after the cue is reported
        ("There is less consensus on terrorism: 47% say the United States should commit ground troops; 37% disagree.",
         [("indirect", "47", "the United States should commit ground troops")]),
        # negative: with no colon, the clause before the cue is its content
        ("Budapest was the likely venue, the Kremlin aide said.", [("indirect", "Yury Ushakov", "Budapest was the likely venue")]),
    ],
)
def test_reported_clause_on_the_right_side_of_a_colon(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a show's title after the cue is neither the second half of a split quote nor a stop to the quotation
        ("''It's nonsense,'' Mr. Trump said by telephone on NBC's ''Meet the Press.'' ''She lies about everything.''",
         [("direct", "Donald Trump", "It's nonsense,'' Mr. Trump said by telephone on NBC's ''Meet the Press.'' "
           "''She lies about everything.")]),
        ("“We will win,” Clinton said on “Fox and Friends” on Sunday.", [("direct", "Clinton", "We will win")]),
        # negative: a short quotation in a sentence of its own after the cue still carries on the quotation
        ("“We will win,” she said. “Fox News Lies.”", [("direct", "she", "We will win,” she said. “Fox News Lies.")]),
    ],
)
def test_quoted_titles_after_the_cue(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # a transcript label in capitals names the person the article names in ordinary case
        (["WALLACE: Let us start with the summit in Budapest.", "Chris Wallace asked about the call."],
         [("direct", "Chris Wallace", "Let us start with the summit in Budapest"),
          ("indirect", "Chris Wallace", "the call")]),
        # a source noun as a headline label
        (["Poll: Donald Trump Ties Hillary Clinton in a Three-Way Contest.", "The survey was taken last week."],
         [("direct", "Poll", "Donald Trump Ties Hillary Clinton in a Three-Way Contest")]),
        # negatives: a shout in capitals, a subhead of a few words, a topic of two names, an imperative
        (["BOOM: Trump Just Fired A Missile Directly At Hillary She Will Not Want Anyone To See.",
          "The campaign was quiet on Monday."], []),
        (["Kasich: Now or never.", "Kasich, who has held more than 100 town halls, toured the state on Monday."], []),
        (["Netanyahu and Obama: A tortured relationship between two leaders.",
          "Benjamin Netanyahu arrived at the White House."], []),
        (["Follow Mara Ellison on Twitter: @mellison. Reach her directly at the newsroom."], []),
    ],
)
def test_colon_labels(paragraphs, expected):
    assert triples(extract(*paragraphs)) == expected


def test_transcript_labels_name_the_speaker_of_each_turn():
    frame = extract(
        "Talks on a summit in Budapest stalled this week.",
        "LENA HOLLIS, HOST:",
        "This is MORNING DESK. I'm Lena Hollis. The White House says the meeting with Vladimir Putin is off for now.",
        "TOMAS WREN, BYLINE: Good morning.",
        "HOLLIS: So what changed between Thursday's phone call and this week?",
        "WREN: Officials say the two sides could not agree on a ceasefire line, and the Kremlin wants more time.",
        "SEN. DANA PRUITT, R-OHIO: We should not reward Moscow with a summit while the shelling goes on.",
        "PESKOV: There is no date yet, and there was never an agreed one, so nothing has been cancelled.",
    )
    assert list(zip(frame.speaker_text, frame.speaker, frame.group, frame.content.str[:24])) == [
        # a label alone on its line speaks the next paragraph; 'HOST' puts her among the media
        ("LENA HOLLIS", "Lena Hollis", "media", "This is MORNING DESK. I'"),
        ("The White House", "White House", "US officials", "the meeting with Vladimi"),  # a report inside a turn
        # a surname label is the person a label named in full, even one whose own turn was too short to count
        ("HOLLIS", "Lena Hollis", "media", "So what changed between "),
        ("WREN", "Tomas Wren", "media", "Officials say the two si"),
        ("Officials", "unnamed officials", "unnamed sources", "the two sides could not "),
        # a party and state after the name: a US lawmaker, the title left out of the name
        ("SEN. DANA PRUITT", "Dana Pruitt", "US officials", "We should not reward Mos"),
        # the surname of a registered actor, never written in ordinary case in the article
        ("PESKOV", "Dmitry Peskov", "Russian officials", "There is no date yet, an"),
    ]


def test_transcript_labels_edge_cases():
    frame = extract(
        "JOHN SMITH, HOST:  ",  # trailing spaces after a label alone on its line
        "Here is the plan: we talk about the summit in Budapest first, then about the sanctions.",
        "JANE SMITH, R-OHIO: We should not reward Moscow with a summit while the shelling goes on.",
        "SEN. WREN, D-N.Y.: The sanctions have to stay until the shelling stops, whatever is agreed.",
        "SMITH: And the vote on the sanctions bill comes when the Senate is back next week.",
        "WREN: Not before the ceasefire line is agreed, and the shelling has stopped for good.",
    )
    assert list(zip(frame.speaker, frame.group, frame.content.str[:16])) == [
        # a colon inside the next paragraph does not cancel the label above it
        ("John Smith", "media", "Here is the plan"),
        ("Jane Smith", "US officials", "We should not re"),
        # a title and a surname: the title is not a first name, the party and state still count
        ("Wren", "US officials", "The sanctions ha"),
        # a surname label is the person labelled last before it
        ("Jane Smith", "US officials", "And the vote on "),
        ("Wren", "US officials", "Not before the c"),
    ]


def test_reports_inside_a_transcript_turn_are_attributions_too():
    frame = extract("Talks on a summit in Budapest stalled this week.",
                    "LENA HOLLIS, HOST:",
                    "This is MORNING DESK. Ushakov told reporters that the meeting with Vladimir Putin is off for now.",
                    "HOLLIS: Peskov said the date was never agreed, and the Kremlin wants more time.")
    assert list(zip(frame.kind, frame.speaker, frame.content.str[:26])) == [
        ("direct", "Lena Hollis", "This is MORNING DESK. Usha"),
        ("indirect", "Yury Ushakov", "the meeting with Vladimir "),
        ("direct", "Lena Hollis", "Peskov said the date was n"),
        ("indirect", "Dmitry Peskov", "the date was never agreed"),
    ]


def test_a_person_named_in_capitals_is_written_as_a_name():
    # a transcript label the parser reads as a person's name: a pronoun's speaker, title dropped, not in capitals
    frame = extract("(SOUNDBITE OF ARCHIVED BROADCAST)",
                    "PRESIDENT BARACK OBAMA: This is not a classic army in which we defeat them on a battlefield.",
                    "Later that day he said the strikes would go on for as long as it takes.")
    assert triples(frame)[-1] == ("indirect", "Barack Obama", "the strikes would go on for as long as it takes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a title word that is also a given name stays in the name, in capitals or not
        ("Marine Le Pen said the summit was a humiliation for Europe.", "Marine Le Pen"),
        ("MARINE LE PEN, FRENCH LAWMAKER: The summit is a humiliation for Europe and for France.",
         "Marine Le Pen"),
        # a real title is dropped
        ("Retired Gen. Carl Dunmore said the ceasefire line would not hold.", "Carl Dunmore"),
    ],
)
def test_titles_and_given_names(text, expected):
    assert list(extract(text).speaker) == [expected]


def test_a_newsletter_item_signed_by_an_outlets_reporter():
    frame = extract("Good morning from the convention in Tampa.",
                    "ABC's JEFF ZELENY: Former Vice President Dick Cheney will be a guest at the dinner on Thursday.",
                    "ABC’S MARY HOLT: The delegates from Ohio were the loudest in the hall when the vote was called.",
                    # negative: an outlet's possessive before one word in capitals is a heading
                    "TRUMP’s LIBERTARIAN: Mick Mulvaney is sworn in as director of the budget office on Friday.",
                    "CANDIDATE'S POSITION: The senator wants the sanctions to stay until the shelling stops.",
                    "CLINTON'S BIG DAY: The former secretary of state spoke to the delegates for an hour.")
    assert list(zip(frame.speaker, frame.group)) == [("Jeff Zeleny", "media"), ("Mary Holt", "media")]


def test_a_sentence_before_a_colon_is_not_a_transcript_label():
    frame = extract("On Tuesday, Senator Dana Pruitt said: “We should not reward Moscow with a summit.”")
    assert list(frame.speaker) == ["Dana Pruitt"]


def test_a_surname_label_is_never_named_in_capitals():
    # the parser reads the full label as a person's name in capitals; the speaker is written as a name
    frame = extract("Obama spoke to the troops at Fort Bragg on Monday.",
                    "PRESIDENT BARACK OBAMA: This is not a classic army in which we defeat them on a battlefield.",
                    "OBAMA: We will keep pressure on them for as long as it takes, and we will win.")
    assert triples(frame) == [("direct", "Barack Obama", "We will keep pressure on them for as long as it takes, and "
                                                         "we will win")]


@pytest.mark.parametrize(
    "paragraphs",
    [
        # headings in capitals with a comma, whose second part is no role
        ["MEANWHILE, ON THE LEFT AND RIGHT: Both parties spent the week trading barbs over the budget."],
        ["WIN FLORIDA, OHIO: The campaign's plan for November rests on two states and a lot of money."],
        ["In terms of acceptability, GOP voters are more fractured:", "Most Republican voters would be satisfied "
         "with either of the two front-runners as the nominee."],
        ["Mike Pence, Lone Voice Of Reason: The vice president spent the week calming allies in Europe and Asia."],
        # a heading in capitals over a paragraph, and a title-case heading over one
        ["THE NOTE:", "The most important speech of the week comes on Thursday night, before the delegates.",
         "The Note is back on Monday morning."],
        ["STOCKS FALL, MARKET JITTERS: Traders sold shares in Frankfurt and London as the summit was put off."],
        ["Pat Caddell:", "The pollster spent the week in Ohio, talking to voters about the budget and the war."],
        # a role label alone on its line, then another label: the first speaks nothing here
        ["LENA HOLLIS, HOST:", "BOOM: Trump Just Fired A Missile Directly At Hillary She Will Not Want Anyone To See."],
    ],
)
def test_headings_are_not_transcript_labels(paragraphs):
    assert triples(extract(*paragraphs)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a coordinated cue with its own pronoun subject is the writer's next report, not the reported words
        ("Rubio said the real extremist on abortion is Hillary Clinton, and he railed against the moderators.",
         [("indirect", "Marco Rubio", "the real extremist on abortion is Hillary Clinton")]),
        ("Sen. Bernie Sanders called him divisive and accused him of failing to “stand together” with voters.",
         [("indirect", "Bernie Sanders", "him divisive"),
          ("mixed", "Bernie Sanders", "him of failing to “stand together” with voters")]),
        # negative: a coordinated clause that is not a report stays in the content
        ("Trump said he would win the state and he would build a wall.",
         [("indirect", "Donald Trump", "he would win the state and he would build a wall")]),
    ],
)
def test_coordinated_reports_are_their_own(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the cue read as a participle of the speaker's noun, right after the quotation
        ("“Is this the end of the campaign?” one voter asked on Twitter.",
         [("direct", "unnamed voter", "Is this the end of the campaign?")]),
        # a cue clause hung inside the quotation it introduces takes its speaker outside the quotation
        ("Weaver did not seem impressed with the comments on Tuesday, telling reporters, “A lot of people said the "
         "governor should step down.”",
         [("direct", "Weaver", "A lot of people said the governor should step down.")]),
        # a participle of a noun with no quotation before it: the noun speaks, as in PolNeAR's gold ('911 calls
        # saying …', 'an item suggesting that …')
        ("A petition calling on him to be banned from the United Kingdom has reached 563,000 signatures.",
         [("indirect", "petition", "him to be banned from the United Kingdom")]),
    ],
)
def test_speakers_the_parse_misplaces(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the object of 'say' is what was said; a clause whose subject the parser took for the object too
        ("Trump says racist things.", [("indirect", "Donald Trump", "racist things")]),
        ("Pressed on the point, the candidate said families of people killed by police file lawsuits.",
         [("indirect", "candidate", "families of people killed by police file lawsuits")]),
        # a reported clause the parser cut in two is joined again
        ("John Kerry said the Iranians released by the United States were in some cases close to completing "
         "their sentences.",
         [("indirect", "John Kerry", "the Iranians released by the United States were in some cases close to "
           "completing their sentences")]),
        # negatives: a pronoun object says nothing; 'tell' keeps its addressee out of the content
        ("He said it twice before leaving the room.", []),
        ("She told reporters the talks would resume.", [("indirect", "she", "the talks would resume")]),
    ],
)
def test_what_is_said_as_an_object(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the question put: a clause opening with 'if', 'whether' or a wh-word, or what it was 'about'
        ("Then Mr. Rubin asked the students if they were always so serious.",
         [("indirect", "Rubin", "if they were always so serious")]),
        ("When asked by Ingraham on Thursday about foreign workers, Cruz said the plan was bad.",
         [("indirect", "Ingraham", "foreign workers"), ("indirect", "Cruz", "the plan was bad")]),
        ("Asked at a briefing on Monday about her future role, the press secretary said she would matter.",
         [("indirect", "unknown", "her future role"), ("indirect", "press secretary", "she would matter")]),
        # negatives: a request is not a question
        ("Asked to leave, the protesters refused.", []),
    ],
)
def test_questions_asked(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a characterisation runs over the object and its complements, quotation marks included
        ("Today the People's Daily newspaper calls it \"the pearl\" on the Silk Road Economic Belt.",
         [("mixed", "People's Daily newspaper", "it \"the pearl\" on the Silk Road Economic Belt")]),
        ("Former Florida Gov. Jeb Bush called Trump “unhinged.”", [("mixed", "Jeb Bush", "Trump “unhinged.”")]),
        # negatives: the writer's aside after a comma, and a phrase before the cue ('On Twitter, … called')
        ("Party Chairman Reince Priebus called the remarks a \"new low,\" linking to a story about the donors.",
         [("mixed", "Chairman Reince Priebus", "the remarks a \"new low,\"")]),
        ("On Twitter, Jeb Bush called the plan “unhinged.”", [("mixed", "Jeb Bush", "the plan “unhinged.”")]),
    ],
)
def test_characterisations(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a reporting noun with its owner or its 'by' phrase: 'her claim that …', 'calls for …', 'claim to be …'
        ("Clinton's claim that 90 percent of her e-mails were in the system is her camp's calculation.",
         [("indirect", "Clinton", "90 percent of her e-mails were in the system")]),
        ("The department pushed back against claims by intelligence agencies that some messages should be classified.",
         [("indirect", "intelligence agencies", "some messages should be classified")]),
        ("A second-place finish would bolster Rubio's claim to be the strongest alternative to the front-runner.",
         [("indirect", "Marco Rubio", "be the strongest alternative to the front-runner")]),
        # negatives: a reporting noun with no one owning it, or with no content
        ("The claim that he made was false.", []),
        ("His statement on Friday was short.", []),
    ],
)
def test_reporting_nouns(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 'promise' and 'threaten' with 'to be' speak of likelihood, not of a promise or a threat
        ("The debate promised to be a crucial moment for the candidates.", []),
        ("The storm threatened to become the worst in a decade.", []),
        # negative: a promise to do something is reported speech
        ("Sanders promised to end the deportation regime.", [("indirect", "Sanders", "end the deportation regime")]),
    ],
)
def test_promise_to_be_is_not_a_promise(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a second reported clause coordinated with the cue: 'and that …', or backshifted with no subject
        ("Mr. Trump said that their father could be unyielding, and that Freddy had struggled with his criticism.",
         [("indirect", "Donald Trump", "their father could be unyielding, and that Freddy had struggled with his criticism")]),
        ("Ms. Gedrich said she hoped to get her account back, and then would continue to spread her message.",
         [("indirect", "Gedrich", "she hoped to get her account back, and then would continue to spread her message")]),
        # negative: what the speaker did next is not what was said
        ("The mayor said the budget was balanced, and then left the room without taking questions.",
         [("indirect", "mayor", "the budget was balanced")]),
    ],
)
def test_second_reported_clauses(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the parser hung the cue on the quotation's own verb: the name after the closing mark is the speaker
        ("''If Reagan had gone with Kemp, I would have been sitting in Siberia for a long time,'' Mr. Daniloff, now "
         "81 and retired in Cambridge, Mass., said by telephone this week.",
         [("direct", "Daniloff", "If Reagan had gone with Kemp, I would have been sitting in Siberia for a long time")]),
        ("“The media are in the tank for Clinton, and we will prove it,” Brent Bozell III, founder of the Media "
         "Research Center, tells Breitbart News.",
         [("direct", "Brent Bozell III", "The media are in the tank for Clinton, and we will prove it")]),
        # negative: a quotation followed by the writer's own sentence is nobody's
        ("“Make America Great Again,” the red hats read, and the crowd cheered.", []),
    ],
)
def test_speaker_right_after_the_quotation(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a 'that' clause the parser hung on a noun deep in the cue's phrase
        ("Hillary Clinton is telling customers at a popular Manchester, New Hampshire, breakfast spot that her "
         "campaign needs them tomorrow.",
         [("indirect", "Hillary Clinton", "her campaign needs them tomorrow")]),
        # 'issued a statement saying …': the issuer speaks
        ("On Saturday, Trump issued a statement saying that Scalia was a brilliant justice.",
         [("indirect", "Donald Trump", "Scalia was a brilliant justice")]),
        ("The campaign released a radio ad on Tuesday saying the governor had raised taxes twice.",
         [("indirect", "campaign", "the governor had raised taxes twice")]),
        # negatives: a relative clause is not a report; a parse that leaves the participle's noun heading the
        # sentence (and hangs the sentence's verb on the participle) is not trusted
        ("She told the story of a farmer in Iowa who lost his land.", []),
        ("A sign saying the road was closed stood at the corner.", []),
    ],
)
def test_reports_the_parse_hangs_on_nouns(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a cue on the right side of a colon with its own object does not report the left side
        ("Even people who endorsed the plan sounded equivocal: Former Rep. Jane Harman called it “the least bad "
         "option under the circumstances.”",
         [("mixed", "Jane Harman", "it “the least bad option under the circumstances.”")]),
    ],
)
def test_cue_after_a_colon_with_its_own_object(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # poll answers: 'said yes', 'said so', 'said the same'
        ("Asked if Sanders could win in November, 72 percent of Democrats said yes while 48 percent overall agreed.",
         [("indirect", "unknown", "if Sanders could win in November"), ("indirect", "72 percent of Democrats", "yes")]),
        ("Half of the respondents said so in the survey.", [("indirect", "Half of the respondents", "so")]),
        ("In the same poll, 43 percent of independents said the same.",
         [("indirect", "43 percent of independents", "the same")]),
        # negatives: 'so' and 'no' that open a longer phrase are not answers
        ("He said so many things during the debate.", [("indirect", "he", "so many things during the debate")]),
        ("Nobody said no one would come.", [("indirect", "nobody", "no one would come")]),
    ],
)
def test_short_answers(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a report set against the first by 'while' or 'but', with a subject of its own, is its own
        ("About four out of 10 voters said life for the next generation would be worse than life today, while nine "
         "in 10 said they thought the economy favors the wealthy.",
         [("indirect", "About four out of 10 voters", "life for the next generation would be worse than life today"),
          ("indirect", "nine in 10", "they thought the economy favors the wealthy")]),
        # negatives: 'but that …' is a second clause of the same report; a 'when' clause stays in the content
        ("He said he made multiple requests to speak with Bob but that those requests were denied.",
         [("indirect", "he", "he made multiple requests to speak with Bob but that those requests were denied")]),
        ("She said the council would vote when the mayor says the budget is ready.",
         [("indirect", "she", "the council would vote when the mayor says the budget is ready")]),
        # the addressee of 'tell' and its place are not the reported clause's subject
        ("Clinton tells reporters outside a polling location in Greenville that she expects to do well.",
         [("indirect", "Clinton", "she expects to do well")]),
    ],
)
def test_contrasted_reports_and_stray_subjects(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what is tweeted or stressed, as an object, is what was said
        ("Real estate mogul Donald Trump tweeted a chart of wildly inaccurate crime statistics on Sunday.",
         [("indirect", "Donald Trump", "a chart of wildly inaccurate crime statistics")]),
        ("O'Malley, the former governor of Maryland, stressed his executive experience and climate change plan.",
         [("indirect", "O'Malley", "his executive experience and climate change plan")]),
        # negatives: a pronoun object says nothing new; a tweet with no object has no content of its own
        ("She tweeted it again on Monday.", []),
        ("Peter Morici is an economist and a national columnist. He tweets @pmorici1.", []),
        ("The senator tweeted during the hearing.", []),
    ],
)
def test_tweeted_and_stressed_objects(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a phrase hung on the cue right after its object belongs to the object
        ("Clinton recalled her opposition to George W. Bush administration efforts to privatize federal jobs.",
         [("indirect", "Clinton", "her opposition to George W. Bush administration efforts to privatize federal jobs")]),
        ("Gov. Jerry Brown announced the deal with state lawmakers on Monday.",
         [("indirect", "Jerry Brown", "the deal with state lawmakers")]),
        # negatives: the audience, a person's name and the circumstances stay out
        ("Trump praised the governor to reporters on Monday.", [("indirect", "Donald Trump", "the governor")]),
        ("The senator praises Obama after a 45-minute meeting on policy.", [("indirect", "senator", "Obama")]),
    ],
)
def test_phrases_after_the_object(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a finished quoted sentence before 'X said:' is not the first half of X's split quotation
        ("''We are refugees,'' Ms. Alawee said. ''We are not terrorists.'' Mr. Zahed said: ''The attack that "
         "happened today is the work of terrorists.''",
         [("direct", "Alawee", "We are refugees,'' Ms. Alawee said. ''We are not terrorists."),
          ("direct", "Zahed", "The attack that happened today is the work of terrorists.")]),
        # a split quotation still joins when its first half ends with a comma
        ("“We are ready,” said Eszter Farkas, an analyst at the Danube Policy Institute, “and we have done it before.”",
         [("direct", "Eszter Farkas", "We are ready,” said Eszter Farkas, an analyst at the Danube Policy Institute, "
           "“and we have done it before.")]),
    ],
)
def test_split_quotations_need_an_unfinished_first_half(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # a headline opening with a name and a cue verb, in title case or sentence case
        (["Donald Trump Tweets A Wildly Inaccurate Graphic To Portray Black People As Murderers.",
          "Real estate mogul Donald Trump on Sunday shared a chart."],
         [("indirect", "Donald Trump", "A Wildly Inaccurate Graphic To Portray Black People As Murderers")]),
        (["Salma Hayek Described Her Experience With Harvey Weinstein In A New Essay.", "The actress wrote in the Times."],
         [("indirect", "Salma Hayek", "Her Experience With Harvey Weinstein In A New Essay")]),
        (["Polls suggest possibility of deal on court;", "The court has a vacancy."],
         [("indirect", "Polls", "possibility of deal on court")]),
        # negatives: a verb after a relative pronoun, a question headline after a name and colon, no cue at all
        (["Hillary Clinton Under Pressure To Repudiate General Who Called For Internment Of Islamic Radicals.",
          "The general stumped for Clinton."], []),
        (["Ted Cruz: Constitutional conservative or something else?", "The senator spoke in Iowa."], []),
        (["The Senate passes a budget bill after a long night.", "The vote was close."], []),
        # the first word of a two-word cue ('make clear') is no cue alone
        (["Trump campaign makes a Capital investment in Washington.", "The front-runner visited on Monday."], []),
        # 'calls' after a name in a sentence-case headline is the verb
        (["Trump calls for bringing back surveillance of Muslim communities.", "He spoke in Iowa."],
         [("indirect", "Donald Trump", "bringing back surveillance of Muslim communities")]),
    ],
)
def test_headlines(paragraphs, expected):
    assert triples(extract(*paragraphs)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a past-tense cue the parser read as a participle of the noun before it: that noun is the speaker
        ("In Philadelphia, a group of rabbis called for a boycott of his speech.",
         [("indirect", "group of rabbis", "a boycott of his speech")]),
        # 'call upon' is a demand like 'call on'
        ("On Tuesday, Trump called upon Mayor Bill de Blasio to restart surveillance of mosques.",
         [("indirect", "Donald Trump", "Mayor Bill de Blasio to restart surveillance of mosques")]),
        # negatives: a real participle names something; it says nothing
        ("They slammed the tax loophole called an inversion in a hearing.",
         [("indirect", "they", "the tax loophole called an inversion in a hearing")]),
        ("A candidate called by the party to testify stayed home.", []),
    ],
)
def test_cues_read_as_participles_and_call_upon(text, expected):
    assert triples(extract(text)) == expected


def test_misturned_closing_mark_still_closes_the_quotation():
    frame = extract("“The reality is, if she loses Iowa, that could create real problems,“ said Jim Clyburn, a congressman.")
    assert triples(frame) == [("direct", "Jim Clyburn", "The reality is, if she loses Iowa, that could create real problems")]


def test_speaker_resolution_pronouns_descriptions_and_surnames():
    frame = extract(
        "Russian President Vladimir Putin spoke with Donald Trump for two and a half hours on Thursday.",
        "Putin warned that the missiles would not change the situation on the battlefield.",
        "The Russian leader said relations would suffer. He added that Moscow preferred a peaceful resolution.",
        "Hungarian Prime Minister Viktor Orbán wrote that his country was ready. Orbán said preparations were under way.",
    )
    assert list(frame.speaker) == ["Vladimir Putin"] * 3 + ["Viktor Orbán"] * 2
    assert list(frame.speaker_text) == ["Putin", "The Russian leader", "He", "Hungarian Prime Minister Viktor Orbán", "Orbán"]
    assert list(frame.group) == ["Russian officials"] * 3 + ["Hungarian sources"] * 2


def test_unregistered_people_get_country_only_from_evidence():
    frame = extract(
        "“The venue matters,” said Katalin Varga, a Hungarian political analyst.",
        "“The talks matter more,” said Jonas Weber, who lives nearby.",
    )
    countries = [None if pd.isna(c) else c for c in frame.speaker_country]
    assert list(zip(frame.speaker, countries, frame.speaker_role)) == [
        ("Katalin Varga", "HU", "expert"), ("Jonas Weber", None, "unknown")]


def test_unregistered_speakers_take_country_and_role_from_their_title_words():
    frame = extract("A Hungarian government spokesman said the venue was ready.",
                    "A Russian presidential aide told reporters that the talks would continue.")
    countries = [None if pd.isna(c) else c for c in frame.speaker_country]
    assert list(zip(frame.speaker_type, countries, frame.speaker_role)) == [
        ("unnamed", "HU", "official"), ("unnamed", "RU", "official")]


def test_offsets_point_into_the_text_and_columns_are_documented():
    text = "BUDAPEST — “We are ready,” the Hungarian government said on Friday."
    frame = extract(text)
    assert list(frame.columns) == ATTRIBUTION_COLUMNS
    row = frame.iloc[0]
    assert text[row.content_start:row.content_end] == row.content == "We are ready"
    assert text[row.speaker_start:row.speaker_end] == row.speaker_text == "the Hungarian government"
    assert (row.cue, row.cue_text, row.cue_category, row.quoted_words) == ("say", "said", "neutral", 3)


def test_cue_categories_come_from_the_lexicon():
    frame = extract("Zelensky claimed that Russia was stalling. Peskov insisted that Moscow wanted peace. "
                    "Rubio admitted that the talks would be hard. Medvedev slammed the plan as reckless.")
    assert dict(zip(frame.cue, frame.cue_category)) == {
        "claim": "doubting", "insist": "assertive", "admit": "conceding", "slam": "emotive"}


def test_unbalanced_quotes_never_drop_the_article():
    text = "\n\n".join(["Trump said on Thursday “we want to get peace", "”Stray closing marks” everywhere”",
                         "Ushakov said the talks were “very substantive and extremely frank”."])
    frame = extract(text.split("\n\n")[0], text.split("\n\n")[1], text.split("\n\n")[2])
    assert list(frame.speaker) == ["Donald Trump", "Yury Ushakov"]
    assert frame.content.iloc[0] == "we want to get peace"  # the unclosed quote ends with its paragraph
    assert frame.content.iloc[1] == "the talks were “very substantive and extremely frank”"


def test_non_ok_articles_are_skipped():
    articles = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "X"], "status": ["ok", "duplicate"],
                             "text": ["Trump said the call went well.", "Trump said the call went well."]})
    assert list(extract_attributions(articles).article_id) == ["a"]


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PIECES = ["“", "”", '"', "‘", "’", "'", "said", "Trump", "he", "told reporters:", "according to", "Ushakov",
          ",", ".", "\n\n", " ", "the Kremlin", "that", "warned", "«", "»", "―", "WALLACE:", "''", "…"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60))
def test_extraction_never_crashes_and_offsets_hold(pieces):
    text = " ".join(pieces)
    frame = extract(text)
    for row in frame.itertuples():
        assert 0 <= row.content_start <= row.content_end <= len(text)
        assert text[row.content_start:row.content_end] == row.content


def test_very_long_article_is_parsed_in_pieces_with_true_offsets(monkeypatch):
    monkeypatch.setattr("toolkit.attributions.CHUNK_CHARACTERS", 5_000)  # pieces of 5,000 instead of 100,000
    paragraph = "“We want to get peace,” Trump said on Thursday at the White House."
    text = "\n\n".join([paragraph] * 400)  # about 27,000 characters: six pieces
    frame = extract(text)
    assert len(frame) == 400
    assert list(frame.attribution_index) == list(range(400))
    assert list(frame.paragraph_index) == list(range(400))
    assert frame.sentence_index.is_monotonic_increasing and frame.sentence_index.iloc[-1] >= 399
    for row in frame.sample(20, random_state=0).itertuples():
        assert text[row.content_start:row.content_end] == row.content == "We want to get peace"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a 'that' clause right after the cue is what was said, though the parser also hung the fronted
        # participle clause on the cue
        ("Claiming the criticism of Lauer is designed to pressure debate moderators, Trump told Fox that the "
         "networks were gaming the system.",
         [("indirect", "Donald Trump", "the networks were gaming the system")]),
        # negative: a clause split by the cue is one content ('A, she said in an interview, that B')
        ("It makes a difference, she said in an interview afterward, that Cruz and his campaign remember the "
         "little people of Iowa.",
         [("indirect", "she", "It makes a difference, she said in an interview afterward, that Cruz and his "
                               "campaign remember the little people of Iowa")]),
    ],
)
def test_that_clause_after_the_cue_wins_over_a_fronted_clause(text, expected):
    assert triples(extract(text)) == expected


FIRST_OBAMA_QUOTE = ("direct", "Obama", "We've had problems with cyber intrusions from Russia in the past")


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # a cue sentence about the same 'he' between two quotations does not break the chain
        ("“We've had problems with cyber intrusions from Russia in the past,” Obama said after meeting Putin. He "
         "didn't suggest retaliation. “Our goal is to start instituting some norms so that everybody is acting "
         "responsibly.”",
         [FIRST_OBAMA_QUOTE, ("continuation", "Obama", "Our goal is to start instituting some norms so that "
                                                       "everybody is acting responsibly.")]),
        # negative: a cue sentence with another named subject does break it
        ("“We've had problems with cyber intrusions from Russia in the past,” Obama said after meeting Putin. "
         "Pelosi didn't suggest retaliation. “Our goal is to start instituting some norms so that everybody is "
         "acting responsibly.”",
         [FIRST_OBAMA_QUOTE]),
    ],
)
def test_continuations_pass_over_cues_of_the_same_pronoun(paragraph, expected):
    assert triples(extract(paragraph)) == expected


def test_quotation_opened_with_a_closing_mark_keeps_its_signature():
    found = extract("Readers answered our call.",
                    "”Fear. I am truly afraid that Donald Trump will win. He has spread hate and ignorance.” ― Karen Bobadilla")
    assert triples(found) == [("direct", "Karen Bobadilla",
                               "Fear. I am truly afraid that Donald Trump will win. He has spread hate and ignorance.")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the parser hung the 'that' clause on the verb governing the cue
        ("The Kremlin continued to maintain, despite the reports, that no summit had been cancelled.",
         [("indirect", "Kremlin", "no summit had been cancelled")]),
        # the parser made the 'that' clause the head of the sentence and the cue its complement
        ("The Republican nominee continues to insist, most recently in a Labor Day interview with ABC News, that he "
         "really wants to release his taxes but can't because he is being audited.",
         [("indirect", "Republican nominee", "he really wants to release his taxes but can't because he is being "
                                             "audited")]),
        # negative: 'so that' after a verb that is no cue reports nothing
        ("He continued to speak so that everyone in the hall could hear him.", []),
    ],
)
def test_that_clauses_the_parser_hung_elsewhere(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a short cue clause closing the sentence reports the clause before it, though the parse left them apart
        ("This includes a special force to assist Kurdish Peshmerga, Defense Secretary Ash Carter told a Senate "
         "panel Wednesday.",
         [("indirect", "Ash Carter", "This includes a special force to assist Kurdish Peshmerga")]),
        ("Those who do take on heavy debt struggle, even with a \"good\" job, he said.",
         [("mixed", "he", "Those who do take on heavy debt struggle, even with a \"good\" job")]),
        # negative: an opening phrase with no clause of its own, and a verb that does not report this way
        ("In an interview with The Huffington Post in late May, the campaign chairman said.", []),
        ("After years of waiting, the family members spoke.", []),
    ],
)
def test_cue_clauses_closing_a_sentence(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the parser read the speaker's apposition as a clause before the cue ('rabbi' as a verb)
        ("Jeffrey Salkin, a Hollywood, Fla., rabbi helping to organize the boycott, said he and other rabbis were "
         "alarmed about the rhetoric on the campaign trail.",
         [("indirect", "Jeffrey Salkin", "he and other rabbis were alarmed about the rhetoric on the campaign trail")]),
    ],
)
def test_apposition_read_as_a_clause(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the name right after the cue, which the parser made the subject of a verb further on ('Correct')
        ("\"What's shaping up is a battle for the ages,\" said David Brock, a Clinton confidant who heads the "
         "pro-Clinton super PAC Correct the Record.",
         [("direct", "David Brock", "What's shaping up is a battle for the ages")]),
    ],
)
def test_inverted_speaker_the_parser_gave_to_another_verb(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # an aside in brackets right after a name: the name is still the subject of the cue
        (["Sen. Chris Murphy (a Connecticut Democrat so boyish he is often mistaken for an intern) says he will "
          "block the sale."],
         [("indirect", "Chris Murphy", "he will block the sale")]),
        (["Senate Majority Whip John Thune (R-S.D.) said on Tuesday that the chamber would take up the bill before "
          "the recess."],
         [("indirect", "John Thune", "the chamber would take up the bill before the recess")]),
        # the blanked aside does not stretch the name, so a headline label still finds the person named below
        (["Thune: Senate Will Vote on the Bill in June",
          "Senate Majority Whip John Thune (R-S.D.) said on Tuesday that the chamber would take up the bill before "
          "the recess."],
         [("direct", "John Thune", "Senate Will Vote on the Bill in June"),
          ("indirect", "John Thune", "the chamber would take up the bill before the recess")]),
        # a sentence in brackets is not an aside
        (["He told friends his grandmother was Jewish. (She was not.) The campaign said it would look into it."],
         [("indirect", "he", "his grandmother was Jewish"), ("indirect", "campaign", "it would look into it")]),
    ],
)
def test_asides_in_brackets_after_a_name(paragraphs, expected):
    assert triples(extract(*paragraphs)) == expected


def test_blanked_asides_keep_every_offset():
    text = "Rep. Adam Schiff (D-Calif.) said it. (He was right.)"
    masked = parse_text(text)
    assert len(masked) == len(text)
    assert masked == "Rep. Adam Schiff            said it. (He was right.)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a quotation inside an opening participle phrase belongs to that phrase, not to the main cue
        ("Bemoaning the \"phony system,\" Trump accused Holt of being a Democrat.",
         [("mixed", "Donald Trump", "the \"phony system"), ("indirect", "Donald Trump", "Holt of being a Democrat")]),
        ("\"It was rigged,\" Trump said, citing the \"phony system.\"", [("direct", "Donald Trump", "It was rigged")]),
    ],
)
def test_quotations_in_an_opening_phrase(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a sentence before a colon is what the cue's clause explains, not what was said
        ("We have been here before: Osama bin Laden declared war on the United States.", []),
        ("The plan has failed; Trump said so on Monday.", [("indirect", "Donald Trump", "The plan has failed")]),
        ("The plan has failed, Trump said.", [("indirect", "Donald Trump", "The plan has failed")]),
    ],
)
def test_a_clause_before_a_colon_is_not_the_content(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a passive 'as' clause names its source in its 'by' or 'in' phrase, never the subject it reports on
        ("As reported by The Washington Post, the inspector general issued subpoenas to the agency.",
         [("indirect", "Washington Post", "the inspector general issued subpoenas to the agency")]),
        ("The inspector general issued subpoenas, as first reported by Politico.",
         [("indirect", "Politico", "The inspector general issued subpoenas")]),
        ("As stated in Davis' commentary, there are conflicting stories about how his wife was able to work here.",
         [("indirect", "Davis", "there are conflicting stories about how his wife was able to work here")]),
        ("As reported earlier, the inspector general issued subpoenas to the agency.", []),
    ],
)
def test_as_reported_by(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a clause before the cue that opens with 'after', 'when' … says when or why, not what
        ("In a statement released shortly after the Florida senator suspended his presidential campaign, Cruz said "
         "he is certain Rubio will continue to fight.",
         [("indirect", "Cruz", "he is certain Rubio will continue to fight")]),
        ("After the senator suspended his campaign, Cruz said nothing.", []),
        ("The plan has failed, Cruz said.", [("indirect", "Cruz", "The plan has failed")]),
    ],
)
def test_adverbial_clauses_before_the_cue_are_not_content(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a reported clause opening with a gerund, which the parser took for the cue's own complement
        ("He said legalizing it could put thousands of people to work in upstate New York.",
         [("indirect", "he", "legalizing it could put thousands of people to work in upstate New York")]),
        ("He said seeing the president was the highlight of his trip.",
         [("indirect", "he", "seeing the president was the highlight of his trip")]),
        # a gerund report of its own, and a gerund that is not followed by a clause
        ("He recalled meeting Putin in 2015.", [("indirect", "he", "meeting Putin in 2015")]),
        ("He kept saying nothing.", []),
    ],
)
def test_reported_clauses_opening_with_a_gerund(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a reporting participle hung on a noun: the noun is the speaker, and not part of what it says
        ("Police received 911 calls saying shots have been fired inside the center.",
         [("indirect", "911 calls", "shots have been fired inside the center")]),
        ("The emails included staff members suggesting someone should question Sanders' faith.",
         [("indirect", "staff members", "someone should question Sanders' faith")]),
        ("Trump issued a statement saying he would attend.", [("indirect", "Donald Trump", "he would attend")]),
        # a participle that reports nothing
        ("A law banning fracking is hurting the economy.", []),
        ("Voters wanting change turned out in large numbers.", []),
    ],
)
def test_reporting_participles_hung_on_their_speaker(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # how much was said is not what was said
        (["He returned on Wednesday for the last minutes of a caucus lunch and said little, according to an "
          "attendee."],
         [("according_to", "attendee", "He returned on Wednesday for the last minutes of a caucus lunch and said "
                                       "little")]),
    ],
)
def test_saying_little(paragraphs, expected):
    assert triples(extract(*paragraphs)) == expected


def rows_of_parse(rows: list[tuple], spaces: list[bool], ents: list[str] | None = None) -> list[dict]:
    """Attribution rows of a parse built by hand: (word, tag, pos, dep, head, lemma) per token, one sentence; for
    parses the pipeline gave inside a long article that a short text does not reproduce."""
    from spacy.tokens import Doc

    from toolkit.attributions import _actor_index, attribution_rows, default_cue_lexicon
    from toolkit.nlp import load_pipeline
    from toolkit.speakers import default_group_map, default_speaker_words

    nlp = load_pipeline()
    doc = Doc(nlp.vocab, words=[r[0] for r in rows], spaces=spaces, tags=[r[1] for r in rows],
              pos=[r[2] for r in rows], deps=[r[3] for r in rows], heads=[r[4] for r in rows],
              lemmas=[r[5] for r in rows], sent_starts=[True] + [False] * (len(rows) - 1),
              ents=ents or ["O"] * len(rows))
    return attribution_rows(doc, "t1", "Test", _actor_index(nlp, None), default_speaker_words(), default_group_map(),
                            default_cue_lexicon())


def test_according_to_whose_source_the_parser_left_without_an_object():
    """In a long NYT article the parser read 'according to the F.A.A.' with 'the' hung on the verb and no object
    under 'to'; the same parse, built by hand, still gives the source and keeps it out of the content."""
    rows = [  # word, tag, pos, dep, head
        ("It", "PRP", "PRON", "nsubjpass", 3), ("is", "VBZ", "AUX", "auxpass", 3), ("now", "RB", "ADV", "advmod", 3),
        ("cleared", "VBN", "VERB", "ROOT", 3), ("to", "TO", "PART", "aux", 5), ("fly", "VB", "VERB", "xcomp", 3),
        ("again", "RB", "ADV", "advmod", 5), (",", ",", "PUNCT", "punct", 3), ("according", "VBG", "VERB", "prep", 3),
        ("to", "IN", "ADP", "prep", 8), ("the", "DT", "PRON", "punct", 3), ("F.A.A.", "NNP", "PROPN", "dep", 10),
    ]
    rows = [(*row, row[0].lower()) for row in rows]
    spaces = [i + 1 < len(rows) and rows[i + 1][0] != "," for i in range(len(rows))]
    found = rows_of_parse(rows, spaces)
    assert "".join(r[0] + " " * s for r, s in zip(rows, spaces)) == "It is now cleared to fly again, according to the F.A.A."
    assert [(r["kind"], r["speaker_text"], r["content"]) for r in found] == [
        ("according_to", "the F.A.A.", "It is now cleared to fly again")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 'calling X a Y' read with the person named as the cue's complement: both are what was said
        ("Democratic candidates went further, with former Maryland Gov. Martin O’Malley calling Trump a fascist.",
         [("indirect", "Martin O’Malley", "Trump a fascist")]),
        # 'called on' demands only right after the cue; a day is not a demand, nor is a phone call
        ("He called on Congress to act.", [("indirect", "he", "Congress to act")]),
        ("He called Trump on Friday.", []),
    ],
)
def test_names_given_and_calls_on(text, expected):
    assert triples(extract(text)) == expected


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        # the parse of a long article: the infinitive hung on the cue as an adverbial clause, after 'this week'
        ("plans", "plans this week to give an additional $15 million to For Our Future"),
        # the same parse with an object that announces no intention: the infinitive says why, not what
        ("results", "results"),
    ],
)
def test_an_intention_announced_takes_its_infinitive(tokens, expected):
    """'Steyer announced plans this week to give …', parsed by hand as the pipeline parsed it in a USA Today article
    (a short text alone parses the infinitive as the object's complement, which was already handled)."""
    rows = [  # word, tag, pos, dep, head, lemma
        ("Steyer", "NNP", "PROPN", "nsubj", 1, "Steyer"), ("announced", "VBD", "VERB", "ROOT", 1, "announce"),
        (tokens, "NNS", "NOUN", "dobj", 1, tokens[:-1]), ("this", "DT", "DET", "det", 4, "this"),
        ("week", "NN", "NOUN", "npadvmod", 1, "week"), ("to", "TO", "PART", "aux", 6, "to"),
        ("give", "VB", "VERB", "advcl", 1, "give"), ("an", "DT", "DET", "det", 11, "an"),
        ("additional", "JJ", "ADJ", "amod", 11, "additional"), ("$", "$", "SYM", "quantmod", 11, "$"),
        ("15", "CD", "NUM", "compound", 11, "15"), ("million", "CD", "NUM", "dobj", 6, "million"),
        ("to", "IN", "ADP", "dative", 6, "to"), ("For", "IN", "ADP", "compound", 15, "for"),
        ("Our", "PRP$", "PRON", "poss", 15, "our"), ("Future", "NNP", "PROPN", "pobj", 12, "Future"),
        (".", ".", "PUNCT", "punct", 1, "."),
    ]
    spaces = [i + 1 < len(rows) and rows[i + 1][0] != "." and rows[i][0] != "$" for i in range(len(rows))]
    found = rows_of_parse(rows, spaces, ents=["B-PERSON"] + ["O"] * (len(rows) - 1))
    assert [(r["speaker"], r["content"]) for r in found] == [("Steyer", expected)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an aside that holds a report of its own is parsed as it stands
        ("Sen. Jeff Flake (who told reporters last week that he would not vote for Trump) said on Sunday that the "
         "party must change course.",
         [("indirect", "Jeff Flake", "he would not vote for Trump"),
          ("indirect", "Jeff Flake", "the party must change course")]),
        # 'according to' inside brackets reports what the brackets hold
        ("Overwhelmingly white states like Iowa (93 percent of 2012 voters there were white, according to exit "
         "polls), New Hampshire (93 percent), Ohio and Pennsylvania could trend toward Trump.",
         [("according_to", "exit polls", "93 percent of 2012 voters there were white")]),
    ],
)
def test_reports_inside_brackets(text, expected):
    assert triples(extract(text)) == expected
