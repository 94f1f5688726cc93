"""The rejects file: every bad row with its original cells, row number, columns and reasons.

It is CSV in UTF-8 with a BOM, so Excel and WPS open it with the Chinese intact. The original columns
come first under their original headers, so the file can be corrected and imported again as it is
(the extra ``row``, ``column`` and ``reason`` columns are ignored by the import). A cell that Excel
would run as a formula gets a ``'`` in front (bot.formulas), which the import takes off again.
"""

from __future__ import annotations

import csv
from itertools import groupby
from pathlib import Path
from typing import TextIO

from bot.formulas import neutralised
from bot.i18n.phrases import say
from bot.importing.readers import Chunk
from bot.importing.values import Problems

# The extra columns, by the admin's language; every language's are dropped when a rejects file comes back.
EXTRA_COLUMNS = {
    "en": ("row", "column", "reason"),
    "zh-Hans": ("错误行", "错误列", "错误原因"),
    "zh-Hant": ("錯誤行", "錯誤列", "錯誤原因"),
}
_ALL_EXTRA = {name for names in EXTRA_COLUMNS.values() for name in names}


class RejectsFile:
    """Written lazily: the file is created at the first bad row, and only then."""

    def __init__(self, path: Path, headers: list[str], lang: str = "en") -> None:
        self.path = path
        self._lang = lang if lang in EXTRA_COLUMNS else "en"
        # A rejects file imported again brings its own row/column/reason columns; drop the stale ones.
        self._keep = [i for i, header in enumerate(headers) if header not in _ALL_EXTRA]
        self._headers = [headers[i] for i in self._keep]
        self._handle: TextIO | None = None
        self.rows_written = 0

    def write(self, chunk: Chunk, problems: Problems) -> None:
        if not problems.errors:
            return
        writer = self._writer()
        cells = chunk.original.to_numpy(dtype=object)
        errors = problems.sorted_errors()
        for position, group in groupby(zip(problems.positions, errors, strict=True), key=lambda pair: pair[0]):
            found = [error for _, error in group]
            columns = list(dict.fromkeys(error.column for error in found))
            reasons = [
                error.describe() if self._lang == "en" else error.describe(say(self._lang, error.reason))
                for error in found
            ]
            # Admins open this file in Excel: a cell of the file or a reason quoting it must not run.
            row = [*(cells[position][i] for i in self._keep), found[0].row, "; ".join(columns), "; ".join(reasons)]
            writer.writerow([neutralised(cell) if isinstance(cell, str) else cell for cell in row])
            self.rows_written += 1

    def _writer(self):
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            writer = csv.writer(self._handle)
            writer.writerow([neutralised(header) for header in [*self._headers, *EXTRA_COLUMNS[self._lang]]])
        return csv.writer(self._handle)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()

    @property
    def written(self) -> bool:
        return self._handle is not None
