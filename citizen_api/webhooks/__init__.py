"""Twilio's webhooks: inbound messages and delivery status callbacks."""

from citizen_api.webhooks.views import blp

__all__ = ["blp"]
