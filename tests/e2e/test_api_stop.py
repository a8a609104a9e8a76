"""`docker stop` of the API while requests run: those accepted still finish.

A request is held in flight by sending its body slowly: the worker has
accepted it and is reading it when the stop arrives. It must still get its
answer, while new connections are refused and the container exits cleanly.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from urllib.parse import urlsplit

import harness
import httpx
from harness import Deployment, Load
from scenario import Site, decision_body

IN_FLIGHT = 3


def _start_slow_request(url: str, token: str, body: bytes) -> socket.socket:
    """Open a connection and send all but the last byte of a decision request."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    head = (
        f"POST /v1/decisions HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    sock.sendall(head.encode() + body[:-1])
    return sock


def _finish(sock: socket.socket, body: bytes) -> tuple[int, dict]:
    sock.sendall(body[-1:])
    raw = b""
    while chunk := sock.recv(65536):
        raw += chunk
    sock.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status = int(head.split()[1]) if head else 0
    assert status, "the connection closed without an answer"
    return status, json.loads(payload) if payload else {}


def test_requests_in_flight_at_docker_stop_are_answered(
    deployment: Deployment, site: Site
) -> None:
    api = deployment.container("api")
    grace = harness.docker_inspect(api)["Config"].get("StopTimeout") or 10
    bodies = [
        json.dumps(decision_body(site.cards["allowed"])).encode()
        for _ in range(IN_FLIGHT)
    ]
    reader = site.reader(timeout=10)

    with Load(
        lambda: reader.post("/v1/decisions", json=decision_body(site.cards["allowed"])),
        threads=2,
    ) as load:
        harness.wait_for("decisions under load", lambda: len(load.outcomes) > 10, 30)
        held = [_start_slow_request(site.url, site.reader_token, b) for b in bodies]
        time.sleep(1)  # the idle workers accept at once; a second is ample
        stop_started = time.monotonic()
        stopper = subprocess.Popen(["docker", "stop", api], stdout=subprocess.DEVNULL)
        harness.wait_for(
            "the API to refuse new connections",
            lambda: _refused(site.url),
            grace,
        )
        answers = [_finish(sock, body) for sock, body in zip(held, bodies, strict=True)]
        stopper.wait(timeout=grace + 30)
        stop_seconds = time.monotonic() - stop_started
    harness.PROGRESS.write(f"docker stop of the API took {stop_seconds:.1f}s")
    for line in _shutdown_log(api):
        harness.PROGRESS.write(f"  {line}")

    state = harness.docker_inspect(api)["State"]
    assert [status for status, _ in answers] == [200] * IN_FLIGHT, answers
    assert all(answer["decision"] == "granted" for _, answer in answers), answers
    assert state["ExitCode"] == 0, f"the API exited {state['ExitCode']}, not cleanly"
    assert stop_seconds < grace, (
        f"the stop took {stop_seconds:.1f}s of a {grace}s grace"
    )
    answered = [o.status for o in load.outcomes if o.status is not None]
    assert answered and set(answered) <= {200}, set(answered)


def _refused(url: str) -> bool:
    try:
        httpx.get(f"{url}/health/live", timeout=2)
    except httpx.TransportError:
        return True
    return False


def _shutdown_log(container: str) -> list[str]:
    """Gunicorn's last few lines, to show where a slow stop spent its time."""
    lines = []
    for raw in harness.run(
        ["docker", "logs", "--tail", "40", container]
    ).output.splitlines():
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if entry.get("logger") == "gunicorn.error":
            lines.append(f"{entry.get('time', '?')} {entry.get('message', '')}")
    return lines[-6:]
