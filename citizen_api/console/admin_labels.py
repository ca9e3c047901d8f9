"""Words for the admins' screens: roles, audit actions, and why an account or key change
was refused (domain.staff.Refused codes), in the console's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from citizen_api.domain.staff import Refused

ROLE = {
    "clerk": _l("Clerk"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}
ACTION = {
    "user.create": _l("Account created"),
    "user.update": _l("Role or department changed"),
    "user.disable": _l("Account disabled"),
    "user.enable": _l("Account enabled"),
    "user.reset_password": _l("Password reset"),
    "user.change_password": _l("Own password changed"),
    "apikey.create": _l("API key created"),
    "apikey.revoke": _l("API key revoked"),
    "service.update": _l("Service edited"),
    "routing.update": _l("Routing changed"),
    "user.contact": _l("Escalation phone changed"),
    "department.head": _l("Department head designated"),
}


def refusal(exc: Refused) -> str:
    """The reason a change was refused, in the console's language."""
    p = exc.params
    messages = {
        "username": lambda: _(
            "A username is 2 to 64 characters: lowercase letters, digits, '.', '_' or '-'."
        ),
        "taken": lambda: _("The username %(u)s is taken.", u=p.get("username", "")),
        "role": lambda: _("Pick a role from the list."),
        "department-needed": lambda: _("A clerk or supervisor belongs to a department: pick one."),
        "department": lambda: _("Pick a department from the list."),
        "self-demote": lambda: _("You cannot take the administrator role from yourself."),
        "self-disable": lambda: _("You cannot disable your own account."),
        "current-password": lambda: _("The current password is wrong."),
        "short-password": lambda: _(
            "The new password must be at least %(n)d characters.", n=p.get("min", 12)
        ),
        "same-password": lambda: _("The new password must differ from the current one."),
        "key-name": lambda: _(
            "A key name is 1 to 50 letters, digits, '.', '_' or '-', and not already used."
        ),
        "no-key": lambda: _("No API key has this name."),
        "unhandled": lambda: _(
            "Refused: nobody would handle this service in %(areas)s.",
            areas=", ".join(p.get("areas", [])),
        ),
        "scope": lambda: _("Pick an area or a prefecture from the list."),
        "no-rule": lambda: _("There is no such rule to remove."),
        "sla": lambda: _(
            "The deadline is a whole number of hours from %(low)d to %(high)d.",
            low=p.get("low", 1),
            high=p.get("high", 2160),
        ),
        "too-long": lambda: _("At most %(n)d characters.", n=p.get("n", 200)),
        "name-needed": lambda: _("The French and Arabic names are required."),
        "phone": lambda: _(
            "Phone number: give a mobile number, such as +212612345678 or 0612345678, or "
            "leave it empty to remove it."
        ),
        "channel": lambda: _("Channel: pick WhatsApp or SMS."),
        "head-department": lambda: _(
            "Only an account with a department can be that department's head."
        ),
    }
    return messages.get(exc.code, lambda: str(exc))()
