"""Running the bot against Telegram (or any Bot API-compatible server): polling by default, webhook at scale."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from sqlalchemy.engine import Engine
from telegram import Update

from bot.app import build_app
from bot.config import Settings
from bot.logging import setup_logging

log = logging.getLogger(__name__)


def run_bot(settings: Settings, engine: Engine) -> None:
    """Build the application and serve until interrupted."""
    setup_logging(settings)
    application = build_app(settings, engine)
    telegram = settings.telegram
    log.info("Starting Tierbot (%s) against %s", telegram.mode, telegram.api_base_url)
    if telegram.mode == "webhook":
        application.run_webhook(
            listen=telegram.webhook_listen,
            port=telegram.webhook_port,
            # Serve on the path of the public URL, so a reverse proxy can pass requests through unchanged.
            url_path=urlparse(telegram.webhook_url).path.lstrip("/"),
            webhook_url=telegram.webhook_url,
            secret_token=telegram.webhook_secret.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
