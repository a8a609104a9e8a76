"""``python -m app.healthcheck``: exit 0 iff the API reports itself ready.

Asks ``GET /health/ready`` on the port Gunicorn binds to and allows two
seconds for the whole exchange. The container's HEALTHCHECK and the stacks'
health gate run this, so it uses only the standard library and prints one
line saying what it saw.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request

from app.config import Settings, settings_or_exit

TIMEOUT_SECONDS = 2.0
READY_PATH = "/health/ready"
_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]", "": "127.0.0.1"}


def ready_url(settings: Settings) -> str:
    """The readiness URL on the bind address, via loopback when bound to all."""
    host, _, port = settings.bind_address().rpartition(":")
    host = _ANY_ADDRESS.get(host, host)
    return f"http://{host}:{port}{READY_PATH}"


def probe(url: str, timeout: float = TIMEOUT_SECONDS) -> tuple[bool, str]:
    """(ready, what was seen) for one GET of ``url``."""
    # A proxy from the environment must not carry a loopback probe elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    started = time.monotonic()
    try:
        with opener.open(url, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return False, f"{url}: no answer ({reason})"
    elapsed = time.monotonic() - started

    if elapsed > timeout:
        return False, f"{url}: answered {status} after {elapsed:.1f}s, over {timeout}s"
    if status != 200:
        return False, f"{url}: answered {status}, not 200"
    return True, f"{url}: answered 200 in {elapsed * 1000:.0f} ms"


def main() -> int:
    settings = settings_or_exit(status=1)
    ready, seen = probe(ready_url(settings))
    print(seen, file=sys.stdout if ready else sys.stderr)
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())
