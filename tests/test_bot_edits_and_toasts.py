"""Telegram's edges: a snooze toast stays within the Bot API's 200 characters; edited messages are answered.

An edited `/log` line corrects the contact that line created; any other edited message gets a short
note that edits are not read (a typed step or a search is never run twice from an edit).
"""

from __future__ import annotations

from tests.builders import add_customer
from tests.team_fixture import REP_TG

TOAST_LIMIT = 200


def utf16_length(value: str) -> int:
    """Telegram counts characters in UTF-16 code units (an emoji such as 💤 counts two)."""
    return len(value.encode("utf-16-le")) // 2


async def test_the_snooze_toast_of_a_190_character_name_fits_telegrams_limit(bot):
    long_name = "北京协和医院" + "国际医疗部" * 36 + "东院新楼"
    assert len(long_name) == 190
    customer = add_customer(bot.engine, name=long_name, rep_id=bot.team.rep)
    for lang in ("zh-hans", "en"):
        reply = await bot.tap(REP_TG, f"s:{customer}", lang=lang)
        [toast] = reply.toasts
        assert utf16_length(toast) <= TOAST_LIMIT, (len(toast), toast)
        assert toast.startswith("💤 北京协和医院国际医疗部") and "…" in toast
    assert reply.toasts[0].endswith("until Tue 24 Nov.")
