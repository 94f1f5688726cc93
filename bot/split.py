"""Long HTML answers cut into messages Telegram accepts: between whole lines, never inside a tag pair.

Telegram refuses a message whose HTML does not parse, so a part must never end inside ``<b>…</b>``
(or ``<i>``, ``<a>``, ``<code>``, ``<blockquote>``…), inside a tag or inside an entity such as ``&amp;``.
Lines are kept whole; a tag open across a line break (a quote of several lines) is closed at the end
of one part and opened again at the start of the next. Only a single line longer than the limit (a
pasted note) is cut inside, after a space where there is one, with the same closing and reopening.
"""

from __future__ import annotations

import re

MESSAGE_LIMIT = 4096
# A tag, an entity, a run of plain text, or a lone '<'/'&' that starts neither (views escape those).
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|[^<&]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)")
_TAG_OR_SPACE = re.compile(r"<[^<>]*>|\s+")


class _Tags:
    """The tags open at some point of the text, outermost first, as (name, opening tag as written)."""

    def __init__(self, open_tags: list[tuple[str, str]] | None = None) -> None:
        self.open = list(open_tags or [])

    def copy(self) -> _Tags:
        return _Tags(self.open)

    def see(self, token: str) -> None:
        """Follow one token: an opening tag is pushed, a closing tag pops up to its opening."""
        found = _TAG.match(token)
        if not found or token.endswith("/>"):
            return
        closing, name = found.group(1) == "/", found.group(2).lower()
        if not closing:
            self.open.append((name, token))
            return
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == name:
                del self.open[index:]
                return

    def openers(self) -> str:
        return "".join(tag for _, tag in self.open)

    def closers(self) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(self.open))


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a long HTML text into parts of at most ``limit`` characters that each parse on their own."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    body: str | None = None  # the part being filled; None before its first line
    tags = _Tags()  # open at the end of body
    for line in text.split("\n"):
        after = tags.copy()
        for token in _tag_tokens(line):
            after.see(token)
        joined = tags.openers() + line if body is None else f"{body}\n{line}"
        if len(joined) + len(after.closers()) <= limit:
            body, tags = joined, after
            continue
        if body is not None:
            _keep(parts, body + tags.closers())
            body = None
            joined = tags.openers() + line
            if len(joined) + len(after.closers()) <= limit:
                body, tags = joined, after
                continue
        body = _cut_line(line, tags, limit, parts)
    if body is not None:
        _keep(parts, body + tags.closers())
    return parts or [text[:limit]]


def _keep(parts: list[str], part: str) -> None:
    """Add a part unless it shows nothing (only tags and blanks), which Telegram refuses as empty."""
    if _TAG_OR_SPACE.sub("", part):
        parts.append(part)


def _tag_tokens(line: str) -> list[str]:
    return [token for token in _TOKEN.findall(line) if token.startswith("<") and len(token) > 1]


def _cut_line(line: str, tags: _Tags, limit: int, parts: list[str]) -> str:
    """Cut one line too long for a part: full parts go to ``parts``; return the unfinished last one.

    ``tags`` (open before the line) is updated to the tags open at the end of what is returned.
    """
    cutter = _Cutter(tags, limit, parts)
    for token in _TOKEN.findall(line):
        if token.startswith("<") and len(token) > 1:
            cutter.add_tag(token)
        elif token.startswith("&") and len(token) > 1:
            cutter.add_text(token, whole=True)
        else:
            cutter.add_text(token)
    return cutter.body


class _Cutter:
    """A part filled token by token, handed over (its tags closed) whenever the next token overflows."""

    def __init__(self, tags: _Tags, limit: int, parts: list[str]) -> None:
        self.tags, self.limit, self.parts = tags, limit, parts
        self._start()

    def _start(self) -> None:
        self.body = self.tags.openers()
        self.empty = True  # no text yet after the reopened tags
        # Where opening tags with no text after them yet begin, and how many tags were open before them:
        # a part ending there leaves them to the next part instead of sending an empty pair.
        self.bare: tuple[int, int] | None = None

    def _hand_over(self) -> None:
        if self.bare is None:
            _keep(self.parts, self.body + self.tags.closers())
        else:
            position, depth = self.bare
            _keep(self.parts, self.body[:position] + _Tags(self.tags.open[:depth]).closers())
        self._start()

    def add_tag(self, token: str) -> None:
        after = self.tags.copy()
        after.see(token)
        if len(self.body) + len(token) + len(after.closers()) > self.limit and not self.empty:
            self._hand_over()
            after = self.tags.copy()
            after.see(token)
        opening = len(after.open) > len(self.tags.open)
        if opening and self.bare is None:
            self.bare = (len(self.body), len(self.tags.open))
        elif not opening:
            self.bare = None
        self.body += token
        self.tags.open = after.open

    def add_text(self, text: str, whole: bool = False) -> None:
        while text:
            room = self.limit - len(self.body) - len(self.tags.closers())
            if len(text) <= room:
                cut = len(text)
            elif self.empty:
                # Text is due in this part; it is cut even if the tags leave (almost) no room.
                cut = len(text) if whole else max(1, _cut_point(text, room))
            else:
                cut = 0 if whole else _cut_point(text, room)
            if cut:
                self.body += text[:cut]
                text = text[cut:]
                self.empty, self.bare = False, None
            if text:
                self._hand_over()


def _cut_point(text: str, room: int) -> int:
    """Where to cut plain text to fit ``room`` characters: after the last space in it, else at the edge."""
    if room <= 0:
        return 0
    space = text.rfind(" ", 0, room)
    return space + 1 if space >= room // 2 else room
