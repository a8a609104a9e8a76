"""Card formats and the canonical key a card is stored and looked up under."""

from __future__ import annotations

from dataclasses import dataclass

# format -> (bit length, largest facility code, largest card number)
WIEGAND_FORMATS = {
    "h10301": (26, 255, 65_535),
    "h10304": (37, 65_535, 524_287),
}
RAW_MAX_BITS = 256


@dataclass(frozen=True)
class CardKey:
    format: str
    bit_length: int
    key: str
    facility_code: int | None = None
    card_number: int | None = None


def wiegand_key(fmt: str, facility_code: int, card_number: int) -> CardKey:
    """Ranges are checked by the request schemas; this only builds the key."""
    bits = WIEGAND_FORMATS[fmt][0]
    return CardKey(
        fmt, bits, f"{facility_code}:{card_number}", facility_code, card_number
    )


def raw_key(hex_value: str, bit_length: int) -> CardKey:
    # Leading zeros and letter case must not give one card two keys.
    value = int(hex_value, 16)
    return CardKey("raw", bit_length, f"{bit_length}:{value:x}")


def key_of(card: object) -> CardKey:
    """The key of a validated card model from app.schemas."""
    fmt = card.format
    if fmt == "raw":
        return raw_key(card.hex, card.bit_length)
    return wiegand_key(fmt, card.facility_code, card.card_number)


def hex_of(key: CardKey | str) -> str:
    text = key.key if isinstance(key, CardKey) else key
    return text.split(":", 1)[1]


# bit length -> (format, facility bits, number bits, bits each parity covers)
WIEGAND_LAYOUTS = {26: ("h10301", 8, 16, 13), 37: ("h10304", 16, 19, 19)}


def wiegand_from_raw(hex_value: str, bit_length: int) -> CardKey | None:
    """The H10301/H10304 key of a raw read, when its length and parity fit.

    Readers often send the bits as read. The leading even parity bit covers
    the first half of the frame and the trailing odd one the second half (in
    37-bit frames the halves share the middle bit).
    """
    layout = WIEGAND_LAYOUTS.get(bit_length)
    if layout is None:
        return None
    fmt, facility_bits, number_bits, half = layout
    bits = f"{int(hex_value, 16):0{bit_length}b}"
    if bits[:half].count("1") % 2 != 0 or bits[-half:].count("1") % 2 != 1:
        return None
    facility = int(bits[1 : 1 + facility_bits], 2)
    number = int(bits[1 + facility_bits : 1 + facility_bits + number_bits], 2)
    return wiegand_key(fmt, facility, number)


def wiegand_to_raw(fmt: str, facility_code: int, card_number: int) -> str:
    """The hex frame, parity included, that a reader sends for this card."""
    bit_length = WIEGAND_FORMATS[fmt][0]
    _fmt, facility_bits, number_bits, half = WIEGAND_LAYOUTS[bit_length]
    body = f"{facility_code:0{facility_bits}b}{card_number:0{number_bits}b}"
    frame = "0" + body + "0"
    even = frame[:half].count("1") % 2
    odd = 1 - frame[-half:].count("1") % 2
    return f"{int(str(even) + body + str(odd), 2):x}"
