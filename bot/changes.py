"""Knowing when what the bot remembers has gone out of date.

The bot keeps a few answers in memory between updates (who a Telegram account belongs to, a rep's
list for today, a customer card, whose customers a member may see): computing one costs milliseconds
of SQL and Python, serving it from memory a few microseconds. Each answer is kept with the *version* of
the person it is about and served only while that version holds (bot.cache).

Every write that changes what somebody sees says whom it concerns (`Changes`) and runs inside
`changing()`, which records that in the change feed within the same transaction. Once the
transaction commits, this process bumps those people's versions at once: the rep who logs a visit sees
it on the very next /today. Other processes (a second webhook instance, `tierbot import`, `tierbot
score`) learn of it from the feed, which a process reads before answering from memory whenever it last
read it more than `cache.feed_interval_seconds` ago, so their writes show within that interval.

Stamps are taken before an answer is computed and compared when it is stored (`ChangeTracker.total`),
so an answer computed while a change landed is simply not kept.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import Select, delete, insert, select, union
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from bot.clock import as_utc, utc_now
from bot.db_errors import BUSY, database_problem
from bot.models.tables import change_feed_table, customer_table, follow_up_table

# How far back each read of the feed looks. PostgreSQL can commit a later id before an earlier one, so a
# read cannot just continue after the highest id it saw: it rereads a window and skips the ids it applied.
# A write's feed entry is made just before its commit, so the window only has to outlast that gap and
# the clock difference between machines.
FEED_WINDOW = timedelta(minutes=10)
# Entries older than this are deleted (by whichever process reads the feed, at most once an hour).
FEED_KEEP = timedelta(days=1)
_PRUNE_EVERY = 3600.0


@dataclass
class Changes:
    """Whom a write concerns: people by id, or everyone (imports, scoring runs)."""

    people: set[int] = field(default_factory=set)
    everyone: bool = False

    def __bool__(self) -> bool:
        return self.everyone or bool(self.people)

    def concern(self, *person_ids: int | None) -> Changes:
        self.people.update(p for p in person_ids if p is not None)
        return self

    def concern_everyone(self) -> Changes:
        self.everyone = True
        return self

    def concern_customers(self, connection: Connection, customer_ids: Iterable[int] | Select) -> Changes:
        """A customer's contacts or follow-ups changed: its rep's list and card, and the list of anyone
        with an open follow-up for it (a contact today takes the customer off their list too).
        ``customer_ids`` may be a query of them (the customers a scoring run changed)."""
        if isinstance(customer_ids, Select):
            ids: list[int] | Select = customer_ids
        else:
            ids = sorted(set(customer_ids))
            if not ids:
                return self
        owners = select(customer_table.c.rep_id.label("person_id")).where(
            customer_table.c.id.in_(ids), customer_table.c.rep_id.is_not(None)
        )
        promised = select(follow_up_table.c.person_id).where(
            follow_up_table.c.customer_id.in_(ids),
            follow_up_table.c.done_at.is_(None),
            follow_up_table.c.cancelled_at.is_(None),
        )
        self.people.update(row.person_id for row in connection.execute(union(owners, promised)))
        return self


class ChangeTracker:
    """The versions of one database as this process knows them; one per engine (see tracker_for)."""

    def __init__(self) -> None:
        self.origin = secrets.token_hex(8)
        # Bumped by every change applied: an answer is stored only if it did not move while computing.
        self.total = 0
        self._everyone = 0
        self._people: dict[int, int] = {}
        self._applied: dict[int, datetime] = {}  # feed ids applied (or our own), with their time
        self._lock = threading.Lock()
        # time.monotonic() when the last successful read of the feed began.
        self.read_at = float("-inf")
        self._pruned_at = float("-inf")

    def version(self, person_id: int | None) -> tuple[int, int]:
        """Changes when anything concerning the person (or everyone) is applied."""
        return self._everyone, (0 if person_id is None else self._people.get(person_id, 0))

    def apply(self, changes: Changes) -> None:
        if not changes:
            return
        with self._lock:
            self.total += 1
            if changes.everyone:
                self._everyone += 1
            for person_id in changes.people:
                self._people[person_id] = self._people.get(person_id, 0) + 1

    def read_feed(self, connection: Connection, now: datetime) -> int:
        """Apply the feed entries other processes wrote since the window began; how many were new."""
        since = now - FEED_WINDOW
        rows = connection.execute(
            select(
                change_feed_table.c.id,
                change_feed_table.c.person_id,
                change_feed_table.c.origin,
                change_feed_table.c.created_at,
            ).where(change_feed_table.c.created_at >= since)
        ).all()
        changes = Changes()
        new = 0
        with self._lock:
            for row in rows:
                if row.id in self._applied:
                    continue
                self._applied[row.id] = as_utc(row.created_at)
                if row.origin == self.origin:
                    continue  # applied when it committed
                new += 1
                if row.person_id is None:
                    changes.concern_everyone()
                else:
                    changes.concern(row.person_id)
            # Forget the ids that have left the window: no read returns them again.
            self._applied = {i: at for i, at in self._applied.items() if at >= since}
        self.apply(changes)
        return new


_trackers: WeakKeyDictionary[Engine, ChangeTracker] = WeakKeyDictionary()
_trackers_lock = threading.Lock()


def tracker_for(engine: Engine) -> ChangeTracker:
    with _trackers_lock:
        tracker = _trackers.get(engine)
        if tracker is None:
            tracker = _trackers[engine] = ChangeTracker()
        return tracker


def share_tracker(engine: Engine, *, with_engine: Engine) -> None:
    """Make a second engine on the same database in this process (the bot's members' writes and reads,
    bot.db.member_engines) move and read the same versions as the first."""
    tracker = tracker_for(with_engine)
    with _trackers_lock:
        _trackers[engine] = tracker


def record(connection: Connection, changes: Changes, engine: Engine) -> None:
    """Write the feed entries of a change, inside the caller's transaction on the engine; publish() it
    once that transaction has committed (changing() does both)."""
    if not changes:
        return
    origin = tracker_for(engine).origin
    now = utc_now()
    people: list[int | None] = [None] if changes.everyone else [*sorted(changes.people)]
    connection.execute(
        insert(change_feed_table), [{"person_id": p, "origin": origin, "created_at": now} for p in people]
    )


def publish(engine: Engine, changes: Changes) -> None:
    """Apply a committed change to this process's versions."""
    tracker_for(engine).apply(changes)


@contextmanager
def changing(engine: Engine) -> Iterator[tuple[Connection, Changes]]:
    """A write transaction that says whom it concerns: fill in the Changes; the feed entry is made before
    the commit and this process's versions move after it (never before: a reader in between would keep
    the old answer under the new version)."""
    changes = Changes()
    with engine.begin() as connection:
        yield connection, changes
        record(connection, changes, engine)
    publish(engine, changes)


def refresh(engine: Engine) -> int:
    """Read the feed (blocking; run it off the event loop); prune old entries now and then."""
    tracker = tracker_for(engine)
    started = time.monotonic()
    now = utc_now()
    with engine.connect() as connection:
        new = tracker.read_feed(connection, now)
    tracker.read_at = started
    if started - tracker._pruned_at > _PRUNE_EVERY:
        tracker._pruned_at = started
        if not _prune(engine, now):
            tracker._pruned_at = float("-inf")  # the next read of the feed tries again
    return new


def _prune(engine: Engine, now: datetime) -> bool:
    """Delete the feed's old entries; False when SQLite's write lock is not free at once. A member's update
    is waiting for this read, and an import may hold the lock for seconds: the pruning can wait, not them."""
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                connection.execute(delete(change_feed_table).where(change_feed_table.c.created_at < now - FEED_KEEP))
            return True
        raw = connection.connection.driver_connection
        assert raw is not None
        waits = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            with connection.begin():
                connection.execute(delete(change_feed_table).where(change_feed_table.c.created_at < now - FEED_KEEP))
            return True
        except OperationalError as exc:
            if database_problem(exc) != BUSY:
                raise
            return False
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(waits)}")
