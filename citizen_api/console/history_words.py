"""The facts of a ticket's history and its routing, worded in the clerk's language.

The domain stores English sentences for the API ("assigned to amina", "normal -> high",
the routing reason); the console words the same facts with Babel strings, from the
event's kind and `data` (older events without `data`: from their stored sentence, whose
shape the domain fixes). Text a person wrote (a public or internal note, a resident's
comment, a moderation note) is shown as written. A fact that cannot be read back is
shown as stored, never dropped.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from citizen_api.console.labels import PRIORITY, label
from citizen_api.domain.moderation import HIDDEN, RESTORED

REASON = {
    "personal_data": _l("Personal information (a name, a face, a number plate)"),
    "offensive": _l("Offensive or abusive"),
    "unrelated": _l("Unrelated to the problem reported"),
    "other": _l("Other (say why in the note)"),
}
# Kinds whose note is written by the domain, not by a person: the console words them.
DOMAIN_NOTES = ("assignment", "priority", "rerouted", "duplicate_linked", "escalated",
                "raised_to_head")  # fmt: skip
_ASSIGNED = re.compile(r"^assigned to (?P<assignee>\S+)$")
_ARROW = re.compile(r"^(?P<from>\S+) -> (?P<to>\S+)$")
_LINKED = re.compile(r"^(?P<duplicate>\S+) was marked a duplicate of this report$")
_ROUTED = re.compile(
    r"^point (?:inside area (?P<area>\S+)|(?P<snap>\d+) m outside area (?P<snapped>\S+), "
    r"snapped to it); rule (?P<rule>\d+): (?P<service>\S+) in "
    r"(?:the whole city|(?P<scope>area|prefecture) (?P<scope_code>\S+)) -> (?P<department>\S+)"
    r" \(most specific of the rules\)$"
)
_REROUTED = re.compile(r"^rerouted by (?P<actor>\S+) from (?P<from>\S+) to (?P<to>\S+)$")


def _facts(kind: str, data: dict | None, note: str | None) -> dict | None:
    if data:
        return data
    note = note or ""
    if kind == "assignment":
        if note == "unassigned":
            return {"assignee": None}
        found = _ASSIGNED.match(note)
    elif kind in ("priority", "rerouted"):
        found = _ARROW.match(note)
    elif kind == "duplicate_linked":
        found = _LINKED.match(note)
    else:
        return None
    return found.groupdict() if found else None


def event_words(event) -> tuple[str | None, str | None]:
    """(the facts in the reader's language or None, the note to show as written or None)."""
    kind, note = event.kind, event.note
    facts = _facts(kind, event.data, note)
    if kind in (HIDDEN, RESTORED) and facts:
        if facts.get("target") == "photo":
            what = _("photo %(n)s", n=facts.get("number", "?"))
        else:
            what = _("the description")
        if kind == HIDDEN:
            reason = label(REASON, facts.get("reason"))
            return _("%(what)s; reason: %(reason)s", what=what, reason=reason), note
        return what, note
    if kind in ("escalated", "raised_to_head"):
        return None, None  # the kind's own label says it all
    if kind not in DOMAIN_NOTES:
        return None, note
    if facts is None:
        return None, note  # a sentence of an older shape: as stored
    if kind == "assignment":
        name = facts.get("assignee")
        return (_("assigned to %(name)s", name=name) if name else _("unassigned")), None
    if kind == "priority":
        before, after = label(PRIORITY, facts.get("from")), label(PRIORITY, facts.get("to"))
        return _("from %(before)s to %(after)s", before=before, after=after), None
    if kind == "rerouted":
        return _("from %(before)s to %(after)s", before=facts["from"], after=facts["to"]), None
    return _("%(code)s was marked a duplicate of this ticket", code=facts["duplicate"]), None


def routing_words(reason: str | None, area_name: str, department_name: str) -> str:
    """The routing reason in the reader's language (as stored if of an unknown shape)."""
    reason = reason or ""
    found = _ROUTED.match(reason)
    if found:
        f = found.groupdict()
        if f["scope"] is None:
            where = _("the whole city")
        elif f["scope"] == "area":
            where = _("area %(code)s", code=f["scope_code"])
        else:
            where = _("préfecture %(code)s", code=f["scope_code"])
        if f["snap"]:
            point = _(
                "The point is %(m)s m outside %(area)s and was placed in it.",
                m=f["snap"],
                area=area_name,
            )
        else:
            point = _("The point is inside %(area)s.", area=area_name)
        rule = _(
            "Rule %(rule)s sends %(service)s from %(where)s to %(department)s "
            "(the most specific rule).",
            rule=f["rule"],
            service=f["service"],
            where=where,
            department=department_name,
        )
        return f"{point} {rule}"
    found = _REROUTED.match(reason)
    if found:
        f = found.groupdict()
        return _(
            "Sent by %(who)s from %(before)s to %(after)s.",
            who=f["actor"],
            before=f["from"],
            after=f["to"],
        )
    return reason
