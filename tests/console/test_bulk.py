"""Bulk actions from the queue: one event and one message per ticket; tickets changed
meanwhile are reported back, not overwritten."""

from __future__ import annotations

from tests.console.conftest import csrf_token
from tests.console.helpers import events, messages, status, version
from tests.triage.helpers import new_ticket


def _bulk(client, app, codes, versions=None, **data):
    form = {"csrf_token": csrf_token(client, "/console/"), "code": codes, **data}
    for code in codes:
        known = (versions or {}).get(code)
        form[f"version-{code}"] = str(known if known is not None else version(app, code))
    return client.post("/console/bulk", data=form)


def test_bulk_acknowledge_gives_each_ticket_its_event_and_its_message(app, console, client):
    codes = [new_ticket(client, phone="0612345678")["tracking_code"] for _ in range(20)]
    versions = {code: version(app, code) for code in codes}  # what the queue showed
    nadia = console("nadia")
    # Meanwhile someone else acknowledges one of them.
    first = codes[0]
    changed = _bulk(console("mehdi"), app, [first], action="acknowledge")
    assert changed.status_code == 200
    response = _bulk(nadia, app, codes, versions, action="acknowledge", public_note="Bien reçu")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "19 dossiers modifiés" in html and "Modifiés entre-temps" in html and first in html
    for code in codes:
        assert status(app, code) == "acknowledged"
        status_events = [e for e in events(app, code) if e.kind == "status"]
        assert len(status_events) == 1  # the stale one keeps mehdi's only
        assert status_events[0].actor == ("mehdi" if code == first else "nadia")
        updates = [m for m in messages(app, code) if m.kind == "status"]
        assert len(updates) == 1


def test_bulk_refuses_what_cannot_be_done_and_keeps_the_rest(app, console, client):
    ok = new_ticket(client)["tracking_code"]
    done = new_ticket(client)["tracking_code"]
    nadia = console("nadia")
    _bulk(nadia, app, [done], action="acknowledge")
    versions = {"ZZZZ-ZZZZ": 1}
    response = _bulk(nadia, app, [ok, done, "ZZZZ-ZZZZ"], versions, action="acknowledge")
    html = response.get_data(as_text=True)
    assert "1 dossier modifié" in html and "Non modifiés" in html and "ZZZZ-ZZZZ" in html
    assert status(app, ok) == "acknowledged"


def test_bulk_selection_is_limited(console, client):
    nadia = console("nadia")
    form = {"csrf_token": csrf_token(nadia, "/console/"), "action": "acknowledge"}
    form["code"] = [f"AAAA-{i:04d}" for i in range(201)]
    assert nadia.post("/console/bulk", data=form).status_code == 422
    form["code"] = []
    assert nadia.post("/console/bulk", data=form).status_code == 422
