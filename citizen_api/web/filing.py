"""Filing a report over HTTP, for every way in (the native API, JSON or multipart, and
Open311): the report and the answer to the request commit together.

The answer is built inside the report's transaction (`before_commit`), so that an
Idempotency-Key record, which stores the answer, commits with the report or not at all.
An InvalidReport leaves as a domain error (citizen_api.web.errors maps it).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app

from citizen_api.domain.reporting import submit_report
from citizen_api.extensions import db
from citizen_api.web.idempotency import save
from models import ServiceRequest


def file_and_answer(
    fields: dict,
    answer: Callable[[ServiceRequest], Response],
    on_filed: Callable[[ServiceRequest], None] | None = None,
    **filing,
) -> Response:
    """File a validated report and return `answer(report)`, built and stored (under the
    request's Idempotency-Key, if any) in the report's transaction. `on_filed(report)`
    first adds what else belongs in it (photos); `filing` goes to submit_report (lang,
    channel, actor)."""
    built: dict[str, Response] = {}

    def before_commit(report: ServiceRequest) -> None:
        if on_filed is not None:
            on_filed(report)
        built["response"] = answer(report)
        save(db.session, built["response"])

    submit_report(
        db.session,
        snap_m=current_app.config["AREA_SNAP_METERS"],
        before_commit=before_commit,
        **filing,
        **fields,
    )
    return built["response"]
