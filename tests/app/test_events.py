"""GET /v1/events: filters and keyset pagination, newest first."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import ALICE_CARD, World

START = dt.datetime(2026, 6, 10, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def history(world: World, clock) -> World:
    """Ten events a minute apart: entrance grants, vault denials alternate."""
    for minute in range(10):
        clock.moment = START + dt.timedelta(minutes=minute)
        door = "entrance" if minute % 2 == 0 else "vault"
        world.decide(door, card=ALICE_CARD)
    return world


def test_events_are_newest_first(history: World):
    _status, page = history.admin.get("/v1/events")

    times = [e["occurred_at"] for e in page["items"]]
    assert len(times) == 10
    assert times == sorted(times, reverse=True)
    assert page["next_cursor"] is None


def test_cursor_walks_every_event_once(history: World):
    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        status, page = history.admin.get("/v1/events", **query)
        assert status == 200
        seen.extend(e["id"] for e in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen, reverse=True)


def test_events_in_the_same_instant_page_without_loss(world: World, clock):
    clock.moment = START
    for _ in range(5):
        world.decide(card=ALICE_CARD)

    _s, first = world.admin.get("/v1/events", limit=2)
    _s, second = world.admin.get("/v1/events", limit=10, cursor=first["next_cursor"])

    ids = [e["id"] for e in first["items"] + second["items"]]
    assert sorted(ids) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"decision": "granted"}, 5),
        ({"decision": "denied"}, 5),
        ({"since": "2026-06-10T08:05:00Z"}, 5),
        ({"until": "2026-06-10T08:05:00Z"}, 5),
        ({"since": "2026-06-10T08:02:00Z", "until": "2026-06-10T08:04:00Z"}, 2),
    ],
)
def test_events_filter_by_decision_and_time(history: World, query, count):
    _status, page = history.admin.get("/v1/events", **query)

    assert len(page["items"]) == count


def test_events_filter_by_door_and_person(history: World):
    vault = history.doors["vault"]["id"]
    _s, by_door = history.admin.get("/v1/events", door_id=vault)
    _s, by_person = history.admin.get("/v1/events", person_id=history.alice["id"])
    _s, nobody = history.admin.get("/v1/events", person_id=history.alice["id"] + 100)

    assert {e["door_id"] for e in by_door["items"]} == {vault}
    assert len(by_door["items"]) == 5
    assert len(by_person["items"]) == 10
    assert nobody["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "garbage"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"decision": "maybe"}, "decision"),
        ({"since": "2026-06-10T08:00:00"}, "since"),
        ({"colour": "red"}, "colour"),
    ],
    ids=[
        "bad_cursor",
        "zero_limit",
        "huge_limit",
        "bad_decision",
        "naive_time",
        "unknown",
    ],
)
def test_bad_event_queries_name_the_parameter(history: World, query, field):
    status, answer = history.admin.get("/v1/events", **query)

    assert status == 422
    assert [f["field"] for f in answer["error"]["details"]["fields"]] == [field]


def test_auditor_reads_events(world: World):
    token = world.admin.ok("POST", "/v1/tokens", {"name": "a", "role": "auditor"})[
        "token"
    ]
    world.decide(card=ALICE_CARD)

    status, page = world.admin.as_(token).get("/v1/events")

    assert status == 200
    assert len(page["items"]) == 1
