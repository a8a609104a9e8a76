import json
import urllib.parse

from bench.loader import Card, Dataset, _pin_of
from bench.workload import UNKNOWN_FACILITY, decision_requests, event_queries


def dataset():
    data = Dataset(counts={}, timezones=["Europe/Berlin"], load_s=0)
    data.readers = {1: (10, False), 2: (11, True)}
    data.reader_tokens = {1: "sa_r1", 2: "sa_r2"}
    data.door_sites = {10: 100, 11: 100}
    data.door_groups = {10: {7}, 11: {7}}
    data.group_members = {7: [1000, 1001]}
    data.person_ids = [1000, 1001, 1002]
    data.cards = {
        p: Card(p, 100, "h10301", 12, n, _pin_of(n), True)
        for n, p in enumerate(data.person_ids, start=1)
    }
    data.auditor_token = "sa_aud"
    return data


def test_decisions_rotate_readers_with_their_own_tokens():
    requests = decision_requests(dataset(), 10)

    assert [r.token for r in requests[:4]] == ["sa_r1", "sa_r2", "sa_r1", "sa_r2"]
    assert {r.path for r in requests} == {"/v1/decisions"}


def test_every_decision_body_leaves_the_event_id_to_the_load_generator():
    for request in decision_requests(dataset(), 50):
        body = json.loads(request.body)
        assert body["event_id"] == "{event_id}"
        assert set(body["card"]) == {"format", "facility_code", "card_number"}


def test_pins_are_sent_only_to_card_and_pin_doors():
    for request in decision_requests(dataset(), 200):
        body = json.loads(request.body)
        known = body["card"]["facility_code"] != UNKNOWN_FACILITY
        if request.token == "sa_r1" or not known:
            assert "pin" not in body


def test_the_mix_holds_known_and_unknown_cards():
    facilities = {
        json.loads(r.body)["card"]["facility_code"]
        for r in decision_requests(dataset(), 400)
    }

    assert {12, UNKNOWN_FACILITY} <= facilities


def test_pins_are_unique_for_a_million_people():
    assert len({_pin_of(n) for n in range(1, 1_000_001)}) == 1_000_000
    assert all(len(_pin_of(n)) == 6 for n in (1, 999_999))


def test_event_queries_combine_filters_and_stay_within_the_page_limit():
    paths = event_queries(dataset(), 40)

    queries = [urllib.parse.parse_qs(urllib.parse.urlsplit(p).query) for p in paths]
    assert all(p.startswith("/v1/events?") for p in paths)
    assert any("door_id" in q and "decision" in q for q in queries)
    assert any("person_id" in q and "since" in q and "until" in q for q in queries)
    assert all(1 <= int(q["limit"][0]) <= 500 for q in queries)
    assert all(q["since"][0].endswith("Z") for q in queries if "since" in q)
