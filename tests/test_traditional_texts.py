"""Traditional Chinese reads as Traditional: week and weekday as 週, ten thousand as 萬 (issue 13 §5)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.i18n import t
from bot.i18n.build import compiled
from bot.views.common import day, money


def texts_of(directory: str, domain: str) -> list[str]:
    found = []
    for text in compiled(directory, domain).values():
        found.extend(text if isinstance(text, tuple) else (text,))
    return found


@pytest.mark.parametrize("domain", ["tierbot", "phrases"])
def test_no_traditional_text_keeps_the_simplified_week_or_ten_thousand(domain):
    simplified = [text for text in texts_of("zh_Hant", domain) if "周" in text or "万" in text]

    assert simplified == []


def test_traditional_money_weekdays_and_weeks():
    assert money("zh-Hant", 168_000) == "¥16.8萬"
    assert day("zh-Hant", date(2026, 12, 3)) == "12月3日週四"
    assert t("zh-Hant", "digest.chart.title", week=49) == "第49週 A、B 類客戶覆蓋情況"
    # Simplified stays simplified.
    assert (money("zh-Hans", 168_000), day("zh-Hans", date(2026, 12, 3))) == ("¥16.8万", "12月3日周四")
    assert t("zh-Hans", "digest.chart.title", week=49) == "第49周 A、B 类客户覆盖情况"
