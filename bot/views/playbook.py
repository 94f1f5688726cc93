"""A tier's playbook as a rep reads it: the action in the member's language."""

from __future__ import annotations

from functools import cache

from bot.i18n import Markup, escape, t
from bot.services.playbook import TierPlaybook


@cache
def _traditional(text: str) -> str:
    import opencc  # loaded only when a zh-Hant member reads a playbook

    return str(opencc.OpenCC("s2twp").convert(text))


def playbook_action(lang: str, playbook: TierPlaybook) -> str:
    """The action in lang: English for English, zh-Hant converted from the zh text, else the zh text."""
    if not lang.startswith("zh"):
        return playbook.action_en
    return _traditional(playbook.action_zh) if lang == "zh-Hant" else playbook.action_zh


def playbook_hint(lang: str, playbook: TierPlaybook | None) -> Markup:
    """The short hint after a /today line (' · 👉 送样/学术资料'), empty for a customer with no tier."""
    if playbook is None:
        return Markup("")
    return t(lang, "today.playbook", action=escape(playbook_action(lang, playbook)))


def playbook_line(lang: str, playbook: TierPlaybook) -> Markup:
    """The card's line: how the customer's tier is served."""
    return t(lang, "card.playbook", action=escape(playbook_action(lang, playbook)))
