"""Tokens and roles: who may call what, and 401 versus 403."""

from __future__ import annotations

import hashlib

import psycopg
import pytest

from tests.conftest import Api, World

# Every /v1 endpoint and the roles that may use it. A new endpoint fails
# test_every_endpoint_is_in_the_table until it is listed here.
ROLES = {
    ("POST", "/v1/decisions"): {"reader"},
    ("GET", "/v1/events"): {"auditor", "admin"},
    ("GET", "/v1/audit"): {"admin"},
    **{
        (method, f"/v1/{entity}{suffix}"): {"admin"}
        for entity in (
            "sites",
            "doors",
            "readers",
            "people",
            "credentials",
            "access-groups",
            "holidays",
        )
        for method, suffix in (
            ("POST", ""),
            ("GET", ""),
            ("GET", "/1"),
            ("PATCH", "/1"),
            ("DELETE", "/1"),
        )
    },
    ("POST", "/v1/tokens"): {"admin"},
    ("GET", "/v1/tokens"): {"admin"},
    ("GET", "/v1/tokens/1"): {"admin"},
    ("DELETE", "/v1/tokens/1"): {"admin"},
}


def _endpoints(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/v1/"):
            continue
        path = rule.rule.replace("<int:row_id>", "1")
        for name in ("credential_id", "group_id", "token_id"):
            path = path.replace(f"<int:{name}>", "1")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, path))
    return found


@pytest.fixture
def tokens(app, admin: Api) -> dict[str, Api]:
    """One token per role; written straight to the database to keep 180 cases quick."""
    from sqlalchemy.orm import Session

    from app.auth import issue_token
    from app.db import build_engine
    from app.models import Door, Reader, Site

    engine = build_engine(app.extensions["smart_access.settings"], pool_size=1)
    with Session(engine) as db:
        site = Site(name="S", timezone="UTC")
        db.add(site)
        db.flush()
        door = Door(site_id=site.id, name="D")
        db.add(door)
        db.flush()
        reader = Reader(door_id=door.id, name="R", direction="in")
        db.add(reader)
        db.flush()
        _row, auditor = issue_token(db, "auditor", "auditor")
        _row, reader_token = issue_token(db, "reader", "reader", reader.id)
        db.commit()
    engine.dispose()
    return {
        "admin": admin,
        "auditor": admin.as_(auditor),
        "reader": admin.as_(reader_token),
    }


def test_every_endpoint_is_in_the_table(app):
    assert _endpoints(app) == set(ROLES)


@pytest.mark.parametrize(("method", "path"), sorted(ROLES))
def test_no_token_is_401_with_a_bearer_challenge(anonymous: Api, method, path):
    response = anonymous.client.open(path, method=method, json={})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "header", ["Bearer sa_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer ", "sa_x"]
)
def test_unknown_or_malformed_token_is_401(anonymous: Api, header: str):
    response = anonymous.client.get("/v1/sites", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        (m, p, r)
        for (m, p), allowed in sorted(ROLES.items())
        for r in ("admin", "auditor", "reader")
        if r not in allowed
    ],
)
def test_a_role_outside_its_part_is_403(tokens, method, path, role):
    status, body = tokens[role].call(method, path, json={})

    assert status == 403, body
    assert body["error"]["code"] == "forbidden"
    assert body["error"]["details"]["role"] == role


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [(m, p, r) for (m, p), allowed in sorted(ROLES.items()) for r in sorted(allowed)],
)
def test_a_role_inside_its_part_gets_past_auth(tokens, method, path, role):
    status, body = tokens[role].call(method, path, json={})

    assert status not in (401, 403), body


def test_revoked_token_stops_working(world: World):
    created = world.admin.ok("POST", "/v1/tokens", {"name": "temp", "role": "auditor"})
    auditor = world.admin.as_(created["token"])
    assert auditor.get("/v1/events")[0] == 200

    world.admin.ok("DELETE", f"/v1/tokens/{created['id']}", status=204)

    assert auditor.get("/v1/events")[0] == 401


def test_an_admin_token_cannot_revoke_itself(world: World, admin_token):
    _status, listing = world.admin.get("/v1/tokens")
    own = next(t for t in listing["items"] if t["name"] == "test admin")

    status, body = world.admin.delete(f"/v1/tokens/{own['id']}")

    assert status == 409
    assert "itself" in body["error"]["message"]


def test_tokens_are_stored_only_as_sha256(world: World, clean_db):
    created = world.admin.ok("POST", "/v1/tokens", {"name": "x", "role": "auditor"})

    with psycopg.connect(clean_db.owner_conninfo()) as conn:
        stored = conn.execute(
            "SELECT token_hash FROM api_tokens WHERE id = %s", (created["id"],)
        ).fetchone()[0]
    assert bytes(stored) == hashlib.sha256(created["token"].encode()).digest()
    _status, listing = world.admin.get("/v1/tokens")
    assert all("token" not in t and "token_hash" not in t for t in listing["items"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "r", "role": "reader"}, "reader_id"),
        ({"name": "a", "role": "admin", "reader_id": 1}, "reader_id"),
        ({"name": "r", "role": "reader", "reader_id": 999}, "reader_id"),
        ({"name": "x", "role": "root"}, "role"),
    ],
    ids=[
        "reader_without_reader",
        "admin_with_reader",
        "missing_reader",
        "unknown_role",
    ],
)
def test_token_role_binding_is_validated(world: World, body, field):
    status, answer = world.admin.post("/v1/tokens", body)

    assert status == 422
    assert field in [f["field"] for f in answer["error"]["details"]["fields"]]


def test_reader_token_decides_for_its_own_reader_only(world: World):
    from tests.conftest import ALICE_CARD

    _status, answer = world.decide("vault", card=ALICE_CARD)

    assert answer["door"]["id"] == world.doors["vault"]["id"]
