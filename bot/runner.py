"""Running the bot against Telegram (or any Bot API-compatible server): polling by default, webhook at scale."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import InvalidToken, NetworkError

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
    try:
        _serve(application, settings)
    except InvalidToken:
        # PTB's own message would quote the token; say what to fix instead.
        log.error(
            "The Bot API at %s rejected the bot token: check telegram.token or TIERBOT_TELEGRAM_TOKEN "
            "(BotFather's /token shows it).",
            telegram.api_base_url,
        )
        raise SystemExit(2) from None
    except (NetworkError, OSError) as exc:
        log.error("Cannot start against the Bot API at %s: %s", telegram.api_base_url, exc)
        raise SystemExit(2) from None


def _serve(application, settings: Settings) -> None:
    telegram = settings.telegram
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
