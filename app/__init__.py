"""The Smart Access API: a physical access-control service.

The package itself imports nothing heavy. The container's health probe,
``python -m app.healthcheck``, runs every few seconds and must not pay for
loading Flask, SQLAlchemy and Alembic; only ``create_app`` brings them in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apiflask import APIFlask

    from app.config import Settings


def create_app(settings: Settings | None = None) -> APIFlask:
    """Build the application from ``settings``, or from the environment."""
    from app.factory import create_app as build

    return build(settings)
