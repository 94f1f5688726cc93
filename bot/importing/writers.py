"""Bulk writes of an import: sale lines by each backend's fastest path, and customers and people
matched by external id.

Sale lines keyed by their content go in with ``INSERT ... ON CONFLICT DO NOTHING`` (different content
is another key, so such a line never changes). Lines keyed by the export's own ids (line id, or
document number and line number) are joined with the stored lines to find those the file would
change, and inserted when new; a stored line is changed (``UPDATE ... FROM``) only when the admin
asked for corrections to be applied (``replace``). Nothing about a stored sale changes silently.
PostgreSQL ``COPY``s each chunk into a temporary table and writes it inside the import's one
transaction (readers and members' writers do not wait for it there); SQLite stages the lines and moves
them in at the end (bot.importing.sale_stage), so the write lock is not held for the whole import.
Either way the daily rollup (sale_day) changes in the same statement or transaction as sale_line
(bot.importing.sale_days).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection

from bot.importing.sale_days import RECOUNT_SHAPE, RECOUNT_TABLE, add_lines_sql, changed_days_sql, recount_sql

CONTENT_PREFIX = "h:"
SALE_COLUMNS = ("line_key", "customer_id", "sold_on", "amount", "quantity", "product")
_LOOKUP_BATCH = 1000


@dataclass
class SaleRows:
    """Validated sale lines, column by column, as Python objects the drivers take directly."""

    line_keys: list[str]
    customer_ids: list[int]
    sold_on: list[str]
    amounts: list[float]
    quantities: list[float | None]
    products: list[str | None]
    has_line_ids: bool
    # The file's row number of each line, to say where a correction comes from.
    source_rows: list[int] = field(default_factory=list)

    def tuples(self) -> Iterable[tuple[Any, ...]]:
        return zip(
            self.line_keys,
            self.customer_ids,
            self.sold_on,
            self.amounts,
            self.quantities,
            self.products,
            strict=True,
        )

    def __len__(self) -> int:
        return len(self.line_keys)

    def split_by_key(self) -> tuple[list[tuple[Any, ...]], Iterable[tuple[Any, ...]]]:
        """(lines keyed by the export's line id, lines keyed by their content)."""
        if not self.has_line_ids:
            return [], self.tuples()
        by_line_id: list[tuple[Any, ...]] = []
        by_content: list[tuple[Any, ...]] = []
        for row in self.tuples():
            (by_content if row[0].startswith(CONTENT_PREFIX) else by_line_id).append(row)
        return by_line_id, by_content


@dataclass(frozen=True)
class StoredLineChange:
    """A stored sale line the file gives other values for: (customer id, day, amount, quantity, product)."""

    line_key: str
    old: tuple[Any, ...]
    new: tuple[Any, ...]


class SaleLineWriter(Protocol):
    def write(self, rows: SaleRows) -> list[StoredLineChange]:
        """Insert new lines; return the stored lines the rows would change (changed only with replace)."""
        ...

    def finish(self, *, apply: bool) -> tuple[int, int]:
        """Return (inserted, updated) over every write; ``apply`` says the import will be committed if it
        changed something (the lines still to be moved into sale_line are moved now), else only counted."""
        ...


def sale_line_writer(connection: Connection, *, replace: bool = False) -> SaleLineWriter:
    if connection.dialect.name == "sqlite":
        from bot.importing.sale_stage import SqliteSaleLines  # it builds on this module's rows

        return SqliteSaleLines(connection, replace=replace)
    if connection.dialect.name == "postgresql":
        return PostgresSaleLines(connection, replace=replace)
    raise NotImplementedError(f"importing sales into {connection.dialect.name} is not supported")


_STAGE = "import_sale_line"
_COLUMNS = ", ".join(SALE_COLUMNS)


def differs(operator: str) -> str:
    """The condition "stored line s and staged line t differ", with SQLite's IS NOT or PostgreSQL's IS DISTINCT FROM."""
    return " OR ".join(f"s.{c} {operator} t.{c}" for c in SALE_COLUMNS[1:])


def _changes_query(operator: str) -> str:
    """Stored lines whose values the staged lines change, with both customers' external ids."""
    return (
        "SELECT t.line_key, oc.external_id, s.sold_on, s.amount, s.quantity, s.product, "
        "nc.external_id, t.sold_on, t.amount, t.quantity, t.product "
        f"FROM {_STAGE} AS t JOIN sale_line AS s ON s.line_key = t.line_key "
        "JOIN customer AS oc ON oc.id = s.customer_id JOIN customer AS nc ON nc.id = t.customer_id "
        f"WHERE {differs(operator)}"
    )


def _update_query(operator: str) -> str:
    return (
        "UPDATE sale_line AS s SET "
        + ", ".join(f"{c} = t.{c}" for c in SALE_COLUMNS[1:])
        + f" FROM {_STAGE} AS t WHERE s.line_key = t.line_key AND ({differs(operator)})"
    )


# The new lines and their days in one statement: the rollup adds exactly the lines the insert added.
_INSERT_NEW_LINES = (
    f"WITH added AS (INSERT INTO sale_line ({_COLUMNS}) SELECT {_COLUMNS} FROM {_STAGE} "
    "ON CONFLICT (line_key) DO NOTHING RETURNING customer_id, sold_on, amount), "
    f"days AS ({add_lines_sql('postgresql', 'added')}) SELECT COUNT(*) FROM added"
)


def _changes(cursor: Any) -> list[StoredLineChange]:
    return [StoredLineChange(row[0], tuple(row[1:6]), tuple(row[6:11])) for row in cursor.fetchall()]


class PostgresSaleLines:
    """COPY each chunk into a temporary table, then find the lines it changes and insert the new ones."""

    def __init__(self, connection: Connection, *, replace: bool) -> None:
        raw = connection.connection.driver_connection
        assert raw is not None
        self._raw = raw
        self._replace = replace
        self._inserted = 0
        self._updated = 0
        with self._raw.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_STAGE} (line_key varchar(80) NOT NULL, customer_id integer "
                "NOT NULL, sold_on date NOT NULL, amount double precision NOT NULL, quantity double "
                "precision, product varchar(200)) ON COMMIT DROP"
            )
            cursor.execute(f"CREATE TEMPORARY TABLE {RECOUNT_TABLE} {RECOUNT_SHAPE} ON COMMIT DROP")

    def write(self, rows: SaleRows) -> list[StoredLineChange]:
        changes: list[StoredLineChange] = []
        with self._raw.cursor() as cursor:
            cursor.execute(f"TRUNCATE {_STAGE}")
            with cursor.copy(f"COPY {_STAGE} ({_COLUMNS}) FROM STDIN") as copy:
                for row in rows.tuples():
                    copy.write_row(row)
            if rows.has_line_ids:
                cursor.execute(_changes_query("IS DISTINCT FROM"))
                changes = _changes(cursor)
                if changes and self._replace:
                    cursor.execute(f"TRUNCATE {RECOUNT_TABLE}")
                    cursor.execute(changed_days_sql(_STAGE, differs("IS DISTINCT FROM")))
                    cursor.execute(_update_query("IS DISTINCT FROM"))
                    self._updated += cursor.rowcount
                    for statement in recount_sql("postgresql"):  # before this chunk's new lines go in
                        cursor.execute(statement)
            cursor.execute(_INSERT_NEW_LINES)
            row = cursor.fetchone()
            self._inserted += int(row[0]) if row else 0
        return changes

    def finish(self, *, apply: bool) -> tuple[int, int]:
        # Everything was written in the import's one transaction, which the importer commits or rolls back.
        return self._inserted, self._updated


def load_existing(
    connection: Connection, table: Table, external_ids: list[str], columns: list[str]
) -> dict[str, dict[str, Any]]:
    """The rows of ``table`` with these external ids: {external_id: {"id": ..., column: value}}."""
    wanted = [table.c.id, table.c.external_id, *(table.c[c] for c in columns)]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(external_ids), _LOOKUP_BATCH):
        batch = external_ids[start : start + _LOOKUP_BATCH]
        for row in connection.execute(select(*wanted).where(table.c.external_id.in_(batch))).mappings():
            found[row["external_id"]] = dict(row)
    return found


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def update_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Set every key but external_id on the row with that external id."""
    if not rows:
        return
    statement = update(table).where(table.c.external_id == bindparam("match_external_id"))
    connection.execute(
        statement,
        [
            {"match_external_id": row["external_id"], **{k: v for k, v in row.items() if k != "external_id"}}
            for row in rows
        ],
    )


def split_by_change(
    rows: list[dict[str, Any]], existing: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Split rows into (new, changed) and count the unchanged ones."""
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    unchanged = 0
    for row in rows:
        current = existing.get(row["external_id"])
        if current is None:
            new.append(row)
        elif any(current[key] != value for key, value in row.items()):
            changed.append(row)
        else:
            unchanged += 1
    return new, changed, unchanged
