"""XLSX workbooks as the importer reads them: read-only, and a damaged one refused with a reason.

openpyxl parses whatever bytes it is given and fails on damaged ones with whatever exception its
parser meets (ParseError, TypeError, ValueError, NotImplementedError, zlib.error, KeyError…). Every
call into it goes through ``open_workbook`` or ``sheet_rows``, which turn any such failure into an
ImportFileError whose reason names no cell value: an exception's own text may quote one.
"""

from __future__ import annotations

import warnings
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from bot.importing.report import ImportFileError


def unreadable(exc: BaseException) -> ImportFileError:
    """The refusal for a workbook openpyxl could not read; the reason quotes nothing from the file."""
    if isinstance(exc, ImportFileError):
        return exc
    if isinstance(exc, ParseError):
        line, column = getattr(exc, "position", (0, 0))
        return ImportFileError(f"this is not a readable XLSX workbook (its XML is damaged at line {line}, "
                               f"column {column}).")  # fmt: skip
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError):
        return ImportFileError("this is not a readable XLSX workbook (its zip container is damaged).")
    if isinstance(exc, NotImplementedError):
        return ImportFileError(
            "this is not a readable XLSX workbook (it is compressed or encrypted in a way Excel does not write)."
        )
    if isinstance(exc, OSError):
        return ImportFileError(f"cannot open the file: {exc.strerror or type(exc).__name__}")
    return ImportFileError("this is not a readable XLSX workbook (a part of it is damaged).")


def open_workbook(path: Path) -> Any:
    """The workbook, read-only with cached values; ImportFileError when it cannot be read."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read; they do not matter
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a hostile file reaches any corner of the parser
        raise unreadable(exc) from None


def sheet_rows(sheet: Any, *, min_row: int = 1, max_row: int | None = None) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as values; a damaged sheet raises ImportFileError where the damage is met.

    Every row and column the sheet holds is read, whatever its ``<dimension>`` tag says: read-only
    openpyxl otherwise stops at that tag, which some exporters write too small (9 of 1,000 rows).
    """
    try:
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        rows = iter(sheet.iter_rows(min_row=min_row, max_row=max_row, values_only=True))
    except Exception as exc:
        raise unreadable(exc) from None
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:
            raise unreadable(exc) from None
        yield values


def worksheets(workbook: Any) -> list[Any]:
    """The workbook's worksheets; ImportFileError when their list cannot be read."""
    try:
        return list(workbook.worksheets)
    except Exception as exc:
        raise unreadable(exc) from None


def sheet_heads(path: Path, rows: int) -> Iterator[tuple[str, list[tuple[Any, ...]], int | None]]:
    """Each worksheet's title, first ``rows`` rows, and its stated last row number (None when unknown)."""
    workbook = open_workbook(path)
    try:
        for sheet in worksheets(workbook):
            last_row = sheet.max_row  # the <dimension> tag's word, only an estimate for progress
            head = list(sheet_rows(sheet, max_row=rows))
            yield sheet.title, head, last_row
    finally:
        workbook.close()


def data_rows(path: Path, title: str, start: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The rows of the sheet titled ``title`` from row ``start`` on, with their row numbers."""
    workbook = open_workbook(path)
    try:
        sheet = next(sheet for sheet in worksheets(workbook) if sheet.title == title)
        yield from enumerate(sheet_rows(sheet, min_row=start), start)
    finally:
        workbook.close()


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
