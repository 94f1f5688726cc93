"""The test Bot API server answers like Telegram: long polling with offsets, errors, hold, and a separate process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import EndPointNotFound, InvalidToken, TimedOut
from telegram.request import HTTPXRequest

from tests.botapi_server import BotApiServer

ROOT = Path(__file__).resolve().parent.parent


def _message_update(text: str) -> dict:
    return {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 77, "type": "private"},
            "from": {"id": 77, "is_bot": False, "first_name": "王芳"},
            "text": text,
        }
    }


async def test_long_polling_waits_for_an_update_and_an_offset_confirms_it():
    async with BotApiServer() as server, Bot("1:T", base_url=server.base_url) as bot:
        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
        await asyncio.sleep(0.2)
        assert not poll.done()
        first_id = server.add_update(_message_update("/today"))
        updates = await asyncio.wait_for(poll, 5)
        assert [u.message.text for u in updates] == ["/today"] and time.monotonic() - started < 2
        # Unconfirmed updates come again; asking past them confirms them.
        assert [u.update_id for u in await bot.get_updates(timeout=0)] == [first_id]
        assert await bot.get_updates(offset=first_id + 1, timeout=0) == ()
        assert await bot.get_updates(timeout=0) == ()


async def test_unknown_methods_and_wrong_tokens_are_answered_as_telegram_does():
    async with BotApiServer(token="1:RIGHT") as server:
        async with Bot("1:RIGHT", base_url=server.base_url) as bot:
            with pytest.raises(EndPointNotFound):
                await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
        with pytest.raises(InvalidToken):
            await Bot("1:WRONG", base_url=server.base_url).initialize()


async def test_a_held_request_is_delivered_only_once_answered():
    async with BotApiServer(hold=True) as server:
        bot = Bot("1:T", base_url=server.base_url, request=HTTPXRequest(read_timeout=0.3))
        server.configure(hold=False)
        await bot.initialize()
        server.configure(hold=True)
        with pytest.raises(TimedOut):
            await bot.send_message(5, "given up by the client")
        late = asyncio.create_task(bot.send_message(6, "waits for the release", read_timeout=5))
        await asyncio.sleep(0.3)
        assert server.sent(chat_id=6) == [] and server.requests(chat_id=6)[0].outcome == "pending"
        server.configure(hold=False)
        message = await asyncio.wait_for(late, 5)
        await bot.shutdown()
    assert message.text == "waits for the release"
    assert [r.outcome for r in server.requests("sendMessage")] == ["dropped", "delivered"]


def test_the_server_runs_as_a_process_with_control_endpoints():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.botapi_server", "--port", "0", "--rate", "5", "--per-chat", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = json.loads(process.stdout.readline())
        base = f"http://127.0.0.1:{ready['port']}"
        with httpx.Client(base_url=base, timeout=5) as client:
            client.post("/_control/faults", json={"blocked_chats": [3]}).raise_for_status()
            ok = client.post("/bot1:T/sendMessage", data={"chat_id": "2", "text": "早上好"}).json()
            again = client.post("/bot1:T/sendMessage", data={"chat_id": "2", "text": "again"})
            blocked = client.post("/bot1:T/sendMessage", data={"chat_id": "3", "text": "x"})
            sent = client.get("/_control/sent").json()
        assert ok["ok"] and ok["result"]["text"] == "早上好"
        assert again.status_code == 429 and again.json()["parameters"]["retry_after"] == 1
        assert blocked.status_code == 403 and blocked.json()["description"] == "Forbidden: bot was blocked by the user"
        assert [(r["chat_id"], r["text"]) for r in sent] == [(2, "早上好")]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
