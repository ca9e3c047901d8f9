"""The framework's own floor: one bare Flask route answering the same constant JSON body
as bench/bare_wsgi.py, under the same gunicorn settings (what /healthz is measured
against)."""

from flask import Flask, Response, request

from bench.bare_wsgi import BODY

app = Flask(__name__)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def constant(path):
    request.get_data()
    return Response(BODY, mimetype="application/json")
