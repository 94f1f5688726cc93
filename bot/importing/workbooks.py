"""XLSX workbooks as the importer reads them: read-only, bounded, and a damaged one refused with a reason.

A workbook is a zip: a 3 MB file can inflate to gigabytes, and openpyxl keeps the whole shared-string
table in memory (a 3.3 MB file with 1.5 GB of shared strings took 3.5 GB). Before openpyxl sees a
file, ``check_limits`` reads only the zip's directory and streams the shared-string part once,
counting its strings, and refuses a workbook over ``XlsxLimits``. Python's zipfile never inflates a
member beyond the size its directory states, so the stated sizes are a real bound.

openpyxl parses whatever bytes it is given and fails on damaged ones with whatever exception its
parser meets (ParseError, TypeError, ValueError, NotImplementedError, zlib.error, KeyError…). Every
call into it goes through ``open_workbook`` or ``sheet_rows``, which turn any such failure into an
ImportFileError whose reason names no cell value: an exception's own text may quote one.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from bot.importing.report import ImportFileError

_MB = 1024 * 1024
_BLOCK = 1 << 20


@dataclass(frozen=True)
class XlsxLimits:
    """How big a workbook may be once inflated (the [import] settings)."""

    max_inflated_mb: int = 500
    max_shared_strings_mb: int = 100
    max_shared_strings: int = 2_000_000


def check_limits(path: Path, limits: XlsxLimits) -> None:
    """Refuse a workbook whose parts inflate beyond the limits, before any of it is parsed."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            inflated = sum(member.file_size for member in members)
            if inflated > limits.max_inflated_mb * _MB:
                raise ImportFileError(
                    f"the workbook unpacks to {inflated / _MB:,.0f} MB, more than the {limits.max_inflated_mb:,} MB "
                    "allowed (setting [import] xlsx_max_inflated_mb). Save it as CSV, which has no such limit."
                )
            part = _shared_strings_part(archive)
            if part is None:
                return
            size = archive.getinfo(part).file_size
            if size > limits.max_shared_strings_mb * _MB:
                raise ImportFileError(
                    f"the workbook's shared text table is {size / _MB:,.0f} MB, more than the "
                    f"{limits.max_shared_strings_mb:,} MB allowed (setting [import] xlsx_max_shared_strings_mb). "
                    "Save it as CSV, which has no such limit."
                )
            count = _count_strings(archive, part, limits.max_shared_strings)
            if count > limits.max_shared_strings:
                raise ImportFileError(
                    f"the workbook's shared text table holds more than {limits.max_shared_strings:,} texts (setting "
                    "[import] xlsx_max_shared_strings). Save it as CSV, which has no such limit."
                )
    except ImportFileError:
        raise
    except Exception as exc:
        raise unreadable(exc) from None


def _shared_strings_part(archive: zipfile.ZipFile) -> str | None:
    """Where the shared strings are, found as openpyxl finds them: the content types' override."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    if archive.getinfo(ARC_CONTENT_TYPES).file_size > _MB:
        raise ImportFileError("this is not a readable XLSX workbook (a part of it is damaged).")
    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    found = manifest.find(SHARED_STRINGS)
    name = found.PartName[1:] if found is not None else None
    return name if name in archive.namelist() else None


def _count_strings(archive: zipfile.ZipFile, part: str, enough: int) -> int:
    """The ``<si>`` elements of the shared strings, counted as the part streams by (stops past ``enough``)."""
    count, tail, tags = 0, b"", None
    with archive.open(part) as stream:
        while block := stream.read(_BLOCK):
            data = tail + block
            if tags is None:
                root = re.search(rb"<([A-Za-z_][\w.-]*:)?sst[\s>]", data)
                if root is None and len(data) < 4096:
                    tail = data
                    continue
                prefix = (root.group(1) or b"") if root is not None else b""
                tags = [b"<" + prefix + b"si" + end for end in (b">", b" ", b"/", b"\t", b"\r", b"\n")]
                tail = b""
            # Tags wholly inside the carried-over tail were counted with the block before.
            count += sum(data.count(tag) - tail.count(tag) for tag in tags)
            if count > enough:
                break
            tail = data[-16:]
    return count


def unreadable(exc: BaseException) -> BaseException:
    """The refusal for a workbook openpyxl could not read; the reason quotes nothing from the file.

    Running out of memory is not a damaged file: a MemoryError is given back as it is.
    """
    if isinstance(exc, ImportFileError | MemoryError):
        return exc
    if isinstance(exc, ParseError):
        line, column = getattr(exc, "position", (0, 0))
        return ImportFileError(
            f"this is not a readable XLSX workbook (its XML is damaged at line {line}, column {column})."
        )
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
