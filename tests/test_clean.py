"""Cleaning page furniture: each kind of furniture goes, and body sentences that look like furniture stay."""

from __future__ import annotations

import pytest

from toolkit import clean_text, load_cleaning_rules
from toolkit.clean import credits_agency, is_prose

LEDE = ("MOSCOW (Agencies) – Russian President Vladimir Putin told his US counterpart that long-range missiles "
        "would not change the situation on the battlefield, a Kremlin aide said on Thursday.")
CLOSE = "The two leaders last met in Anchorage, Alaska, in August without a breakthrough, officials on both sides said."


def clean_around(line: str, where: str = "top"):
    """Clean a page with one extra line above the body, inside it, or below it."""
    lines = {"top": [line, LEDE, CLOSE], "middle": [LEDE, line, CLOSE], "bottom": [LEDE, CLOSE, line]}[where]
    return clean_text("\n".join(lines))


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Loading...", "loading"),
        ("Please wait while the page loads…", "loading"),
        ("We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.", "consent"),
        ("Accept all", "consent"),
        ("scheduleOctober 17, 2025", "icon_ligature"),
        ("visibility2,381", "icon_ligature"),
        ("labelWorld", "icon_ligature"),
        ("shareShare", "icon_ligature"),
        ("bookmark_borderSave", "icon_ligature"),
        ("favorite_borderLike", "icon_ligature"),
        ("3 hours ago", "relative_time"),
        ("Updated 12 min ago", "relative_time"),
        ("Share on Facebook", "share_button"),
        ("WhatsApp", "share_button"),
        ("Copy link", "share_button"),
        ("Comments0", "comment_counter"),
        ("0Comments", "comment_counter"),
        ("12 comments", "comment_counter"),
        ("Advertisement", "advertisement"),
        ("© 2025 Crescent Dispatch. All rights reserved.", "copyright"),
        ("October 17, 2025 14:05", "date_only"),
    ],
)
@pytest.mark.parametrize("where", ["top", "middle", "bottom"])
def test_furniture_line_is_removed_with_its_rule(line, rule, where):
    cleaned = clean_around(line, where)
    if where == "middle" and is_prose(line):
        # Inside the body a line that reads as prose is never removed, whatever a rule says: the body's
        # sentences outrank the furniture rules.
        assert cleaned.text == "\n\n".join([LEDE, line, CLOSE])
        assert cleaned.removed == []
        return
    assert cleaned.text == LEDE + "\n\n" + CLOSE
    assert [(r.text, r.rule) for r in cleaned.removed] == [(line, rule)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Share prices in Moscow rose after the call, traders said, before falling back by the evening.",
        "By Thursday evening, the Kremlin had confirmed that the two presidents had spoken for two and a half hours.",
        "Loading the missiles onto ships would take months, a retired officer said.",
        "Comments by the Hungarian foreign minister were welcomed in Moscow.",
        "Accept it or not, the summit is coming, the analyst said.",
        "“Save the date,” Orbán’s spokesman joked to reporters.",
        "Tomahawks on the table",  # a short sub-heading inside the body is not furniture
        "“I agree,” she said.",
        "X marks the spot for the summit venue, one diplomat quipped.",
        "Critics said the new privacy law would let the government reject appeals, and that the policy was unpopular.",
        "Copyright lawyers in Budapest said the ruling would not affect the broadcast of the summit.",
        "Editing by the ministry's press office changed the wording of the statement twice.",
        "Reporting by state media suggested the venue had been chosen weeks earlier.",
    ],
)
def test_body_sentence_that_looks_like_furniture_is_kept(sentence):
    cleaned = clean_around(sentence, "middle")
    assert cleaned.text == "\n\n".join([LEDE, sentence, CLOSE])
    assert cleaned.removed == []


def test_raw_browser_copy_full_page():
    page = "\n".join([
        "Loading...", "Crescent Dispatch", "The voice they can't silence", "labelWorld",
        "Kremlin: Tomahawks would not change the battlefield", "Kremlin: Tomahawks would not change the battlefield",
        "3 hours ago", "scheduleOctober 17, 2025", "visibility2,381", "By Staff, Agencies", "shareShare",
        LEDE, CLOSE, "Facebook", "Telegram", "Related news", "Budapest readies for a summit",
        "Zelensky heads to Washington", "Comments0",
    ])
    cleaned = clean_text(page, outlet="Crescent Dispatch")
    assert cleaned.text == LEDE + "\n\n" + CLOSE
    assert cleaned.title == "Kremlin: Tomahawks would not change the battlefield"
    assert cleaned.byline == "By Staff, Agencies"
    assert cleaned.published_hint == "2025-10-17"
    assert cleaned.dateline == "MOSCOW (Agencies)"
    rules = {r.text: r.rule for r in cleaned.removed}
    assert rules["Crescent Dispatch"] == "site_name"
    assert rules["The voice they can't silence"] == "above_body"
    assert rules["Zelensky heads to Washington"] == "below_body"
    assert len(cleaned.removed) == 17


def test_hard_wrapped_paragraphs_are_joined_and_ligatures_are_not():
    text = ("The Kremlin said preparations for the summit had begun and that the venue\n"
            "would most likely be Budapest, according to the presidential aide.\n"
            "labelWorld\n\nSecond paragraph stands on its own and ends here with a full stop.")
    cleaned = clean_text(text)
    assert cleaned.text.split("\n\n") == [
        "The Kremlin said preparations for the summit had begun and that the venue would most likely be "
        "Budapest, according to the presidential aide.",
        "Second paragraph stands on its own and ends here with a full stop.",
    ]


def test_known_title_repeated_at_the_top_is_removed_but_not_in_the_body():
    title = "Budapest readies for a summit"
    cleaned = clean_text("\n".join([title, LEDE, title, CLOSE]), title=title)
    assert cleaned.text.split("\n\n") == [LEDE, CLOSE]
    assert [r.rule for r in cleaned.removed] == ["title_repeat", "title_repeat"]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [("By Staff, Agencies", True), ("By Anna Kowal and Tom Reyes", False), ("Reuters", True),
     ("By Meridian staff with AFP", True), (None, False), ("By Apolline Martin", False)],
)
def test_credits_agency(byline, expected):
    assert credits_agency(byline) is expected


def test_rules_file_is_validated(tmp_path):
    bad = tmp_path / "rules.csv"
    bad.write_text("name,action,pattern,note\nmine,explode,foo,\n")
    with pytest.raises(ValueError, match="unknown action 'explode'"):
        load_cleaning_rules(bad)
    bad.write_text("name,action,pattern,note\nmine,drop,(unclosed,\n")
    with pytest.raises(ValueError, match="does not compile"):
        load_cleaning_rules(bad)


def test_users_can_add_a_rule(tmp_path):
    from toolkit.paths import data_path

    extended = tmp_path / "rules.csv"
    extended.write_text(data_path("cleaning_rules.csv").read_text() + 'promo,drop,"get the app.*",app promotion\n')
    cleaned = clean_text("\n".join([LEDE, "Get the app for breaking news alerts", CLOSE]),
                         rules=load_cleaning_rules(extended))
    assert [(r.text, r.rule) for r in cleaned.removed] == [("Get the app for breaking news alerts", "promo")]


@pytest.mark.parametrize(("line", "expected"), [(LEDE, True), ("Budapest readies for a summit", False), ("Comments0", False)])
def test_is_prose(line, expected):
    assert is_prose(line) is expected
