"""The Telegram surface: one module per feature, each exporting HANDLERS, registered here in a visible order."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    challenge,
    customers,
    edits,
    errors,
    fallback,
    followups,
    gate,
    handover,
    help,
    invite,
    log_guided,
    log_line,
    log_note,
    mine,
    settings,
    start,
    team,
    today,
    undo,
    upload,
)


def register_handlers(application: Application) -> None:
    """Register every handler; order matters: the gate first, catch-alls last."""
    application.add_handlers(gate.HANDLERS, group=-1)
    # Edited messages are answered here and go no further; text typed into a step of a log flow is
    # taken here too; anything else falls through to group 2.
    application.add_handlers(edits.HANDLERS, group=0)
    application.add_handlers(log_guided.TEXT_STEP_HANDLERS, group=0)
    # A reason typed for a tier challenge or its rejection (handlers/challenge.py); other text goes on.
    application.add_handlers(challenge.TEXT_STEP_HANDLERS, group=1)
    for module in (
        start,
        help,
        log_line,
        undo,
        log_guided,
        log_note,
        followups,
        today,
        mine,
        team,
        settings,
        invite,
        handover,
        upload,
        customers,
        challenge,
        fallback,
    ):
        application.add_handlers(module.HANDLERS, group=2)
    application.add_error_handler(errors.on_error)
