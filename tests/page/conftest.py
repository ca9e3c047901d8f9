"""A report with a history worth showing: photos, a public note, a private note, a phone."""

from __future__ import annotations

import pytest

from citizen_api.extensions import db
from models import RequestEvent
from tests.helpers import stored_report
from tests.photos import images
from tests.photos.test_photos_api import file_with_photos

PUBLIC_NOTE = "Équipe de la voirie envoyée demain matin"
PRIVATE_NOTE = "Rappeler le riverain au 0612345678 avant passage"
CLERK = "Fatima Zahra Bennani"
PHONE = "+212612345678"


@pytest.fixture
def followed_report(app, client):
    """A pothole report in progress, with two photos, as residents will follow it."""
    response = file_with_photos(
        client,
        ("trou.jpg", images.camera_jpeg((1600, 1200))),
        ("rue.png", images.png((900, 600))),
        description="Trou profond devant l'école",
        address="Rue Tata",
        phone=PHONE,
    )
    assert response.status_code == 201, response.json
    code = response.json["tracking_code"]
    with app.app_context():
        report = stored_report(code)
        report.events.append(
            RequestEvent(
                kind="status_changed",
                from_status="submitted",
                to_status="in_progress",
                public=True,
                note=PUBLIC_NOTE,
                actor=f"clerk:{CLERK}",
            )
        )
        report.events.append(
            RequestEvent(kind="note", public=False, note=PRIVATE_NOTE, actor=f"clerk:{CLERK}")
        )
        report.status = "in_progress"
        db.session.commit()
    return code
