"""Readiness and liveness, through the published port."""

from __future__ import annotations

import httpx


def test_liveness_answers_without_a_token(api_url: str) -> None:
    response = httpx.get(f"{api_url}/health/live", timeout=5)

    assert response.status_code == 200, response.text


def test_readiness_reports_the_database_and_schema_healthy(api_url: str) -> None:
    response = httpx.get(f"{api_url}/health/ready", timeout=5)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready", body
    assert body["schema_revision"] == body["expected_revision"], body


def test_an_endpoint_without_a_token_is_refused(api_url: str) -> None:
    response = httpx.get(f"{api_url}/v1/sites", timeout=5)

    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
