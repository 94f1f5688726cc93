"""Secrets never reach a log: a filter on the handler masks them in messages, arguments and tracebacks."""

from __future__ import annotations

import io
import logging

import pytest

from bot.config import Settings
from bot.logging import SecretFilter, secrets_of, setup_logging

TOKEN = "4242:very-secret-token"
PASSWORD = "pg-pass-word"
WEBHOOK_SECRET = "hook-secret_1"


@pytest.fixture
def settings() -> Settings:
    return Settings.model_validate(
        {
            "telegram": {"token": TOKEN, "webhook_secret": WEBHOOK_SECRET},
            "database": {"url": f"postgresql+psycopg://tierbot:{PASSWORD}@db.example.com/tierbot"},
        }
    )


@pytest.fixture
def written(settings):
    """A logger whose one handler carries the secret filter; yields what that handler wrote."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(SecretFilter(secrets_of(settings)))
    logger = logging.getLogger("tests.secrets")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_the_handler_masks_secrets_in_messages_arguments_and_tracebacks(written):
    logger, stream = written
    logger.info("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    logger.warning(f"webhook answered with {WEBHOOK_SECRET}")
    logger.info("token half alone: %s", TOKEN.split(":")[1])
    try:
        raise ConnectionError(f"cannot reach postgresql://tierbot:{PASSWORD}@db.example.com")
    except ConnectionError:
        logger.exception("database down")
    logger.info("an ordinary line with %d customers", 3)
    text = stream.getvalue()
    assert TOKEN not in text and "very-secret-token" not in text
    assert PASSWORD not in text and WEBHOOK_SECRET not in text
    assert "GET https://api.telegram.org/bot[secret]/getMe" in text
    assert "token half alone: [secret]" in text
    assert "ConnectionError: cannot reach postgresql://tierbot:[secret]@db.example.com" in text
    assert "an ordinary line with 3 customers" in text


def test_setup_logging_filters_its_handler_and_leaves_the_record_factory_alone(settings):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    factory = logging.getLogRecordFactory()
    try:
        setup_logging(settings)
        assert logging.getLogRecordFactory() is factory
        (handler,) = root.handlers
        assert any(isinstance(f, SecretFilter) for f in handler.filters)
        # A record made anywhere else (another handler, a test's capture) is an ordinary record.
        assert logging.makeLogRecord({"msg": TOKEN}).getMessage() == TOKEN
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
