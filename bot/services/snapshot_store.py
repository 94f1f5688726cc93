"""Storing a run's tier snapshot column by column, and pruning past runs down to what changed.

Storing: the rows are written in batches straight from the score columns (COPY on PostgreSQL), with
each batch's reasons turned into JSON only when it is written, so memory holds the score columns and
one batch, not a dict and a JSON string per customer.

Retention: every run's snapshot is whole for ``[scoring] snapshot_retention_days`` after the latest
run's day (and so is the newest run before that, which "the run on or before a week ago" may name).
Past that, a run keeps only the rows where a customer's tier or stage differs from its row in the run
before (by run id); ``scoring_run.pruned_at`` says that it was pruned. A customer's row in a pruned run
is therefore its latest row at or before that run (bot.services.tiers reads it so), which makes the
card's history and the moves between any two runs exactly what they were. Figures and reasons of a
pruned run are those of the run where the tier or stage last changed: no screen shows them for a past
run other than a move's, and a move's row is always kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]

import numpy as np
import pandas as pd
from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection

from bot.models.tables import scoring_run_table

SNAPSHOT_COLUMNS = [
    "customer_id",
    "tier",
    "previous_tier",
    "stage",
    "value_score",
    "value_rank_pct",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "abc_class",
    "trend",
    "trend_label",
    "potential_score",
    "p_alive",
    "expected_purchases",
    "clv",
]
_BATCH = 20_000
# Runs pruned per scoring run at most: a database upgraded with a long history catches up over a few runs.
_PRUNE_PER_RUN = 30


def jsonable(value):
    """Numpy scalars inside dicts, lists and tuples as plain Python values, for JSON."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _plain(value):
    """What json cannot write itself: numpy integers and the like (a numpy float is a float already)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _reasons_encoder() -> Callable[[object], str]:
    """json.dumps(value, ensure_ascii=False) of reasons, with json's C encoder built once instead of per call
    (half the time of a snapshot at 1e5 customers); the plain encoder where the C one is missing."""
    if c_make_encoder is None:
        return json.JSONEncoder(ensure_ascii=False, default=_plain).encode
    chunks = c_make_encoder(None, _plain, encode_basestring, None, ": ", ", ", False, False, True)
    return lambda value: "".join(chunks(value, 0))


def _column(values: pd.Series, start: int, stop: int) -> list:
    """A batch of one column as Python values, None for missing."""
    part = values.iloc[start:stop]
    kind = part.dtype.kind
    if kind in "iub":
        return part.tolist()
    if kind in "fO":
        return [None if v is None or v != v else v for v in part.tolist()]  # v != v: NaN
    return part.astype(object).where(part.notna(), None).tolist()


def snapshot_batches(
    scores: pd.DataFrame,
    run_id: int,
    explained: dict[int, tuple] | None = None,
    reasons: Sequence[tuple] | None = None,
) -> Iterator[list[tuple]]:
    """The run's snapshot rows, a batch at a time: (run_id, *SNAPSHOT_COLUMNS, reasons_json) tuples.

    The reasons are scores' "reasons" column, or `reasons` in the same order (scoring.reasons.TierReasons:
    built a batch at a time, never all at once). A customer in `explained` moved tier in this run: its
    reasons_json is {"tier": [...], "move": [...]} (bot.services.tiers.encode_reasons), read back through
    parse_reasons / parse_move_reasons.
    """
    if reasons is None:
        reasons = scores["reasons"].tolist()
    customer_ids = scores["customer_id"]
    explained = explained or {}
    encode = _reasons_encoder()
    for start in range(0, len(scores), _BATCH):
        stop = start + _BATCH
        columns = [_column(scores[name], start, stop) for name in SNAPSHOT_COLUMNS]
        texts = [
            encode({"tier": r, "move": explained[c]} if c in explained else r)
            for c, r in zip(customer_ids.iloc[start:stop].tolist(), reasons[start:stop], strict=True)
        ]
        count = len(texts)
        yield list(zip([run_id] * count, *columns, texts, strict=True))


def store_snapshot(
    connection: Connection,
    scores: pd.DataFrame,
    run_id: int,
    explained: dict[int, tuple] | None = None,
    reasons: Sequence[tuple] | None = None,
) -> None:
    """Write a row per scored customer for the run, in the caller's transaction (moves explained; reasons
    as snapshot_batches takes them)."""
    names = ", ".join(["run_id", *SNAPSHOT_COLUMNS, "reasons_json"])
    raw = connection.connection.driver_connection
    assert raw is not None
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY tier_snapshot ({names}) FROM STDIN") as copy:
            for batch in snapshot_batches(scores, run_id, explained, reasons):
                for row in batch:
                    copy.write_row(row)
        return
    marks = ", ".join("?" * (len(SNAPSHOT_COLUMNS) + 2))
    cursor = raw.cursor()
    try:
        for batch in snapshot_batches(scores, run_id, explained, reasons):
            cursor.executemany(f"INSERT INTO tier_snapshot ({names}) VALUES ({marks})", batch)
    finally:
        cursor.close()


def runs_to_prune(connection: Connection, *, retention_days: int) -> list[int]:
    """Finished, unpruned runs whose day is more than retention_days before the latest run's, but the
    newest of those (the run "on or before" a day inside the retention may be it); oldest first."""
    latest = connection.execute(text("SELECT MAX(as_of) FROM scoring_run WHERE finished_at IS NOT NULL")).scalar()
    if latest is None:
        return []
    boundary = _as_date(latest) - timedelta(days=retention_days)
    rows = connection.execute(
        text(
            "SELECT id, pruned_at FROM scoring_run WHERE finished_at IS NOT NULL AND as_of < :boundary "
            "ORDER BY as_of DESC, id DESC"
        ).bindparams(bindparam("boundary", boundary, type_=Date))
    ).all()
    return sorted(row.id for row in rows[1:] if row.pruned_at is None)[:_PRUNE_PER_RUN]


# A row goes when the customer's latest row in an earlier run has the same tier and stage.
_PRUNE_SQL = """
DELETE FROM tier_snapshot
WHERE run_id = :run AND EXISTS (
    SELECT 1 FROM tier_snapshot AS p
    WHERE p.customer_id = tier_snapshot.customer_id
      AND p.run_id = (SELECT MAX(q.run_id) FROM tier_snapshot AS q
                      WHERE q.customer_id = tier_snapshot.customer_id AND q.run_id < :run)
      AND p.tier = tier_snapshot.tier AND p.stage = tier_snapshot.stage
)
"""


def prune_snapshots(connection: Connection, *, retention_days: int, now: datetime) -> int:
    """Prune the runs past the retention (oldest first, each against the state before it); rows removed."""
    removed = 0
    for run_id in runs_to_prune(connection, retention_days=retention_days):
        removed += connection.execute(text(_PRUNE_SQL), {"run": run_id}).rowcount or 0
        connection.execute(scoring_run_table.update().where(scoring_run_table.c.id == run_id).values(pruned_at=now))
    return removed


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
