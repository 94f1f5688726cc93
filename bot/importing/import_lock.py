"""One import at a time per SQLite database: imports wait for each other, as they always did.

A sales import no longer holds SQLite's write lock for its whole run (bot.importing.sale_stage), so
imports take a lock of their own: an exclusive ``flock`` on a file next to the database. The operating
system releases it when the process ends, even when it is killed, so a crashed import never blocks the
next one. PostgreSQL imports take an advisory lock inside their one transaction (bot.importing.importer).
"""

from __future__ import annotations

import fcntl
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

LOCK_SUFFIX = ".import-lock"
_POLL_SECONDS = 0.05


def lock_path(engine: Engine) -> Path | None:
    """The lock file of a SQLite database file, or None (PostgreSQL, in-memory SQLite)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database + LOCK_SUFFIX)


@contextmanager
def import_lock(engine: Engine, *, wait_seconds: float) -> Iterator[None]:
    """Hold the database's import lock; after ``wait_seconds`` of another import holding it, raise the
    "database is locked" error that the CLI and the bot report as busy (bot.db_errors)."""
    path = lock_path(engine)
    if path is None:
        yield
        return
    with path.open("ab") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    reason = sqlite3.OperationalError("database is locked: another import is running")
                    raise OperationalError("waiting for the import lock", None, reason) from None
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
