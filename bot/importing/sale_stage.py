"""Sale lines into SQLite without holding the write lock for the whole import, and still all or nothing.

Each chunk is first compared with the stored lines in a scratch table of the import's connection
(TEMP: writing it takes no lock on the database): lines identical to stored ones are dropped there, and
lines keyed by the export's ids that would change a stored line are listed as corrections. What is left
(new lines, and the corrections) is appended to a stage table in the database, ``import_stage_<token>``,
in a transaction of its own: the write lock is held for that copy only, so members' writes get in
between chunks. ``finish(apply=True)`` moves the stage into sale_line in one transaction, which the
importer commits or rolls back: until then sale_line is untouched, so a bad row at the end, an
exception or a killed process leaves it as it was. The daily rollup (sale_day) is changed in that same
transaction (bot.importing.sale_days). Stages are dropped after each import, and any left
by a killed import by the next one (imports hold bot.importing.import_lock, so none is in use then).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy.engine import Connection

from bot.importing.sale_days import (
    RECOUNT_SHAPE,
    RECOUNT_TABLE,
    add_lines_sql,
    changed_days_sql,
    recount_sql,
)
from bot.importing.writers import SALE_COLUMNS, SaleRows, StoredLineChange, differs

log = logging.getLogger(__name__)

STAGE_PREFIX = "import_stage_"
_SCRATCH = "import_chunk"
_COLUMNS = ", ".join(SALE_COLUMNS)
_PLACES = ", ".join("?" * len(SALE_COLUMNS))
# stored = 1: the line changes a stored one (a correction, applied only with replace).
_SHAPE = (
    "(line_key TEXT NOT NULL, customer_id INTEGER NOT NULL, sold_on TEXT NOT NULL, amount REAL NOT NULL, "
    "quantity REAL, product TEXT, stored INTEGER NOT NULL DEFAULT 0)"
)
# The scratch table's pages stay in memory for a chunk of 50,000 lines.
_SCRATCH_CACHE_KIB = 64 * 1024


class SqliteSaleLines:
    """Stage each chunk's new and corrected lines; move them into sale_line in one transaction at the end."""

    def __init__(self, connection: Connection, *, replace: bool) -> None:
        raw = connection.connection.driver_connection
        assert raw is not None
        self._raw = raw
        self._cursor = self._raw.cursor()
        self._replace = replace
        self._stage = STAGE_PREFIX + secrets.token_hex(6)
        self._new = 0
        self._corrections = 0
        cursor = self._cursor
        cursor.execute(f"PRAGMA temp.cache_size = -{_SCRATCH_CACHE_KIB}")
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_SCRATCH} {_SHAPE}")
        cursor.execute(f"CREATE TABLE {self._stage} {_SHAPE}")
        self._raw.commit()

    def write(self, rows: SaleRows) -> list[StoredLineChange]:
        """Compare the chunk with the stored lines, then stage what it adds or corrects."""
        by_line_id, by_content = rows.split_by_key()
        cursor = self._cursor
        cursor.execute(f"DELETE FROM temp.{_SCRATCH}")
        # Lines keyed by the export's ids first: they are rowids 1..n of the emptied scratch table.
        cursor.executemany(f"INSERT INTO temp.{_SCRATCH} ({_COLUMNS}) VALUES ({_PLACES})", by_line_id)
        cursor.executemany(f"INSERT INTO temp.{_SCRATCH} ({_COLUMNS}) VALUES ({_PLACES})", by_content)
        changes: list[StoredLineChange] = []
        if by_line_id:
            cursor.execute(_CHANGES, (len(by_line_id),))
            found = cursor.fetchall()
            changes = [StoredLineChange(row[1], tuple(row[2:7]), tuple(row[7:12])) for row in found]
            cursor.executemany(f"UPDATE temp.{_SCRATCH} SET stored = 1 WHERE rowid = ?", [(row[0],) for row in found])
        cursor.execute(
            f"DELETE FROM temp.{_SCRATCH} WHERE stored = 0 AND EXISTS "
            f"(SELECT 1 FROM main.sale_line AS s WHERE s.line_key = {_SCRATCH}.line_key)"
        )
        added = len(rows) - max(cursor.rowcount, 0) - len(changes)
        self._raw.commit()  # the scratch table only: no lock on the database was taken
        if added or changes:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(
                f"INSERT INTO main.{self._stage} ({_COLUMNS}, stored) SELECT {_COLUMNS}, stored FROM temp.{_SCRATCH}"
            )
            self._raw.commit()
        self._new += added
        self._corrections += len(changes)
        return changes

    def finish(self, *, apply: bool) -> tuple[int, int]:
        """(inserted, updated). With ``apply``, move the stage into sale_line in a transaction left open
        for the importer to commit; without, count what the move would do and change nothing."""
        updates = self._corrections if self._replace else 0
        if not apply or (self._new == 0 and updates == 0):
            return self._new, updates
        cursor = self._cursor
        cursor.execute("BEGIN IMMEDIATE")
        updated = 0
        if updates:
            corrected = f"t.stored = 1 AND ({differs('IS NOT')})"
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {RECOUNT_TABLE} {RECOUNT_SHAPE}")
            cursor.execute(f"DELETE FROM temp.{RECOUNT_TABLE}")
            cursor.execute(changed_days_sql(self._stage, corrected))
            cursor.execute(
                "UPDATE sale_line AS s SET "
                + ", ".join(f"{c} = t.{c}" for c in SALE_COLUMNS[1:])
                + f" FROM {self._stage} AS t WHERE s.line_key = t.line_key AND {corrected}"
            )
            updated = max(cursor.rowcount, 0)
            for statement in recount_sql("sqlite"):  # before the new lines go in: they are added below
                cursor.execute(statement)
        # A new rowid is above the highest one (sale_line has no AUTOINCREMENT): the lines above the
        # highest id now are the ones this insert adds.
        last_id = cursor.execute("SELECT COALESCE(MAX(id), 0) FROM sale_line").fetchone()[0]
        cursor.execute(
            f"INSERT INTO sale_line ({_COLUMNS}) SELECT {_COLUMNS} FROM {self._stage} WHERE stored = 0 "
            "ON CONFLICT (line_key) DO NOTHING"
        )
        inserted = max(cursor.rowcount, 0)
        if inserted:
            cursor.execute(add_lines_sql("sqlite", "sale_line", "WHERE id > ?"), (last_id,))
        return inserted, updated


_CHANGES = (
    "SELECT t.rowid, t.line_key, oc.external_id, s.sold_on, s.amount, s.quantity, s.product, "
    "nc.external_id, t.sold_on, t.amount, t.quantity, t.product "
    f"FROM temp.{_SCRATCH} AS t JOIN main.sale_line AS s ON s.line_key = t.line_key "
    "JOIN customer AS oc ON oc.id = s.customer_id JOIN customer AS nc ON nc.id = t.customer_id "
    f"WHERE t.rowid <= ? AND ({differs('IS NOT')})"
)


def drop_stages(raw: Any) -> None:
    """Drop every stage table in the database, and this connection's scratch table; each in a short
    transaction. Call it only while holding the import lock: no other import's stage may exist then."""
    cursor = raw.cursor()
    try:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\\'",
            (STAGE_PREFIX.replace("_", "\\_") + "%",),
        )
        for (name,) in cursor.fetchall():
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(f'DROP TABLE IF EXISTS main."{name}"')
            raw.commit()
        cursor.execute(f"DROP TABLE IF EXISTS temp.{_SCRATCH}")
        raw.commit()
    finally:
        cursor.close()
