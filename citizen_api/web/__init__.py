"""HTTP plumbing shared by every resource: errors, OpenAPI pieces, the arguments parser,
limits, language, responses, idempotency, clerks' auth and health probes.

It may use citizen_api.domain, never a resource package (checked by import-linter).
"""
