"""Sales files: check each chunk with whole-column operations, key every line, and bulk-upsert it.

A line's key makes re-importing a file add nothing:
- with a line id column, ``id:<line id>``; a repeated line id in one file is a bad row, because a
  column that numbers lines within each invoice (1, 2, 3, ...) would otherwise merge lines silently;
- without one, ``h:`` and the BLAKE2b-128 hex digest of the line's content, so exports that overlap
  (January-June, then January-December) add only the new lines. The content is the UTF-8 text
  ``customer id␟YYYY-MM-DD␟amount␟quantity␟product`` (␟ is U+001F), amount and quantity rounded to
  4 decimals and written as Python writes floats (``1234.5``, ``-20.0``), an empty quantity or
  product as nothing. Two identical lines in one file are two sales: the n-th repeat (n = 1, 2, ...)
  appends ``␟n`` before hashing. Only hashlib and float repr are involved, so keys stay the same
  across pandas and numpy versions.
"""

from __future__ import annotations

from hashlib import blake2b

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from bot.importing.readers import Chunk, Table
from bot.importing.rows import Checked, IdMap, Outcome, as_python, repeats, unknown_reference
from bot.importing.values import (
    DATE_HINT,
    Occurrences,
    Problems,
    empty,
    parse_dates,
    parse_numbers,
    too_long,
)
from bot.importing.writers import SaleRows, sale_line_writer
from bot.models import Customer

LINE_ID_PREFIX = "id:"
CONTENT_PREFIX = "h:"
MAX_LINE_ID = 80 - len(LINE_ID_PREFIX)


class SalesImport:
    """Imports a sales file chunk by chunk; counts come from the writer at the end."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self._table = table
        self._customers = IdMap.load(connection, Customer.__table__)
        self._writer = sale_line_writer(connection)
        self._contents = Occurrences(first_rows=False)
        self._line_ids = Occurrences()
        self._good = 0

    def check(self, chunk: Chunk) -> Checked:
        """Check a chunk and key its good lines (no database access: this runs in the read-ahead thread)."""
        problems = Problems(chunk.rows, self._table.field_headers)
        cells, fields = chunk.cells, self._table.fields
        customers = cells["customer"]
        problems.add(empty(customers), "customer", customers, "is empty; a customer id is required")
        customer_ids = unknown_reference(
            problems,
            cells,
            "customer",
            self._customers.lookup(customers),
            "is not a known customer; import the customers file first, or correct the id",
        )
        dates, bad = parse_dates(cells["date"])
        problems.add(empty(cells["date"]), "date", cells["date"], "is empty; a date is required")
        problems.add(bad, "date", cells["date"], DATE_HINT)
        amounts = self._number(problems, cells, "amount", required=True)
        quantities = (
            self._number(problems, cells, "quantity", required=False)
            if "quantity" in fields
            else np.full(len(chunk), np.nan)
        )
        products = cells["product"] if "product" in fields else pd.Series([""] * len(chunk), dtype=object)
        if "product" in fields:
            problems.add(too_long(products, 200), "product", products, "is longer than 200 characters")
        line_ids = cells["line_id"] if "line_id" in fields else None
        if line_ids is not None:
            too_long_ids = too_long(line_ids, MAX_LINE_ID)
            problems.add(too_long_ids, "line_id", line_ids, f"is longer than {MAX_LINE_ID} characters")
            repeats(problems, cells, "line_id", chunk.rows, self._line_ids, "line id")

        good = ~problems.bad
        kept_ids = line_ids[good] if line_ids is not None else None
        rows = SaleRows(
            line_keys=[],
            customer_ids=customer_ids[good].tolist(),
            sold_on=dates[good].dt.strftime("%Y-%m-%d").tolist(),
            amounts=amounts[good].tolist(),
            quantities=as_python(quantities[good]),
            products=[p or None for p in products[good].tolist()],
            has_line_ids=kept_ids is not None and bool((kept_ids != "").any()),
        )
        rows.line_keys = self._keys(
            rows, customers[good].tolist(), amounts[good], quantities[good], kept_ids, chunk.rows[good]
        )
        return Checked(chunk, problems, rows)

    def write(self, checked: Checked) -> list[Outcome]:
        rows: SaleRows = checked.payload
        if len(rows):
            self._writer.write(rows)
        self._good += len(rows)
        return [Outcome(checked.chunk, checked.problems)]

    def finish(self) -> list[Outcome]:
        inserted, updated = self._writer.finish()
        return [Outcome(inserted=inserted, updated=updated, unchanged=self._good - inserted - updated)]

    def _number(self, problems: Problems, cells: pd.DataFrame, name: str, *, required: bool) -> np.ndarray:
        numbers, bad = parse_numbers(cells[name])
        if required:
            problems.add(empty(cells[name]), name, cells[name], "is empty; an amount is required")
        problems.add(bad, name, cells[name], "is not a number")
        return numbers

    def _keys(
        self,
        rows: SaleRows,
        customers: list[str],
        amounts: np.ndarray,
        quantities: np.ndarray,
        line_ids: pd.Series | None,
        row_numbers: np.ndarray,
    ) -> list[str]:
        """Line id keys where the line has an id, content keys for the rest."""
        if line_ids is None:
            return content_keys(
                customers, rows.sold_on, amounts, quantities, rows.products, self._contents, row_numbers
            )
        keys = [LINE_ID_PREFIX + line_id if line_id else "" for line_id in line_ids.tolist()]
        unkeyed = [i for i, key in enumerate(keys) if not key]
        if unkeyed:
            content = content_keys(
                [customers[i] for i in unkeyed],
                [rows.sold_on[i] for i in unkeyed],
                amounts[unkeyed],
                quantities[unkeyed],
                [rows.products[i] for i in unkeyed],
                self._contents,
                row_numbers[unkeyed],
            )
            for i, key in zip(unkeyed, content, strict=True):
                keys[i] = key
        return keys


def content_keys(
    customers: list[str],
    days: list[str],
    amounts: np.ndarray,
    quantities: np.ndarray,
    products: list[str | None],
    seen: Occurrences,
    rows: np.ndarray,
) -> list[str]:
    """The content keys of lines, numbering repeats of identical content across the whole file."""
    rounded_amounts = (np.round(amounts, 4) + 0.0).tolist()  # + 0.0 turns -0.0 into 0.0
    rounded_quantities = (np.round(quantities, 4) + 0.0).tolist()
    contents = [
        f"{c}\x1f{d}\x1f{a!r}\x1f{'' if q != q else repr(q)}\x1f{p or ''}"
        for c, d, a, q, p in zip(customers, days, rounded_amounts, rounded_quantities, products, strict=True)
    ]
    digests = [blake2b(text.encode(), digest_size=16).digest() for text in contents]
    # The digest of the content doubles as the fingerprint that finds repeats.
    repeat, _ = seen.see(np.frombuffer(b"".join(digests), dtype="<u8")[::2], rows)
    keys = [CONTENT_PREFIX + digest.hex() for digest in digests]
    for i in np.flatnonzero(repeat).tolist():
        text = f"{contents[i]}\x1f{repeat[i]}"
        keys[i] = CONTENT_PREFIX + blake2b(text.encode(), digest_size=16).hexdigest()
    return keys
