"""A stand-in for Twilio's media URLs on 127.0.0.1: photos behind the account's Basic
auth, and the ways a download goes wrong (404, too slow, not an image, too large)."""

from __future__ import annotations

import base64
import io
import threading
import time

from PIL import Image
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.notifications.conftest import ACCOUNT_SID, AUTH_TOKEN


def camera_jpeg(width: int = 3000, height: int = 2000) -> bytes:
    """A photo as a phone takes it: large, with EXIF that says where it was taken."""
    image = Image.new("RGB", (width, height), (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (33.0, 35.0, 33.0), 3: "W", 4: (7.0, 37.0, 8.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=70)
    return out.getvalue()


class MediaServer:
    """Serves /2010-04-01/Accounts/<sid>/Messages/<MM>/Media/<name>; <name> picks the
    behaviour: photo, missing, slow, text, huge."""

    def __init__(self, slow_seconds: float = 3.0):
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, bool]] = []  # (path, authorised)
        self.photo = camera_jpeg()
        self._server = None

    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()

    @staticmethod
    def url(name: str) -> str:
        """The MediaUrl0 Twilio would send (its host is rewritten by TWILIO_MEDIA_BASE_URL)."""
        return (
            f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/"
            f"MM{'a' * 32}/Media/{name}"
        )

    def wsgi(self, environ, start_response):
        request = Request(environ)
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        authorised = request.headers.get("Authorization") == expected
        self.requests.append((request.path, authorised))
        name = request.path.rsplit("/", 1)[-1]
        if not authorised:
            response = Response("unauthorised", 401)
        elif name == "photo":
            response = Response(self.photo, 200, content_type="image/jpeg")
        elif name == "slow":
            time.sleep(self.slow_seconds)
            response = Response(self.photo, 200, content_type="image/jpeg")
        elif name == "text":
            response = Response("<html>not a photo</html>", 200, content_type="image/jpeg")
        elif name == "huge":
            response = Response(
                b"\xff\xd8" + b"\0" * (3 * 1024 * 1024), 200, content_type="image/jpeg"
            )
        else:
            response = Response("not found", 404)
        return response(environ, start_response)
