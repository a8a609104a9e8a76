"""Keyed PIN hashing.

A PIN has at most 10^12 values, so any unkeyed hash falls to enumeration; the
secret key is what protects it. HMAC is deterministic, which lets a PIN-only
door find the credential through a unique index instead of trying every row.
"""

from __future__ import annotations

import hashlib
import hmac
import re

PIN_PATTERN = re.compile(r"[0-9]{4,12}")


def is_valid_pin(pin: str) -> bool:
    return PIN_PATTERN.fullmatch(pin) is not None


def pin_hash(key: str, pin: str) -> bytes:
    return hmac.new(key.encode(), pin.encode(), hashlib.sha256).digest()
