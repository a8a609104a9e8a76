"""Operator commands: ``python -m app.cli migrate|check-schema|create-admin-token``.

Exit status: 0 done; 2 bad configuration or arguments; 3 schema not at head
(check-schema); 1 the database refused the work. Every failure is one line on
stderr naming what went wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.config import ConfigError, Settings, load_settings

# Any fixed 64-bit number will do, as long as every migrator uses the same one.
MIGRATION_LOCK_KEY = 0x5A0A_CCE5_0001

EXIT_DB_ERROR = 1
EXIT_CONFIG = 2
EXIT_NOT_AT_HEAD = 3


def say(message: str) -> None:
    print(f"app.cli: {message}", file=sys.stderr, flush=True)


def migrate(settings: Settings) -> int:
    from app import demo
    from app.db import alembic_config, build_engine

    engine = build_engine(settings, pool_size=1)
    try:
        with engine.connect() as conn:
            say("waiting for the migration lock")
            conn.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
            conn.commit()
            try:
                config = alembic_config(settings)
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                conn.commit()
                say(f"schema at {_revision(conn)}")

                if settings.app_env == "local":
                    _local_init(conn, settings, demo)
            finally:
                conn.rollback()
                conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                conn.commit()
    finally:
        engine.dispose()
    return 0


def _local_init(conn: Connection, settings: Settings, demo: object) -> None:
    with Session(conn) as db:
        created = demo.load(db, settings.pin_hash_key)
        if settings.bootstrap_admin_token:
            demo.bootstrap_admin(db, settings.bootstrap_admin_token)
        db.commit()
    conn.commit()
    say("demo data " + ("loaded" if created else "already present"))
    if settings.bootstrap_admin_token:
        say("bootstrap admin token from BOOTSTRAP_ADMIN_TOKEN is in place")


def _revision(conn: Connection) -> str | None:
    exists = conn.execute(
        text("SELECT to_regclass('alembic_version') IS NOT NULL")
    ).scalar()
    if not exists:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_schema(settings: Settings) -> int:
    from app.db import build_engine, expected_head

    expected = expected_head()
    engine = build_engine(settings, pool_size=1)
    try:
        with engine.connect() as conn:
            revision = _revision(conn)
    finally:
        engine.dispose()
    if revision != expected:
        say(
            f"schema is at {revision or 'no revision (empty database)'}, this "
            f"code expects {expected}; run 'entrypoint.sh migrate' first"
        )
        return EXIT_NOT_AT_HEAD
    say(f"schema at head {expected}")
    return 0


def create_admin_token(settings: Settings, name: str) -> int:
    from app.auth import issue_token
    from app.db import build_engine
    from app.models import AuditEntry

    engine = build_engine(settings, pool_size=1)
    try:
        with Session(engine) as db:
            row, token = issue_token(db, name, "admin")
            token_id = row.id
            db.add(
                AuditEntry(
                    token_id=None,
                    token_name="cli",
                    action="create",
                    entity="token",
                    entity_id=str(token_id),
                    changes={"name": name, "role": "admin"},
                )
            )
            db.commit()
    finally:
        engine.dispose()
    say(f"created admin token {token_id} named {name!r}; it is shown once, below")
    print(token, flush=True)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m app.cli", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade to head under an advisory lock")
    commands.add_parser("check-schema", help="exit 0 at head, 3 otherwise")
    token = commands.add_parser("create-admin-token", help="print a new admin token")
    token.add_argument("--name", required=True, help="who or what the token is for")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        say(f"invalid configuration: {error}")
        return EXIT_CONFIG
    try:
        if args.command == "migrate":
            return migrate(settings)
        if args.command == "check-schema":
            return check_schema(settings)
        return create_admin_token(settings, args.name)
    except DBAPIError as error:
        # The driver's first line says what failed (refused, auth, privilege)
        # without the SQL or parameters.
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unknown"
        say(f"{args.command} failed: the database refused it: {reason}")
        return EXIT_DB_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
