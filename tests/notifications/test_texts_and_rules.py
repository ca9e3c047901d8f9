"""Message texts, segment counting, backoff and command parsing; and no number in logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from notifications import texts
from notifications.dispatch import backoff
from notifications.inbound import parse
from notifications.settings import Settings
from tests.notifications.support import E164, file_report

URL = "https://casa311.casablanca.ma/r/K7QM-4RZP"


def test_segments_are_counted_as_the_network_bills_them():
    assert (texts.encoding("Bonjour a tous"), texts.segments("a" * 160)) == ("GSM-7", 1)
    assert texts.segments("a" * 161) == 2  # 153 per part once split
    assert texts.segments("é" * 160) == 1  # é is in the GSM alphabet
    assert texts.segments("ê" * 70) == 1 and texts.segments("ê" * 71) == 2  # UCS-2
    assert texts.segments("ب" * 134) == 2 and texts.segments("ب" * 135) == 3
    assert texts.segments("{" * 80) == 1 and texts.segments("{" * 81) == 2  # two septets each


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
@pytest.mark.parametrize(
    "status", ["submitted", "acknowledged", "in_progress", "resolved", "closed", "rejected"]
)
def test_every_status_message_fits_two_segments_even_with_a_long_note(lang, status):
    note = "Une note publique très longue " * 20
    body = texts.status_update(lang, "K7QM-4RZP", status, note, URL)
    assert texts.segments(body) <= 2
    assert "K7QM-4RZP" in body and body.endswith(URL)


def test_receipts_are_one_or_two_segments():
    for lang in ("fr", "ar", "en"):
        assert texts.segments(texts.receipt(lang, "K7QM-4RZP", URL)) <= 2
    assert texts.segments(texts.receipt("fr", "K7QM-4RZP", URL)) == 1


def test_french_and_english_texts_stay_in_the_cheaper_gsm_alphabet():
    for lang in ("fr", "en"):
        for status in texts.STATUS_NAMES[lang]:
            body = texts.status_update(lang, "K7QM-4RZP", status, None, URL)
            assert texts.encoding(body) == "GSM-7", body
        for key in ("help", "stop", "start"):
            assert texts.encoding(texts.fixed(lang, key)) == "GSM-7"


def test_status_replies_give_local_time():
    since = dt.datetime(2026, 11, 27, 13, 5, tzinfo=dt.UTC)
    body = texts.status_reply("fr", "K7QM-4RZP", "in_progress", since, None, URL)
    assert "27/11/2026 14:05" in body  # Africa/Casablanca is UTC+1


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling():
    settings = Settings(notify_retry_base_seconds=10, notify_retry_max_seconds=300)
    for attempts, ceiling in ((1, 10), (2, 20), (3, 40), (10, 300)):
        delays = {backoff(settings, attempts) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # spread out, not in lockstep
    assert backoff(settings, 1, retry_after=60) == 60  # Twilio's Retry-After wins


@pytest.mark.parametrize(
    ("body", "command", "lang", "code"),
    [
        ("K7QM-4RZP", "status", None, "K7QM-4RZP"),
        ("k7qm 4rzp", "status", None, "K7QM-4RZP"),
        ("Suivi K7QM4RZP", "status", "fr", "K7QM-4RZP"),
        ("status: K7QM-4RZP", "status", "en", "K7QM-4RZP"),
        ("حالة K7QM-4RZP", "status", "ar", "K7QM-4RZP"),
        ("STOP", "stop", None, None),
        ("Arrêt", "stop", "fr", None),
        ("unsubscribe", "stop", "en", None),
        ("توقف", "stop", "ar", None),
        ("start", "start", None, None),
        ("aide", "help", "fr", None),
        ("مساعدة", "help", "ar", None),
        ("Please stop sending me this, my pothole is fixed", "unknown", None, None),
        ("hello", "unknown", None, None),
    ],
)
def test_inbound_words_are_understood(body, command, lang, code):
    parsed = parse(body)
    assert (parsed.name, parsed.lang, parsed.code) == (command, lang, code)


def test_no_log_line_carries_a_phone_number(client, caplog):
    caplog.set_level(logging.INFO)
    file_report(client)  # the default app: console channel, which logs the message
    lines = [r.getMessage() for r in caplog.records]
    assert any("+212 6•• ••• •78" in line for line in lines)
    assert not any("612345678" in line for line in lines)
    assert E164 not in caplog.text
