"""Alembic environment: runs on the connection ``app.cli migrate`` opened.

The CLI holds a PostgreSQL advisory lock on that connection for the whole
upgrade, which is why this file never opens a connection of its own.
"""

from alembic import context

from app.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through 'python -m app.cli migrate', which takes the lock"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
