"""The HTTP baseline: a bare WSGI app (no framework) answering a constant JSON body, served
by the same gunicorn settings as casa311."""

BODY = b'{"tracking_code":"K7QM-4RZP","status":"submitted"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    environ["wsgi.input"].read()  # consume a POST body like the app does
    start_response("200 OK", HEADERS)
    return [BODY]
