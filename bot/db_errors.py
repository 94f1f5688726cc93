"""A database that cannot be used, named honestly: busy, full, or unavailable, and what to check.

The bot tells a member "not saved, please retry" (or that the disk is full) instead of a generic
apology; the CLI prints one line instead of a traceback, with any password in it masked.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

BUSY, FULL, UNAVAILABLE = "busy", "full", "unavailable"
_FULL_WORDS = ("database or disk is full", "no space left", "disk full", "could not extend file")
_BUSY_WORDS = ("database is locked", "database table is locked")
# user:password@ in any URL a driver message might repeat.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def database_problem(error: BaseException | None) -> str | None:
    """BUSY (SQLite's lock), FULL (disk or size limit), UNAVAILABLE (cannot connect), or None for other errors."""
    if not isinstance(error, OperationalError | InterfaceError) and not (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return None
    message = str(error.orig if error.orig is not None else error).lower()
    if any(words in message for words in _FULL_WORDS):
        return FULL
    if any(words in message for words in _BUSY_WORDS):
        return BUSY
    return UNAVAILABLE


def reason(error: BaseException) -> str:
    """The driver's own first line of the error, passwords masked."""
    original = getattr(error, "orig", None) or error
    first = next((line.strip() for line in str(original).splitlines() if line.strip()), type(original).__name__)
    return _URL_PASSWORD.sub(r"\1***@", first)


def one_line(error: BaseException) -> str:
    """What the CLI prints for a database error: what happened and what to check, in one line."""
    problem = database_problem(error)
    if problem == FULL:
        return f"The database cannot write: {reason(error)}. Free disk space on the database's server, then try again."
    if problem == BUSY:
        return f"The database is busy (the bot or another import is writing): {reason(error)}. Try again."
    return (
        f"Cannot use the database: {reason(error)}. Check DATABASE_URL (or [database] url in the config file): "
        "host, port, database name, user and password, and that the server is running."
    )
