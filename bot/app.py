"""The composition root: builds the python-telegram-bot Application from the settings, in one visible place."""

from __future__ import annotations

import asyncio
import gc
import logging
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.changes import share_tracker
from bot.chat_order import ChatOrderedUpdateProcessor
from bot.config import Settings
from bot.context import BotServices, TierContext
from bot.db import member_engines
from bot.logging import quiet_http_logs
from handlers import register_handlers
from handlers.menus import set_default_commands

log = logging.getLogger(__name__)
WORKER_THREADS = 32

# Updates processed at once, as PTB's concurrent_updates(True) allows.
MAX_CONCURRENT_UPDATES = 256


def build_app(
    settings: Settings,
    engine: Engine,
    *,
    request: BaseRequest | None = None,
    token: str | None = None,
    with_updater: bool = True,
    with_job_queue: bool = True,
) -> Application:
    """Build the Application: Bot API address, defaults, services, and every handler in order."""
    quiet_http_logs()
    builder = (
        Application.builder()
        .token(token or settings.telegram_token)
        .base_url(settings.telegram.api_base_url)
        .base_file_url(settings.telegram.file_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=ZoneInfo(settings.team.timezone)))
        .context_types(ContextTypes(context=TierContext, bot_data=BotServices))
        # Different chats run concurrently; one chat's updates run one after another, in the order sent.
        .concurrent_updates(ChatOrderedUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if not with_updater:
        builder = builder.updater(None)
    if not with_job_queue:
        # PTB documents None as 'no job queue'; its annotation leaves None out.
        builder = builder.job_queue(None)  # type: ignore[arg-type]
    application = builder.build()
    application.bot_data.settings = settings
    application.bot_data.engine = engine
    writes, reads = member_engines(engine)
    for member_engine in {writes, reads} - {engine}:
        share_tracker(member_engine, with_engine=engine)
    application.bot_data.member_writes, application.bot_data.reads = writes, reads
    register_handlers(application)
    return application


async def _post_init(application: Application) -> None:
    """Publish the default command menu once the bot is connected, and warm up."""
    # Handlers run their queries in the default executor's threads. A member's write waiting (a second at
    # most) for SQLite's lock holds a thread; with the default's six on two cores reads would queue behind.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="tierbot")
    )
    settings: Settings = application.bot_data.settings
    lang = settings.team.language
    await set_default_commands(application.bot, lang)
    await warm_up(application)
    from bot.pushes.jobs import schedule_pushes

    # Jobs are not kept by the scheduler across restarts: recreate them, and catch up, from the database.
    await schedule_pushes(application)


async def warm_up(application: Application) -> None:
    """Load the customer names for search before the first rep asks, then keep startup objects out of GC.

    Only the names: each name's search keys are made by the first search that looks at it (bot.search),
    so the bot answers within seconds of start even with hundreds of thousands of customers."""
    await application.bot_data.customer_index()
    # The index and pypinyin's tables are long-lived; freezing them spares every later collection a
    # ~30 ms walk over them (a latency spike a rep would feel).
    gc.freeze()


async def _post_shutdown(application: Application) -> None:
    services: BotServices = application.bot_data
    for engine in {e for e in (services.engine, services.member_writes, services.reads) if e is not None}:
        engine.dispose()
