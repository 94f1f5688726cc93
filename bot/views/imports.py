"""An import report in the admin's language, as plain text: the CLI prints it, the bot escapes it.

One renderer for both, so `tierbot import` and a file sent to the bot say the same things: what the
file was recognised as, which columns were read and which were not, what was skipped and why, which
stored values the file would change, and every problem with its row.
"""

from __future__ import annotations

from bot.i18n import has, plain
from bot.i18n.phrases import say
from bot.importing.columns import FIELDS, closest_headers
from bot.importing.report import SHOWN_ERRORS, ImportReport, RowError

SHOWN_SKIPPED = 10
SHOWN_CORRECTIONS = 30


def field_name(lang: str, kind: str, name: str) -> str:
    """A Tierbot field as the admin knows it (``the amount`` / ``金额``)."""
    spec = next((spec for spec in FIELDS.get(kind, ()) if spec.name == name), None)
    return say(lang, spec.describes) if spec is not None else name


def shape_name(lang: str, shape: str) -> str:
    key = f"imp.shape.{shape}"
    return plain(lang, key) if has(lang, key) else shape


def import_summary(report: ImportReport, lang: str, *, show_mapping: bool | None = None) -> str:
    """The whole report; the column mapping and first rows are shown on a dry run (or when asked)."""
    kind = say(lang, report.kind)
    lines = [
        plain(lang, "imp.read", file=report.path.name, rows=f"{report.rows_read:,}", kind=kind, source=report.source)
    ]
    if report.shape and (report.dry_run or not report.shape.startswith("tierbot.")):
        lines.append(plain(lang, "imp.shape", shape=shape_name(lang, report.shape)))
    mapping_shown = show_mapping if show_mapping is not None else report.dry_run
    if mapping_shown:
        lines.extend(_mapping(report, lang))
    if report.unused:
        columns = [
            plain(lang, "imp.unused.instead", column=u.header, used=u.used_instead) if u.used_instead else u.header
            for u in report.unused
        ]
        lines.append(plain(lang, "imp.unused", columns=", ".join(columns)))
    blocked = report.blocked_by_corrections or report.blocked_by_outliers
    would = report.dry_run or blocked or not (report.ok or report.accept_good_rows)
    lines.append(
        plain(
            lang,
            "imp.counts.would" if would else "imp.counts",
            inserted=f"{report.inserted:,}",
            updated=f"{report.updated:,}",
            unchanged=f"{report.unchanged:,}",
            rejected=f"{report.rows_rejected:,}",
        )
    )
    lines.extend(skipped_lines(report, lang))
    lines.extend(_corrections(report, lang))
    lines.extend(_outliers(report, lang))
    if report.notices:
        lines.append(plain(lang, "imp.notices"))
        lines.extend(say(lang, notice) for notice in report.notices)
    lines.append(outcome(report, lang))
    if report.rejected:
        lines.append(plain(lang, "imp.problems"))
        lines.extend(f"  {problem_text(lang, error)}" for error in report.rejected[:SHOWN_ERRORS])
        if report.problems > SHOWN_ERRORS:
            lines.append(plain(lang, "imp.more", count=f"{report.problems - SHOWN_ERRORS:,}"))
    return "\n".join(lines)


def problem_text(lang: str, error: RowError) -> str:
    """``row 17, column 金额: 'abc' is not a number`` in the admin's language."""
    reason = error.shown_value + say(lang, error.reason)
    return plain(lang, "imp.problem.line", row=error.row, column=error.column, reason=reason).strip()


def outcome(report: ImportReport, lang: str) -> str:
    """One sentence: what happened to the database."""
    rejects = plain(lang, "imp.outcome.rejects", path=report.rejects_path) if report.rejects_path else ""
    if report.dry_run:
        return plain(lang, "imp.outcome.dry_run") + rejects
    if report.rows_read == 0:
        return plain(lang, "imp.outcome.empty")
    if report.blocked_by_corrections:
        return plain(lang, "imp.outcome.corrections", count=f"{report.rows_corrected:,}")
    if report.blocked_by_outliers:
        return plain(lang, "imp.outcome.outliers", count=f"{len(report.outliers):,}")
    if report.ok:
        return plain(lang, "imp.outcome.done" if report.committed else "imp.outcome.nothing_new")
    if report.accept_good_rows:
        key = "imp.outcome.good_rows" if report.committed else "imp.outcome.good_rows_nothing"
        return plain(lang, key, count=f"{report.rows_rejected:,}") + rejects
    return plain(lang, "imp.outcome.bad_rows", count=f"{report.rows_rejected:,}") + rejects


def _mapping(report: ImportReport, lang: str) -> list[str]:
    lines = [plain(lang, "imp.mapping")]
    for name, column in report.mapping.items():
        lines.append(plain(lang, "imp.mapping.line", column=column, field=field_name(lang, report.kind, name)))
    for unused in report.unused:
        close = [] if unused.used_instead else closest_headers(report.kind, unused.header)
        if unused.used_instead:
            why = plain(lang, "imp.unused.why_instead", used=unused.used_instead)
        elif close:
            why = plain(lang, "imp.unused.why_close", close=", ".join(close))
        else:
            why = plain(lang, "imp.unused.why_unknown")
        lines.append(plain(lang, "imp.mapping.line", column=unused.header, field=why))
    if report.preview:
        lines.append(plain(lang, "imp.preview"))
        lines.append("  " + " | ".join(report.preview[0]))
        lines.extend("  " + " | ".join("" if v is None else str(v) for v in row.values()) for row in report.preview)
    return lines


def skipped_lines(report: ImportReport, lang: str) -> list[str]:
    if not report.rows_skipped:
        return []
    lines = [plain(lang, "imp.skipped", count=f"{report.rows_skipped:,}")]
    for row in report.skipped[:SHOWN_SKIPPED]:
        value = repr(row.value[:40]) if row.value else ""
        lines.append(
            plain(lang, "imp.skipped.line", row=row.row, column=row.column, value=value, reason=say(lang, row.reason))
        )
    if report.rows_skipped > SHOWN_SKIPPED:
        lines.append(plain(lang, "imp.more", count=f"{report.rows_skipped - SHOWN_SKIPPED:,}"))
    return lines


def _corrections(report: ImportReport, lang: str) -> list[str]:
    if not report.corrections:
        return []
    key = "imp.corrections.applied" if report.replace and not report.dry_run else "imp.corrections"
    lines = [plain(lang, key, count=f"{report.rows_corrected:,}")]
    for change in report.corrections[:SHOWN_CORRECTIONS]:
        lines.append(
            plain(
                lang,
                "imp.correction.line",
                row=change.row,
                field=say(lang, f"the {change.field}"),
                old=change.old or "–",
                new=change.new or "–",
            )
        )
    if len(report.corrections) > SHOWN_CORRECTIONS:
        lines.append(plain(lang, "imp.more", count=f"{len(report.corrections) - SHOWN_CORRECTIONS:,}"))
    return lines


def _outliers(report: ImportReport, lang: str) -> list[str]:
    if not report.outliers:
        return []
    key = "imp.outliers.accepted" if report.accept_outliers else "imp.outliers"
    lines = [plain(lang, key, count=f"{len(report.outliers):,}")]
    for outlier in report.outliers[:SHOWN_CORRECTIONS]:
        lines.append(
            plain(lang, "imp.outlier.line", row=outlier.row, customer=outlier.customer, amount=f"{outlier.amount:,.2f}")
        )
    if len(report.outliers) > SHOWN_CORRECTIONS:
        lines.append(plain(lang, "imp.more", count=f"{len(report.outliers) - SHOWN_CORRECTIONS:,}"))
    return lines
