"""Admins load customers, sales or people by sending the export to the bot (CSV or XLSX), as with the CLI."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.clock import utc_now
from bot.context import TierContext
from bot.db_errors import BUSY, FULL
from bot.i18n import Markup, escape, plain, t, tn
from bot.i18n.phrases import say
from bot.importing import ImportFileError
from bot.models.people import Role
from bot.services.aliases import remember_alias
from bot.services.loading import UploadDatabaseError, load_upload, score_in_child
from bot.views import callbacks
from bot.views.common import keyboard, shorten
from bot.views.imports import import_summary, shape_name, skipped_lines
from handlers.common import acknowledge, answer

if TYPE_CHECKING:
    from bot.services.scoring_runs import ScoringSummary

KINDS = ("customers", "sales", "people", "contacts")
# Words in the caption or file name that say what an export holds.
KIND_WORDS = {
    "customers": ("customer", "客户", "客戶", "终端"),
    "sales": ("sale", "销售", "銷售", "订单", "流向", "发货"),
    "people": ("people", "person", "staff", "人员", "人員", "员工", "代表"),
    "contacts": ("visit", "contact", "拜访", "拜訪", "签到", "外勤"),
}
ALIAS_NAMES_SHOWN = 5
ALIAS_CANDIDATES_SHOWN = 3
MAX_MB = 20  # what the cloud Bot API lets a bot download
SHOWN_ERRORS = 10


def guess_kind(caption: str, file_name: str) -> str | None:
    """The kind named by the caption, else by the file name; None when neither or both say."""
    for text in (caption.lower(), file_name.lower()):
        found = {kind for kind, words in KIND_WORDS.items() if any(word in text for word in words)}
        if len(found) == 1:
            return found.pop()
    return None


async def document(update: Update, context: TierContext) -> None:
    """A file from an admin: load it when its kind is clear, else ask; everyone else is told who can."""
    member = context.member
    message = update.message
    assert member is not None and message is not None and message.document is not None
    if member.role != Role.ADMIN:
        await answer(update, t(context.lang, "upload.admins_only"))
        return
    doc = message.document
    if doc.file_size and doc.file_size > MAX_MB * 1024 * 1024:
        await answer(update, t(context.lang, "upload.too_big", size=doc.file_size // (1024 * 1024), limit=MAX_MB))
        return
    name = doc.file_name or "upload"
    kind = guess_kind(message.caption or "", name)
    if kind is None:
        if context.user_data is not None:
            context.user_data["pending_upload"] = (doc.file_id, name)
        buttons = keyboard([[(t(context.lang, f"kind.{k}"), callbacks.upload_kind(k)) for k in KINDS]])
        await answer(update, t(context.lang, "upload.pick_kind", name=shorten(name, 60)), buttons)
        return
    await _load(update, context, doc.file_id, name, kind)


def shorten_block(text: str) -> Markup:
    """A long plain-text report as escaped HTML that fits one message."""
    return escape(text if len(text) <= 3500 else text[:3500] + "\n…")


async def kind_button(update: Update, context: TierContext) -> None:
    """The admin said what the file holds."""
    kind = callbacks.parse_upload_kind(update.callback_query.data if update.callback_query else None)
    pending = context.user_data.pop("pending_upload", None) if context.user_data is not None else None
    if kind not in KINDS or pending is None or context.member is None or context.member.role != Role.ADMIN:
        await acknowledge(update, t(context.lang, "expired_button"))
        return
    await acknowledge(update)
    await _load(update, context, pending[0], pending[1], kind)


async def _load(update: Update, context: TierContext, file_id: str, name: str, kind: str) -> None:
    lang = context.lang
    await answer(update, t(lang, "upload.working", name=shorten(name, 60), kind=t(lang, f"kind.{kind}")))
    with tempfile.TemporaryDirectory(prefix="tierbot-upload-") as folder:
        # Only the base name: a file name is the sender's text, never a path on this machine.
        path = Path(folder) / (Path(name).name or "upload")
        telegram_file = await context.bot.get_file(file_id)
        await telegram_file.download_to_drive(path)
        try:
            # Read in a child process with its own memory limit: a hostile file cannot take the bot down.
            report, scoring = await asyncio.to_thread(
                load_upload, engine=context.engine, settings=context.settings, kind=kind, path=path, now=utc_now()
            )
        except ImportFileError as exc:
            await answer(update, t(lang, "upload.unusable", reason=say(lang, str(exc))))
            return
        except UploadDatabaseError as exc:
            # Only SQLite's lock is "busy"; a full disk or a server that is down is said as such.
            await answer(update, t(lang, {BUSY: "upload.busy", FULL: "db.full"}.get(exc.problem or "", "db.not_saved")))
            return
    if not report.ok:
        lines = [tn(lang, "upload.rejected", report.rows_rejected)]
        for error in report.rejected[:SHOWN_ERRORS]:
            lines.append(t(lang, "upload.row", row=error.row, column=error.column, reason=say(lang, error.reason)))
        if report.problems > SHOWN_ERRORS:
            lines.append(t(lang, "upload.more", count=report.problems - SHOWN_ERRORS))
        buttons = _alias_buttons(context, report.unknown_names, (file_id, name, kind))
        if buttons is not None:
            lines.append(t(lang, "upload.alias_intro"))
        await answer(update, Markup("\n".join(lines)), buttons)
        return
    if report.blocked_by_corrections or report.blocked_by_outliers:
        # Corrections to stored sales (--replace) and implausible amounts (--accept-outliers) are
        # applied from the command line, after a look.
        await answer(update, shorten_block(import_summary(report, lang)))
        return
    lines = [
        t(
            lang,
            "upload.done",
            kind=t(lang, f"kind.{kind}"),
            read=report.rows_read,
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
        )
    ]
    if report.shape and not report.shape.startswith("tierbot."):
        lines.append(escape(plain(lang, "imp.shape", shape=shape_name(lang, report.shape))))
    if report.rows_skipped:
        lines.append(escape("\n".join(skipped_lines(report, lang))))
    if report.unused:
        lines.append(escape(plain(lang, "imp.unused", columns=", ".join(report.unused_columns))))
    if report.notices:
        lines.append(escape("\n".join([plain(lang, "imp.notices"), *(say(lang, n) for n in report.notices)])))
    if scoring is not None:
        lines.append(_scored(lang, scoring))
    buttons = None
    if report.scoring_error:
        # The sales are stored; only the tiers are behind. A retry needs no file.
        lines.append(t(lang, "upload.not_scored", reason=report.scoring_error))
        buttons = keyboard([[(t(lang, "btn.rescore"), callbacks.RESCORE)]])
    if kind == "customers":
        context.services.forget_customer_index()
    await answer(update, Markup("\n".join(lines)), buttons)


def _scored(lang: str, scoring: ScoringSummary) -> Markup:
    tiers = {tier.lower(): scoring.per_tier.get(tier, 0) for tier in "ABCD"}
    return t(lang, "upload.scored", up=scoring.moved_up, down=scoring.moved_down, **tiers)


async def rescore_button(update: Update, context: TierContext) -> None:
    """An admin asked to score again after the scoring following an upload failed."""
    lang = context.lang
    if context.member is None or context.member.role != Role.ADMIN:
        await acknowledge(update, t(lang, "expired_button"))
        return
    await acknowledge(update)
    summary, error = await asyncio.to_thread(
        score_in_child, engine=context.import_engine, settings=context.settings, now=utc_now(), trigger="admin"
    )
    if summary is None:
        await answer(
            update, t(lang, "rescore.failed", reason=error), keyboard([[(t(lang, "btn.rescore"), callbacks.RESCORE)]])
        )
        return
    await answer(update, _scored(lang, summary))


def _alias_buttons(
    context: TierContext, unknown: dict[str, list[tuple[str, str]]], upload: tuple[str, str, str]
) -> InlineKeyboardMarkup | None:
    """One button per (name the file writes, closest customer): a tap remembers that name as an alias."""
    if not unknown or context.user_data is None:
        return None
    choices: list[tuple[str, str]] = []
    rows: list[list[tuple[str, str]]] = []
    for written, found in list(unknown.items())[:ALIAS_NAMES_SHOWN]:
        for external_id, customer in found[:ALIAS_CANDIDATES_SHOWN]:
            label = plain(
                context.lang,
                "upload.alias_button",
                written=shorten(written, 16),
                customer=shorten(customer, 22),
                id=external_id,
            )
            rows.append([(label, callbacks.ALIAS.data(len(choices)))])
            choices.append((written, external_id))
    # Callback data stays short: the button's index into what this admin was offered.
    context.user_data["alias_choices"] = choices
    context.user_data["last_upload"] = upload
    return keyboard(rows)


async def alias_button(update: Update, context: TierContext) -> None:
    """The admin confirmed which customer a name in their file means: remember it, offer to load again."""
    lang = context.lang
    choices = context.user_data.get("alias_choices", []) if context.user_data is not None else []
    index = callbacks.ALIAS.parse(update.callback_query.data if update.callback_query else None)
    member = context.member
    if member is None or member.role != Role.ADMIN or index is None or index >= len(choices):
        await acknowledge(update, t(lang, "expired_button"))
        return
    written, external_id = choices[index]
    try:
        remembered = await asyncio.to_thread(
            remember_alias,
            engine=context.engine,
            alias=written,
            customer_external_id=external_id,
            created_by_id=member.person_id,
        )
    except (LookupError, ValueError):
        await acknowledge(update, t(lang, "expired_button"))
        return
    await acknowledge(update)
    buttons = None
    if context.user_data is not None and (last := context.user_data.get("last_upload")) is not None:
        file_id, name, kind = last
        context.user_data["pending_upload"] = (file_id, name)
        buttons = keyboard([[(t(lang, "upload.reload", name=shorten(name, 30)), callbacks.upload_kind(kind))]])
    await answer(
        update,
        t(
            lang,
            "upload.alias_saved",
            written=written,
            customer=remembered.customer_name,
            id=remembered.customer_external_id,
        ),
        buttons,
    )


HANDLERS = [
    MessageHandler(filters.Document.ALL, document),
    CallbackQueryHandler(kind_button, pattern=callbacks.UPLOAD_KIND_PATTERN),
    CallbackQueryHandler(alias_button, pattern=callbacks.ALIAS.pattern),
    CallbackQueryHandler(rescore_button, pattern=callbacks.RESCORE_PATTERN),
]
