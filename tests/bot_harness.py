"""Drive the real Application through process_update and read back exactly what each user was sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application

from bot.app import build_app
from bot.config import Settings
from bot.local_api import ApiCall, LocalBotApi, callback_update, document_update, message_update


@dataclass
class Reply:
    """What one update made the bot show: texts (in order), and the keyboard of the last message."""

    calls: list[ApiCall]

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.calls if c.text and c.method != "answerCallbackQuery"]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        with_buttons = [c for c in self.calls if c.buttons]
        return with_buttons[-1].buttons if with_buttons else []

    @property
    def button_data(self) -> list[str]:
        return [data for row in self.buttons for _, data in row]

    @property
    def toasts(self) -> list[str]:
        return [c.params["text"] for c in self.calls if c.method == "answerCallbackQuery" and c.params.get("text")]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]


@dataclass
class BotHarness:
    settings: Settings
    engine: Engine
    api: LocalBotApi = field(default_factory=LocalBotApi)
    errors: list[BaseException] = field(default_factory=list)
    application: Application | None = None
    team: Any = None

    async def __aenter__(self) -> BotHarness:
        self.application = build_app(
            self.settings,
            self.engine,
            request=self.api,
            token="1000:test-secret-token",
            with_updater=False,
            with_job_queue=False,
        )

        async def collect(update, context) -> None:
            self.errors.append(context.error)

        self.application.add_error_handler(collect)
        await self.application.initialize()
        return self

    async def __aexit__(self, *exc_info) -> None:
        assert self.application is not None
        await self.application.shutdown()

    async def _process(self, update) -> Reply:
        assert self.application is not None
        before = len(self.api.calls)
        await self.application.process_update(update)
        return Reply(self.api.calls[before:])

    async def send(
        self,
        user_id: int,
        text: str,
        *,
        lang: str | None = "zh-hans",
        update_id: int | None = None,
        message_id: int | None = None,
    ) -> Reply:
        assert self.application is not None
        return await self._process(
            message_update(
                self.application.bot, user_id, text, language_code=lang, update_id=update_id, message_id=message_id
            )
        )

    async def edit(
        self, user_id: int, message_id: int, text: str, *, lang: str | None = "zh-hans", update_id: int | None = None
    ) -> Reply:
        """The user edits their earlier message `message_id` to read `text` (an edited_message update)."""
        assert self.application is not None
        update = message_update(
            self.application.bot, user_id, text, language_code=lang, update_id=update_id, message_id=message_id
        ).to_dict()
        message = update.pop("message")
        message["edit_date"] = message["date"] + 60
        return await self._process(Update.de_json({**update, "edited_message": message}, self.application.bot))

    async def tap(
        self, user_id: int, data: str, *, lang: str | None = "zh-hans", update_id: int | None = None
    ) -> Reply:
        assert self.application is not None
        return await self._process(
            callback_update(self.application.bot, user_id, data, language_code=lang, update_id=update_id)
        )

    async def upload(
        self, user_id: int, file_name: str, data: bytes, *, caption: str | None = None, lang: str | None = "zh-hans"
    ) -> Reply:
        """The user sends a file (its bytes are served by the in-process Bot API's getFile)."""
        assert self.application is not None
        file_id = f"file{len(self.api.files) + 1}"
        self.api.files[file_id] = data
        return await self._process(document_update(self.application.bot, user_id, file_id, file_name,
                                                   caption=caption, language_code=lang))  # fmt: skip
