"""A photo sent over WhatsApp keeps its pixels only, like one uploaded through the API:
no JPEG comment (which can hold a phone number or a name) reaches the stored photo, its
thumbnail or the public answer (issue 14, class 3, on the WhatsApp way in)."""

from __future__ import annotations

from citizen_api.photos.upload import storage
from tests.notifications.whatsapp.support import DOWNTOWN, Resident, pick_service, reports
from tests.photos import images
from tests.photos.test_photo_text import assert_pixels_only
from tests.photos.test_photos_api import fetch


def test_a_whatsapp_photo_with_a_comment_is_stored_and_served_as_pixels(wa, wa_app, media):
    upload = images.jpeg_with_comment()
    assert images.HIDDEN_TEXT.encode() in upload  # the comment is really there
    original, media.photo = media.photo, upload
    try:
        resident = Resident(wa, phone="+212612340002")
        menu = resident.says("Un nid de poule énorme devant l'école")
        pick_service(resident, menu, "Nid-de-poule")
        assert "Envoyez une photo" in resident.says(pin=DOWNTOWN)
        assert "Photo reçue" in resident.says(media=media.url("photo"))
        resident.says("0")
        assert resident.says("oui") == ""
    finally:
        media.photo = original
    (report,) = reports(wa_app)
    (photo,) = report.photos
    with wa_app.app_context():
        assert_pixels_only(storage().get(photo.key))
    served = wa.get(f"/api/v1/requests/{report.tracking_code}").json["photos"]
    assert len(served) == 1
    assert_pixels_only(fetch(wa, served[0]["url"]))
    assert_pixels_only(fetch(wa, served[0]["thumbnail_url"]))
