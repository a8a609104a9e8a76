"""The engine, one per process, and the request-scoped session.

Gunicorn forks workers after importing the app, and a connection pool must
never cross a fork, so the engine is built on first use in each process.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import current_app, g
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from app.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# How long a request waits for a free pooled connection before 503.
POOL_TIMEOUT_SECONDS = 5
CONNECT_TIMEOUT_SECONDS = 5


def alembic_config(settings: Settings | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if settings is not None:
        config.attributes["settings"] = settings
    return config


@functools.cache
def expected_head() -> str:
    """The one head of app/migrations: the revision this code expects."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have one head, found {heads}")
    return heads[0]


def build_engine(settings: Settings, pool_size: int | None = None) -> Engine:
    return create_engine(
        settings.database_url(),
        pool_size=pool_size or settings.threads,
        max_overflow=0,
        pool_pre_ping=True,
        # Errors are logged; their parameters could hold PIN or token hashes.
        hide_parameters=True,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


class Database:
    """Holds the engine of the current process for one Flask app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        pid = os.getpid()
        if self._engine is None or self._pid != pid:
            with self._lock:
                if self._engine is None or self._pid != pid:
                    # A pool inherited through fork belongs to the parent:
                    # drop it without closing the parent's sockets.
                    if self._engine is not None:
                        self._engine.dispose(close=False)
                    self._engine = build_engine(self.settings)
                    self._pid = pid
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            exists = conn.execute(
                text("SELECT to_regclass('alembic_version') IS NOT NULL")
            ).scalar_one()
            if not exists:
                return None
            return conn.execute(
                text("SELECT version_num FROM alembic_version")
            ).scalar()


def database() -> Database:
    return current_app.extensions["smart_access.db"]


def session() -> Session:
    """The session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(database().engine, expire_on_commit=False)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
