"""What the broadcaster sends and what it reports: pushes, their parts, the sending policy, the outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup


@dataclass(frozen=True)
class Photo:
    """A picture part (the digest's chart), sent with sendPhoto; the caption is at most 1,024 characters."""

    data: bytes
    caption: str | None = None
    reply_markup: InlineKeyboardMarkup | None = None
    filename: str = "chart.png"


Part = tuple[str, InlineKeyboardMarkup | None] | Photo


@dataclass(frozen=True)
class Push:
    """One rendered push for one person; parts are sent in order, texts over 4,096 characters split.

    ``kept``: what the matching command answers, read together with the push (the morning list's /today),
    for the runner to keep once the push is sent."""

    person_id: int
    chat_id: int
    kind: str
    period: str
    parts: Sequence[Part]
    kept: Any = None


@dataclass(frozen=True)
class SendPolicy:
    """How hard to try; the defaults suit Telegram, tests shorten the backoffs."""

    # Telegram allows about one message per second in a private chat; 5 % margin for jitter.
    per_chat_interval: float = 1.05
    network_attempts: int = 3
    backoff_seconds: float = 0.5
    backoff_max: float = 8.0
    flood_retries: int = 5
    flood_margin: float = 0.1
    # None: enough senders to keep the pace while some wait on slow answers or on a chat's next second.
    concurrency: int | None = None
    # Requests on the wire at once. More only queue inside httpx, whose pool then costs O(queue x connections)
    # per request: a client that falls behind its pace would slow down further.
    max_in_flight: int = 16
    # A piece Telegram still finds too long below this size is not a length problem.
    min_split: int = 100


@dataclass
class BroadcastReport:
    """Pushes sent, skipped (someone else's or already final), failed, blocked; retries; wall time."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    blocked: int = 0
    retries_429: int = 0
    retries_network: int = 0
    messages: int = 0
    seconds: float = 0.0
    # person id -> the error recorded in the push log
    failures: dict[int, str] = field(default_factory=dict)
