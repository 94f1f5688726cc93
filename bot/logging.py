"""Logging that never shows a secret: the bot token, the webhook secret and database passwords are masked."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterable

from sqlalchemy.engine import make_url

from bot.config import Settings

MASK = "[secret]"


def secrets_of(settings: Settings) -> set[str]:
    """The values this configuration must never show: token (and its secret half), webhook secret, DB password."""
    secrets: set[str] = set()
    token = settings.telegram_token
    if token:
        secrets.add(token)
        # The part after the colon is the secret half; mask it even where the id is shown apart.
        if ":" in token:
            secrets.add(token.split(":", 1)[1])
    secrets.add(settings.telegram.webhook_secret.get_secret_value())
    with contextlib.suppress(Exception):  # an unparsable URL has no password to hide
        secrets.add(make_url(settings.database_url).password or "")
    secrets.discard("")
    return secrets


class SecretFilter(logging.Filter):
    """Masks secrets in a record's message, arguments, traceback and stack before any handler formats it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so that the whole token is masked before its secret half is looked for.
        self._secrets = sorted(set(secrets) - {""}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            # The arguments are merged into the message here, so a formatter cannot bring them back.
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: the traceback is rendered (and masked) once, here.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


def quiet_http_logs() -> None:
    """httpx logs every request URL at INFO, and a Bot API URL contains the token: keep those lines out."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def setup_logging(settings: Settings, level: int = logging.INFO) -> None:
    """Log to stderr through one handler that masks this configuration's secrets."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter(secrets_of(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_http_logs()
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
