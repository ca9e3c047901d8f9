"""The workflow's refusals in the console's language. The domain explains itself in
English (for the API and the logs); a clerk reads, per field, what to do instead."""

from __future__ import annotations

from flask_babel import gettext as _

from citizen_api.console.labels import STATUS, label
from citizen_api.domain.workflow import IllegalTransition, NotPermitted, WorkflowError


def _field_messages() -> dict[str, str]:
    return {
        "public_note": _("Rejecting a ticket needs a public reason for the resident."),
        "duplicate_of": _(
            "Give the code of another ticket you can see, which is not itself a duplicate."
        ),
        "assignee": _("No active member of this ticket's department has this username."),
        "department": _("Unknown department; pick one from the list."),
        "reason": _("Say why it is hidden: pick a reason from the list."),
        "note": _("With the reason “other”, write why in the note."),
        "photo": _("This photo is not one of this ticket's."),
        "target": _("Choose the description or a photo."),
        "hidden": _("It is already so; reload the ticket."),
    }


def explain(error: WorkflowError) -> list[str]:
    """What to tell the clerk about a refused change, translated."""
    if isinstance(error, IllegalTransition):
        allowed = ", ".join(label(STATUS, s) for s in error.allowed) or _("none")
        return [
            _(
                "A ticket that is “%(current)s” cannot become “%(wanted)s”; possible: %(allowed)s.",
                current=label(STATUS, error.current),
                wanted=label(STATUS, error.wanted),
                allowed=allowed,
            )
        ]
    if isinstance(error, NotPermitted):
        return [_("Your role may not make this change.")]
    fields = _field_messages()
    names = getattr(error, "errors", {}) or {}
    return [fields.get(name, _("This change cannot be made.")) for name in names] or [
        _("This change cannot be made.")
    ]
