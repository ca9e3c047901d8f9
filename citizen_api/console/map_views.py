"""The map view of the queue (/console/map): the same filtered tickets as points over
the 17 areas, drawn by Leaflet from the app's own GeoJSON (no tiles unless MAP_TILE_URL
is set). Without JavaScript the page links back to the list."""

from __future__ import annotations

from flask import g, request, url_for

from citizen_api.console.blueprint import blp, page
from citizen_api.console.i18n import current_language
from citizen_api.console.labels import STATUS, label
from citizen_api.console.queries import parse_filters, queue_page
from citizen_api.console.session import signed_in
from citizen_api.extensions import db
from citizen_api.web.responses import json_response

# The map shows at most this many tickets of the filtered set (the newest, or first in
# the chosen sort); narrow the filters to see the rest.
MAP_LIMIT = 1000


@blp.get("/map")
@signed_in
def queue_map():
    """The filtered queue on a map."""
    filters = parse_filters(db.session, g.clerk, request.args)
    values = filters.values
    return page(
        "console/map.html",
        422 if filters.errors else 200,
        filters=filters,
        list_url=url_for("console.queue", **values),
        points_url=url_for("console.queue_points", **values),
        areas_url=url_for("areas.list_areas", lang=current_language()),
        limit=MAP_LIMIT,
    )


@blp.get("/map.geojson")
@signed_in
def queue_points():
    """The filtered queue's tickets as GeoJSON points (for the map)."""
    filters = parse_filters(db.session, g.clerk, request.args)
    tickets, more = queue_page(db.session, filters, limit=MAP_LIMIT)
    features = [
        {
            "type": "Feature",
            "id": t.tracking_code,
            "geometry": {"type": "Point", "coordinates": [t.long, t.lat]},
            "properties": {
                "code": t.tracking_code,
                "status": t.status,
                "status_label": label(STATUS, t.status),
                "url": url_for("console.ticket", code=t.tracking_code),
            },
        }
        for t in tickets
    ]
    body = {"type": "FeatureCollection", "features": features, "truncated": more is not None}
    return json_response(
        body, headers={"Cache-Control": "private, no-store"}, mimetype="application/geo+json"
    )
