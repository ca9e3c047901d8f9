"""The OpenAPI document describes the triage endpoints and how to authenticate."""

from __future__ import annotations


def test_triage_endpoints_are_documented_with_the_bearer_scheme(client):
    doc = client.get("/api/v1/openapi.json").json
    scheme = doc["components"]["securitySchemes"]["clerkToken"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    operations = [
        doc["paths"]["/api/v1/triage/requests"]["get"],
        doc["paths"]["/api/v1/triage/requests/{code}"]["get"],
        doc["paths"]["/api/v1/triage/requests/{code}"]["patch"],
        doc["paths"]["/api/v1/triage/summary"]["get"],
    ]
    for operation in operations:
        assert operation["security"] == [{"clerkToken": []}]
        assert "401" in operation["responses"]
    patch = doc["paths"]["/api/v1/triage/requests/{code}"]["patch"]
    assert {"409", "412", "428"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    assert "/api/v1/auth/token" in doc["paths"]
    feedback = doc["paths"]["/api/v1/requests/{code}/feedback"]["post"]
    assert {"reportToken": []} in feedback["security"]
