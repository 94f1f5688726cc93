"""/settings: language, daily push time, and pausing pushes until a date — all by buttons."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import TierContext
from bot.i18n import LANGUAGES, language_for, t
from bot.services.people import PersonSettings
from bot.views import callbacks
from bot.views.common import day, keyboard
from handlers.common import acknowledge, answer, replace

LANGUAGE_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}
PUSH_TIMES = ("07:30", "08:00", "08:30", "09:00", "09:30", "10:00")
PAUSE_DAYS = (1, 3, 7, 14)


def _summary(context: TierContext, current: PersonSettings):
    lang = context.lang
    paused = (
        t(lang, "settings.paused_until", date=day(lang, current.paused_until))
        if current.paused_until and current.paused_until >= context.today()
        else t(lang, "settings.active")
    )
    text = t(
        lang,
        "settings.title",
        language=LANGUAGE_NAMES.get(lang, lang),
        push_time=current.push_time or f"{context.settings.pushes.daily_list_time:%H:%M}",
        paused=paused,
    )
    markup = keyboard(
        [
            [
                (t(lang, "btn.language"), callbacks.settings("lang")),
                (t(lang, "btn.push_time"), callbacks.settings("time")),
            ],
            [
                (t(lang, "btn.pause"), callbacks.settings("pause")),
                (t(lang, "btn.resume"), callbacks.settings("resume")),
            ],
        ]
    )
    return text, markup


async def settings(update: Update, context: TierContext) -> None:
    """Show the member's settings with buttons to change them."""
    current = await context.member_services.settings_of_member()
    await answer(update, *_summary(context, current))


async def settings_button(update: Update, context: TierContext) -> None:
    """Handle every settings button: open a choice, or save it and show the settings again."""
    assert update.callback_query is not None
    tap = callbacks.parse_settings(update.callback_query.data)
    lang = context.lang
    back = [(t(lang, "btn.back"), callbacks.settings("menu"))]
    change: dict = {}
    if tap == ("lang", None):
        await acknowledge(update)
        rows = [[(name, callbacks.settings("lang", code))] for code, name in LANGUAGE_NAMES.items()]
        await replace(update, t(lang, "settings.pick_language"), keyboard([*rows, back]))
        return
    if tap == ("time", None):
        await acknowledge(update)
        rows = [
            [(value, callbacks.settings("time", value)) for value in PUSH_TIMES[i : i + 3]]
            for i in range(0, len(PUSH_TIMES), 3)
        ]
        await replace(update, t(lang, "settings.pick_time"), keyboard([*rows, back]))
        return
    if tap == ("pause", None):
        await acknowledge(update)
        rows = [[(t(lang, "btn.pause_days", days=days), callbacks.settings("pause", days)) for days in PAUSE_DAYS]]
        await replace(update, t(lang, "settings.pick_pause"), keyboard([*rows, back]))
        return
    menu, choice = tap or ("", None)
    if menu == "lang" and choice in LANGUAGES:
        change = {"language": choice}
    elif menu == "time" and choice in PUSH_TIMES:
        change = {"push_time": choice}
    elif menu == "pause" and choice in [str(days) for days in PAUSE_DAYS]:
        change = {"paused_until": context.today() + timedelta(days=int(choice) - 1)}
    elif tap == ("resume", None):
        change = {"resume": True}
    elif tap != ("menu", None):
        await acknowledge(update, t(lang, "expired_button"))
        return
    current = await context.member_services.update_settings(**change)
    if "language" in change:
        user = update.effective_user
        context.lang = language_for(
            current.language, user.language_code if user else None, context.settings.team.language
        )
        if context.user_data is not None:
            context.user_data["lang"] = context.lang
    await acknowledge(update, t(context.lang, "settings.saved") if change else None)
    await replace(update, *_summary(context, current))


HANDLERS = [
    CommandHandler("settings", settings),
    CallbackQueryHandler(settings_button, pattern=callbacks.SETTINGS_PATTERN),
]
