"""Run an iterator one step ahead in a background thread, so reading and checking the next chunk
overlaps with writing this one (SQLite and psycopg release the GIL while they work)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from queue import Empty, Full, Queue
from typing import TypeVar, cast

T = TypeVar("T")
_END = object()
_POLL_SECONDS = 0.1


def run_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield what ``items`` yields, produced in a thread at most ``depth`` items ahead.

    An exception in the producer is raised here, at the point it happened; when the consumer stops
    early (or fails), the producer stops too and its iterator is closed in its own thread.
    """
    queue: Queue[tuple[object, BaseException | None]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object, error: BaseException | None = None) -> bool:
        while not stop.is_set():
            try:
                queue.put((item, error), timeout=_POLL_SECONDS)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_END, exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            try:
                item, error = queue.get(timeout=_POLL_SECONDS)
            except Empty:
                if not thread.is_alive() and queue.empty():
                    raise RuntimeError("the import's reading thread stopped without a word") from None
                continue
            if error is not None:
                raise error
            if item is _END:
                return
            yield cast(T, item)  # the producer puts only what ``items`` yields, and _END
    finally:
        stop.set()
        thread.join()
