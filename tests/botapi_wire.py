"""HTTP/1.1 on asyncio streams for the test Bot API server: read a request, decode its parameters, write a reply.

Only what Bot API clients send: Content-Length or chunked bodies, form-urlencoded, JSON or multipart
parameters, keep-alive. Sizes are bounded; anything malformed raises ValueError and closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MAX_BODY = 50 * 1024 * 1024
_MAX_HEADERS = 100
_MAX_CHUNKS = 100_000
# Tags Telegram's HTML parse mode understands; anything else is "Unsupported start tag".
_TELEGRAM_TAGS = frozenset(
    ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
     "blockquote", "tg-emoji")
)  # fmt: skip


@dataclass
class HttpRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


async def read_request(reader: asyncio.StreamReader, *, idle_seconds: float) -> HttpRequest | None:
    """The next request on a connection, or None when the client closed it."""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), idle_seconds)
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise ValueError("connection closed inside a request head") from None
        return None
    except TimeoutError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ", 2)
    except ValueError:
        raise ValueError(f"bad request line {lines[0]!r}") from None
    headers: dict[str, str] = {}
    for line in lines[1 : _MAX_HEADERS + 1]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await _read_body(reader, headers)
    connection = headers.get("connection", "").lower()
    keep_alive = connection != "close" and (version == "HTTP/1.1" or connection == "keep-alive")
    return HttpRequest(method.upper(), target, headers, body, keep_alive)


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        total = 0
        for _ in range(_MAX_CHUNKS):
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise ValueError("body too large")
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        raise ValueError("too many chunks")
    length = int(headers.get("content-length") or 0)
    if length > MAX_BODY:
        raise ValueError("body too large")
    return await reader.readexactly(length) if length else b""


def parse_params(request: HttpRequest) -> dict[str, Any]:
    """Bot API parameters from the query string and the body; JSON-encoded values decoded as Telegram does."""
    params: dict[str, Any] = dict(parse_qsl(urlsplit(request.target).query))
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json") and request.body:
        params.update(json.loads(request.body))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        params.update(_multipart(content_type, request.body))
    for key in ("reply_markup", "entities", "link_preview_options"):
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, Any] = {}
    files: dict[str, int] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = len(payload)
        else:
            fields[name] = payload.decode("utf-8")
    # An upload arrives as "attach://<part>"; record its size in place of the reference.
    for key, value in list(fields.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            fields[key] = {"upload_bytes": files.get(value.removeprefix("attach://"), 0)}
    for name, size in files.items():
        fields.setdefault(name, {"upload_bytes": size})
    return fields


def response_bytes(status: int, body: Any, *, keep_alive: bool) -> bytes:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode("latin-1") + payload


class _EntityParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _TELEGRAM_TAGS:
            raise ValueError(f'Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise ValueError(f'Unexpected end tag "{tag}"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees once Telegram parsed the HTML; ValueError where Telegram would answer 400."""
    if not parse_mode or parse_mode.upper() != "HTML":
        return text
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"')
    return "".join(parser.text)


def telegram_length(text: str) -> int:
    """Length as Telegram limits it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2
