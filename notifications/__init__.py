"""Outgoing and incoming resident messages (SMS, WhatsApp): no Flask here."""
