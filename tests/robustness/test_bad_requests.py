"""Bad input gets its documented 4xx, in the one error shape, never a 5xx."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

CARD = {"format": "h10301", "facility_code": 12, "card_number": 7}


def decision(**extra: object) -> dict:
    return {"event_id": str(uuid.uuid4()), "card": CARD} | extra


# (case id, method, path, token role, body or raw bytes, status, error code)
CASES = [
    (
        "malformed json",
        "POST",
        "/v1/decisions",
        "reader",
        b'{"event_id": ',
        400,
        "bad_request",
    ),
    (
        "json not an object",
        "POST",
        "/v1/decisions",
        "reader",
        b"[1, 2]",
        422,
        "validation_error",
    ),
    (
        "oversized body",
        "POST",
        "/v1/decisions",
        "reader",
        "oversized",
        413,
        "payload_too_large",
    ),
    (
        "event id a number",
        "POST",
        "/v1/decisions",
        "reader",
        decision(event_id=12),
        422,
        "validation_error",
    ),
    (
        "event id not a uuid",
        "POST",
        "/v1/decisions",
        "reader",
        decision(event_id="x"),
        422,
        "validation_error",
    ),
    (
        "facility code a string",
        "POST",
        "/v1/decisions",
        "reader",
        decision(card=CARD | {"facility_code": "abc"}),
        422,
        "validation_error",
    ),
    (
        "facility code out of range",
        "POST",
        "/v1/decisions",
        "reader",
        decision(card=CARD | {"facility_code": 256}),
        422,
        "validation_error",
    ),
    (
        "unknown card format",
        "POST",
        "/v1/decisions",
        "reader",
        decision(card=CARD | {"format": "h99"}),
        422,
        "validation_error",
    ),
    (
        "unknown field",
        "POST",
        "/v1/decisions",
        "reader",
        decision(door_id=1),
        422,
        "validation_error",
    ),
    (
        "pin with letters",
        "POST",
        "/v1/decisions",
        "reader",
        decision(pin="12ab"),
        422,
        "validation_error",
    ),
    (
        "no card and no pin",
        "POST",
        "/v1/decisions",
        "reader",
        {"event_id": str(uuid.uuid4())},
        422,
        "validation_error",
    ),
    (
        "person name a number",
        "POST",
        "/v1/people",
        "admin",
        {"name": 5},
        422,
        "validation_error",
    ),
    (
        "site with an unknown time zone",
        "POST",
        "/v1/sites",
        "admin",
        {"name": "x", "timezone": "Mars/Base"},
        422,
        "validation_error",
    ),
    (
        "events limit zero",
        "GET",
        "/v1/events?limit=0",
        "auditor",
        None,
        422,
        "validation_error",
    ),
    (
        "events decision unknown",
        "GET",
        "/v1/events?decision=maybe",
        "auditor",
        None,
        422,
        "validation_error",
    ),
    ("no token", "POST", "/v1/decisions", None, decision(), 401, "unauthorized"),
    (
        "unknown token",
        "POST",
        "/v1/decisions",
        "bogus",
        decision(),
        401,
        "unauthorized",
    ),
    ("basic scheme", "GET", "/v1/events", "basic", None, 401, "unauthorized"),
    ("reader reads events", "GET", "/v1/events", "reader", None, 403, "forbidden"),
    (
        "auditor decides",
        "POST",
        "/v1/decisions",
        "auditor",
        decision(),
        403,
        "forbidden",
    ),
    ("admin decides", "POST", "/v1/decisions", "admin", decision(), 403, "forbidden"),
    (
        "auditor creates a person",
        "POST",
        "/v1/people",
        "auditor",
        {"name": "x"},
        403,
        "forbidden",
    ),
    ("reader lists people", "GET", "/v1/people", "reader", None, 403, "forbidden"),
]


@pytest.fixture(scope="module")
def openapi(stack) -> dict:
    return httpx.get(f"{stack.url}/openapi.json", timeout=10).json()


def authorization(stack, role: str | None) -> dict[str, str]:
    tokens = {
        "reader": next(iter(stack.data.reader_tokens.values())),
        "auditor": stack.data.auditor_token,
        "admin": stack.admin_token,
        "bogus": "sa_" + "x" * 43,
    }
    if role is None:
        return {}
    if role == "basic":
        return {"Authorization": "Basic dXNlcjpwYXNz"}
    return {"Authorization": f"Bearer {tokens[role]}"}


def documented(openapi: dict, method: str, path: str, status: int) -> bool:
    template = path.split("?")[0]
    responses = openapi["paths"][template][method.lower()]["responses"]
    return str(status) in responses or "4XX" in responses or "default" in responses


@pytest.mark.parametrize(
    ("method", "path", "role", "body", "status", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_request_gets_its_documented_4xx(
    stack, openapi, method, path, role, body, status, code
):
    headers = authorization(stack, role)
    if body == "oversized":
        content = json.dumps(decision(padding="x" * 70_000)).encode()
    elif isinstance(body, bytes):
        content = body
    else:
        content = None if body is None else json.dumps(body).encode()
    if content is not None:
        headers["Content-Type"] = "application/json"

    response = httpx.request(
        method, f"{stack.url}{path}", content=content, headers=headers, timeout=10
    )

    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details"}
    assert "Traceback" not in response.text and "SELECT" not in response.text
    assert documented(openapi, method, path, status), (
        f"{status} is not documented for {method} {path.split('?')[0]} in /openapi.json"
    )


def test_validation_errors_name_the_field(stack):
    response = httpx.post(
        f"{stack.url}/v1/decisions",
        json=decision(card=CARD | {"facility_code": "abc"}),
        headers=authorization(stack, "reader"),
        timeout=10,
    )

    fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
    assert any("facility_code" in f for f in fields), fields
