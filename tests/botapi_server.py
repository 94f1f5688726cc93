"""A Bot API server on 127.0.0.1 for tests and benches: answers like Telegram, records every request, injects faults.

In-process: ``async with BotApiServer(rate_limit=30) as server`` (or ``start_in_thread()`` from sync code),
then point a Bot at ``server.base_url``. As a process: ``python -m tests.botapi_server --port 0 --rate 30
--per-chat 1`` prints one JSON line ``{"port": ..., "base_url": ...}`` and serves until SIGTERM.

Control endpoints (JSON): ``GET /_control/requests`` (every request), ``GET /_control/sent`` (only
delivered messages; both take ``?method=`` and ``?chat_id=``), ``GET /_control/stats``,
``POST /_control/updates`` (an update or a list of them, for getUpdates), ``POST /_control/faults``
(any field of ``Faults``), ``POST /_control/reset``.

A message counts as delivered only when it was answered 200. Faults: a global and a per-chat rate
limit answered with 429 and ``parameters.retry_after`` (and 429 again to anyone who does not wait),
403 for blocked chats, 400 above ``max_text_length`` UTF-16 units of parsed text (Telegram's rule),
timeouts (the request is held unanswered until the client gives up), and ``hold`` (answer nothing
until released). Every wait and loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import signal
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.botapi_wire import HttpRequest, parse_params, plain_text, read_request, response_bytes, telegram_length

BOT_USER = {"id": 1000, "is_bot": True, "first_name": "Tierbot", "username": "tierbot_test_bot"}
SENDS_MESSAGE = frozenset({"sendmessage", "sendphoto", "senddocument"})
EDITS_MESSAGE = frozenset({"editmessagetext", "editmessagereplymarkup", "editmessagecaption"})
ANSWERS_TRUE = frozenset(
    {
        "answercallbackquery",
        "setmycommands",
        "deletemycommands",
        "deletemessage",
        "setchatmenubutton",
        "deletewebhook",
        "setwebhook",
        "sendchataction",
        "close",
        "logout",
    }
)
_MAX_REQUESTS_PER_CONNECTION = 1_000_000
_IDLE_SECONDS = 120.0


@dataclass
class Faults:
    """What the server does wrong on purpose; change with configure() or POST /_control/faults."""

    rate_limit: float | None = None  # messages per second for the whole bot
    per_chat_limit: float | None = None  # messages per second in one chat
    retry_after: int = 1  # seconds, as Telegram sends them
    enforce_retry_after: bool = True  # a request during the wait gets 429 again
    blocked_chats: set[int] = field(default_factory=set)
    timeout_chats: dict[int, int] = field(default_factory=dict)  # chat -> timeouts left (-1: always)
    timeout_next: int = 0  # the next N message requests, whatever the chat
    hold_seconds: float = 30.0  # how long a timed-out request is held if the client does not hang up
    max_text_length: int = 4096
    max_caption_length: int = 1024
    hold: bool = False  # answer nothing until released
    max_hold_seconds: float = 120.0


@dataclass
class Request:
    seq: int
    method: str
    chat_id: int | None
    params: dict[str, Any]
    arrived: float
    status: int | None = None
    outcome: str = "pending"
    answered: float | None = None
    message_id: int | None = None

    @property
    def text(self) -> str | None:
        return self.params.get("text") or self.params.get("caption")

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"


class _Window:
    """At most ``count`` events in any ``seconds``-long window."""

    def __init__(self, per_second: float) -> None:
        self.count = max(1, int(per_second))
        self.seconds = self.count / per_second
        self.times: deque[float] = deque()

    def full(self, now: float) -> bool:
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        return len(self.times) >= self.count


class _Answer(Exception):
    def __init__(self, status: int, description: str, outcome: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.outcome, self.parameters = status, description, outcome, parameters


class _NoAnswer(Exception):
    """Close the connection without answering (a timeout, a held request whose client left)."""


class BotApiServer:
    def __init__(
        self,
        *,
        token: str | None = None,
        port: int = 0,
        max_poll_timeout: float = 50.0,
        **faults: Any,
    ) -> None:
        self.token = token
        self.port = port
        self.max_poll_timeout = max_poll_timeout
        self.faults = Faults()
        self.records: list[Request] = []
        self._started = time.monotonic()
        self._seq = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._updates: list[dict] = []
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._update_event = asyncio.Event()
        self._released: asyncio.Event | None = None
        self._global: _Window | None = None
        self._chats: dict[int, _Window] = {}
        self._penalty_until = 0.0
        self._chat_penalty: dict[int, float] = {}
        self._pending_faults = faults
        self._writers: set[asyncio.StreamWriter] = set()

    # --- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> BotApiServer:
        self._loop = asyncio.get_running_loop()
        self._update_event = asyncio.Event()
        self._released = asyncio.Event()
        self._released.set()
        self._apply_faults(self._pending_faults)
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", self.port, limit=256 * 1024)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            if self._released is not None:
                self._released.set()
            # Idle keep-alive connections would keep wait_closed() waiting (Python 3.12+).
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    async def __aenter__(self) -> BotApiServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def start_in_thread(self, timeout: float = 10.0) -> BotApiServer:
        """Serve from a daemon thread with its own event loop (for sync code and subprocess tests)."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            # Connection handlers still waiting (long polls, held requests) end here, not at garbage collection.
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="botapi-server", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("the Bot API server did not start")
        return self

    def stop_thread(self, timeout: float = 10.0) -> None:
        if self._thread and self._loop:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            self._thread = None

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)`` and the config's ``api_base_url``."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- test API --------------------------------------------------------------------------------
    def configure(self, **changes: Any) -> None:
        self._in_loop(lambda: self._apply_faults(changes))

    def add_update(self, update: dict) -> int:
        return self._in_loop(lambda: self._add_update(update))

    def requests(self, method: str | None = None, chat_id: int | None = None) -> list[Request]:
        wanted = method.lower() if method else None
        return [
            r
            for r in list(self.records)
            if (wanted is None or r.method.lower() == wanted) and (chat_id is None or r.chat_id == chat_id)
        ]

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Request]:
        """Delivered messages (answered 200), in order of arrival."""
        return [r for r in self.requests(method, chat_id) if r.delivered]

    def stats(self) -> dict[str, Any]:
        outcomes: dict[str, int] = {}
        for record in list(self.records):
            outcomes[record.outcome] = outcomes.get(record.outcome, 0) + 1
        return {"requests": len(self.records), "outcomes": outcomes}

    def reset(self) -> None:
        def clear() -> None:
            self.records.clear()
            self.faults = Faults()
            self._apply_faults({})

        self._in_loop(clear)

    def _in_loop(self, fn: Callable[[], Any]) -> Any:
        if self._thread is None or self._loop is None or threading.current_thread() is self._thread:
            return fn()

        async def call() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(10)

    def _apply_faults(self, changes: dict[str, Any]) -> None:
        names = {f.name for f in fields(Faults)}
        unknown = set(changes) - names - {"reset"}
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        if changes.get("reset"):
            self.faults = Faults()
        for name, value in changes.items():
            if name == "blocked_chats":
                value = {int(v) for v in value}
            elif name == "timeout_chats":
                value = {int(k): int(v) for k, v in dict(value).items()}
            if name != "reset":
                setattr(self.faults, name, value)
        self._global = _Window(self.faults.rate_limit) if self.faults.rate_limit else None
        self._chats.clear()
        if self._released is not None:
            (self._released.clear if self.faults.hold else self._released.set)()

    def _add_update(self, update: dict) -> int:
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        # Wake every long poll: set the current event and give later polls a fresh one.
        self._update_event.set()
        self._update_event = asyncio.Event()
        return int(update["update_id"])

    # --- HTTP ------------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            for _ in range(_MAX_REQUESTS_PER_CONNECTION):
                request = await read_request(reader, idle_seconds=_IDLE_SECONDS)
                if request is None:
                    break
                try:
                    status, body = await self._route(request, reader)
                except _NoAnswer:
                    break
                except (ValueError, TypeError, KeyError) as exc:
                    status, body = 400, _error(400, f"Bad Request: {exc}")
                writer.write(response_bytes(status, body, keep_alive=request.keep_alive))
                await writer.drain()
                if not request.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            # A broken or malformed connection ends; the client sees a network error, as with Telegram.
            pass
        except asyncio.CancelledError:
            # The server is shutting down (stop_thread): end quietly, the client sees the connection close.
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(writer.wait_closed(), 2)

    async def _route(self, request: HttpRequest, reader: asyncio.StreamReader) -> tuple[int, Any]:
        path = urlsplit(request.target).path
        if path.startswith("/_control/"):
            return self._control(request, path.removeprefix("/_control/"))
        parts = path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return 404, _error(404, "Not Found")
        token, method = parts[1][3:], parts[2]
        if self.token is not None and token != self.token:
            return 401, _error(401, "Unauthorized")
        params = parse_params(request)
        chat = params.get("chat_id")
        record = Request(
            seq=next(self._seq),
            method=method,
            chat_id=int(chat) if isinstance(chat, int | str) and str(chat).lstrip("-").isdigit() else None,
            params=params,
            arrived=self._now(),
        )
        self.records.append(record)
        try:
            await self._wait_while_held(record, reader)
            result = await self._answer(method.lower(), params, record, reader)
        except _Answer as answer:
            return self._finish(record, answer.status, answer.outcome), _error(
                answer.status, answer.description, answer.parameters
            )
        self._finish(record, 200, "delivered" if method.lower() in SENDS_MESSAGE | EDITS_MESSAGE else "answered")
        return 200, {"ok": True, "result": result}

    def _finish(self, record: Request, status: int, outcome: str) -> int:
        record.status, record.outcome, record.answered = status, outcome, self._now()
        return status

    def _now(self) -> float:
        return time.monotonic() - self._started

    async def _wait_while_held(self, record: Request, reader: asyncio.StreamReader) -> None:
        assert self._released is not None
        if self._released.is_set():
            return
        left = await _first_of(self._released.wait(), reader, self.faults.max_hold_seconds)
        if left:
            record.outcome = "dropped"
            raise _NoAnswer

    # --- the Bot API -----------------------------------------------------------------------------
    async def _answer(self, method: str, params: dict, record: Request, reader: asyncio.StreamReader) -> Any:
        if method == "getme":
            return {
                **BOT_USER,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "getupdates":
            return await self._get_updates(params)
        if method in SENDS_MESSAGE:
            await self._message_faults(method, params, record, reader)
            return self._message(method, params, record)
        if method in EDITS_MESSAGE:
            return self._message(method, params, record)
        if method in ANSWERS_TRUE:
            return True
        if method == "getmycommands":
            return []
        if method == "getwebhookinfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        raise _Answer(404, "Not Found: method not found", "unknown_method")

    async def _message_faults(self, method: str, params: dict, record: Request, reader: asyncio.StreamReader) -> None:
        faults, chat = self.faults, record.chat_id
        if chat is None:
            raise _Answer(400, "Bad Request: chat_id is empty", "bad_request")
        left = faults.timeout_chats.get(chat, 0)
        if left or faults.timeout_next > 0:
            if left:
                faults.timeout_chats[chat] = left - 1 if left > 0 else left
            else:
                faults.timeout_next -= 1
            record.outcome = "timed_out"
            await _first_of(asyncio.sleep(faults.hold_seconds), reader, faults.hold_seconds)
            raise _NoAnswer
        self._check_flood(chat)
        if chat in faults.blocked_chats:
            raise _Answer(403, "Forbidden: bot was blocked by the user", "blocked")
        if method == "sendmessage":
            text = params.get("text") or ""
            if not text.strip():
                raise _Answer(400, "Bad Request: message text is empty", "bad_request")
            limit, what = faults.max_text_length, "message is too long"
        else:
            text, limit, what = params.get("caption") or "", faults.max_caption_length, "message caption is too long"
        try:
            shown = plain_text(text, params.get("parse_mode"))
        except ValueError as exc:
            raise _Answer(400, f"Bad Request: can't parse entities: {exc}", "bad_request") from None
        if telegram_length(shown) > limit:
            raise _Answer(400, f"Bad Request: {what}", "too_long")
        self._accept(chat)

    def _check_flood(self, chat: int) -> None:
        now, faults = time.monotonic(), self.faults
        wait = max(self._penalty_until, self._chat_penalty.get(chat, 0.0)) - now
        if faults.enforce_retry_after and wait > 0:
            raise self._too_many(math.ceil(wait))
        if self._global is not None and self._global.full(now):
            self._penalty_until = now + faults.retry_after
            raise self._too_many(faults.retry_after)
        window = self._chat_window(chat)
        if window is not None and window.full(now):
            self._chat_penalty[chat] = now + faults.retry_after
            raise self._too_many(faults.retry_after)

    def _chat_window(self, chat: int) -> _Window | None:
        if not self.faults.per_chat_limit:
            return None
        if chat not in self._chats:
            self._chats[chat] = _Window(self.faults.per_chat_limit)
        return self._chats[chat]

    def _accept(self, chat: int) -> None:
        now = time.monotonic()
        if self._global is not None:
            self._global.times.append(now)
        window = self._chat_window(chat)
        if window is not None:
            window.times.append(now)

    @staticmethod
    def _too_many(seconds: int) -> _Answer:
        return _Answer(
            429, f"Too Many Requests: retry after {seconds}", "rate_limited", {"retry_after": max(1, seconds)}
        )

    def _message(self, method: str, params: dict, record: Request) -> dict:
        message_id = int(params.get("message_id") or next(self._message_ids))
        record.message_id = message_id
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": record.chat_id or 0, "type": "private"},
            "from": BOT_USER,
        }
        for key in ("text", "caption"):
            if key in params:
                # Telegram answers with the parsed text; entities are left out here.
                with contextlib.suppress(ValueError):
                    message[key] = plain_text(params[key], params.get("parse_mode"))
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        if method == "sendphoto":
            message["photo"] = [
                {"file_id": f"photo{message_id}", "file_unique_id": f"p{message_id}", "width": 800, "height": 600}
            ]
        return message

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = min(100, max(1, int(params.get("limit") or 100)))
        timeout = min(self.max_poll_timeout, max(0.0, float(params.get("timeout") or 0)))
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:
            # Asking from an offset confirms every update before it, as on Telegram.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while not self._updates and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), deadline - time.monotonic())
        return self._updates[:limit]

    # --- control endpoints -----------------------------------------------------------------------
    def _control(self, request: HttpRequest, action: str) -> tuple[int, Any]:
        query = dict(parse_qsl(urlsplit(request.target).query))
        method = query.get("method")
        chat = int(query["chat_id"]) if "chat_id" in query else None
        if request.method == "GET" and action in ("requests", "sent"):
            chosen = self.sent(method, chat) if action == "sent" else self.requests(method, chat)
            return 200, [_record_json(r) for r in chosen]
        if request.method == "GET" and action == "stats":
            return 200, self.stats()
        if request.method == "GET" and action == "health":
            return 200, {"ok": True}
        body = json.loads(request.body or b"{}")
        if request.method == "POST" and action == "updates":
            ids = [self._add_update(u) for u in (body if isinstance(body, list) else [body])]
            return 200, {"ok": True, "update_ids": ids}
        if request.method == "POST" and action == "faults":
            try:
                self._apply_faults(body)
            except (ValueError, TypeError) as exc:
                return 400, {"ok": False, "description": str(exc)}
            current = asdict(self.faults)
            current["blocked_chats"] = sorted(current["blocked_chats"])
            return 200, {"ok": True, "faults": current}
        if request.method == "POST" and action == "reset":
            self.reset()
            return 200, {"ok": True}
        return 404, _error(404, "Not Found: no such control endpoint")


def _error(code: int, description: str, parameters: dict | None = None) -> dict:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def _record_json(record: Request) -> dict:
    return {
        "seq": record.seq,
        "method": record.method,
        "chat_id": record.chat_id,
        "text": record.text,
        "status": record.status,
        "outcome": record.outcome,
        "arrived": round(record.arrived, 6),
        "answered": None if record.answered is None else round(record.answered, 6),
        "message_id": record.message_id,
    }


async def _first_of(waiting: Awaitable[Any], reader: asyncio.StreamReader, limit: float) -> bool:
    """Wait for ``waiting``, the client hanging up, or ``limit`` seconds; True when the client left."""
    wait_task = asyncio.ensure_future(waiting)
    hangup = asyncio.ensure_future(reader.read(1))
    try:
        done, _ = await asyncio.wait({wait_task, hangup}, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (wait_task, hangup):
            task.cancel()
    return hangup in done


async def _serve_forever(args: argparse.Namespace) -> None:
    faults: dict[str, Any] = {"retry_after": args.retry_after, "max_text_length": args.max_text_length}
    if args.rate:
        faults["rate_limit"] = args.rate
    if args.per_chat:
        faults["per_chat_limit"] = args.per_chat
    server = await BotApiServer(token=args.token, port=args.port, **faults).start()
    print(json.dumps({"port": server.port, "base_url": server.base_url}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.max_seconds)
    await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="A Bot API server on 127.0.0.1 for tests and benches.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on stdout)")
    parser.add_argument("--token", default=None, help="accept only this token (default: any)")
    parser.add_argument("--rate", type=float, default=None, help="messages per second for the whole bot")
    parser.add_argument("--per-chat", type=float, default=None, help="messages per second in one chat")
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--max-text-length", type=int, default=4096)
    parser.add_argument("--max-seconds", type=float, default=6 * 3600, help="stop after this long at the latest")
    asyncio.run(_serve_forever(parser.parse_args()))


if __name__ == "__main__":
    main()
