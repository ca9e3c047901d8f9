"""The domain: filing a report, the status machine, routing, the area index, the
catalogue copy, attributes, phones, tracking codes and accounts.

Free of Flask and of HTTP: it raises domain errors, and citizen_api.web maps them to
answers. It imports only models/, notifications/ and itself (checked by import-linter).
"""
