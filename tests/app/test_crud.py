"""Admin CRUD: cards and PINs, access groups, and the rules each entity keeps."""

from __future__ import annotations

import psycopg
import pytest

from app.pins import pin_hash
from tests.conftest import PIN_KEY, Api


@pytest.fixture
def site(admin: Api) -> dict:
    return admin.ok("POST", "/v1/sites", {"name": "HQ", "timezone": "America/New_York"})


@pytest.fixture
def person(admin: Api) -> dict:
    return admin.ok("POST", "/v1/people", {"name": "Pat"})


def _credential(admin: Api, site: dict, person: dict, **kind):
    return admin.post(
        "/v1/credentials", {"person_id": person["id"], "site_id": site["id"], **kind}
    )


@pytest.mark.parametrize(
    "card",
    [
        {"format": "h10301", "facility_code": 0, "card_number": 0},
        {"format": "h10301", "facility_code": 255, "card_number": 65535},
        {"format": "h10304", "facility_code": 65535, "card_number": 524287},
        {"format": "raw", "hex": "0FfF", "bit_length": 12},
    ],
    ids=["h10301_min", "h10301_max", "h10304_max", "raw"],
)
def test_cards_within_their_format_are_accepted(admin, site, person, card):
    status, body = _credential(admin, site, person, card=card)

    assert status == 201, body
    assert body["kind"] == "card"
    assert body["card"]["format"] == card["format"]


@pytest.mark.parametrize(
    ("card", "field"),
    [
        (
            {"format": "h10301", "facility_code": 256, "card_number": 1},
            "card.h10301.facility_code",
        ),
        (
            {"format": "h10301", "facility_code": 1, "card_number": 65536},
            "card.h10301.card_number",
        ),
        (
            {"format": "h10304", "facility_code": 65536, "card_number": 1},
            "card.h10304.facility_code",
        ),
        (
            {"format": "h10304", "facility_code": 1, "card_number": 524288},
            "card.h10304.card_number",
        ),
        (
            {"format": "h10301", "facility_code": -1, "card_number": 1},
            "card.h10301.facility_code",
        ),
        ({"format": "raw", "hex": "1ff", "bit_length": 8}, "card.raw.hex"),
        ({"format": "raw", "hex": "xyz", "bit_length": 8}, "card.raw.hex"),
        ({"format": "raw", "hex": "ff", "bit_length": 0}, "card.raw.bit_length"),
        ({"format": "mifare", "uid": "04a2"}, "card"),
    ],
    ids=[
        "h10301_facility",
        "h10301_number",
        "h10304_facility",
        "h10304_number",
        "negative",
        "raw_too_long",
        "raw_not_hex",
        "raw_zero_bits",
        "unknown_format",
    ],
)
def test_cards_out_of_range_name_the_field(admin, site, person, card, field):
    status, body = _credential(admin, site, person, card=card)

    assert status == 422
    assert field in [f["field"] for f in body["error"]["details"]["fields"]]


def test_same_card_twice_at_one_site_is_a_conflict(admin, site, person):
    card = {"format": "h10301", "facility_code": 1, "card_number": 2}
    assert _credential(admin, site, person, card=card)[0] == 201

    status, body = _credential(admin, site, person, card=card)

    assert status == 409
    assert "card" in body["error"]["message"]


def test_raw_cards_differing_only_in_case_and_zeros_are_one_card(admin, site, person):
    assert (
        _credential(
            admin, site, person, card={"format": "raw", "hex": "0abc", "bit_length": 16}
        )[0]
        == 201
    )

    status, _body = _credential(
        admin, site, person, card={"format": "raw", "hex": "ABC", "bit_length": 16}
    )

    assert status == 409


def test_same_card_number_in_another_format_or_site_is_allowed(admin, site, person):
    other = admin.ok("POST", "/v1/sites", {"name": "Other", "timezone": "UTC"})
    card = {"format": "h10301", "facility_code": 1, "card_number": 2}
    assert _credential(admin, site, person, card=card)[0] == 201

    assert _credential(admin, other, person, card=card)[0] == 201
    assert _credential(admin, site, person, card={**card, "format": "h10304"})[0] == 201


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", " 1234"])
def test_bad_pins_are_rejected(admin, site, person, pin):
    status, body = _credential(admin, site, person, pin=pin)

    assert status == 422
    assert body["error"]["details"]["fields"][0]["field"] == "pin"


def test_pin_is_stored_as_its_keyed_hash_and_never_shown(admin, site, person, clean_db):
    status, body = _credential(admin, site, person, pin="4321")

    assert status == 201
    assert body["kind"] == "pin" and body["card"] is None
    assert "4321" not in str(body)
    with psycopg.connect(clean_db.owner_conninfo()) as conn:
        row = conn.execute(
            "SELECT * FROM credentials WHERE id = %s", (body["id"],)
        ).fetchone()
        stored = conn.execute(
            "SELECT pin_hash FROM credentials WHERE id = %s", (body["id"],)
        ).fetchone()[0]
    assert "4321" not in repr(row)
    assert bytes(stored) == pin_hash(PIN_KEY, "4321")


def test_same_pin_twice_at_one_site_is_a_conflict(admin, site, person):
    assert _credential(admin, site, person, pin="2468")[0] == 201
    other_person = admin.ok("POST", "/v1/people", {"name": "Sam"})

    status, body = _credential(admin, site, other_person, pin="2468")

    assert status == 409
    assert "PIN" in body["error"]["message"]


@pytest.mark.parametrize(
    "extra",
    [{}, {"card": {"format": "raw", "hex": "1", "bit_length": 1}, "pin": "1234"}],
    ids=["neither", "both"],
)
def test_a_credential_is_exactly_one_card_or_pin(admin, site, person, extra):
    status, body = _credential(admin, site, person, **extra)

    assert status == 422
    assert body["error"]["details"]["fields"][0]["field"] == "card"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/v1/people",
            {
                "name": "x",
                "valid_from": "2026-02-01T00:00:00Z",
                "valid_until": "2026-01-01T00:00:00Z",
            },
            "valid_until",
        ),
        (
            "/v1/people",
            {"name": "x", "valid_from": "2026-02-01T00:00:00"},
            "valid_from",
        ),
        ("/v1/doors", {"site_id": 1, "name": "d", "mode": "open"}, "mode"),
        ("/v1/readers", {"door_id": 1, "name": "r", "direction": "up"}, "direction"),
        ("/v1/holidays", {"site_id": 1, "name": "h", "date": "2026-13-01"}, "date"),
    ],
    ids=[
        "window_reversed",
        "naive_datetime",
        "door_mode",
        "reader_direction",
        "holiday_date",
    ],
)
def test_entity_rules_name_the_field(admin, path, body, field):
    status, answer = admin.post(path, body)

    assert status == 422
    assert [f["field"] for f in answer["error"]["details"]["fields"]] == [field]


def test_patch_cannot_reverse_a_stored_window(admin):
    person = admin.ok(
        "POST", "/v1/people", {"name": "x", "valid_until": "2026-01-01T00:00:00Z"}
    )

    status, body = admin.patch(
        f"/v1/people/{person['id']}", {"valid_from": "2026-06-01T00:00:00Z"}
    )

    assert status == 422
    assert body["error"]["details"]["fields"][0]["field"] == "valid_until"


def test_patch_rejects_null_for_a_required_field(admin, site):
    status, body = admin.patch(f"/v1/sites/{site['id']}", {"name": None})

    assert status == 422
    assert body["error"]["details"]["fields"][0]["field"] == "name"


def test_patch_changes_only_the_fields_given(admin, site):
    door = admin.ok(
        "POST", "/v1/doors", {"site_id": site["id"], "name": "D", "requires_pin": True}
    )

    changed = admin.ok("PATCH", f"/v1/doors/{door['id']}", {"mode": "unlocked"})

    assert (changed["mode"], changed["requires_pin"], changed["name"]) == (
        "unlocked",
        True,
        "D",
    )
    assert admin.ok("GET", f"/v1/doors/{door['id']}") == changed


def test_deleting_a_site_removes_what_is_on_it(admin, site):
    door = admin.ok("POST", "/v1/doors", {"site_id": site["id"], "name": "D"})

    admin.ok("DELETE", f"/v1/sites/{site['id']}", status=204)

    assert admin.get(f"/v1/doors/{door['id']}")[0] == 404


def test_lists_page_by_id_and_filter(admin, site):
    other = admin.ok("POST", "/v1/sites", {"name": "Other", "timezone": "UTC"})
    for n in range(3):
        admin.ok("POST", "/v1/doors", {"site_id": site["id"], "name": f"D{n}"})
    admin.ok("POST", "/v1/doors", {"site_id": other["id"], "name": "X"})

    first = admin.ok("GET", f"/v1/doors?limit=2&site_id={site['id']}")
    rest = admin.ok(
        "GET",
        f"/v1/doors?limit=2&site_id={site['id']}&after={first['next_after']}",
    )

    assert [d["name"] for d in first["items"] + rest["items"]] == ["D0", "D1", "D2"]
    assert rest["next_after"] is None


def test_access_group_rejects_doors_of_another_site(admin, site, person):
    other = admin.ok("POST", "/v1/sites", {"name": "Other", "timezone": "UTC"})
    foreign = admin.ok("POST", "/v1/doors", {"site_id": other["id"], "name": "X"})

    status, body = admin.post(
        "/v1/access-groups",
        {"site_id": site["id"], "name": "G", "door_ids": [foreign["id"]]},
    )

    assert status == 422
    assert body["error"]["details"]["fields"][0]["field"] == "door_ids"


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        ({"weekday": 0, "start": "08:00", "end": "09:00"}, "time_frames.0.weekday"),
        ({"weekday": 1, "start": "8:00", "end": "09:00"}, "time_frames.0.start"),
        ({"weekday": 1, "start": "10:00", "end": "09:00"}, "time_frames.0.end"),
        ({"weekday": 1, "start": "24:00", "end": "24:00"}, "time_frames.0.end"),
        ({"weekday": 1, "start": "08:00", "end": "24:01"}, "time_frames.0.end"),
    ],
    ids=["weekday", "start_format", "reversed", "empty", "past_midnight"],
)
def test_bad_time_frames_name_the_frame_field(admin, site, frame, field):
    status, body = admin.post(
        "/v1/access-groups",
        {"site_id": site["id"], "name": "G", "time_frames": [frame]},
    )

    assert status == 422
    assert field in [f["field"] for f in body["error"]["details"]["fields"]]


def test_access_group_round_trips_its_lists(admin, site, person):
    door = admin.ok("POST", "/v1/doors", {"site_id": site["id"], "name": "D"})
    frames = [{"weekday": 7, "start": "00:00", "end": "24:00"}]

    group = admin.ok(
        "POST",
        "/v1/access-groups",
        {
            "site_id": site["id"],
            "name": "G",
            "person_ids": [person["id"]],
            "door_ids": [door["id"]],
            "time_frames": frames,
        },
    )

    assert admin.ok("GET", f"/v1/access-groups/{group['id']}") == group
    assert (group["person_ids"], group["door_ids"], group["time_frames"]) == (
        [person["id"]],
        [door["id"]],
        frames,
    )
