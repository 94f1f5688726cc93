"""The composition root: builds the python-telegram-bot Application from the settings, in one visible place."""

from __future__ import annotations

import gc
import logging
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.chat_order import ChatOrderedUpdateProcessor
from bot.config import Settings
from bot.context import BotServices, TierContext
from bot.i18n import t
from bot.logging import quiet_http_logs
from bot.models.people import Role

log = logging.getLogger(__name__)

# Updates processed at once, as PTB's concurrent_updates(True) allows.
MAX_CONCURRENT_UPDATES = 256

# Commands each role sees in Telegram's menu, in this order.
ROLE_COMMANDS = {
    Role.REP: ["today", "tier", "mine", "log", "followups", "undo", "settings", "help"],
    Role.MANAGER: ["today", "team", "tier", "mine", "log", "followups", "invite", "handover", "settings", "help"],
    Role.ADMIN: ["team", "tier", "invite", "handover", "today", "mine", "settings", "help"],
}


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
    from handlers import register_handlers

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
        builder = builder.job_queue(None)
    application = builder.build()
    application.bot_data.settings = settings
    application.bot_data.engine = engine
    register_handlers(application)
    return application


async def _post_init(application: Application) -> None:
    """Publish the default command menu once the bot is connected, and warm up."""
    settings: Settings = application.bot_data.settings
    lang = settings.team.language
    await application.bot.set_my_commands(_commands(lang, Role.REP), scope=BotCommandScopeDefault())
    await warm_up(application)
    from bot.pushes.jobs import schedule_pushes

    # Jobs are not kept by the scheduler across restarts: recreate them, and catch up, from the database.
    await schedule_pushes(application)


async def warm_up(application: Application) -> None:
    """Build the customer search index before the first rep asks, then keep startup objects out of GC."""
    await application.bot_data.customer_index()
    # The index and pypinyin's tables are long-lived; freezing them spares every later collection a
    # ~30 ms walk over them (a latency spike a rep would feel).
    gc.freeze()


async def _post_shutdown(application: Application) -> None:
    engine = application.bot_data.engine
    if engine is not None:
        engine.dispose()


def _commands(lang: str, role: str) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"cmd.{name}")) for name in ROLE_COMMANDS[Role(role)]]


async def set_member_commands(context: TierContext, chat_id: int, role: str) -> None:
    """Give one member the command menu of their role, in their language."""
    await context.bot.set_my_commands(_commands(context.lang, role), scope=BotCommandScopeChat(chat_id))
