"""POST /v1/decisions: one test per reason code, idempotency, concurrency."""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.conftest import ALICE_CARD, ALICE_PIN, World

UTC = dt.UTC


def _reason(world: World, door: str = "entrance", **body) -> tuple[str, str]:
    status, answer = world.decide(door, **body)
    assert status == 200, answer
    return answer["decision"], answer["reason"]


def test_known_card_in_hours_is_granted_with_person_and_door(world: World):
    status, answer = world.decide(card=ALICE_CARD)

    assert status == 200
    assert answer["decision"] == "granted"
    assert answer["reason"] == "access_granted"
    assert answer["person"] == {"id": world.alice["id"], "name": "Alice"}
    assert answer["door"] == {"id": world.doors["entrance"]["id"], "name": "Entrance"}


def test_unknown_card_is_denied(world: World):
    card = {**ALICE_CARD, "card_number": 9999}
    status, answer = world.decide(card=card)

    assert (answer["decision"], answer["reason"]) == ("denied", "unknown_credential")
    assert answer["person"] is None


def test_disabled_credential_is_denied(world: World):
    world.admin.ok("PATCH", f"/v1/credentials/{world.card['id']}", {"enabled": False})

    assert _reason(world, card=ALICE_CARD) == ("denied", "credential_disabled")


def test_credential_before_its_window_is_not_yet_valid(world: World):
    world.admin.ok(
        "PATCH",
        f"/v1/credentials/{world.card['id']}",
        {"valid_from": "2026-06-10T08:00:01Z"},
    )

    assert _reason(world, card=ALICE_CARD) == ("denied", "credential_not_yet_valid")


def test_credential_at_its_valid_until_is_expired(world: World):
    world.admin.ok(
        "PATCH",
        f"/v1/credentials/{world.card['id']}",
        {"valid_until": "2026-06-10T08:00:00Z"},
    )

    assert _reason(world, card=ALICE_CARD) == ("denied", "credential_expired")


@pytest.mark.parametrize(
    "change",
    [
        {"enabled": False},
        {"valid_until": "2026-06-01T00:00:00Z"},
        {"valid_from": "2026-07-01T00:00:00Z"},
    ],
    ids=["disabled", "past_window", "future_window"],
)
def test_disabled_or_out_of_window_person_is_denied(world: World, change: dict):
    world.admin.ok("PATCH", f"/v1/people/{world.alice['id']}", change)

    assert _reason(world, card=ALICE_CARD) == ("denied", "person_disabled")


def test_person_in_no_group_for_the_door_is_denied(world: World):
    world.admin.ok("PATCH", f"/v1/access-groups/{world.group['id']}", {"door_ids": []})

    assert _reason(world, card=ALICE_CARD) == ("denied", "no_access_group")


def test_outside_the_time_frames_is_denied(world: World, clock):
    clock.moment = dt.datetime(2026, 6, 10, 17, 0, tzinfo=UTC)  # 19:00 in Berlin

    assert _reason(world, card=ALICE_CARD) == ("denied", "outside_schedule")


def test_site_holiday_closes_the_schedule(world: World):
    world.admin.ok(
        "POST",
        "/v1/holidays",
        {"site_id": world.site["id"], "date": "2026-06-10", "name": "Closed"},
    )

    assert _reason(world, card=ALICE_CARD) == ("denied", "holiday")


def test_holiday_of_another_site_does_not_apply(world: World):
    other = world.admin.ok("POST", "/v1/sites", {"name": "Other", "timezone": "UTC"})
    world.admin.ok(
        "POST",
        "/v1/holidays",
        {"site_id": other["id"], "date": "2026-06-10", "name": "x"},
    )

    assert _reason(world, card=ALICE_CARD) == ("granted", "access_granted")


def test_locked_down_door_denies_even_a_valid_card(world: World):
    world.admin.ok(
        "PATCH", f"/v1/doors/{world.doors['entrance']['id']}", {"mode": "locked_down"}
    )

    status, answer = world.decide(card=ALICE_CARD)
    assert (answer["decision"], answer["reason"]) == ("denied", "door_locked_down")
    assert answer["person"]["id"] == world.alice["id"]


def test_unlocked_door_grants_even_an_unknown_card(world: World, clock):
    world.admin.ok(
        "PATCH", f"/v1/doors/{world.doors['entrance']['id']}", {"mode": "unlocked"}
    )
    clock.moment = dt.datetime(2026, 6, 14, 2, 0, tzinfo=UTC)  # Sunday night

    card = {**ALICE_CARD, "card_number": 4242}
    assert _reason(world, card=card) == ("granted", "door_unlocked")


def test_card_without_pin_at_a_card_and_pin_door_needs_the_pin(world: World):
    assert _reason(world, "vault", card=ALICE_CARD) == ("denied", "pin_required")


def test_card_with_a_wrong_pin_is_a_mismatch(world: World):
    assert _reason(world, "vault", card=ALICE_CARD, pin="000000") == (
        "denied",
        "pin_mismatch",
    )


def test_another_persons_pin_is_a_mismatch(world: World):
    bob = world.admin.ok("POST", "/v1/people", {"name": "Bob"})
    world.admin.ok(
        "POST",
        "/v1/credentials",
        {"person_id": bob["id"], "site_id": world.site["id"], "pin": "777777"},
    )

    assert _reason(world, "vault", card=ALICE_CARD, pin="777777") == (
        "denied",
        "pin_mismatch",
    )


def test_card_with_the_right_pin_is_granted(world: World):
    assert _reason(world, "vault", card=ALICE_CARD, pin=ALICE_PIN) == (
        "granted",
        "access_granted",
    )


def test_pin_alone_opens_a_pin_only_door(world: World):
    status, answer = world.decide("keypad", pin=ALICE_PIN)

    assert (answer["decision"], answer["reason"]) == ("granted", "access_granted")
    assert answer["person"]["id"] == world.alice["id"]


@pytest.mark.parametrize("door", ["entrance", "vault"])
def test_pin_alone_at_a_door_without_pin_only_is_unknown(world: World, door: str):
    assert _reason(world, door, pin=ALICE_PIN) == ("denied", "unknown_credential")


def test_unknown_pin_at_a_pin_only_door_is_unknown(world: World):
    assert _reason(world, "keypad", pin="999999") == ("denied", "unknown_credential")


def test_pin_of_another_site_is_unknown(world: World):
    other = world.admin.ok("POST", "/v1/sites", {"name": "Other", "timezone": "UTC"})
    world.admin.ok(
        "POST",
        "/v1/credentials",
        {"person_id": world.alice["id"], "site_id": other["id"], "pin": "55555"},
    )

    assert _reason(world, "keypad", pin="55555") == ("denied", "unknown_credential")


@pytest.mark.parametrize(
    ("frame", "utc_moment", "expected"),
    [
        # Berlin is UTC+2 in June: 22:00 UTC Tuesday is 00:00 Wednesday.
        (
            {"weekday": 3, "start": "00:00", "end": "01:00"},
            (2026, 6, 9, 22, 0),
            "granted",
        ),
        (
            {"weekday": 3, "start": "00:00", "end": "01:00"},
            (2026, 6, 9, 21, 59),
            "denied",
        ),
        (
            {"weekday": 2, "start": "23:00", "end": "24:00"},
            (2026, 6, 9, 21, 59),
            "granted",
        ),
        (
            {"weekday": 2, "start": "23:00", "end": "24:00"},
            (2026, 6, 9, 22, 0),
            "denied",
        ),
        # end is exclusive
        (
            {"weekday": 3, "start": "08:00", "end": "09:00"},
            (2026, 6, 10, 7, 0),
            "denied",
        ),
        (
            {"weekday": 3, "start": "08:00", "end": "09:00"},
            (2026, 6, 10, 6, 59),
            "granted",
        ),
    ],
    ids=[
        "midnight_starts_the_new_day",
        "minute_before_midnight_is_the_old_day",
        "last_minute_of_a_frame_to_24_00",
        "24_00_frame_ends_at_midnight",
        "end_is_exclusive",
        "last_minute_before_end",
    ],
)
def test_schedule_edges_at_midnight(world: World, clock, frame, utc_moment, expected):
    world.admin.ok(
        "PATCH", f"/v1/access-groups/{world.group['id']}", {"time_frames": [frame]}
    )
    clock.moment = dt.datetime(*utc_moment, tzinfo=UTC)

    assert _reason(world, card=ALICE_CARD)[0] == expected


@pytest.mark.parametrize(
    ("utc_moment", "expected"),
    [
        # Spring forward: 2026-03-29 02:00 CET becomes 03:00 CEST.
        ((2026, 3, 28, 7, 30), "denied"),  # Saturday 08:30 CET (UTC+1)... Saturday
        ((2026, 3, 30, 6, 30), "granted"),  # Monday 08:30 CEST (UTC+2)
        ((2026, 3, 27, 6, 30), "denied"),  # Friday 07:30 CET: before 08:00
        ((2026, 3, 27, 7, 30), "granted"),  # Friday 08:30 CET
        # Fall back: 2026-10-25 03:00 CEST becomes 02:00 CET.
        ((2026, 10, 23, 6, 30), "granted"),  # Friday 08:30 CEST
        (
            (2026, 10, 26, 6, 30),
            "denied",
        ),  # Monday 07:30 CET: same UTC, an hour earlier
        ((2026, 10, 26, 7, 30), "granted"),  # Monday 08:30 CET
    ],
)
def test_schedule_follows_wall_clock_across_dst(
    world: World, clock, utc_moment, expected
):
    clock.moment = dt.datetime(*utc_moment, tzinfo=UTC)

    assert _reason(world, card=ALICE_CARD)[0] == expected


def test_retry_with_the_same_event_id_returns_the_first_answer(world: World, clock):
    event_id = str(uuid.uuid4())
    first = world.decide(event_id=event_id, card=ALICE_CARD)
    world.admin.ok(
        "PATCH", f"/v1/doors/{world.doors['entrance']['id']}", {"mode": "locked_down"}
    )
    clock.moment = clock.moment + dt.timedelta(seconds=5)

    again = world.decide(event_id=event_id, card=ALICE_CARD)

    assert again == first
    status, events = world.admin.get("/v1/events")
    assert [e["event_id"] for e in events["items"]] == [event_id]


def test_same_event_id_from_two_readers_is_two_events(world: World):
    event_id = str(uuid.uuid4())
    world.decide("entrance", event_id=event_id, card=ALICE_CARD)
    world.decide("vault", event_id=event_id, card=ALICE_CARD)

    _status, events = world.admin.get("/v1/events")
    assert len(events["items"]) == 2


def test_concurrent_decisions_are_all_recorded_once(world: World, clean_db):
    # 40 distinct events, each sent twice, from 8 threads at once.
    event_ids = [str(uuid.uuid4()) for _ in range(40)]
    client = world.readers["entrance"]

    def send(event_id: str):
        api = client.as_(client.token)
        api.client = api.client.application.test_client()
        return api.post("/v1/decisions", {"event_id": event_id, "card": ALICE_CARD})

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, event_ids * 2))

    assert all(status == 200 for status, _ in answers)
    with psycopg.connect(clean_db.owner_conninfo()) as conn:
        rows = conn.execute(
            "SELECT event_id::text, count(*) FROM access_events GROUP BY event_id"
        ).fetchall()
    assert sorted(event_id for event_id, _ in rows) == sorted(event_ids)
    assert all(count == 1 for _, count in rows)


def test_every_answer_has_its_event_with_the_same_decision(world: World):
    _status, answer = world.decide("vault", card=ALICE_CARD)
    _status, events = world.admin.get("/v1/events")

    event = events["items"][0]
    assert event["event_id"] == answer["event_id"]
    assert (event["decision"], event["reason"]) == ("denied", "pin_required")
    assert event["person_id"] == world.alice["id"]
    assert event["credential_id"] == world.card["id"]
    assert event["reader_id"] == world.reader_ids["vault"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"card": ALICE_CARD}, "event_id"),
        ({"event_id": "not-a-uuid", "card": ALICE_CARD}, "event_id"),
        ({"event_id": str(uuid.uuid4())}, "card"),
        ({"event_id": str(uuid.uuid4()), "pin": "12"}, "pin"),
        (
            {
                "event_id": str(uuid.uuid4()),
                "card": {**ALICE_CARD, "facility_code": 256},
            },
            "card.h10301.facility_code",
        ),
        ({"event_id": str(uuid.uuid4()), "card": ALICE_CARD, "door": 1}, "door"),
    ],
    ids=[
        "missing_event_id",
        "bad_uuid",
        "nothing_presented",
        "short_pin",
        "bad_card",
        "unknown_field",
    ],
)
def test_bad_decision_request_names_the_field(world: World, body: dict, field: str):
    status, answer = world.readers["entrance"].post("/v1/decisions", body)

    assert status == 422
    assert answer["error"]["code"] == "validation_error"
    fields = [f["field"] for f in answer["error"]["details"]["fields"]]
    assert any(f == field or f.startswith(field) for f in fields), fields


@pytest.mark.parametrize(
    ("door", "body"),
    [
        ("entrance", {"card": ALICE_CARD}),
        ("vault", {"card": ALICE_CARD, "pin": ALICE_PIN}),
        ("keypad", {"pin": ALICE_PIN}),
    ],
    ids=["card", "card_and_pin", "pin_only"],
)
def test_a_decision_is_four_statements_whatever_the_groups(
    world: World, app, door, body
):
    from sqlalchemy import event

    # More groups and frames must not mean more round trips.
    for n in range(5):
        world.admin.ok(
            "POST",
            "/v1/access-groups",
            {
                "site_id": world.site["id"],
                "name": f"extra {n}",
                "person_ids": [world.alice["id"]],
                "door_ids": [world.doors[door]["id"]],
                "time_frames": [{"weekday": 7, "start": "00:00", "end": "01:00"}],
            },
        )
    statements = []
    engine = app.extensions["smart_access.db"].engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        status, answer = world.decide(door, **body)
    finally:
        event.remove(engine, "before_cursor_execute", listener)

    assert (status, answer["decision"]) == (200, "granted")
    assert len(statements) == 4, statements
    assert "ON CONFLICT" in statements[-1]


def test_raw_26_bit_read_of_a_registered_h10301_card_is_recognised(world: World):
    from app.cards import wiegand_to_raw

    raw = wiegand_to_raw("h10301", 42, 1001)
    status, answer = world.decide(card={"format": "raw", "hex": raw, "bit_length": 26})

    assert (answer["decision"], answer["reason"]) == ("granted", "access_granted")
    assert answer["person"]["id"] == world.alice["id"]


def test_raw_read_with_bad_parity_is_unknown(world: World):
    from app.cards import wiegand_to_raw

    raw = format(int(wiegand_to_raw("h10301", 42, 1001), 16) ^ 1, "x")

    assert _reason(world, card={"format": "raw", "hex": raw, "bit_length": 26}) == (
        "denied",
        "unknown_credential",
    )
