"""Card keys, the keyed PIN hash, the local-time slot and the event cursor."""

from __future__ import annotations

import datetime as dt

import pytest

from app.cards import raw_key, wiegand_key
from app.cursor import decode_cursor, encode_cursor
from app.decisions import local_slot
from app.errors import Invalid
from app.pins import pin_hash


def test_wiegand_key_names_format_facility_and_number():
    key = wiegand_key("h10304", 65535, 524287)

    assert (key.format, key.bit_length, key.key) == ("h10304", 37, "65535:524287")


@pytest.mark.parametrize(("hex_value", "bits"), [("00ab", 16), ("AB", 16), ("ab", 16)])
def test_raw_key_ignores_case_and_leading_zeros(hex_value: str, bits: int):
    assert raw_key(hex_value, bits).key == "16:ab"


def test_raw_key_keeps_bit_length_apart():
    assert raw_key("ab", 16).key != raw_key("ab", 26).key


def test_pin_hash_depends_on_the_key():
    assert pin_hash("k" * 32, "1234") == pin_hash("k" * 32, "1234")
    assert pin_hash("k" * 32, "1234") != pin_hash("j" * 32, "1234")
    assert len(pin_hash("k" * 32, "1234")) == 32


@pytest.mark.parametrize(
    ("utc", "zone", "expected"),
    [
        # Spring forward in Berlin: 01:59 CET is followed by 03:00 CEST.
        ((2026, 3, 29, 0, 59), "Europe/Berlin", (dt.date(2026, 3, 29), 7, 119)),
        ((2026, 3, 29, 1, 0), "Europe/Berlin", (dt.date(2026, 3, 29), 7, 180)),
        # Fall back: 02:30 happens twice, and both are 02:30 on the wall.
        ((2026, 10, 25, 0, 30), "Europe/Berlin", (dt.date(2026, 10, 25), 7, 150)),
        ((2026, 10, 25, 1, 30), "Europe/Berlin", (dt.date(2026, 10, 25), 7, 150)),
        # New York's midnight is 04:00 or 05:00 UTC, and still the local date.
        ((2026, 1, 1, 4, 59), "America/New_York", (dt.date(2025, 12, 31), 3, 1439)),
        ((2026, 1, 1, 5, 0), "America/New_York", (dt.date(2026, 1, 1), 4, 0)),
    ],
    ids=[
        "before_spring_gap",
        "after_spring_gap",
        "first_0230",
        "second_0230",
        "ny_2359",
        "ny_midnight",
    ],
)
def test_local_slot_is_wall_clock_time_in_the_site_zone(utc, zone, expected):
    slot = local_slot(dt.datetime(*utc, tzinfo=dt.UTC), zone)

    assert (slot.date, slot.weekday, slot.minute) == expected


def test_cursor_round_trips():
    moment = dt.datetime(2026, 6, 10, 8, 0, 0, 123456, tzinfo=dt.UTC)

    assert decode_cursor(encode_cursor(moment, 42)) == (moment, 42)


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90LWEtY3Vyc29y", "MjAyNi0wMS0wMXwx"])
def test_foreign_cursors_are_rejected_by_name(cursor: str):
    with pytest.raises(Invalid) as caught:
        decode_cursor(cursor)

    assert caught.value.details["fields"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("fmt", "facility", "number"),
    [
        ("h10301", 0, 0),
        ("h10301", 42, 1001),
        ("h10301", 255, 65535),
        ("h10304", 65535, 524287),
        ("h10304", 12345, 6),
    ],
)
def test_raw_wiegand_frames_decode_to_their_facility_and_number(fmt, facility, number):
    from app.cards import WIEGAND_FORMATS, wiegand_from_raw, wiegand_to_raw

    bits = WIEGAND_FORMATS[fmt][0]
    frame = wiegand_to_raw(fmt, facility, number)

    assert wiegand_from_raw(frame, bits) == wiegand_key(fmt, facility, number)
    for flipped_bit in (0, bits // 2, bits - 1):
        corrupt = format(int(frame, 16) ^ (1 << flipped_bit), "x")
        assert wiegand_from_raw(corrupt, bits) is None


def test_h10301_frame_has_the_documented_layout():
    from app.cards import wiegand_to_raw

    # Facility 1, number 1: the first 13 bits hold one 1, so even parity sets
    # bit 1; the last 13 hold one 1, so odd parity leaves bit 26 clear.
    frame = f"{int(wiegand_to_raw('h10301', 1, 1), 16):026b}"

    assert frame == "1" + "00000001" + "0000000000000001" + "0"


def test_other_lengths_are_not_wiegand():
    from app.cards import wiegand_from_raw

    assert wiegand_from_raw("ff", 8) is None
