"""Database engines and schema upgrades for SQLite (default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Insert, Table, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import create_engine

import migrations

# How long a SQLite write waits for the write lock. The CLI, the jobs and imports wait long; a member's own
# write in the bot waits a second, then is told "not saved, please retry" (an import may hold the lock).
SQLITE_BUSY_SECONDS = 30.0
MEMBER_BUSY_SECONDS = 1.0
# The bot's read-only SQLite connections: enough for every worker thread to read at once.
READ_POOL_SIZE, READ_POOL_OVERFLOW = 8, 32


def normalise_url(url: str) -> str:
    """Select psycopg 3 for PostgreSQL URLs written the usual way."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def is_sqlite(url_or_engine: str | Engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else make_url(normalise_url(url_or_engine))
    return url.get_backend_name() == "sqlite"


def make_engine(
    url: str, *, busy_timeout: float = SQLITE_BUSY_SECONDS, read_only: bool = False, **kwargs: Any
) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout (seconds) and foreign keys on every connection,
    and with ``read_only`` connections that refuse to write (``PRAGMA query_only``)."""
    url = normalise_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": busy_timeout, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(int(busy_timeout * 1000), read_only))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(busy_ms: int, read_only: bool) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL makes NORMAL durable against application crashes; only a power loss can drop the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return on_connect


def upsert(
    bind: Engine | Connection, table: Table, *, conflict: Sequence[str], set_: Mapping[str, Any] | None = None
) -> Insert:
    """INSERT ... ON CONFLICT (``conflict`` columns) DO UPDATE SET ``set_``, or DO NOTHING without ``set_``,
    in the bind's dialect (PostgreSQL or SQLite; both spell it the same way)."""
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    if set_ is None:
        return statement.on_conflict_do_nothing(index_elements=list(conflict))
    return statement.on_conflict_do_update(index_elements=list(conflict), set_=dict(set_))


def member_engines(engine: Engine) -> tuple[Engine, Engine]:
    """(writes, reads) for members' requests to the bot, on the engine's database.

    SQLite: writes wait at most MEMBER_BUSY_SECONDS for the write lock, and reads get read-only
    connections in a pool of their own, so a member's read never queues behind writers waiting for an
    import (WAL readers do not wait for the writer). PostgreSQL keeps the one engine: readers and
    writers do not block each other there, and an import locks no row a member writes.
    """
    database = engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:":
        return engine, engine
    url = engine.url.render_as_string(hide_password=False)
    writes = make_engine(url, busy_timeout=MEMBER_BUSY_SECONDS)
    reads = make_engine(
        url, busy_timeout=MEMBER_BUSY_SECONDS, read_only=True, pool_size=READ_POOL_SIZE, max_overflow=READ_POOL_OVERFLOW
    )
    return writes, reads


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    # env.py takes this engine instead of building its own from a URL (which would expose the password).
    config.attributes["engine"] = engine
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply every pending Alembic migration."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
