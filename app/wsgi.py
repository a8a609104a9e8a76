"""The WSGI entry point Gunicorn loads: ``app.wsgi:app``."""

import sys

from app import create_app
from app.config import ConfigError, load_settings

try:
    settings = load_settings()
except ConfigError as error:
    print(f"invalid configuration: {error}", file=sys.stderr, flush=True)
    raise SystemExit(2) from None

app = create_app(settings)
