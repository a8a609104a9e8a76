"""The requests the bench replays: decisions a day at the doors would send,
and the event-log queries an auditor's screen would make."""

from __future__ import annotations

import datetime as dt
import json
import random
import urllib.parse
from collections.abc import Callable

from bench.load import Request
from bench.loader import Dataset

UNKNOWN_FACILITY = 250


def _card_json(fmt: str, facility: int, number: int) -> dict[str, object]:
    return {"format": fmt, "facility_code": facility, "card_number": number}


def decision_requests(data: Dataset, count: int, seed: int = 5) -> list[Request]:
    """``count`` decisions spread over every reader.

    Most present a card of a member of a group on that door; some a card of
    someone from the same site without access, a few an unknown card; on
    card-and-PIN doors the PIN is usually right.
    """
    rng = random.Random(seed)
    readers = sorted(data.readers)
    site_people: dict[int, list[int]] = {}
    for card in data.cards.values():
        site_people.setdefault(card.site_id, []).append(card.person_id)

    out = []
    for i in range(count):
        reader_id = readers[i % len(readers)]
        door_id, requires_pin = data.readers[reader_id]
        members = [
            p
            for g in sorted(data.door_groups.get(door_id, ()))
            for p in data.group_members.get(g, [])
        ]
        roll = rng.random()
        body: dict[str, object] = {"event_id": "{event_id}"}
        if roll < 0.05 or not members:
            body["card"] = _card_json("h10301", UNKNOWN_FACILITY, 60_000 + i % 5000)
        else:
            pool = members if roll < 0.85 else site_people[data.door_sites[door_id]]
            card = data.cards[rng.choice(pool)]
            body["card"] = _card_json(card.format, card.facility_code, card.card_number)
            if requires_pin:
                body["pin"] = card.pin if rng.random() < 0.9 else "0000"
        out.append(
            Request(
                "POST",
                "/v1/decisions",
                data.reader_tokens[reader_id],
                json.dumps(body, separators=(",", ":")),
            )
        )
    return out


def event_queries(data: Dataset, count: int, seed: int = 7) -> list[str]:
    """Paths of ``GET /v1/events`` with the filters an auditor combines."""
    rng = random.Random(seed)
    doors = sorted(data.door_sites)
    people = data.person_ids
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def iso(moment: dt.datetime) -> str:
        return moment.isoformat().replace("+00:00", "Z")

    def window() -> dict[str, str]:
        end = now - dt.timedelta(days=rng.randint(0, 150))
        return {
            "since": iso(end - dt.timedelta(days=rng.choice((1, 7, 30)))),
            "until": iso(end),
        }

    shapes: list[Callable[[], dict[str, object]]] = [
        lambda: {},
        lambda: {"door_id": rng.choice(doors)},
        lambda: {"person_id": rng.choice(people)},
        lambda: {"decision": "denied"},
        lambda: {"door_id": rng.choice(doors), "decision": "denied"},
        lambda: {"door_id": rng.choice(doors)} | window(),
        lambda: {"person_id": rng.choice(people)} | window(),
        lambda: window(),
    ]
    paths = []
    for i in range(count):
        query = shapes[i % len(shapes)]() | {"limit": rng.choice((20, 50, 100))}
        paths.append("/v1/events?" + urllib.parse.urlencode(query))
    return paths
