"""`tierbot console`: the same bot in a terminal, no token or network; buttons become numbered choices.

It reads lines from the terminal, or from standard input when that is a pipe, so it can be scripted:
``printf '/today\\n1\\n' | tierbot console --as R001``.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from typing import TextIO

from sqlalchemy.engine import Engine

from bot.app import build_app
from bot.config import Settings
from bot.local_api import LocalBotApi, callback_update, message_update
from bot.services.invites import Member

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


async def run_console(settings: Settings, engine: Engine, member: Member, stream: TextIO, output: TextIO) -> None:
    interactive = stream.isatty()
    async with ConsoleSession(settings, engine, member, output) as session:
        output.write(
            f"Tierbot console — signed in as {member.name} ({member.role}). "
            "Type /help; a number presses a button; Ctrl-D quits.\n"
        )
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
    output.write("\n")


def console_main(settings: Settings, engine: Engine, member: Member) -> None:
    asyncio.run(run_console(settings, engine, member, sys.stdin, sys.stdout))
