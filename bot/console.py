"""`tierbot console`: the same bot in a terminal, no token or network; buttons become numbered choices.

It reads lines from the terminal, or from standard input when that is a pipe, so it can be scripted:
``printf '/today\\n1\\n' | tierbot console --as R001``.

With a start moment (`tierbot console --as M001 --date 2026-12-07 [--time 09:00]`) the console runs on a
simulated clock (bot.clock.simulated_clock) and delivers the person's scheduled pushes as they fall due
on it, by the sweeps' own rules and composers (bot.pushes.due): at start, after every line, and after
``:clock HH:MM`` or ``:clock YYYY-MM-DD HH:MM`` moves the clock on. Each push is shown once per period in
a session; the push log is not touched, so a simulated day never keeps a real push from going out.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from telegram import InputFile
from telegram.constants import ParseMode

from bot import clock
from bot.app import build_app
from bot.config import Settings
from bot.i18n import plain
from bot.local_api import LocalBotApi, callback_update, message_update
from bot.pushes import compose
from bot.pushes.due import due_pushes
from bot.pushes.sender import Photo, Push
from bot.services.invites import Member
from bot.views.common import day

# Console users get Telegram-like ids far above real ones, so they never collide with a linked account.
CONSOLE_USER_BASE = 9_000_000_000_000


def html_to_text(text: str) -> str:
    """Telegram HTML to terminal text: tags dropped, entities unescaped."""
    return html.unescape(re.sub(r"</?(b|i|u|s|code|pre|a)( [^>]*)?>", "", text))


class ConsoleSession:
    """One person's conversation with the bot, printed to `output`."""

    def __init__(self, settings: Settings, engine: Engine, member: Member, output: TextIO):
        self.api = LocalBotApi()
        self.application = build_app(
            settings,
            engine,
            request=self.api,
            token="1000:console-local-token",
            with_updater=False,
            with_job_queue=False,
        )
        self.user_id = CONSOLE_USER_BASE + member.person_id
        self.application.bot_data.console_members[self.user_id] = member.person_id
        self.language_code = {"en": "en", "zh-Hant": "zh-hant"}.get(
            member.language or settings.team.language, "zh-hans"
        )
        self.output = output
        self.choices: list[tuple[str, str, int]] = []
        self.settings, self.engine, self.member = settings, engine, member
        self.pushed: set[tuple[str, str]] = set()  # (kind, period) already shown in this session

    async def __aenter__(self) -> ConsoleSession:
        await self.application.initialize()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.application.shutdown()

    async def send(self, line: str) -> None:
        """Feed one typed line to the bot: a number presses a button of the latest keyboard."""
        line = line.strip()
        if not line:
            return
        if line.startswith(":clock"):
            self.move_clock(line.removeprefix(":clock").strip())
            return
        bot = self.application.bot
        if line.isdigit() and self.choices and 1 <= int(line) <= len(self.choices):
            label, data, message_id = self.choices[int(line) - 1]
            self.output.write(f"  (pressed: {label})\n")
            update = callback_update(bot, self.user_id, data, message_id=message_id, language_code=self.language_code)
        else:
            update = message_update(bot, self.user_id, line, language_code=self.language_code)
        before = len(self.api.calls)
        await self.application.process_update(update)
        self._print(self.api.calls[before:])

    @property
    def tz(self) -> str:
        return self.member.timezone or self.settings.team.timezone

    @property
    def lang(self) -> str:
        return self.member.language or self.settings.team.language

    def move_clock(self, words: str) -> None:
        """`HH:MM` (the same day) or `YYYY-MM-DD HH:MM`: move the simulated clock on to that local time."""
        now = clock.utc_now().astimezone(ZoneInfo(self.tz))
        try:
            parts = words.split()
            on = datetime.fromisoformat(parts[0]).date() if len(parts) == 2 else now.date()
            at = datetime.strptime(parts[-1], "%H:%M").time()
            moment = datetime.combine(on, at, ZoneInfo(self.tz))
        except (ValueError, IndexError):
            moment = None
        if moment is None or moment <= now:
            self.output.write(plain(self.lang, "console.bad_clock", moment=f"{now:%Y-%m-%d %H:%M}") + "\n")
            return
        clock.move_clock(moment)
        self.say_clock()

    def say_clock(self) -> None:
        now = clock.utc_now().astimezone(ZoneInfo(self.tz))
        moment = f"{day(self.lang, now.date())} {now:%H:%M}"
        self.output.write(plain(self.lang, "console.clock", moment=moment, tz=self.tz) + "\n")

    async def deliver_due_pushes(self) -> None:
        """Send this person every scheduled push due now on the (simulated) clock, once per period."""
        who = compose.recipient_of(engine=self.engine, settings=self.settings, person_id=self.member.person_id)
        if who is None:
            return
        now = clock.utc_now()
        pushes = await asyncio.to_thread(due_pushes, engine=self.engine, settings=self.settings, who=who, now=now)
        for push in pushes:
            if (push.kind, push.period) in self.pushed:
                continue
            self.pushed.add((push.kind, push.period))
            kind = {"daily_list": "daily", "follow_up_nudge": "nudge", "weekly_digest": "digest"}[push.kind]
            local = now.astimezone(ZoneInfo(self.tz))
            self.output.write(
                "\n"
                + plain(
                    self.lang, "console.pushed", time=f"{local:%H:%M}", kind=plain(self.lang, f"preview.kind.{kind}")
                )
            )
            await self._deliver(push)

    async def _deliver(self, push: Push) -> None:
        """The push's parts through the local Bot API, as the sweep's delivery sends them; printed like replies."""
        bot = self.application.bot
        before = len(self.api.calls)
        for part in push.parts:
            if isinstance(part, Photo):
                path = Path(tempfile.gettempdir()) / f"tierbot-digest-{self.member.external_id}-{push.period}.png"
                path.write_bytes(part.data)
                await bot.send_photo(self.user_id, InputFile(part.data, filename=part.filename), caption=part.caption)
                self.output.write("\n" + plain(self.lang, "preview.chart", path=path))
                continue
            text, markup = part
            await bot.send_message(self.user_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
        self._print(self.api.calls[before:])

    def _print(self, calls) -> None:
        for call in calls:
            if call.method == "answerCallbackQuery":
                if call.params.get("text"):
                    self.output.write(f"  [{call.params['text']}]\n")
                continue
            if call.text is None:
                continue
            self.output.write("\n" + html_to_text(call.text) + "\n")
            buttons = call.buttons
            if buttons:
                message_id = call.message_id or 0
                self.choices = []
                for row in buttons:
                    cells = []
                    for label, data in row:
                        self.choices.append((label, data, message_id))
                        cells.append(f"[{len(self.choices)}] {label}")
                    self.output.write("  " + "   ".join(cells) + "\n")
        self.output.flush()


async def run_console(
    settings: Settings,
    engine: Engine,
    member: Member,
    stream: TextIO,
    output: TextIO,
    start: datetime | None = None,
) -> None:
    """Talk to the bot line by line; with `start`, on a simulated clock that delivers the scheduled pushes."""
    with clock.simulated_clock(start) if start is not None else nullcontext():
        await _converse(settings, engine, member, stream, output, simulated=start is not None)


async def _converse(
    settings: Settings, engine: Engine, member: Member, stream: TextIO, output: TextIO, *, simulated: bool
) -> None:
    interactive = stream.isatty()
    async with ConsoleSession(settings, engine, member, output) as session:
        output.write(
            f"Tierbot console — signed in as {member.name} ({member.role}). "
            "Type /help; a number presses a button; Ctrl-D quits.\n"
        )
        if simulated:
            session.say_clock()
            await session.deliver_due_pushes()
        while True:
            if interactive:
                output.write("> ")
                output.flush()
            line = await asyncio.to_thread(stream.readline)
            if not line:
                break
            if not interactive:
                output.write(f"> {line.rstrip()}\n")
            await session.send(line)
            if simulated:
                await session.deliver_due_pushes()
    output.write("\n")


def console_main(settings: Settings, engine: Engine, member: Member, start: datetime | None = None) -> None:
    asyncio.run(run_console(settings, engine, member, sys.stdin, sys.stdout, start))
