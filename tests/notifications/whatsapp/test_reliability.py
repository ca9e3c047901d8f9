"""Nothing lost, nothing twice: repeated and concurrent deliveries, a worker killed
before its commit, expiry, and one report in progress per resident."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select, text

import citizen_api.intake.door as door
from citizen_api.extensions import db
from citizen_api.intake.expiry import expire_idle
from citizen_api.photos.upload import storage
from models import Conversation, InboundReply, OutboundMessage
from tests.helpers import db_time, make_app
from tests.notifications.whatsapp.conftest import wa_config
from tests.notifications.whatsapp.support import (
    DOWNTOWN,
    Resident,
    conversation_of,
    pick_service,
    reports,
    twiml_text,
)

ROOT = Path(__file__).resolve().parents[3]


def to_confirm(resident: Resident) -> None:
    """A pothole report waiting for its last answer."""
    menu = resident.says("Un nid de poule énorme devant l'école Al Massira")
    pick_service(resident, menu, "Nid-de-poule")
    resident.says(pin=DOWNTOWN)
    resident.says("0")
    assert "Récapitulatif" in resident.says("0")


def receipts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(OutboundMessage.kind == "receipt"))


def test_every_message_delivered_twice_changes_nothing_and_gets_the_same_answer(wa, wa_app, fake):
    resident = Resident(wa)
    steps = [
        resident.params("Un nid de poule énorme devant l'école Al Massira"),
        None,  # the menu's answer, known once the menu is read
        resident.params(pin=DOWNTOWN),
        resident.params("0"),
        resident.params("0"),
        resident.params("1"),
    ]
    answers = []
    for index, params in enumerate(steps):
        if params is None:
            number = next(
                line.split(".")[0] for line in answers[-1].splitlines() if "Nid-de-poule" in line
            )
            params = resident.params(number)
        first = twiml_text(resident.post(params))
        state = conversation_of(wa_app)
        again = twiml_text(resident.post(params))  # Twilio's retry, or a replay
        assert again == first, f"step {index}"
        after = conversation_of(wa_app)
        assert (after and (after.step, after.data)) == (state and (state.step, state.data))
        answers.append(first)
    assert len(reports(wa_app)) == 1
    assert receipts(wa_app) == 1 and len(fake.sent_to("whatsapp:+212612345678")) == 1


def _at_once(app, params_list: list[dict]) -> list[str]:
    """Post these webhooks from as many threads, released together."""
    barrier = threading.Barrier(len(params_list))
    answers: list = [None] * len(params_list)

    def post(index, params):
        client = app.test_client()
        barrier.wait()
        answers[index] = twiml_text(Resident(client).post(params))

    threads = [threading.Thread(target=post, args=item) for item in enumerate(params_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_two_confirmations_at_once_file_one_report(wa, wa_app):
    resident = Resident(wa)
    to_confirm(resident)
    _at_once(wa_app, [resident.params("1"), resident.params("oui")])
    assert len(reports(wa_app)) == 1 and receipts(wa_app) == 1


def test_the_same_message_delivered_twice_at_once_is_acted_on_once(wa, wa_app):
    resident = Resident(wa)
    to_confirm(resident)
    params = resident.params("1")
    first, second = _at_once(wa_app, [params, params])
    assert first == second
    assert len(reports(wa_app)) == 1 and receipts(wa_app) == 1


def test_two_answers_at_once_are_both_kept(wa, wa_app):
    """Serialised per resident: neither update is lost to the other."""
    resident = Resident(wa)
    menu = resident.says("Un nid de poule énorme devant l'école Al Massira")
    number = next(line.split(".")[0] for line in menu.splitlines() if "Nid-de-poule" in line)
    _at_once(wa_app, [resident.params(number), resident.params(pin=DOWNTOWN)])
    data = conversation_of(wa_app).data
    assert data["service"] == "nid-de-poule" and data["lat"] == DOWNTOWN[0]


def test_a_worker_killed_before_its_commit_files_the_report_once_on_the_retry(
    wa, wa_app, app, emulator, media, wa_photo_dir
):
    resident = Resident(wa)
    to_confirm(resident)
    params = resident.params("1")
    config = wa_config(app, emulator, media, wa_photo_dir)
    worker = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.notifications.whatsapp.killed_worker",
            json.dumps(config),
            json.dumps(params),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == -9, worker.stderr[-2000:]
    assert reports(wa_app) == [] and receipts(wa_app) == 0  # nothing survived the kill
    assert conversation_of(wa_app).step == "confirm"
    assert twiml_text(resident.post(params)) == ""  # Twilio's retry
    assert len(reports(wa_app)) == 1 and receipts(wa_app) == 1
    assert twiml_text(resident.post(params)) == ""  # and once more
    assert len(reports(wa_app)) == 1 and receipts(wa_app) == 1


def test_a_failure_between_the_answer_and_the_commit_leaves_nothing(wa, wa_app, monkeypatch):
    resident = Resident(wa)
    to_confirm(resident)
    params = resident.params("1")
    real = door.file_report

    def file_then_fail(session, **fields):
        real(session, **fields)
        session.flush()
        raise ConnectionResetError("the database went away")

    monkeypatch.setattr(door, "file_report", file_then_fail)
    assert resident.post(params).status_code == 500  # Twilio will retry it
    assert reports(wa_app) == [] and receipts(wa_app) == 0
    with wa_app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(InboundReply.message_sid == params["MessageSid"])
            )
            == 0
        )
    monkeypatch.undo()
    assert twiml_text(resident.post(params)) == ""
    assert len(reports(wa_app)) == 1 and receipts(wa_app) == 1


def test_twenty_messages_in_a_second_are_answered_politely_once(
    wa, app, emulator, media, wa_photo_dir
):
    config = wa_config(app, emulator, media, wa_photo_dir, WHATSAPP_MAX_MESSAGES=8)
    flood_app = make_app(config.pop("DATABASE_URL"), **config)
    resident = Resident(flood_app.test_client())
    resident.says("Un nid de poule énorme devant l'école")
    answers = _at_once(flood_app, [resident.params(str(n % 9 + 1)) for n in range(20)])
    polite = [a for a in answers if "attendez une minute" in a]
    acted = [a for a in answers if a and a not in polite]
    assert len(polite) == 1  # told once, then silence: no reply storm
    assert len(acted) == 7  # the first message and seven more fit the 8 per 10 seconds
    assert answers.count("") == 12
    assert conversation_of(flood_app).messages == 8
    other = Resident(flood_app.test_client(), "+212665555555")
    assert "De quoi s'agit-il" in other.says("Un nid de poule énorme devant l'école")
    with flood_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_conversation_idle_for_24_hours_expires(wa, wa_app, media):
    resident = Resident(wa)
    resident.says("fuite d'eau devant chez moi")
    resident.says(media=media.url("photo"))
    held = conversation_of(wa_app).data["photo"]["key"]
    with wa_app.app_context():
        past = db_time(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        db.session.execute(text("UPDATE conversations SET expires_at = :at"), {"at": past})
        db.session.commit()
    answer = resident.says("1")
    assert "resté sans réponse 24 h" in answer and "décrivez" in answer  # a fresh start
    with wa_app.app_context():
        assert storage().get(held) is None
        db.session.execute(text("UPDATE conversations SET expires_at = :at"), {"at": past})
        db.session.commit()
        assert expire_idle(db.session, storage()) == (1, 0)
        assert db.session.scalar(select(func.count(Conversation.id))) == 0


def test_the_periodic_expiry_by_command_and_as_a_job(wa, wa_app):
    from types import SimpleNamespace

    from sqlalchemy.orm import sessionmaker

    from citizen_api.intake.expiry import expiry_job

    Resident(wa).says("fuite d'eau devant chez moi")
    Resident(wa, "+212666666666").says("nid de poule rue 12")
    with wa_app.app_context():
        past = db_time(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        db.session.execute(
            text(
                "UPDATE conversations SET expires_at = :at"
                " WHERE id = (SELECT min(id) FROM conversations)"
            ),
            {"at": past},
        )
        db.session.commit()
    result = wa_app.test_cli_runner().invoke(args=["intake", "expire"])
    assert "1 idle conversation(s) dropped" in result.output
    assert conversation_of(wa_app) is None
    assert conversation_of(wa_app, "+212666666666") is not None  # not idle: kept
    with wa_app.app_context():
        db.session.execute(text("UPDATE conversations SET expires_at = :at"), {"at": past})
        db.session.commit()
        job = expiry_job(storage())
        assert job(SimpleNamespace(Session=sessionmaker(bind=db.engine))) == {
            "conversations": 1,
            "answers": 0,
        }


def test_one_report_in_progress_per_resident(wa, wa_app):
    resident = Resident(wa)
    menu = resident.says("Un nid de poule énorme devant l'école")
    pick_service(resident, menu, "Nid-de-poule")
    answer = resident.says("Et aussi un lampadaire cassé dans la rue")
    assert "position WhatsApp" in answer  # read as an answer, not as a second report
    with wa_app.app_context():
        assert db.session.scalar(select(func.count(Conversation.id))) == 1


def test_a_status_question_mid_report_is_answered_and_the_report_goes_on(wa, wa_app):
    from tests.notifications.support import file_report

    code = file_report(wa, phone="0661000009")
    resident = Resident(wa)
    menu = resident.says("Un nid de poule énorme devant l'école")
    pick_service(resident, menu, "Nid-de-poule")
    assert code in resident.says(f"SUIVI {code}")
    assert conversation_of(wa_app).step == "location"


def test_stop_mid_report_ends_it_and_the_messages(wa, wa_app):
    from models import ReporterContact

    resident = Resident(wa)
    resident.says("Un nid de poule énorme devant l'école")
    assert "START" in resident.says("STOP")
    assert conversation_of(wa_app) is None
    with wa_app.app_context():
        assert db.session.query(ReporterContact).one().opted_out_at is not None
