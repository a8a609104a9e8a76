"""One error shape for every 4xx and 5xx, and 503 while the database is away."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import Api


def _assert_shape(body: dict, code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/nowhere", 404, "not_found"),
        ("GET", "/v1/sites/999", 404, "not_found"),
        ("PUT", "/v1/sites", 405, "method_not_allowed"),
    ],
)
def test_http_errors_have_the_one_shape(admin: Api, method, path, status, code):
    got, body = admin.call(method, path)

    assert got == status
    _assert_shape(body, code)


def test_body_over_max_request_bytes_is_413(admin: Api, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = admin.client.post(
        "/v1/sites",
        data=b'{"name": "' + b"x" * limit + b'"}',
        headers={
            "Authorization": f"Bearer {admin.token}",
            "Content-Type": "application/json",
        },
    )

    assert response.status_code == 413
    _assert_shape(response.get_json(), "payload_too_large")
    assert str(limit) in response.get_json()["error"]["message"]


def test_malformed_json_is_400(admin: Api):
    response = admin.client.post(
        "/v1/sites",
        data=b'{"name": ',
        headers={
            "Authorization": f"Bearer {admin.token}",
            "Content-Type": "application/json",
        },
    )

    assert response.status_code == 400
    _assert_shape(response.get_json(), "bad_request")


def test_non_json_body_is_415(admin: Api):
    response = admin.client.post(
        "/v1/sites",
        data="name=x",
        headers={
            "Authorization": f"Bearer {admin.token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )

    assert response.status_code == 415
    _assert_shape(response.get_json(), "unsupported_media_type")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "UTC"}, "name"),
        ({"name": "x", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "x", "timezone": "../../etc/passwd"}, "timezone"),
        ({"name": "x", "timezone": "UTC", "colour": "red"}, "colour"),
        ({"name": "", "timezone": "UTC"}, "name"),
    ],
    ids=["missing", "not_a_zone", "path_as_zone", "unknown_field", "empty_name"],
)
def test_validation_errors_name_the_field(admin: Api, body, field):
    status, answer = admin.post("/v1/sites", body)

    assert status == 422
    _assert_shape(answer, "validation_error")
    assert [f["field"] for f in answer["error"]["details"]["fields"]] == [field]
    assert field in answer["error"]["message"]


def test_unknown_field_message_says_to_remove_it(admin: Api):
    _status, answer = admin.post("/v1/sites", {"name": "x", "timezone": "UTC", "zz": 1})

    assert (
        answer["error"]["details"]["fields"][0]["message"] == "unknown field; remove it"
    )


def test_duplicate_is_409_with_a_readable_message(admin: Api):
    admin.ok("POST", "/v1/sites", {"name": "Same", "timezone": "UTC"})

    status, answer = admin.post("/v1/sites", {"name": "Same", "timezone": "UTC"})

    assert status == 409
    _assert_shape(answer, "conflict")
    assert answer["error"]["message"] == "a site with this name already exists"


def test_reference_to_a_missing_row_names_the_field(admin: Api):
    status, answer = admin.post("/v1/doors", {"site_id": 999, "name": "Ghost"})

    assert status == 422
    assert answer["error"]["details"]["fields"][0]["field"] == "site_id"


def test_unexpected_error_is_500_without_a_trace(app, admin: Api):
    def explode():
        raise RuntimeError("secret internals: SELECT * FROM api_tokens")

    app.add_url_rule("/v1/explode", view_func=explode)
    response = admin.client.get("/v1/explode")

    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    _assert_shape(response.get_json(), "internal_error")


@pytest.fixture
def unreachable_app(clean_db):
    # A port nothing listens on: the same app, with its database gone.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    application = create_app(clean_db.settings(DB_PORT=str(port)))
    yield application
    application.extensions["smart_access.db"].dispose()


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/events"), ("POST", "/v1/decisions"), ("GET", "/health/ready")],
)
def test_database_down_is_503_not_500(unreachable_app, method, path):
    client = unreachable_app.test_client()
    response = client.open(
        path, method=method, json={}, headers={"Authorization": "Bearer sa_any"}
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    _assert_shape(response.get_json(), "database_unavailable")
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_liveness_does_not_need_the_database(unreachable_app):
    response = unreachable_app.test_client().get("/health/live")

    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_exhausted_pool_is_503_not_a_hang(clean_db, monkeypatch):
    import app.db

    monkeypatch.setattr(app.db, "POOL_TIMEOUT_SECONDS", 0.5)
    application = create_app(clean_db.settings(THREADS="1"))
    engine = application.extensions["smart_access.db"].engine
    try:
        with engine.connect():  # the pool's only connection, held elsewhere
            response = application.test_client().get(
                "/v1/events", headers={"Authorization": "Bearer sa_any"}
            )
    finally:
        engine.dispose()

    assert response.status_code == 503
    _assert_shape(response.get_json(), "database_unavailable")
