"""The decision flow through the published port: set up, decide, audit.

The site is built with the admin API on the fresh deployment; a reader token
asks for decisions; an auditor token reads the events they left.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from scenario import Site, decision_body


@pytest.fixture(scope="module")
def started() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)


def decide(site: Site, who: str, token: str | None = None) -> dict:
    with site.reader(token, timeout=10) as reader:
        response = reader.post("/v1/decisions", json=decision_body(site.cards[who]))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_card_in_the_access_group_is_granted(site: Site, started) -> None:
    answer = decide(site, "allowed")

    assert (answer["decision"], answer["reason"]) == ("granted", "access_granted")
    assert answer["person"]["id"] == site.people["allowed"]["id"]
    assert answer["door"]["id"] == site.door["id"]


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("unknown", "unknown_credential"),
        ("revoked", "credential_disabled"),
        ("expired", "credential_expired"),
        ("disabled", "person_disabled"),
        ("stranger", "no_access_group"),
    ],
)
def test_a_card_that_may_not_enter_is_denied_with_its_reason(
    site: Site, started, who: str, reason: str
) -> None:
    answer = decide(site, who)

    assert (answer["decision"], answer["reason"]) == ("denied", reason)


def test_a_locked_down_door_denies_even_an_allowed_card(site: Site, started) -> None:
    answer = decide(site, "allowed", token=site.locked_reader_token)

    assert (answer["decision"], answer["reason"]) == ("denied", "door_locked_down")


def test_a_retried_decision_returns_the_first_answer_and_one_event(
    site: Site, started
) -> None:
    body = {"event_id": str(uuid.uuid4()), "card": site.cards["allowed"]}

    with site.reader(timeout=10) as reader:
        first = reader.post("/v1/decisions", json=body).json()
        again = reader.post("/v1/decisions", json=body).json()
    with site.auditor() as auditor:
        events = auditor.get(
            "/v1/events", params={"door_id": site.door["id"], "limit": 500}
        ).json()["items"]

    assert again == first
    assert [e["event_id"] for e in events].count(body["event_id"]) == 1


def test_the_decisions_left_events_that_filter_by_door_and_decision(
    site: Site, started
) -> None:
    params = {"door_id": site.door["id"], "since": started.isoformat(), "limit": 500}

    with site.auditor() as auditor:
        denied = auditor.get("/v1/events", params={**params, "decision": "denied"})
        granted = auditor.get(
            "/v1/events",
            params={**params, "person_id": site.people["allowed"]["id"]},
        )

    assert denied.status_code == 200, denied.text
    assert {e["reason"] for e in denied.json()["items"]} == {
        "unknown_credential",
        "credential_disabled",
        "credential_expired",
        "person_disabled",
        "no_access_group",
    }
    assert all(e["decision"] == "denied" for e in denied.json()["items"])
    granted_items = granted.json()["items"]
    assert granted_items and all(
        (e["decision"], e["door_id"]) == ("granted", site.door["id"])
        for e in granted_items
    )


def test_events_are_listed_newest_first_with_a_cursor(site: Site, started) -> None:
    params = {"door_id": site.door["id"], "limit": 2}

    with site.auditor() as auditor:
        first = auditor.get("/v1/events", params=params).json()
        second = auditor.get(
            "/v1/events", params={**params, "cursor": first["next_cursor"]}
        ).json()

    ids = [e["id"] for e in first["items"] + second["items"]]
    assert first["next_cursor"] is not None
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


def test_a_reader_token_cannot_read_events(site: Site) -> None:
    with site.reader(timeout=10) as reader:
        response = reader.get("/v1/events")

    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"


def test_a_request_with_an_unknown_field_names_it(site: Site) -> None:
    body = {**decision_body(site.cards["allowed"]), "colour": "red"}

    with site.reader(timeout=10) as reader:
        response = reader.post("/v1/decisions", json=body)

    assert response.status_code in (400, 422), response.text
    assert "colour" in response.text
