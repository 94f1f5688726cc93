"""Logging that never shows a secret: the bot token, the webhook secret and database passwords are masked."""

from __future__ import annotations

import logging
import sys

from sqlalchemy.engine import make_url

from bot.config import Settings

_secrets: set[str] = set()
_factory_installed = False


def _mask(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "[secret]")
    return text


def redact_secrets(settings: Settings) -> None:
    """Remember this configuration's secrets and mask them in every log record from now on."""
    global _factory_installed
    token = settings.telegram_token
    if token:
        _secrets.add(token)
        # The part after the colon is the secret half; mask it even where the id is shown apart.
        if ":" in token:
            _secrets.add(token.split(":", 1)[1])
    if settings.telegram.webhook_secret.get_secret_value():
        _secrets.add(settings.telegram.webhook_secret.get_secret_value())
    try:
        password = make_url(settings.database_url).password
    except Exception:  # an unparsable URL has no password to hide
        password = None
    if password:
        _secrets.add(password)
    _secrets.discard("")
    if not _factory_installed:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            record.getMessage = lambda original=record.getMessage: _mask(original())  # type: ignore[method-assign]
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True
    # httpx logs every request URL at INFO, and the Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the whole formatted record, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return _mask(super().format(record))


def setup_logging(settings: Settings, level: int = logging.INFO) -> None:
    redact_secrets(settings)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
