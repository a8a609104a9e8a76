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
