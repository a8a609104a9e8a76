"""Every admin change lands in the audit log: who, what and when."""

from __future__ import annotations

import pytest

from tests.conftest import Api


def test_create_update_delete_are_audited_with_the_token_name(admin: Api):
    site = admin.ok("POST", "/v1/sites", {"name": "A", "timezone": "UTC"})
    admin.ok("PATCH", f"/v1/sites/{site['id']}", {"name": "B"})
    admin.ok("DELETE", f"/v1/sites/{site['id']}", status=204)

    _status, page = admin.get("/v1/audit")

    entries = [(e["action"], e["entity"], e["entity_id"]) for e in page["items"]]
    sid = str(site["id"])
    assert entries == [
        ("delete", "site", sid),
        ("update", "site", sid),
        ("create", "site", sid),
    ]
    assert {e["token_name"] for e in page["items"]} == {"test admin"}
    assert page["items"][1]["changes"] == {"name": "B"}
    assert all(e["at"] for e in page["items"])


def test_pin_never_reaches_the_audit_log(admin: Api):
    site = admin.ok("POST", "/v1/sites", {"name": "A", "timezone": "UTC"})
    person = admin.ok("POST", "/v1/people", {"name": "P"})
    admin.ok(
        "POST",
        "/v1/credentials",
        {"person_id": person["id"], "site_id": site["id"], "pin": "80808080"},
    )

    _status, page = admin.get("/v1/audit", entity="credential")

    assert len(page["items"]) == 1
    assert "80808080" not in str(page["items"][0])
    assert page["items"][0]["changes"]["pin"] == "(set)"


def test_failed_change_leaves_no_audit_entry(admin: Api):
    admin.ok("POST", "/v1/sites", {"name": "A", "timezone": "UTC"})
    assert admin.post("/v1/sites", {"name": "A", "timezone": "UTC"})[0] == 409

    _status, page = admin.get("/v1/audit")

    assert len(page["items"]) == 1


def test_token_issue_and_revoke_are_audited(admin: Api):
    created = admin.ok("POST", "/v1/tokens", {"name": "t", "role": "auditor"})
    admin.ok("DELETE", f"/v1/tokens/{created['id']}", status=204)

    _status, page = admin.get("/v1/audit", entity="token")

    assert [e["action"] for e in page["items"]] == ["revoke", "create"]
    assert created["token"] not in str(page["items"])


@pytest.mark.parametrize("limit", [1, 2])
def test_audit_log_pages_by_cursor(admin: Api, limit: int):
    for name in "abc":
        admin.ok("POST", "/v1/sites", {"name": name, "timezone": "UTC"})

    ids, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        _status, page = admin.get("/v1/audit", **query)
        ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert ids == [3, 2, 1]
