"""Bulk writes inside the import's transaction: sale lines by each backend's fastest path, and
customers and people matched by external id.

Sale lines: SQLite gets ``executemany`` of plain tuples with ``INSERT ... ON CONFLICT(line_key)``
(DO UPDATE for lines keyed by the export's line id, DO NOTHING for lines keyed by their content);
PostgreSQL gets ``COPY`` into a temporary table, then one ``UPDATE ... FROM`` (only for lines keyed by
the export's line id, whose content may have been corrected) and one ``INSERT ... SELECT ... ON
CONFLICT DO NOTHING``. A line keyed by its content cannot change: different content is another key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection

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
            (by_content if row[0].startswith("h:") else by_line_id).append(row)
        return by_line_id, by_content


class SaleLineWriter(Protocol):
    def write(self, rows: SaleRows) -> None: ...

    def finish(self) -> tuple[int, int]:
        """Return (inserted, updated) over every write."""
        ...


def sale_line_writer(connection: Connection) -> SaleLineWriter:
    if connection.dialect.name == "sqlite":
        return SqliteSaleLines(connection)
    if connection.dialect.name == "postgresql":
        return PostgresSaleLines(connection)
    raise NotImplementedError(f"importing sales into {connection.dialect.name} is not supported")


_SQLITE_INSERT = f"INSERT INTO sale_line ({', '.join(SALE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?) "
_SQLITE_INSERT_NEW = _SQLITE_INSERT + "ON CONFLICT (line_key) DO NOTHING"
_SQLITE_UPSERT = (
    _SQLITE_INSERT
    + "ON CONFLICT (line_key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in SALE_COLUMNS[1:])
    + " WHERE "
    + " OR ".join(f"sale_line.{c} IS NOT excluded.{c}" for c in SALE_COLUMNS[1:])
)


class SqliteSaleLines:
    """Upserts through the raw sqlite3 cursor; inserted = rows added, from a count before and after."""

    def __init__(self, connection: Connection) -> None:
        self._cursor = connection.connection.cursor()
        self._before = self._count()
        self._changed = 0

    def _count(self) -> int:
        self._cursor.execute("SELECT count(*) FROM sale_line")
        return int(self._cursor.fetchone()[0])

    def write(self, rows: SaleRows) -> None:
        by_line_id, by_content = rows.split_by_key()
        # rowcount sums the rows each execution changed: inserts plus real updates, never no-ops.
        for statement, batch in ((_SQLITE_UPSERT, by_line_id), (_SQLITE_INSERT_NEW, by_content)):
            self._cursor.executemany(statement, batch)
            self._changed += max(self._cursor.rowcount, 0)

    def finish(self) -> tuple[int, int]:
        inserted = self._count() - self._before
        return inserted, self._changed - inserted


_PG_STAGE = "import_sale_line"
_PG_CHANGED = " OR ".join(f"s.{c} IS DISTINCT FROM t.{c}" for c in SALE_COLUMNS[1:])


class PostgresSaleLines:
    """COPY each chunk into a temporary table, then update changed lines and insert new ones."""

    def __init__(self, connection: Connection) -> None:
        self._raw = connection.connection.driver_connection
        self._inserted = 0
        self._updated = 0
        with self._raw.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_PG_STAGE} (line_key varchar(80) NOT NULL, customer_id integer "
                "NOT NULL, sold_on date NOT NULL, amount double precision NOT NULL, quantity double "
                "precision, product varchar(200)) ON COMMIT DROP"
            )

    def write(self, rows: SaleRows) -> None:
        columns = ", ".join(SALE_COLUMNS)
        with self._raw.cursor() as cursor:
            cursor.execute(f"TRUNCATE {_PG_STAGE}")
            with cursor.copy(f"COPY {_PG_STAGE} ({columns}) FROM STDIN") as copy:
                for row in rows.tuples():
                    copy.write_row(row)
            if rows.has_line_ids:
                cursor.execute(
                    "UPDATE sale_line AS s SET "
                    + ", ".join(f"{c} = t.{c}" for c in SALE_COLUMNS[1:])
                    + f" FROM {_PG_STAGE} AS t WHERE s.line_key = t.line_key AND ({_PG_CHANGED})"
                )
                self._updated += cursor.rowcount
            cursor.execute(
                f"INSERT INTO sale_line ({columns}) SELECT {columns} FROM {_PG_STAGE} ON CONFLICT (line_key) DO NOTHING"
            )
            self._inserted += cursor.rowcount

    def finish(self) -> tuple[int, int]:
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
