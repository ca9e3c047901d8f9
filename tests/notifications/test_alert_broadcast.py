"""Alert broadcasts through the real twilio SDK to the emulator (Prism + the fake): one
message per subscriber and version, in their language, over the channel WhatsApp allows
(the approved Content template outside the 24-hour window), surviving a worker's crash."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from citizen_api.domain.accounts import create_clerk
from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from citizen_api.web.auth import issue_token
from models import AlertSubscription, Area, OutboundMessage, ReporterContact
from notifications.dispatch import claim_due, drain
from tests.alerts.conftest import water_cut
from tests.conftest import clear_reports
from tests.helpers import make_app
from tests.notifications.conftest import twilio_config
from tests.notifications.support import inbound

TEMPLATE_FR = "HX" + "f" * 32
TEMPLATE_AR = "HX" + "a" * 32
TEMPLATE_TEXT = "{{1}}\n{{2}}"  # what the approved templates read


def publisher_app(app, emulator, username: str, **config):
    """A Twilio-configured app on `app`'s database, with `config`, and a supervisor's
    token in its TEST_TOKEN; the caller disposes of its engine."""
    from models import Clerk

    application = make_app(app.config["DATABASE_URL"], **twilio_config(emulator, **config))
    with application.app_context():
        clerk = db.session.scalar(select(Clerk).where(Clerk.username == username))
        if clerk is None:
            clerk = create_clerk(
                db.session, username, "a long enough password", "supervisor", "voirie"
            )
            db.session.commit()
        application.config["TEST_TOKEN"] = issue_token(clerk)[0]
    return application


@pytest.fixture(scope="module")
def alert_app(app, emulator):
    """The Twilio-configured app with alert templates for French and Arabic (not English)."""
    application = publisher_app(
        app,
        emulator,
        "broadcast-sup",
        TWILIO_ALERT_CONTENT_SIDS=f"fr={TEMPLATE_FR},ar={TEMPLATE_AR}",
    )
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def bc(alert_app, emulator):
    emulator.fake.reset()
    emulator.fake.templates.update({TEMPLATE_FR: TEMPLATE_TEXT, TEMPLATE_AR: TEMPLATE_TEXT})
    yield alert_app.test_client()
    clear_reports(alert_app)
    emulator.fake.reset()


def add_subscriber(app, e164, areas, lang="fr", channel="sms", whatsapp_hours_ago=None):
    """An active subscriber, as a confirmed subscription leaves it."""
    with app.app_context():
        contact = ReporterContact(phone_e164=e164)
        if whatsapp_hours_ago is not None:
            contact.whatsapp_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=whatsapp_hours_ago)
        db.session.add(contact)
        db.session.flush()
        for code in areas:
            area_id = db.session.scalar(select(Area.id).where(Area.code == code))
            db.session.add(
                AlertSubscription(
                    contact_id=contact.id,
                    area_id=area_id,
                    lang=lang,
                    channel=channel,
                    state="active",
                )
            )
        db.session.commit()


def post_alert(client, app, **overrides):
    headers = {"Authorization": f"Bearer {app.config['TEST_TOKEN']}"}
    response = client.post("/api/v1/alerts", json=water_cut(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response


def alert_messages(app) -> list[OutboundMessage]:
    with app.app_context():
        db.session.expire_all()
        rows = db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.kind == "alert")
            .order_by(OutboundMessage.id)
        ).all()
        db.session.expunge_all()
        return rows


def test_publishing_reaches_each_subscriber_of_the_areas_once_in_their_language(
    bc, alert_app, fake
):
    add_subscriber(alert_app, "+212611000001", ["maarif"], "fr")
    add_subscriber(alert_app, "+212611000002", ["maarif", "anfa"], "ar")  # two areas, one message
    add_subscriber(alert_app, "+212611000003", ["sidi-moumen"], "fr")  # another area: nothing
    post_alert(bc, alert_app, areas=["maarif", "anfa"])
    [fr] = fake.sent_to("+212611000001")
    [ar] = fake.sent_to("+212611000002")
    assert fake.sent_to("+212611000003") == []
    assert fr.body.startswith("Alerte : Coupure d'eau à Maârif\nTravaux sur le réseau. Jusqu'au ")
    assert ar.body.startswith("تنبيه: انقطاع الماء بالمعاريف\nأشغال على الشبكة.")
    assert {m.state for m in alert_messages(alert_app)} == {"sent"}


def test_whatsapp_uses_the_template_outside_the_window_and_sms_without_one(bc, alert_app, fake):
    add_subscriber(alert_app, "+212611000011", ["maarif"], "fr", "whatsapp", whatsapp_hours_ago=2)
    add_subscriber(alert_app, "+212611000012", ["maarif"], "fr", "whatsapp", whatsapp_hours_ago=30)
    add_subscriber(alert_app, "+212611000013", ["maarif"], "en", "whatsapp", whatsapp_hours_ago=30)
    add_subscriber(alert_app, "+212611000014", ["maarif"], "ar", "whatsapp")  # never wrote
    post_alert(bc, alert_app)
    [inside] = fake.sent_to("whatsapp:+212611000011")
    assert inside.content_sid is None and inside.body.startswith("Alerte : Coupure")
    [outside] = fake.sent_to("whatsapp:+212611000012")
    assert outside.content_sid == TEMPLATE_FR
    assert outside.content_variables["1"] == "Alerte : Coupure d'eau à Maârif"
    assert outside.content_variables["2"].startswith("Travaux sur le réseau.")
    [arabic] = fake.sent_to("whatsapp:+212611000014")
    assert arabic.content_sid == TEMPLATE_AR
    # No English template: an SMS, from the SMS sender.
    assert fake.sent_to("whatsapp:+212611000013") == []
    [sms] = fake.sent_to("+212611000013")
    assert sms.body.startswith("Alert: Water cut in Maârif") and sms.content_sid is None
    # The stored body is the template as the resident sees it (what a resend compares).
    [templated] = [m for m in alert_messages(alert_app) if m.content_sid == TEMPLATE_FR]
    assert templated.body == outside.body and templated.channel == "whatsapp"


def test_an_update_and_a_cancel_reach_everyone_again_once_each(bc, alert_app, fake):
    add_subscriber(alert_app, "+212611000021", ["maarif"], "fr")
    created = post_alert(bc, alert_app)
    alert_id, etag = created.get_json()["id"], created.headers["ETag"]
    headers = {"Authorization": f"Bearer {alert_app.config['TEST_TOKEN']}"}
    updated = bc.patch(
        f"/api/v1/alerts/{alert_id}",
        json={"severity": "severe"},
        headers={**headers, "If-Match": etag},
    )
    bc.patch(
        f"/api/v1/alerts/{alert_id}",
        json={"status": "cancelled"},
        headers={**headers, "If-Match": updated.headers["ETag"]},
    )
    bodies = [m.body for m in fake.sent_to("+212611000021")]
    assert [b.split(" : ")[0] for b in bodies] == ["Alerte", "Alerte mise à jour", "Fin d'alerte"]
    keys = [m.dedupe_key for m in alert_messages(alert_app)]
    assert [k.split(":")[1] for k in keys] == [f"{alert_id}.1", f"{alert_id}.2", f"{alert_id}.3"]


def test_queuing_the_same_version_twice_writes_nothing_more(bc, alert_app):
    from citizen_api.domain.alerts import publish
    from notifications.broadcast import queue_alert

    add_subscriber(alert_app, "+212611000031", ["maarif"])
    add_subscriber(alert_app, "+212611000032", ["maarif"])
    from citizen_api.alerts.schemas import AlertIn

    with alert_app.app_context():
        alert = publish(db.session, "test", AlertIn().load(water_cut()), dt.datetime.now(dt.UTC))
        maarif = db.session.scalar(select(Area.id).where(Area.code == "maarif"))
        assert queue_alert(db.session, alert, [maarif], "Alert") == 0  # already queued
        db.session.commit()
    assert len(alert_messages(alert_app)) == 2


def test_a_worker_killed_mid_broadcast_loses_nothing_and_sends_nothing_twice(bc, alert_app, fake):
    from citizen_api.alerts.schemas import AlertIn
    from citizen_api.domain.alerts import publish
    from notifications.runtime import DRAIN_KEY

    numbers = [f"+2126110001{i:02d}" for i in range(12)]
    for i, number in enumerate(numbers):
        add_subscriber(
            alert_app,
            number,
            ["maarif"],
            "fr",
            "whatsapp" if i % 2 else "sms",
            whatsapp_hours_ago=30 if i % 2 else None,
        )
    notifier = notifier_of(alert_app)
    with alert_app.app_context():
        publish(db.session, "test", AlertIn().load(water_cut()), dt.datetime.now(dt.UTC))
        db.session.info.pop(DRAIN_KEY)  # the drain is left to the worker below
        db.session.commit()
    # A worker claims five, sends three, and dies before recording anything.
    claims = claim_due(notifier, 5)
    assert len(claims) == 5
    notifier.send_all(claims[:3])
    assert len(fake.messages) == 3
    # Its leases run out; the next drain checks what was sent before sending again.
    with alert_app.app_context():
        db.session.execute(
            update(OutboundMessage)
            .values(lease_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
            .where(OutboundMessage.lease_until.is_not(None))
        )
        db.session.commit()
    counts = drain(notifier)
    assert counts.get("sent") == len(numbers)  # 9 sent fresh, 3 adopted as already sent
    recipients = [m.to.removeprefix("whatsapp:") for m in fake.messages]
    assert sorted(recipients) == sorted(numbers)  # each once: none lost, none twice
    assert {m.state for m in alert_messages(alert_app)} == {"sent"}


def test_stop_ends_the_subscriptions_and_the_next_alert_skips_the_number(bc, alert_app, fake):
    add_subscriber(alert_app, "+212611000041", ["maarif", "anfa"], "fr", "whatsapp", 1)
    add_subscriber(alert_app, "+212611000042", ["maarif"], "fr")
    response = inbound(bc, "STOP", sender="whatsapp:+212611000041")
    assert response.status_code == 200
    with alert_app.app_context():
        assert set(db.session.scalars(select(AlertSubscription.state))) == {"ended", "active"}
    post_alert(bc, alert_app)
    assert fake.sent_to("whatsapp:+212611000041") == [] and fake.sent_to("+212611000041") == []
    assert len(fake.sent_to("+212611000042")) == 1
