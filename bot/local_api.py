"""An in-process Bot API: records every call and answers as Telegram would. Drives the console and the tests.

The bot talks to it through python-telegram-bot's normal request path, so a handler cannot tell it
apart from Telegram; ``calls`` then shows exactly what a user would have seen.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 1000, "is_bot": True, "first_name": "Tierbot", "username": "tierbot_local_bot"}
_SENDS_MESSAGE = {"sendMessage", "sendPhoto", "sendDocument"}
_EDITS_MESSAGE = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
_ANSWERS_TRUE = {
    "answerCallbackQuery",
    "setMyCommands",
    "deleteMyCommands",
    "deleteMessage",
    "setChatMenuButton",
    "deleteWebhook",
    "setWebhook",
    "sendChatAction",
    "close",
    "logOut",
}


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def message_id(self) -> int | None:
        return self.result.get("message_id") if isinstance(self.result, dict) else None

    @property
    def text(self) -> str | None:
        return self.params.get("text") or self.params.get("caption")

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard as rows of (label, callback_data or url)."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            [(b["text"], b.get("callback_data") or b.get("url", "")) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]


@dataclass
class LocalBotApi(BaseRequest):
    """A BaseRequest whose 'server' lives in memory; thread- and task-safe enough for one event loop."""

    calls: list[ApiCall] = field(default_factory=list)
    fail_with: dict[str, tuple[int, dict]] = field(default_factory=dict)
    # Files users "uploaded": file_id -> bytes, served by getFile and the file download URL.
    files: dict[str, bytes] = field(default_factory=dict)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            file_id = url.rsplit("/", 1)[-1]
            return (200, self.files[file_id]) if file_id in self.files else (404, b"Not Found")
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if api_method == "getUpdates":
            return 200, json.dumps({"ok": True, "result": []}).encode()
        call = ApiCall(api_method, params)
        self.calls.append(call)
        if api_method in self.fail_with:
            status, body = self.fail_with[api_method]
            return status, json.dumps(body).encode()
        try:
            call.result = self._result(api_method, params)
        except LookupError:
            return 400, json.dumps(
                {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            ).encode()
        return 200, json.dumps({"ok": True, "result": call.result}).encode()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                **BOT_USER,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in _SENDS_MESSAGE or method in _EDITS_MESSAGE:
            message_id = params.get("message_id") or next(self._message_ids)
            message: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "from": BOT_USER,
            }
            if "text" in params:
                message["text"] = params["text"]
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            if method == "sendPhoto":
                message["photo"] = [
                    {"file_id": f"photo{message_id}", "file_unique_id": f"p{message_id}", "width": 800, "height": 600}
                ]
                message["caption"] = params.get("caption")
            return message
        if method in _ANSWERS_TRUE:
            return True
        if method == "getFile":
            file_id = str(params.get("file_id"))
            if file_id not in self.files:
                raise LookupError(file_id)
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": file_id,
            }
        if method == "getMyCommands":
            return []
        raise NotImplementedError(f"LocalBotApi does not know {method}")

    # Helpers for readers of the record.
    def sent(self) -> list[ApiCall]:
        """Calls that showed the user something (messages, edits, photos, documents, alerts)."""
        return [
            c
            for c in self.calls
            if c.method in _SENDS_MESSAGE | _EDITS_MESSAGE
            or (c.method == "answerCallbackQuery" and c.params.get("text"))
        ]

    def clear(self) -> None:
        self.calls.clear()


# Seeded from the clock so a restarted console never reuses the ids (and dedup keys) of an earlier run.
_update_ids = itertools.count(int(time.time() * 1000) % 10**12)


def _user(user_id: int, language_code: str | None, first_name: str = "User") -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    return user


def message_update(
    bot,
    user_id: int,
    text: str,
    *,
    language_code: str | None = "zh-hans",
    update_id: int | None = None,
    message_id: int | None = None,
) -> Update:
    """An Update carrying a private text message, with the bot_command entity Telegram would add.

    A redelivered update (the same update_id) carries the same message, as Telegram's does."""
    update_id = update_id or next(_update_ids)
    message: dict[str, Any] = {
        "message_id": message_id or 100_000 + update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": _user(user_id, language_code),
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0] if text.split() else text
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return Update.de_json({"update_id": update_id, "message": message}, bot)


def callback_update(
    bot,
    user_id: int,
    data: str,
    *,
    message_id: int = 1,
    message_text: str = "…",
    language_code: str | None = "zh-hans",
    update_id: int | None = None,
) -> Update:
    """An Update for a tap on an inline button under one of the bot's messages."""
    uid = update_id or next(_update_ids)
    return Update.de_json(
        {
            "update_id": uid,
            "callback_query": {
                "id": f"cq{uid}",
                "from": _user(user_id, language_code),
                "chat_instance": str(user_id),
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private"},
                    "from": BOT_USER,
                    "text": message_text,
                },
            },
        },
        bot,
    )


def document_update(
    bot,
    user_id: int,
    file_id: str,
    file_name: str,
    *,
    caption: str | None = None,
    language_code: str | None = "zh-hans",
    update_id: int | None = None,
) -> Update:
    """An Update carrying a file the user sent (the bytes must be in LocalBotApi.files under file_id)."""
    message: dict[str, Any] = {
        "message_id": 100_000 + next(_update_ids) % 1_000_000,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": _user(user_id, language_code),
        "document": {"file_id": file_id, "file_unique_id": file_id, "file_name": file_name},
    }
    if caption:
        message["caption"] = caption
    return Update.de_json({"update_id": update_id or next(_update_ids), "message": message}, bot)
