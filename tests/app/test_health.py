"""Liveness, readiness and the documentation endpoints, which need no token."""

from __future__ import annotations

from app import create_app
from app.db import expected_head


def test_live_answers_without_a_token(anonymous):
    status, body = anonymous.get("/health/live")

    assert (status, body["status"]) == (200, "ok")


def test_ready_when_the_schema_is_at_head(anonymous):
    status, body = anonymous.get("/health/ready")

    assert status == 200
    assert body["schema_revision"] == body["expected_revision"] == expected_head()


def test_not_ready_on_an_unmigrated_database(empty_database):
    app = create_app(empty_database.settings())
    response = app.test_client().get("/health/ready")
    app.extensions["smart_access.db"].dispose()

    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "schema_not_at_head"
    assert error["details"] == {
        "schema_revision": None,
        "expected_revision": expected_head(),
    }
    assert "migrate" in error["message"]


def test_openapi_document_is_generated_from_the_validating_models(anonymous):
    response = anonymous.client.get("/openapi.json")
    spec = response.get_json()

    assert response.status_code == 200
    assert spec["openapi"].startswith("3.")
    assert "/v1/decisions" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert schemas["SiteIn"]["additionalProperties"] is False
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    decide = spec["paths"]["/v1/decisions"]["post"]
    assert decide["security"] == [{"bearer": []}]


def test_every_operation_with_a_body_documents_the_body_errors(anonymous):
    spec = anonymous.client.get("/openapi.json").get_json()

    with_body = [
        (method, path, operation["responses"])
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]

    assert len(with_body) > 10
    for method, path, responses in with_body:
        expected = {"400", "413", "415"} | (
            {"409"} if path != "/v1/decisions" else set()
        )
        missing = expected - responses.keys()
        assert not missing, f"{method.upper()} {path} does not document {missing}"


def test_every_operation_documents_gunicorns_uri_too_long(anonymous):
    spec = anonymous.client.get("/openapi.json").get_json()

    for path, item in spec["paths"].items():
        for method, operation in item.items():
            response = operation["responses"].get("414")
            assert response, f"{method.upper()} {path} does not document 414"
            assert "text/html" in response["content"]


def test_interactive_docs_are_served(anonymous):
    response = anonymous.client.get("/docs")

    assert response.status_code == 200
    assert "/openapi.json" in response.get_data(as_text=True)
