"""The daily rollup (sale_day) kept equal to sale_line, in the transaction that changes sale_line.

New lines are added to their customer's day (``INSERT ... ON CONFLICT DO UPDATE`` adding the sums);
a day whose lines were changed (a correction applied with ``replace``: another customer, day or
amount) is counted again from sale_line, for its old and its new customer and day. The SQL here is
plain text for both databases; ``dialect`` ("sqlite" or "postgresql") says how a date becomes the
rollup's day number (days since 1970-01-01: SQLite compares integers three times faster than its
text dates, and scoring turns them into dates with one numpy operation).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

ROLLUP_COLUMNS = "customer_id, day, amount, positive_amount, lines, positive_lines"
# Days named in this (temporary) table are counted again from sale_line.
RECOUNT_TABLE = "sale_day_recount"
RECOUNT_SHAPE = "(customer_id INTEGER NOT NULL, sold_on DATE NOT NULL)"
_ADD = (
    " ON CONFLICT (customer_id, day) DO UPDATE SET amount = sale_day.amount + excluded.amount, "
    "positive_amount = sale_day.positive_amount + excluded.positive_amount, "
    "lines = sale_day.lines + excluded.lines, positive_lines = sale_day.positive_lines + excluded.positive_lines"
)


def day_number(dialect: str, column: str) -> str:
    """SQL for the days since 1970-01-01 of a date column (SQLite stores dates as YYYY-MM-DD text)."""
    if dialect == "sqlite":
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    return f"({column} - DATE '1970-01-01')"


def per_day(dialect: str, source: str, where: str = "WHERE true", prefix: str = "") -> str:
    """SELECT the rollup's columns from sale lines in ``source`` (aliased by ``prefix``), one row per customer and day.

    A WHERE clause is always there: SQLite needs one before an upsert's ON CONFLICT.
    """
    p = prefix
    return (
        f"SELECT {p}customer_id, {day_number(dialect, p + 'sold_on')}, SUM({p}amount), "
        f"SUM(CASE WHEN {p}amount > 0 THEN {p}amount ELSE 0 END), COUNT(*), "
        f"SUM(CASE WHEN {p}amount > 0 THEN 1 ELSE 0 END) FROM {source} {where} GROUP BY {p}customer_id, {p}sold_on"
    )


def add_lines_sql(dialect: str, source: str, where: str = "WHERE true") -> str:
    """Add the lines in ``source`` (new in sale_line) to their days."""
    return f"INSERT INTO sale_day ({ROLLUP_COLUMNS}) {per_day(dialect, source, where)}{_ADD}"


def recount_sql(dialect: str) -> list[str]:
    """Count the days named in the recount table again from sale_line (a day left without lines goes)."""
    keys = f"(SELECT DISTINCT customer_id, sold_on FROM {RECOUNT_TABLE})"
    return [
        f"DELETE FROM sale_day WHERE (customer_id, day) IN "
        f"(SELECT customer_id, {day_number(dialect, 'sold_on')} FROM {RECOUNT_TABLE})",
        f"INSERT INTO sale_day ({ROLLUP_COLUMNS}) "
        + per_day(
            dialect,
            f"sale_line AS s JOIN {keys} AS k ON k.customer_id = s.customer_id AND k.sold_on = s.sold_on",
            prefix="s.",
        ),
    ]


def changed_days_sql(stage: str, condition: str) -> str:
    """The old and the new day of each stored line that the staged lines change (for the recount table)."""
    join = f"FROM {stage} AS t JOIN sale_line AS s ON s.line_key = t.line_key WHERE {condition}"
    return (
        f"INSERT INTO {RECOUNT_TABLE} (customer_id, sold_on) SELECT s.customer_id, s.sold_on {join} "
        f"UNION SELECT t.customer_id, t.sold_on {join}"
    )


def add_lines_after(connection: Connection, after_id: int) -> None:
    """Add the sale lines with an id above ``after_id`` to the rollup (for writers that insert lines directly)."""
    sql = add_lines_sql(connection.dialect.name, "sale_line", "WHERE id > :after")
    connection.execute(text(sql), {"after": after_id})


def last_line_id(connection: Connection) -> int:
    """The highest sale_line id (0 when there are none): lines inserted next have higher ids."""
    return int(connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM sale_line")).scalar_one())


def fill_sql(dialect: str) -> str:
    """Fill an empty rollup from every sale line (for a DB-API connection: benches load lines directly)."""
    return f"INSERT INTO sale_day ({ROLLUP_COLUMNS}) {per_day(dialect, 'sale_line')}"


def rebuild_sale_days(connection: Connection) -> None:
    """Rebuild the rollup from every sale line (the migration's backfill does the same)."""
    connection.execute(text("DELETE FROM sale_day"))
    connection.execute(text(fill_sql(connection.dialect.name)))
