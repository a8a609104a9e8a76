"""A small site built through the admin API, for the tests that need doors.

Everything goes through the published port with the bootstrap admin token,
as an administrator would set up a site on a fresh deployment.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

ALL_WEEK = [{"weekday": day, "start": "00:00", "end": "24:00"} for day in range(1, 8)]


def card(number: int, facility: int = 42) -> dict[str, Any]:
    return {"format": "h10301", "facility_code": facility, "card_number": number}


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, (
        f"{response.request.method} {response.request.url.path}: "
        f"{response.status_code} {response.text}"
    )
    return response.json()


@dataclass
class Site:
    """The ids and tokens of one site's worth of entities."""

    url: str
    site: dict[str, Any]
    door: dict[str, Any]
    locked_door: dict[str, Any]
    reader_token: str
    locked_reader_token: str
    auditor_token: str
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)

    def reader(self, token: str | None = None, **kw: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token or self.reader_token}"}
        return httpx.Client(base_url=self.url, headers=headers, **kw)

    def auditor(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.auditor_token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


def decision_body(card_body: dict[str, Any]) -> dict[str, Any]:
    return {"event_id": str(uuid.uuid4()), "card": card_body}


def build_site(admin: httpx.Client) -> Site:
    """One site with an open door and a locked-down one, and people to try.

    People: `allowed` (in the all-week group), `expired` (card past its
    validity), `disabled` (person disabled), `revoked` (card disabled),
    `stranger` (in no group); and a card with no credential, `unknown`.
    """
    tag = secrets.token_hex(3)
    now = dt.datetime.now(dt.UTC)
    site = created(
        admin.post(
            "/v1/sites", json={"name": f"e2e {tag}", "timezone": "Europe/Berlin"}
        )
    )
    door = created(
        admin.post("/v1/doors", json={"site_id": site["id"], "name": "front"})
    )
    locked_door = created(
        admin.post(
            "/v1/doors",
            json={"site_id": site["id"], "name": "vault", "mode": "locked_down"},
        )
    )

    tokens = {}
    for name, target in (("front-in", door), ("vault-in", locked_door)):
        reader = created(
            admin.post(
                "/v1/readers",
                json={"door_id": target["id"], "name": name, "direction": "in"},
            )
        )
        tokens[name] = created(
            admin.post(
                "/v1/tokens",
                json={
                    "name": f"{name} {tag}",
                    "role": "reader",
                    "reader_id": reader["id"],
                },
            )
        )["token"]
    auditor = created(
        admin.post("/v1/tokens", json={"name": f"auditor {tag}", "role": "auditor"})
    )

    built = Site(
        url=str(admin.base_url).rstrip("/"),
        site=site,
        door=door,
        locked_door=locked_door,
        reader_token=tokens["front-in"],
        locked_reader_token=tokens["vault-in"],
        auditor_token=auditor["token"],
    )
    people = {
        "allowed": ({}, {}),
        "expired": ({}, {"valid_until": (now - dt.timedelta(days=1)).isoformat()}),
        "disabled": ({"enabled": False}, {}),
        "revoked": ({}, {"enabled": False}),
        "stranger": ({}, {}),
    }
    for number, (role, (person_extra, card_extra)) in enumerate(people.items(), 1000):
        person = created(
            admin.post("/v1/people", json={"name": f"{role} {tag}", **person_extra})
        )
        built.people[role] = person
        built.cards[role] = card(number)
        created(
            admin.post(
                "/v1/credentials",
                json={
                    "person_id": person["id"],
                    "site_id": site["id"],
                    "card": built.cards[role],
                    **card_extra,
                },
            )
        )
    built.cards["unknown"] = card(9999)

    members = [built.people[r]["id"] for r in built.people if r != "stranger"]
    created(
        admin.post(
            "/v1/access-groups",
            json={
                "site_id": site["id"],
                "name": f"everyone {tag}",
                "person_ids": members,
                "door_ids": [door["id"], locked_door["id"]],
                "time_frames": ALL_WEEK,
            },
        )
    )
    return built
