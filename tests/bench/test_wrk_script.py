"""The Lua script against a real wrk and a throwaway HTTP server on loopback."""

import http.server
import json
import threading
import uuid

import pytest

from bench.load import Request, run_wrk, write_requests


class Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, str]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(
            (self.path, self.headers.get("Authorization", ""), body.decode())
        )
        status = 201 if self.path == "/ok" else 503
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_every_request_gets_a_fresh_uuid_and_its_own_token(server, tmp_path):
    requests = tmp_path / "requests.tsv"
    write_requests(
        requests,
        [
            Request("POST", "/ok", "token-a", '{"card": 1, "event_id": "{event_id}"}'),
            Request("POST", "/ok", "token-b", '{"card": 2, "event_id": "{event_id}"}'),
        ],
    )

    result = run_wrk(server, requests, connections=2, threads=2, seconds=1)

    bodies = [json.loads(body) for _, _, body in Recorder.seen]
    ids = [b["event_id"] for b in bodies]
    assert len(ids) >= 10
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 4 for i in ids)
    pairs = {
        (auth, b["card"]) for (_, auth, _), b in zip(Recorder.seen, bodies, strict=True)
    }
    assert pairs == {("Bearer token-a", 1), ("Bearer token-b", 2)}
    assert result.statuses == {"201": result.requests}


def test_error_statuses_are_counted_by_code(server, tmp_path):
    requests = tmp_path / "requests.tsv"
    write_requests(requests, [Request("POST", "/down", None, "{}")])

    result = run_wrk(server, requests, connections=1, seconds=1)

    assert result.errors["status"] == result.requests > 0
    assert set(result.statuses) == {"503"}
    assert all(auth == "" for _, auth, _ in Recorder.seen)


def test_a_mean_delay_paces_the_load(server, tmp_path):
    requests = tmp_path / "requests.tsv"
    write_requests(requests, [Request("POST", "/ok", None, "{}")])

    result = run_wrk(server, requests, connections=1, seconds=1, mean_delay_ms=100)

    # One connection pausing 100 ms on average sends about ten a second.
    assert 2 <= result.requests <= 25
