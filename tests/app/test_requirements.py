"""The hash-pinned locks: the dev lock carries the runtime pins unchanged."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.MULTILINE)


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return {package.lower(): version for package, version in PIN.findall(text)}


def test_the_dev_lock_includes_every_runtime_pin():
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")

    assert runtime
    assert {name: dev.get(name) for name in runtime} == runtime


def test_every_pin_carries_a_hash_and_no_local_index_is_named():
    for name in ("requirements.txt", "requirements-dev.txt"):
        text = (ROOT / name).read_text(encoding="utf-8")
        starts = [match.start() for match in PIN.finditer(text)] + [len(text)]
        blocks = [text[a:b] for a, b in zip(starts, starts[1:], strict=False)]
        unhashed = [
            block.split()[0] for block in blocks if "--hash=sha256:" not in block
        ]
        assert unhashed == [], name
        assert "--find-links" not in text and "--index-url" not in text, name
