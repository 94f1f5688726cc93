"""Long HTML texts cut into messages Telegram accepts (4,096 characters at most).

Below the views on purpose: the views (a long digest), the handlers' answer and the pushes' delivery
(a part Telegram still finds too long) all cut with it, and delivery must not depend on the views.
"""

from __future__ import annotations

MESSAGE_LIMIT = 4096


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a long HTML text at line breaks so that no part exceeds Telegram's limit."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            # A single monster line (only possible with user text) is cut hard; tags are never that long.
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts
