"""The public report page at /r/{code}: the link in every SMS and WhatsApp message.

Server-rendered HTML in French, Arabic (right-to-left) or English; one stylesheet served
by the app itself and nothing from the internet; no phone number, no clerk's name, no
private note ever reaches it.
"""
