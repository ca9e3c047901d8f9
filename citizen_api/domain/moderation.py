"""Moderation: a clerk hides a report's description, or one of its photos, from every
public view; a supervisor (or an admin) restores it. Free of Flask.

The rule every public view follows lives here and only here:
  public_description(report)  the description as the public may read it (None when hidden,
                              else with the contacts a resident typed masked)
  public_photos(photos)       the photos the public may see (hidden ones left out)
Both take ORM objects or the lean rows of citizen_api.reports.reading (whose columns
carry `description_hidden` and the photos' `hidden`). The photo files themselves are
refused by citizen_api.photos.views.photo_file, which asks `photo_is_hidden`.

Each hide or restore is one event in the ticket's history, internal (its reason is for
staff); the report's version moves on, so a form or an If-Match of before is stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from citizen_api.domain.text_safety import mask_contacts
from citizen_api.domain.workflow import InvalidChange, NotPermitted
from models import Clerk, Photo, RequestEvent, ServiceRequest

# Why a clerk hides something: a short list, and free text (required with "other").
REASONS = ("personal_data", "offensive", "unrelated", "other")
TARGETS = ("description", "photo")
# Who may put back what was hidden.
RESTORERS = ("supervisor", "admin")
HIDDEN, RESTORED = "moderation_hidden", "moderation_restored"
MAX_NOTE = 2000


def public_description(report) -> str | None:
    """The description the public may read: none when moderation hid it."""
    if getattr(report, "description_hidden", False):
        return None
    return mask_contacts(report.description)


def public_photos(photos: Iterable) -> list:
    """The photos the public may see, in their order."""
    return [p for p in photos if not p.hidden]


def photo_is_hidden(session: Session, key: str) -> bool:
    """Whether the stored file `key` (a photo or its thumbnail) belongs to a hidden photo."""
    return bool(
        session.scalar(
            select(Photo.hidden).where(or_(Photo.key == key, Photo.thumb_key == key)).limit(1)
        )
    )


def moderate(
    session: Session,
    report: ServiceRequest,
    clerk: Clerk,
    *,
    target: str,
    hide: bool,
    now: dt.datetime,
    photo_id: int | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> RequestEvent:
    """Hide (`hide=True`) or restore the description or one photo of `report`; record it.

    Raises InvalidChange for a wrong target, reason or photo, or when there is nothing to
    change; NotPermitted when a clerk tries to restore."""
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()[:MAX_NOTE] or None
    if target not in TARGETS:
        errors["target"] = [f"One of: {', '.join(TARGETS)}."]
    if hide and reason not in REASONS:
        errors["reason"] = [f"Say why: one of {', '.join(REASONS)}."]
    if hide and reason == "other" and not note:
        errors["note"] = ["With the reason 'other', write why in a few words."]
    if not hide and clerk.role not in RESTORERS:
        raise NotPermitted({"hidden": ["Only a supervisor or an admin may restore it."]})
    photo, number = None, None
    if target == "photo":
        for n, candidate in enumerate(report.photos, start=1):
            if candidate.id == photo_id:
                photo, number = candidate, n
        if photo is None:
            errors["photo"] = ["No photo of this report has this id."]
    if errors:
        raise InvalidChange(errors)
    holder, attribute = (photo, "hidden") if photo is not None else (report, "description_hidden")
    if bool(getattr(holder, attribute)) == hide:
        state = "hidden" if hide else "shown"
        raise InvalidChange({"hidden": [f"The {target} is already {state}."]})
    setattr(holder, attribute, hide)
    data: dict = {"target": target}
    if photo is not None:
        data |= {"photo": photo.id, "number": number}
    if hide:
        data["reason"] = reason
    event = RequestEvent(
        kind=HIDDEN if hide else RESTORED,
        public=False,
        note=note,
        data=data,
        actor=clerk.username,
        department_id=report.department_id,
    )
    report.events.append(event)
    report.updated_at = now  # a new version of the ticket
    session.flush()
    return event
