"""Exports for the people who live in spreadsheets: the tiers and contacts as a CSV or XLSX file they read.

The view of the export: reasons in words, headers in the reader's language, and no cell a spreadsheet
would run as a formula. The data comes from bot/services/exports.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.formulas import neutralised
from bot.i18n import plain, text_of
from bot.services.exports import challenges_frame, contacts_frame, tiers_frame
from bot.views.challenges import override_cell
from bot.views.common import reasons_text


def tiers_sheet(frame: pd.DataFrame, lang: str, currency: str) -> pd.DataFrame:
    """The tiers frame with its reasons in plain words of lang, in place of the parsed reasons."""
    frame = frame.copy()
    frame["reason"] = [text_of(reasons_text(lang, reasons, currency)) for reasons in frame.pop("reasons")]
    # A manager-approved tier as the card says it: A（经理审批，模型为 B，至 3月1日）.
    frame["override"] = [
        override_cell(lang, tier, model, until, automatic)
        for tier, model, until, automatic in zip(
            frame["tier"],
            frame["model_tier"],
            frame.pop("override_until"),
            frame.pop("override_automatic"),
            strict=True,
        )
    ]
    return frame


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix a quote to text cells a spreadsheet would evaluate; numbers (negative ones too) stay numbers."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        frame[column] = [neutralised(value) if isinstance(value, str) else value for value in frame[column]]
    return frame


def export_table(
    *, engine: Engine, settings: Settings, kind: str, path: Path, file_format: str, headers: str | None = None
) -> int:
    """Write tiers, contacts or challenges to CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX; return rows.

    Headers are in ``headers`` (a language; default the team's); "fields" keeps Tierbot's field names.
    """
    if kind == "tiers":
        frame = tiers_sheet(tiers_frame(engine=engine), settings.team.language, settings.team.currency_symbol)
    elif kind == "challenges":
        frame = challenges_frame(engine=engine, settings=settings)
    else:
        frame = contacts_frame(engine=engine, settings=settings)
    # Names and notes are typed by anyone; a manager opening the file must not run them.
    frame = neutralise_formulas(frame)
    language = headers or settings.team.language
    if language != "fields":
        frame = frame.rename(columns={column: plain(language, f"export.col.{column}") for column in frame.columns})
    if file_format == "xlsx":
        frame.to_excel(path, index=False, sheet_name=kind)
    else:
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    return len(frame)
