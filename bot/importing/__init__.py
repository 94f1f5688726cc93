"""Importing customers, sales lines and people from CSV and XLSX exports.

``import_file`` checks every row, writes in one transaction, and returns an ImportReport; a file that
cannot be read at all raises ImportFileError. docs/import-formats.md describes the accepted files.
"""

from bot.importing.columns import FIELDS, KINDS
from bot.importing.importer import DEFAULT_CHUNK_ROWS, import_file
from bot.importing.report import ImportFileError, ImportReport, RowError

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "FIELDS",
    "KINDS",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "import_file",
]
