"""WhatsApp intake: a resident files a whole report in a WhatsApp conversation.

`dispatch.answer` is the one entry point (called by the Twilio inbound webhook);
`conversation` holds the questions, `media` fetches photos, `texts` says it all in
fr/ar/en, `expiry` drops conversations idle for 24 hours.
"""
