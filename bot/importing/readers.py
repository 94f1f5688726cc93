"""Read CSV and XLSX exports as they come, in chunks of strings, with spreadsheet row numbers.

Format is decided by content, not by the file name: a ZIP signature means XLSX, anything else must be
text. The text encoding is decided over the whole file, strictly: UTF-8 (a BOM is allowed) if every
byte decodes as UTF-8, else GB18030 (a superset of GBK and GB2312) if every byte decodes as that,
else the file is refused. Real GBK text practically never decodes as UTF-8, so the order is safe;
guessing from a sample instead would misread a file whose first Chinese character is on row 90,000.
UTF-16 files (Excel's "Unicode text") are recognised by their BOM.

The header row is the first of the first 10 rows that has every required column (title rows above
it are skipped); row numbers are those a spreadsheet shows, so the header of a plain file is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd

from bot.importing.columns import FIELDS, UnusedColumn, map_headers, matched_required, required_count, unused_columns
from bot.importing.report import ImportFileError
from bot.importing.shapes import recognise

# Formatted reports (Salesforce's XLSX) put a title, the date and the filters above the header.
HEADER_SEARCH_ROWS = 30
_BLOCK = 1 << 20
_DELIMITERS = (",", "\t", ";", "|")


@dataclass
class Chunk:
    """Some data rows: their row numbers, the mapped cells (stripped) and every original cell."""

    rows: np.ndarray
    cells: pd.DataFrame
    original: pd.DataFrame

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Table:
    """An opened import file: its header, which column holds which field, and its rows in chunks."""

    path: Path
    kind: str
    headers: list[str]
    fields: dict[str, int]
    header_row: int
    source: str
    rows_total: int | None
    encoding: str | None = None
    delimiter: str = ","
    sheet: str | None = None
    shape: str = ""
    unused: list[UnusedColumn] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.shape:
            self.shape = recognise(self.kind, self.headers)
        if not self.unused:
            self.unused = unused_columns(self.kind, self.headers, self.fields)

    def header_of(self, field_name: str) -> str:
        return self.headers[self.fields[field_name]]

    @property
    def field_headers(self) -> dict[str, str]:
        return {name: self.headers[position] for name, position in self.fields.items()}

    def chunks(self, chunk_size: int) -> Iterator[Chunk]:
        """Yield the non-empty data rows in chunks of at most ``chunk_size``."""
        frames = self._xlsx_frames(chunk_size) if self.sheet is not None else self._csv_frames(chunk_size)
        for frame, rows in frames:
            cells = pd.DataFrame({name: _stripped(frame[pos]) for name, pos in self.fields.items()})
            # A row with nothing in any known column is a blank line, not a bad row.
            keep = (cells != "").any(axis=1).to_numpy()
            if not keep.all():
                frame, cells, rows = frame[keep], cells[keep], rows[keep]
            if len(rows):
                yield Chunk(rows=rows, cells=cells.reset_index(drop=True), original=frame)

    def _csv_frames(self, chunk_size: int) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        reader = pd.read_csv(
            self.path,
            sep=self.delimiter,
            header=None,
            names=list(range(len(self.headers))),
            index_col=False,
            skiprows=self.header_row,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=self.encoding,
            encoding_errors="strict",
            chunksize=chunk_size,
            engine="c",
        )
        first_data_row = self.header_row + 1
        try:
            with reader:
                for frame in reader:
                    yield frame, frame.index.to_numpy() + first_data_row
        except pd.errors.ParserError as exc:
            raise ImportFileError(
                f"the file is not well-formed CSV ({exc}). Rows must not have more cells than the header "
                "row; a value that contains a comma must be in double quotes."
            ) from None

    def _xlsx_frames(self, chunk_size: int) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        width = len(self.headers)
        workbook = _open_workbook(self.path)
        try:
            sheet = workbook[self.sheet]
            batch: list[list[str]] = []
            numbers: list[int] = []
            start = self.header_row + 1
            for number, values in enumerate(sheet.iter_rows(min_row=start, values_only=True), start):
                cells = [cell_text(value) for value in values[:width]]
                batch.append(cells + [""] * (width - len(cells)))
                numbers.append(number)
                if len(batch) == chunk_size:
                    yield _frame(batch, width), np.asarray(numbers)
                    batch, numbers = [], []
            if batch:
                yield _frame(batch, width), np.asarray(numbers)
        finally:
            workbook.close()


def _stripped(column: pd.Series) -> pd.Series:
    """The column's cells without surrounding spaces, as an object Series (a plain loop is fastest)."""
    return pd.Series([cell.strip() for cell in column.to_numpy(dtype=object)], dtype=object)


def _frame(batch: list[list[str]], width: int) -> pd.DataFrame:
    return pd.DataFrame(batch, columns=list(range(width)), dtype=str)


def cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV export of it would hold (dates as YYYY-MM-DD, 1001.0 as 1001)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def open_table(path: Path, kind: str) -> Table:
    """Open an import file of this kind and find its header; raise ImportFileError if unusable."""
    if kind not in FIELDS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(FIELDS)}")
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        raise ImportFileError(f"cannot open the file: {exc.strerror or exc}") from None
    if not head.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise ImportFileError("the file is empty.")
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, kind)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "this is an old Excel 97-2003 (.xls) workbook, which cannot be read; open it in Excel or WPS "
            "and save it as .xlsx or as CSV."
        )
    return _open_csv(path, kind, head)


def _open_csv(path: Path, kind: str, head: bytes) -> Table:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, label, lines = "utf-16", "UTF-16", None
    else:
        if b"\x00" in head:
            raise ImportFileError("this does not look like a CSV or XLSX file (it holds binary data).")
        encoding, label, lines = _detect_encoding(path, head)
    with path.open(encoding=encoding, newline="") as handle:
        preview = handle.read(65536)
    lines_ahead = preview.lstrip("\ufeff").split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    delimiter = max(_DELIMITERS, key=lambda d: max(line.count(d) for line in lines_ahead))
    try:
        records = list(itertools.islice(csv.reader(io.StringIO(preview), delimiter=delimiter), HEADER_SEARCH_ROWS))
    except csv.Error as exc:
        raise ImportFileError(f"the file is not well-formed CSV ({exc}).") from None
    header_index = _choose_header(kind, records)
    headers = [h.lstrip("\ufeff").strip() for h in records[header_index]] if records else []
    if any(ch < " " and ch not in "\t" for h in headers for ch in h):
        raise ImportFileError("this does not look like a CSV or XLSX file (its first row is not text).")
    fields = map_headers(kind, headers)
    total = None if lines is None else max(lines - header_index - 1, 0)
    name = {",": "comma", "\t": "tab", ";": "semicolon", "|": "bar"}[delimiter]
    return Table(
        path=path,
        kind=kind,
        headers=headers,
        fields=fields,
        header_row=header_index + 1,
        source=f"CSV, {label}, {name}-separated",
        rows_total=total,
        encoding=encoding,
        delimiter=delimiter,
    )


def _detect_encoding(path: Path, head: bytes) -> tuple[str, str, int]:
    """Return (codec, label, newline count) for the first encoding that decodes every byte."""
    utf8_label = "UTF-8 with BOM" if head.startswith(codecs.BOM_UTF8) else "UTF-8"
    for codec, label in (("utf-8-sig", utf8_label), ("gb18030", "GBK/GB18030")):
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        lines = 0
        try:
            with path.open("rb") as handle:
                while block := handle.read(_BLOCK):
                    decoder.decode(block)
                    lines += block.count(b"\n")  # safe in both: 0x0A is never part of a multibyte char
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return codec, label, lines
    raise ImportFileError(
        "the file's text encoding is neither UTF-8 nor GBK/GB18030. Save it from Excel or WPS as "
        "'CSV UTF-8' (or as .xlsx) and import it again."
    )


def _choose_header(kind: str, records: list[list[str]]) -> int:
    required = required_count(kind)
    scores = [matched_required(kind, record) for record in records]
    for index, score in enumerate(scores):
        if score == required:
            return index
    best = max(scores, default=0)
    if best:
        return scores.index(best)
    return next((i for i, record in enumerate(records) if any(c.strip() for c in record)), 0)


def _open_workbook(path: Path):
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read; they do not matter
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"this is not a readable XLSX workbook ({exc}).") from None


def _open_xlsx(path: Path, kind: str) -> Table:
    workbook = _open_workbook(path)
    try:
        first_error: ImportFileError | None = None
        for sheet in workbook.worksheets:
            records = [
                [cell_text(value).strip() for value in row]
                for row in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
            ]
            if not any(any(record) for record in records):
                continue
            header_index = _choose_header(kind, records)
            headers = records[header_index]
            try:
                fields = map_headers(kind, headers)
            except ImportFileError as exc:
                first_error = first_error or exc
                continue
            # Trailing columns without a header and without a field are dropped.
            width = max(i for i, h in enumerate(headers) if h or i in fields.values()) + 1
            total = sheet.max_row - header_index - 1 if sheet.max_row else None
            return Table(
                path=path,
                kind=kind,
                headers=headers[:width],
                fields=fields,
                header_row=header_index + 1,
                source=f"XLSX, sheet {sheet.title!r}",
                rows_total=total,
                sheet=sheet.title,
            )
        if first_error is not None:
            raise first_error
        raise ImportFileError("the workbook has no data in any sheet.")
    finally:
        workbook.close()
