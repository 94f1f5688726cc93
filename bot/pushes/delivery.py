"""One push to one person: claim it, send each part within the limits, read Telegram's answer, mark it.

How each answer is handled is described in sender.py. Every retry loop here is bounded: 429s by
``flood_retries``, network errors by ``network_attempts``, "too long" splits by halving down to ``min_split``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.pushes import push_log
from bot.pushes.messages import BroadcastReport, Part, Photo, Push, SendPolicy
from bot.pushes.pacing import ChatSpacing, FloodGate
from bot.split import MESSAGE_LIMIT, split_message

log = logging.getLogger(__name__)


class _Blocked(Exception):
    """403: the user blocked the bot or deleted the account."""


class _Rejected(Exception):
    """Permanent: Telegram refused the content or the chat."""


class _Transient(Exception):
    """Worth trying again later: the network, or a flood wait that would not end."""


class _LostClaim(Exception):
    """Another instance took the push over (this one looked dead to it)."""


@dataclass
class PushLogCalls:
    """The push log as this instance sees it, called off the event loop on the broadcast's own threads."""

    engine: Engine
    executor: ThreadPoolExecutor
    instance: str
    now_fn: Callable[[], datetime]

    async def __call__(self, function: Callable[..., Any], push: Push, **extra: Any) -> Any:
        call = partial(
            function,
            self.engine,
            person_id=push.person_id,
            kind=push.kind,
            period=push.period,
            instance=self.instance,
            now=self.now_fn(),
            **extra,
        )
        return await asyncio.get_running_loop().run_in_executor(self.executor, call)


@dataclass
class Broadcast:
    """What every delivery of one broadcast shares."""

    bot: Bot
    push_log: PushLogCalls
    lease: timedelta
    policy: SendPolicy
    gate: FloodGate
    wire: asyncio.Semaphore
    spacing: ChatSpacing
    report: BroadcastReport
    on_sent: Callable[[Push], None] | None = None


@dataclass
class Delivery:
    shared: Broadcast
    push: Push
    claimed_at: float = 0.0
    delivered: int = 0

    async def run(self) -> None:
        shared, report = self.shared, self.shared.report
        if not await shared.push_log(push_log.claim, self.push, lease=shared.lease):
            report.skipped += 1
            return
        self.claimed_at = time.monotonic()
        try:
            async with shared.spacing.lock(self.push.chat_id):
                for piece in _pieces(self.push.parts):
                    await self._send_piece(piece)
        except _LostClaim:
            log.warning("push %s lost its claim to another instance before sending", self._name)
            report.skipped += 1
        except _Blocked as exc:
            await self._fail(f"blocked: {exc}", blocked=True)
        except _Rejected as exc:
            await self._fail(f"rejected: {exc}", permanent=True)
        except _Transient as exc:
            # Parts already delivered must not be repeated by a retry: then the failure is final.
            await self._fail(str(exc), permanent=self.delivered > 0)
        else:
            await self._mark_sent()

    @property
    def _name(self) -> str:
        return f"{self.push.kind}/{self.push.period} to person {self.push.person_id}"

    async def _mark_sent(self) -> None:
        # The crash window: Telegram has answered and the log does not know yet. Nothing else happens here.
        recorded = False
        for attempt in range(3):
            try:
                recorded = await self.shared.push_log(push_log.mark_sent, self.push)
                break
            except Exception:
                log.exception("could not record push %s as sent (attempt %d)", self._name, attempt + 1)
                await asyncio.sleep(0.5 * (attempt + 1))
        if not recorded:
            log.warning("push %s was delivered but the log already had it final (or is unreachable)", self._name)
        self.shared.report.sent += 1
        if self.shared.on_sent is not None:
            try:
                self.shared.on_sent(self.push)
            except Exception:
                log.exception("after push %s was sent", self._name)  # the push itself went out

    async def _fail(self, error: str, *, permanent: bool = False, blocked: bool = False) -> None:
        if self.delivered:
            error = f"{error} (after {self.delivered} delivered parts)"
        if blocked:
            await self.shared.push_log(push_log.mark_blocked, self.push, error=error)
            self.shared.report.blocked += 1
        else:
            await self.shared.push_log(push_log.mark_failed, self.push, error=error, permanent=permanent)
            self.shared.report.failed += 1
        self.shared.report.failures[self.push.person_id] = error

    async def _ensure_claim(self) -> None:
        """Renew a claim older than a quarter lease before sending, so a live instance is never taken over."""
        if time.monotonic() - self.claimed_at < self.shared.lease.total_seconds() / 4:
            return
        if not await self.shared.push_log(push_log.renew, self.push):
            raise _LostClaim
        self.claimed_at = time.monotonic()

    async def _send_piece(self, first: Part) -> None:
        """Send one piece, splitting it further if Telegram finds it too long."""
        shared, policy = self.shared, self.shared.policy
        pending: deque[Part] = deque([first])
        floods = network_failures = 0
        while pending:
            piece = pending[0]
            await shared.spacing.turn(self.push.chat_id)
            try:
                # The wire is taken before the slot, so that a message leaves as soon as its slot comes.
                async with shared.wire:
                    await shared.gate.slot()
                    await self._ensure_claim()
                    await self._call(piece)
            except RetryAfter as exc:
                floods += 1
                shared.report.retries_429 += 1
                shared.gate.pause(_seconds(exc) + policy.flood_margin)
                if floods > policy.flood_retries:
                    raise _Transient(f"flood control: still 429 after {floods} tries") from exc
                continue
            except Forbidden as exc:
                raise _Blocked(exc.message) from exc
            except BadRequest as exc:
                pending.popleft()
                pending.extendleft(reversed(self._split_smaller(piece, exc)))
                continue
            except ChatMigrated as exc:
                raise _Rejected(exc.message) from exc
            except NetworkError as exc:  # TimedOut included; BadRequest, a subclass, was handled above
                network_failures += 1
                if network_failures >= policy.network_attempts:
                    raise _Transient(f"network: {exc.message} ({network_failures} attempts)") from exc
                shared.report.retries_network += 1
                await asyncio.sleep(min(policy.backoff_max, policy.backoff_seconds * 2 ** (network_failures - 1)))
                continue
            except TelegramError as exc:
                raise _Transient(f"telegram: {exc.message}") from exc
            # Spacing counts from the answer, when the message surely arrived; refused requests do not count.
            shared.spacing.departed(self.push.chat_id)
            pending.popleft()
            self.delivered += 1
            shared.report.messages += 1

    def _split_smaller(self, piece: Part, exc: BadRequest) -> list[Part]:
        if isinstance(piece, Photo) or "too long" not in exc.message.lower():
            raise _Rejected(exc.message) from exc
        text, markup = piece
        if len(text) < self.shared.policy.min_split:
            raise _Rejected(exc.message) from exc
        # Telegram counts UTF-16 units after parsing entities, so a text under 4,096 may still be too long.
        texts = split_message(text, limit=len(text) // 2 + 1)
        if len(texts) < 2:
            # Halves cut blindly would break the markup, and Telegram would refuse both.
            raise _Rejected(exc.message) from exc
        return [*((t, None) for t in texts[:-1]), (texts[-1], markup)]

    async def _call(self, piece: Part) -> None:
        bot, chat_id = self.shared.bot, self.push.chat_id
        if isinstance(piece, Photo):
            photo = InputFile(piece.data, filename=piece.filename)
            await bot.send_photo(
                chat_id, photo, caption=piece.caption, parse_mode=ParseMode.HTML, reply_markup=piece.reply_markup
            )
        else:
            text, markup = piece
            await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


def _pieces(parts: Sequence[Part]) -> list[Part]:
    """Split every text part at 4,096 characters; its buttons go under its last piece."""
    pieces: list[Part] = []
    for part in parts:
        if isinstance(part, Photo):
            pieces.append(part)
            continue
        text, markup = part
        texts = split_message(text, MESSAGE_LIMIT)
        pieces.extend((t, None) for t in texts[:-1])
        pieces.append((texts[-1], markup))
    return pieces


def _seconds(exc: RetryAfter) -> float:
    # PTB 22 keeps the wait as a timedelta; its public attribute warns unless PTB_TIMEDELTA is set.
    value = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
