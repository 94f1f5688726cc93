"""Sales files: check each chunk with whole-column operations, key every line, and bulk-write it.

Which rows are sales: a row whose status says void, draft, cancelled or not yet confirmed (作废, 草稿,
Cancelled…), or an opportunity whose stage is not Closed Won, is *skipped*: listed with its reason,
never an error and never revenue. A totals or footer row under the data (合计, Grand Totals…) is
skipped too.

Which customer: by its id when the file has one (客户编码, Account Name.id, Account ID…), else (or when
that id is unknown) by its name, normalised and through remembered aliases (bot.importing.customer_names).

A line's key makes re-importing a file add nothing, and tells a correction from a new sale:
- ``id:<line id>`` when the export has a unique line id column (明细ID, 单据行号);
- ``d:<document>␟<line number>`` when it has a document number and a line number (单据编号+行号, an
  invoice and its line); the document number alone for exports with one row per order (``d:<document>``,
  and ``␟#n`` for its n-th repeat in the file). A line number alone (行号, 序号, Row) never identifies
  a line: it restarts at 1 in every export;
- otherwise ``h:`` and the BLAKE2b-128 hex digest of the line's content, so exports that overlap
  (January-June, then January-December) add only the new lines. The content is the UTF-8 text
  ``customer id␟YYYY-MM-DD␟amount␟quantity␟product`` (␟ is U+001F), amount and quantity rounded to
  4 decimals and written as Python writes floats (``1234.5``, ``-20.0``), an empty quantity or
  product as nothing, then the distributor and batch when the file has those columns (a flow file).
  Two identical lines in one file are two sales: the n-th repeat (n = 1, 2, ...) appends ``␟n``
  before hashing. Only hashlib and float repr are involved, so keys stay the same across versions.
A file that gives a stored line (same id) another customer, date or amount changes nothing: the
changes are listed, and applied only with ``replace``.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from hashlib import blake2b

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from bot.importing.customer_refs import CustomerRefs
from bot.importing.plausibility import OutlierWatch
from bot.importing.readers import Chunk, Table
from bot.importing.rows import Checked, Outcome, as_python, repeats
from bot.importing.shapes import not_a_sale, not_won
from bot.importing.values import (
    DATE_HINT,
    MONTH_HINT,
    DateOrder,
    Occurrences,
    Problems,
    empty,
    fingerprints,
    parse_dates,
    parse_months,
    parse_numbers,
    too_long,
)
from bot.importing.writers import CONTENT_PREFIX, SaleRows, StoredLineChange, sale_line_writer

LINE_ID_PREFIX = "id:"
DOCUMENT_PREFIX = "d:"
MAX_LINE_ID = 80 - len(LINE_ID_PREFIX)
_KEY_LIMIT = 80
PREVIEW_ROWS = 5
# Rows under the data that carry totals or the report's small print, not sales.
FOOTER = re.compile(
    r"^\s*(合计|总计|小计|共计|总合计|汇总|grand\s*totals?|totals?|sub\s*totals?|sum|count|record\s*count|"
    r"confidential|copyright|generated\s*by|记录数)",
    re.IGNORECASE,
)
_SKIP_REASONS = {"status": "is not a sale (void, draft or not confirmed)", "stage": "is not Closed Won"}


class SalesImport:
    """Imports a sales file chunk by chunk; counts come from the writer at the end."""

    def __init__(
        self,
        connection: Connection,
        table: Table,
        *,
        replace: bool = False,
        date_order: str | None = None,
        latest_day: date | None = None,
    ):
        self._table = table
        self._connection = connection
        self._latest_day = latest_day  # today plus the tolerance: later sales are bad rows
        self._outliers = OutlierWatch()
        self._customers = CustomerRefs(connection, table.fields)
        self._writer = sale_line_writer(connection, replace=replace)
        self._contents = Occurrences(first_rows=False)
        self._line_ids = Occurrences()
        self._documents = Occurrences(first_rows=False)
        self._dates = DateOrder(lambda: table.column("date"), date_order)
        self._good = 0
        self._changed = 0

    def check(self, chunk: Chunk) -> Checked:
        """Check a chunk and key its good lines (no database access: this runs in the read-ahead thread)."""
        problems = Problems(chunk.rows, self._table.field_headers)
        cells, fields = chunk.cells, self._table.fields
        skip = self._skipped(chunk, problems)
        live = ~skip
        customer_ids = self._customers.resolve(cells, problems, live)
        days = self._days(cells, problems, live)
        self._plausible(cells, days, problems, live)
        amounts, quantities = self._amounts(cells, problems, live)
        products = cells["product"] if "product" in fields else pd.Series([""] * len(chunk), dtype=object)
        if "spec" in fields:
            products = (products + " " + cells["spec"]).str.strip()
        problems.add(
            too_long(products, 200) & live,
            "product" if "product" in fields else "spec",
            products,
            "is longer than 200 characters",
        )
        identity = self._identity(chunk, problems, live)

        good = live & ~problems.bad
        ids = customer_ids[good]
        rows = SaleRows(
            line_keys=[],
            customer_ids=ids.tolist(),
            sold_on=days[good].dt.strftime("%Y-%m-%d").tolist(),
            amounts=amounts[good].tolist(),
            quantities=as_python(quantities[good]),
            products=[p or None for p in products[good].tolist()],
            has_line_ids=False,
        )
        keys = [key for key, keep in zip(identity, good.tolist(), strict=True) if keep]
        unkeyed = [i for i, key in enumerate(keys) if not key]
        if unkeyed:
            extras = self._extras(cells, good)
            content = content_keys(
                [self._customers.external_id(int(ids[i])) for i in unkeyed],
                [rows.sold_on[i] for i in unkeyed],
                amounts[good][unkeyed],
                quantities[good][unkeyed],
                [rows.products[i] for i in unkeyed],
                self._contents,
                chunk.rows[good][unkeyed],
                [extras[i] for i in unkeyed] if extras is not None else None,
            )
            for i, key in zip(unkeyed, content, strict=True):
                keys[i] = key
        rows.line_keys = keys
        rows.has_line_ids = len(unkeyed) < len(keys)
        rows.source_rows = chunk.rows[good].tolist()
        return Checked(chunk, problems, rows)

    def write(self, checked: Checked) -> list[Outcome]:
        rows: SaleRows = checked.payload
        if len(rows):
            self._outliers.see(self._connection, rows)  # before the write: a stored line is no news
        changes: list[StoredLineChange] = self._writer.write(rows) if len(rows) else []
        self._good += len(rows)
        self._changed += len(changes)
        return [Outcome(checked.chunk, checked.problems, corrections=corrections(changes, rows))]

    def preview(self, checked: Checked) -> list[dict[str, object]]:
        """The first good lines as they will be stored, the customer by its id in your system."""
        rows: SaleRows = checked.payload
        return [
            {
                "customer": self._customers.external_id(c),
                "sold_on": d,
                "amount": a,
                "quantity": q,
                "product": p,
                "line_key": k,
            }
            for k, c, d, a, q, p in itertools.islice(rows.tuples(), PREVIEW_ROWS)
        ]

    def finish(self, *, apply: bool = True) -> list[Outcome]:
        """The counts; with ``apply`` the staged lines are moved into sale_line (bot.importing.writers)."""
        inserted, updated = self._writer.finish(apply=apply)
        unchanged = self._good - inserted - max(updated, self._changed)
        outliers = [
            (line.row, self._customers.external_id(line.customer_id), line.amount)
            for line in self._outliers.outliers(self._connection)
        ]
        return [
            Outcome(
                inserted=inserted,
                updated=updated,
                unchanged=unchanged,
                outliers=outliers,
                unknown_names=self._customers.unknown_names,
            )
        ]

    def _plausible(self, cells: pd.DataFrame, days: pd.Series, problems: Problems, live: np.ndarray) -> None:
        """A sale dated after today (plus the tolerance) is a bad row; amounts are judged at the end."""
        if self._latest_day is None:
            return
        column = "date" if "date" in self._table.fields else "month"
        future = live & (days > pd.Timestamp(self._latest_day)).to_numpy(dtype=bool)
        problems.add(
            future,
            column,
            cells[column],
            f"is after {self._latest_day.isoformat()}; a sale cannot be dated in the future",
        )

    def _skipped(self, chunk: Chunk, problems: Problems) -> np.ndarray:
        """Rows that are not sales: void/draft/cancelled, opportunities not won, totals and footers."""
        cells, fields = chunk.cells, self._table.fields
        skip = np.zeros(len(chunk), dtype=bool)
        keys = [name for name in ("customer", "customer_name", "date", "month") if name in fields]
        no_key = np.logical_and.reduce([empty(cells[name]) for name in keys])
        if no_key.any():
            first_cells = chunk.original.astype(str).apply(lambda row: " ".join(row.tolist()).strip(), axis=1)
            footer = no_key & first_cells.str.match(FOOTER).to_numpy(dtype=bool) & ~skip
            skip |= footer  # a totals row is not data: left out, not listed
        for name, test, reason in (
            ("status", not_a_sale, _SKIP_REASONS["status"]),
            ("life_status", not_a_sale, _SKIP_REASONS["status"]),
            ("stage", not_won, _SKIP_REASONS["stage"]),
        ):
            if name in fields:
                mask = test(cells[name]) & ~skip
                problems.skip(mask, name, cells[name], reason)
                skip |= mask
        return skip

    def _days(self, cells: pd.DataFrame, problems: Problems, live: np.ndarray) -> pd.Series:
        fields = self._table.fields
        days = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[us]")
        missing = np.ones(len(cells), dtype=bool)
        if "date" in fields:
            values = cells["date"]
            days, bad = parse_dates(values, self._dates.for_cells(values[live]))
            days = days.astype("datetime64[us]")
            problems.add(bad & live, "date", values, DATE_HINT)
            missing = empty(values)
        if "month" in fields:
            months, bad = parse_months(cells["month"])
            use = missing & ~empty(cells["month"])
            problems.add(bad & use & live, "month", cells["month"], MONTH_HINT)
            days = days.where(~use, months)
            missing = missing & ~use
        column = "date" if "date" in fields else "month"
        problems.add(missing & live, column, cells[column], "is empty; a date is required")
        return days

    def _amounts(self, cells: pd.DataFrame, problems: Problems, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The amount, or quantity × unit price where the file has no amount (a flow file)."""
        fields = self._table.fields
        count = len(cells)
        amounts = self._number(problems, cells, "amount", live) if "amount" in fields else np.full(count, np.nan)
        derive = empty(cells["amount"]) if "amount" in fields else np.ones(count, dtype=bool)
        if "amount" in fields and not ("unit_price" in fields and "quantity" in fields):
            problems.add(derive & live, "amount", cells["amount"], "is empty; an amount is required")
        quantities = self._number(problems, cells, "quantity", live) if "quantity" in fields else np.full(count, np.nan)
        if "unit_price" in fields and "quantity" in fields:
            prices = self._number(problems, cells, "unit_price", live)
            amounts = np.where(derive, np.round(quantities * prices, 4), amounts)
            no_quantity = derive & live & empty(cells["quantity"])
            no_price = derive & live & ~empty(cells["quantity"]) & empty(cells["unit_price"])
            why = "is empty; the amount is computed from quantity × unit price"
            problems.add(no_quantity, "quantity", cells["quantity"], why)
            problems.add(no_price, "unit_price", cells["unit_price"], why)
        return amounts, quantities

    def _number(self, problems: Problems, cells: pd.DataFrame, name: str, live: np.ndarray) -> np.ndarray:
        numbers, bad = parse_numbers(cells[name])
        problems.add(bad & live, name, cells[name], "is not a number")
        return numbers

    def _identity(self, chunk: Chunk, problems: Problems, live: np.ndarray) -> list[str]:
        """Each row's key from the export's ids ("" where the content must key the line)."""
        cells, fields = chunk.cells, self._table.fields
        keys = [""] * len(chunk)
        if "line_id" in fields:
            line_ids = cells["line_id"]
            problems.add(
                too_long(line_ids, MAX_LINE_ID) & live, "line_id", line_ids, f"is longer than {MAX_LINE_ID} characters"
            )
            repeats(problems, cells, "line_id", chunk.rows, self._line_ids, "line id", live)
            keys = [LINE_ID_PREFIX + line_id if line_id else "" for line_id in line_ids.tolist()]
        if "doc_no" not in fields:
            return keys
        documents = cells["doc_no"]
        lines = cells["line_no"] if "line_no" in fields else pd.Series([""] * len(chunk), dtype=object)
        with_line = ~empty(documents) & ~empty(lines)
        if with_line.any():
            pairs = documents + "\x1f" + lines
            pair_cells = pd.DataFrame({"line_no": pairs.where(with_line, "")})
            repeats(problems, pair_cells, "line_no", chunk.rows, self._line_ids, "document and line number", live)
        alone = ~empty(documents) & empty(lines)
        times = np.zeros(len(chunk), dtype=np.int64)
        if alone.any():
            seen, _ = self._documents.see(fingerprints(documents[alone]), chunk.rows[alone])
            times[alone] = seen
        for i, (document, line) in enumerate(zip(documents.tolist(), lines.tolist(), strict=True)):
            if keys[i] or not document:
                continue
            text = f"{document}\x1f{line}" if line else (f"{document}\x1f#{times[i] + 1}" if times[i] else document)
            key = DOCUMENT_PREFIX + text
            keys[i] = (
                key if len(key) <= _KEY_LIMIT else DOCUMENT_PREFIX + blake2b(text.encode(), digest_size=16).hexdigest()
            )
        return keys

    def _extras(self, cells: pd.DataFrame, good: np.ndarray) -> list[str] | None:
        """What else tells two identical-looking flow lines apart: the distributor and the batch."""
        names = [name for name in ("distributor", "batch") if name in self._table.fields]
        if not names:
            return None
        parts = [cells[name][good].tolist() for name in names]
        return ["\x1f".join(values) for values in zip(*parts, strict=True)]


def corrections(changes: list[StoredLineChange], rows: SaleRows) -> list[tuple[int, str, str, str]]:
    """(row, field, old, new) for every value a stored line would change."""
    where = dict(zip(rows.line_keys, rows.source_rows, strict=True)) if changes else {}
    found: list[tuple[int, str, str, str]] = []
    for change in changes:
        for field, old, new in zip(
            ("customer", "date", "amount", "quantity", "product"), change.old, change.new, strict=True
        ):
            if _shown(old) != _shown(new):
                found.append((where.get(change.line_key, 0), field, _shown(old), _shown(new)))
    return found


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return str(value)


def content_keys(
    customers: list[str],
    days: list[str],
    amounts: np.ndarray,
    quantities: np.ndarray,
    products: list[str | None],
    seen: Occurrences,
    rows: np.ndarray,
    extras: list[str] | None = None,
) -> list[str]:
    """The content keys of lines, numbering repeats of identical content across the whole file."""
    rounded_amounts = (np.round(amounts, 4) + 0.0).tolist()  # + 0.0 turns -0.0 into 0.0
    rounded_quantities = (np.round(quantities, 4) + 0.0).tolist()
    contents = [
        f"{c}\x1f{d}\x1f{a!r}\x1f{'' if q != q else repr(q)}\x1f{p or ''}"
        for c, d, a, q, p in zip(customers, days, rounded_amounts, rounded_quantities, products, strict=True)
    ]
    if extras is not None:
        contents = [f"{text}\x1f{extra}" for text, extra in zip(contents, extras, strict=True)]
    digests = [blake2b(text.encode(), digest_size=16).digest() for text in contents]
    # The digest of the content doubles as the fingerprint that finds repeats.
    repeat, _ = seen.see(np.frombuffer(b"".join(digests), dtype="<u8")[::2], rows)
    keys = [CONTENT_PREFIX + digest.hex() for digest in digests]
    for i in np.flatnonzero(repeat).tolist():
        text = f"{contents[i]}\x1f{repeat[i]}"
        keys[i] = CONTENT_PREFIX + blake2b(text.encode(), digest_size=16).hexdigest()
    return keys
