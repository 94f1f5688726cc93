"""One chat's updates run one after another, in the order they arrived; different chats run concurrently."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


@dataclass
class _ChatTurn:
    """Whose turn it is in one chat: the lock, and how many of the chat's updates hold or await it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    updates: int = 0


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (the user's id where there is no chat), or None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs each chat's updates in arrival order, and at most `max_concurrent_updates` updates at once.

    Without it a tap on a button could be answered before the message it follows. An update waiting
    for its chat's turn holds one of the slots, so one chat would need `max_concurrent_updates`
    updates queued behind a slow answer before other chats wait.
    """

    __slots__ = ("_turns",)

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[int, _ChatTurn] = {}

    @property
    def chats_in_progress(self) -> int:
        """How many chats have an update running or waiting (idle chats are forgotten)."""
        return len(self._turns)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates to finish, then process this one."""
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        turn = self._turns.setdefault(key, _ChatTurn())
        turn.updates += 1
        try:
            try:
                # asyncio.Lock wakes its waiters first come, first served: the chat's arrival order.
                await turn.lock.acquire()
            except BaseException:
                if inspect.iscoroutine(coroutine):
                    coroutine.close()  # cancelled before its turn: never started, so no "never awaited" warning
                raise
            try:
                await coroutine
            finally:
                turn.lock.release()
        finally:
            turn.updates -= 1
            if turn.updates == 0:
                del self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up: a chat's turn is created with its first update."""

    async def shutdown(self) -> None:
        """Forget every chat (all their updates have finished by the time the Application shuts down)."""
        self._turns.clear()
