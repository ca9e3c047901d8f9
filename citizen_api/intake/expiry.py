"""Drop conversations idle for 24 hours, and answers kept for Twilio's retries once no
retry can come. A periodic job: `expire_idle(session, storage)` is what a scheduler calls
(`flask --app citizen_api intake expire` runs it by hand; `expiry_job(storage)` is the
same as the worker's periodic job "expire-conversations", registered by
intake.commands every WHATSAPP_EXPIRE_EVERY_SECONDS).
A message that arrives for an expired conversation is never read as its answer anyway
(intake.dispatch checks), so running this late only keeps rows longer.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from citizen_api.intake.conversation import discarded_photo_keys
from citizen_api.photos.album import discard_keys
from citizen_api.photos.storage import PhotoStorage
from models import Conversation, InboundReply, utcnow

# Twilio retries a webhook within minutes; two days is ample.
REPLIES_KEPT = dt.timedelta(hours=48)


def expire_idle(
    session: Session, storage: PhotoStorage, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Delete conversations expired at `now` (the database clock unless given), their
    photo files, and old stored answers; commits. Returns (conversations, answers)."""
    now = now or session.scalar(select(utcnow()))
    expired = session.scalars(
        select(Conversation).where(Conversation.expires_at <= now).with_for_update(skip_locked=True)
    ).all()
    keys = [key for conversation in expired for key in discarded_photo_keys(conversation)]
    for conversation in expired:
        session.delete(conversation)
    answers = session.execute(
        delete(InboundReply)
        .where(InboundReply.created_at < now - REPLIES_KEPT)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    discard_keys(storage, keys)
    return len(expired), answers


def expiry_job(storage: PhotoStorage):
    """`expire_idle` as a periodic job: a function of the scheduler's context (anything
    with a `Session()` factory), returning counts for its log."""

    def run(ctx) -> dict:
        with ctx.Session() as session:
            now = ctx.now(session) if hasattr(ctx, "now") else None
            conversations, answers = expire_idle(session, storage, now)
        return {"conversations": conversations, "answers": answers}

    return run
