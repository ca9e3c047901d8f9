"""The words sent to residents and what they cost, unit level: SMS segments as the network
bills them, each template filled in each language, and the public note shortened (never
the code or the link) to keep a message within two segments."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.texts import encoding, fixed, receipt, segments, status_reply, status_update

URL = "https://casa311.test/r/K7QM-4RZP"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("Bonjour à tous", "GSM-7"), ("prix: 5€ {ok}", "GSM-7"), ("ça", "UCS-2"), ("حفرة", "UCS-2")],
)
def test_the_alphabet_decides_the_encoding(text, kind):
    assert encoding(text) == kind


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),  # GSM-7: 160 in one message,
        ("a" * 161, 2),  # then 153 per part
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # an extended character costs two septets
        ("€" * 81, 2),
        ("ب" * 70, 1),  # UCS-2: 70 in one message,
        ("ب" * 71, 2),  # then 67 per part
        ("ب" * 134, 2),
        ("ب" * 135, 3),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
        ("", 1),
    ],
)
def test_segments_are_counted_as_the_network_bills_them(text, parts):
    assert segments(text) == parts


def test_a_receipt_in_each_language_and_french_by_default():
    assert receipt("fr", "K7QM-4RZP", URL) == (
        f"casa311: votre signalement K7QM-4RZP est enregistré. Suivi: {URL}"
    )
    assert (
        receipt("en", "K7QM-4RZP", URL) == f"casa311: report K7QM-4RZP received. Follow it: {URL}"
    )
    assert receipt("ar", "K7QM-4RZP", URL) == f"casa311: توصلنا ببلاغك K7QM-4RZP. للتتبع: {URL}"
    assert receipt("de", "K7QM-4RZP", URL) == receipt(None, "K7QM-4RZP", URL)
    assert receipt(None, "K7QM-4RZP", URL).startswith("casa311: votre signalement")


def test_a_status_update_names_the_status_and_carries_the_note_tidied():
    text = status_update("en", "K7QM-4RZP", "in_progress", "  Team \n on   site ", URL)
    assert text == (
        f"casa311: your report K7QM-4RZP is in progress. Note: Team on site Follow it: {URL}"
    )
    assert status_update("fr", "K7QM-4RZP", "duplicate", None, URL) == (
        f"casa311: votre signalement K7QM-4RZP est classé comme doublon. Suivi: {URL}"
    )
    assert status_update("fr", "K7QM-4RZP", "archived", "", URL) == (
        f"casa311: votre signalement K7QM-4RZP est archived. Suivi: {URL}"
    )


@pytest.mark.parametrize("extra", ["", "x", "xy"])  # notes of each length parity
@pytest.mark.parametrize(("lang", "word"), [("fr", "Note: "), ("ar", "ملاحظة: ")])
def test_a_long_note_is_cut_to_the_longest_that_fits_two_segments(lang, word, extra):
    note = extra + "La chaussée sera refaite après les travaux du tramway. " * 12
    text = status_update(lang, "K7QM-4RZP", "in_progress", note, URL)
    assert segments(text) == 2
    assert "K7QM-4RZP" in text and text.rstrip().endswith(URL)
    kept = text.split(word, 1)[1].split("…", 1)[0]
    assert len(kept) > 20 and note.startswith(kept) and not kept.endswith(" ")
    # One more word character of the note and it would not fit.
    more = len(kept) + (2 if note[len(kept)] == " " else 1)
    longer = text.replace(kept + "…", note[:more] + "…", 1)
    assert segments(longer) > 2


def test_a_note_one_character_too_long_gives_up_two_for_the_ellipsis():
    # In Arabic (UCS-2 already) the ellipsis costs one unit like any letter. (In French it
    # is what turns a GSM-7 message into UCS-2: the note then loses far more.)
    def update(note):
        return status_update("ar", "K7QM-4RZP", "resolved", note, URL)

    whole = next(n for n in range(1, 400) if "…" in update("ب" * (n + 1)))  # longest kept whole
    assert segments(update("ب" * whole)) == 2
    text = update("ب" * (whole + 1))
    assert "ملاحظة: " + "ب" * (whole - 1) + "… " in text
    assert segments(text) == 2


def test_a_note_that_cannot_fit_at_all_is_left_out():
    huge_url = "https://casa311.test/r/" + "K" * 400
    text = status_update("en", "K7QM-4RZP", "resolved", "Fixed.", huge_url)
    assert text == f"casa311: your report K7QM-4RZP is resolved. Follow it: {huge_url}"


def test_a_status_reply_gives_the_time_in_casablanca():
    since = dt.datetime(2026, 6, 9, 9, 15, tzinfo=dt.UTC)  # UTC+1 in Casablanca then
    assert status_reply("en", "K7QM-4RZP", "resolved", since, None, URL) == (
        f"casa311: K7QM-4RZP is resolved since 09/06/2026 10:15. {URL}"
    )
    assert status_reply("en", "K7QM-4RZP", "archived", since, None, URL) == (
        f"casa311: K7QM-4RZP is archived since 09/06/2026 10:15. {URL}"
    )
    assert status_reply("fr", "K7QM-4RZP", "closed", since, "Merci.", URL) == (
        f"casa311: K7QM-4RZP est clos depuis le 09/06/2026 10:15. Note: Merci. {URL}"
    )


def test_fixed_answers_in_the_residents_language_and_french_otherwise():
    assert (
        fixed("ar", "unknown_code", code="K7QM-4RZP") == "casa311: لا يوجد بلاغ بالرمز K7QM-4RZP."
    )
    assert fixed("en", "stop") == (
        "casa311: you will receive no more messages. Send START to resume."
    )
    assert fixed("xx", "start") == (
        "casa311: messages réactivés. Envoyez STOP pour ne plus en recevoir."
    )


@pytest.mark.parametrize(
    ("body", "understood"),
    [
        ("مرحبا", ("unknown", "ar", None)),  # no command, but Arabic: answered in Arabic
        ("please help me now", ("unknown", "en", None)),  # a sentence: help in its words
        ("stop svp merci", ("stop", None, None)),  # a keyword with polite words: obeyed
        ("stop sending me sms", ("unknown", None, None)),  # four words: a sentence
        ("aide moi svp", ("help", "fr", None)),
    ],
)
def test_a_keyword_is_obeyed_only_when_it_is_not_a_sentence(body, understood):
    from notifications.inbound import parse

    command = parse(body)
    assert (command.name, command.lang, command.code) == understood
