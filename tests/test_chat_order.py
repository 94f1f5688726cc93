"""One chat's updates are answered in the order they were sent, while other chats are not held up."""

from __future__ import annotations

import asyncio
import inspect

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor, MessageHandler, filters

from bot.app import build_app
from bot.chat_order import ChatOrderedUpdateProcessor
from bot.db import make_engine
from bot.local_api import LocalBotApi, message_update

REP_A, REP_B = 501, 502
GUARD_SECONDS = 10  # only a guard against a hang (chats run one at a time); nothing waits on it to pass


class Burst:
    """A small bot whose answer to "slow" waits until another chat has been answered."""

    def __init__(self, processor: BaseUpdateProcessor) -> None:
        self.api = LocalBotApi()
        self.application = (
            Application.builder().token("1000:order").request(self.api).updater(None).job_queue(None)
            .concurrent_updates(processor).build()
        )  # fmt: skip
        self.application.add_handler(MessageHandler(filters.TEXT, self.answer))
        self.events: list[str] = []
        self.slow_started = asyncio.Event()
        self.release = asyncio.Event()
        self.chats_during_other: int | None = None

    async def answer(self, update: Update, context) -> None:
        """Answer "re: <text>"; "slow" waits for "other", which proves it ran meanwhile."""
        text = update.effective_message.text
        self.events.append(f"{text} start")
        if text == "slow":
            self.slow_started.set()
            await self.release.wait()
        elif text == "other":
            await self.slow_started.wait()
            if isinstance(self.application.update_processor, ChatOrderedUpdateProcessor):
                self.chats_during_other = self.application.update_processor.chats_in_progress
            self.release.set()
        await update.effective_chat.send_message(f"re: {text}")
        self.events.append(f"{text} end")

    async def run(self, sends: list[tuple[int, str]]) -> None:
        """Feed the sends through the update queue, as polling or the webhook does, until all are answered."""
        async with self.application:
            await self.application.start()
            for user, text in sends:
                await self.application.update_queue.put(message_update(self.application.bot, user, text))
            try:
                await asyncio.wait_for(self.application.update_queue.join(), GUARD_SECONDS)
            except TimeoutError:
                raise AssertionError(f"not all answered in {GUARD_SECONDS} s: did one chat hold up another?") from None
            await self.application.stop()

    def replies(self, chat_id: int) -> list[str]:
        return [c.text for c in self.api.calls if c.method == "sendMessage" and c.params["chat_id"] == chat_id]


def bot_processor(bot_settings) -> BaseUpdateProcessor:
    """The update processor the real bot is built with."""
    engine = make_engine(bot_settings.database_url)
    application = build_app(
        bot_settings, engine, request=LocalBotApi(), token="1000:x", with_updater=False, with_job_queue=False
    )
    engine.dispose()
    return application.update_processor


async def test_a_burst_from_one_rep_is_answered_in_order_while_another_chat_runs(bot_settings):
    burst = Burst(bot_processor(bot_settings))
    await burst.run([(REP_A, "slow"), (REP_A, "fast"), (REP_B, "other")])
    assert burst.replies(REP_A) == ["re: slow", "re: fast"]
    events = burst.events
    assert events.index("fast start") > events.index("slow end")  # the fast one waited its turn
    assert events.index("other start") < events.index("slow end")  # the other chat ran meanwhile
    assert burst.replies(REP_B) == ["re: other"]
    assert burst.chats_during_other == 2
    assert burst.application.update_processor.chats_in_progress == 0  # idle chats are forgotten


async def test_plain_concurrent_updates_answer_a_burst_out_of_order():
    """Why the bot has its own processor: PTB's plain concurrency answers the fast message first."""
    burst = Burst(Application.builder().concurrent_updates(True).token("1:x").build().update_processor)
    await burst.run([(REP_A, "slow"), (REP_A, "fast"), (REP_B, "other")])
    assert burst.replies(REP_A) == ["re: fast", "re: slow"]


async def test_an_update_cancelled_before_its_turn_leaves_nothing_behind():
    processor = ChatOrderedUpdateProcessor(4)
    bot = Application.builder().token("1000:order").request(LocalBotApi()).updater(None).build().bot
    first_running, release = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        first_running.set()
        await release.wait()

    async def never_run() -> None:
        raise AssertionError("a cancelled update ran")

    first = asyncio.create_task(processor.process_update(message_update(bot, REP_A, "a"), slow()))
    await first_running.wait()
    waiting = never_run()
    second = asyncio.create_task(processor.process_update(message_update(bot, REP_A, "b"), waiting))
    await asyncio.sleep(0)  # let it reach the chat's queue
    assert processor.chats_in_progress == 1
    second.cancel()
    release.set()
    outcomes = await asyncio.gather(first, second, return_exceptions=True)
    assert outcomes[0] is None
    assert isinstance(outcomes[1], asyncio.CancelledError)
    assert inspect.getcoroutinestate(waiting) == inspect.CORO_CLOSED
    assert processor.chats_in_progress == 0
