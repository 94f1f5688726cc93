"""The Telegram surface: one module per feature, each exporting HANDLERS, registered here in a visible order."""

from __future__ import annotations

from telegram.ext import Application


def register_handlers(application: Application) -> None:
    """Register every handler; order matters: the gate first, catch-alls last."""
    from handlers import customers, errors, fallback, gate, help, invite, mine, settings, start, team, today

    application.add_handlers(gate.HANDLERS, group=-1)
    for module in (start, help, today, mine, team, settings, invite, customers, fallback):
        application.add_handlers(module.HANDLERS)
    application.add_error_handler(errors.on_error)
