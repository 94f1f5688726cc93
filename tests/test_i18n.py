"""Texts: every key in every language, placeholders alike, values escaped, every reason code rendered."""

from __future__ import annotations

import string
from datetime import date

import pytest

from bot.i18n import LANGUAGES, Markup, catalog, language_for, t
from bot.split import split_message
from bot.views.common import day, keyboard, money, reason_text, reasons_text
from scoring.reasons import REASON_PARAMS


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_key_with_the_same_placeholders():
    english = catalog("en")
    for lang in LANGUAGES:
        texts = catalog(lang)
        assert set(texts) == set(english), lang
        for key, template in english.items():
            assert placeholders(texts[key]) == placeholders(template), (lang, key)


def test_values_are_escaped_but_markup_is_kept():
    assert t("en", "not_found", query="<b>&x</b>").startswith(
        "I found no customer matching “&lt;b&gt;&amp;x&lt;/b&gt;”"
    )
    assert t("en", "not_found", query=Markup("<b>x</b>")).startswith("I found no customer matching “<b>x</b>”")


def test_quotes_are_escaped_as_entities_telegram_reads_and_buttons_show_plain():
    label = t("en", "btn.card", name='O\'Brien "Clinic"')
    assert "O&#39;Brien &#34;Clinic&#34;" in label
    assert 'O\'Brien "Clinic"' in keyboard([[(label, "c:1")]]).inline_keyboard[0][0].text


def test_traditional_chinese_is_derived_from_simplified():
    assert t("zh-Hant", "tier.A") == "核心客戶"
    assert t("zh-Hant", "today.empty").startswith("今天沒有到期的跟進")


@pytest.mark.parametrize(
    ("person", "telegram", "expected"),
    [
        (None, "zh-hans", "zh-Hans"),
        (None, "zh-TW", "zh-Hant"),
        (None, "zh-hk", "zh-Hant"),
        (None, "en-GB", "en"),
        (None, "de", "zh-Hans"),
        (None, None, "zh-Hans"),
        ("en", "zh-hans", "en"),
        ("zh-Hant", "en", "zh-Hant"),
    ],
)
def test_language_comes_from_the_person_then_telegram_then_the_team(person, telegram, expected):
    assert language_for(person, telegram, "zh-Hans") == expected


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", sorted(REASON_PARAMS))
def test_every_scoring_reason_code_renders_in_words(lang, code):
    params = {name: 3.0 if name == "top_pct" else 12 for name in REASON_PARAMS[code]}
    params.update({"previous_tier": "A", "raw_tier": "B"} if code == "held_by_hysteresis" else {})
    text = reason_text(lang, code, params)
    assert "{" not in text and code.replace("_", " ") != text


def test_reasons_read_like_a_sentence():
    reasons = [
        ("top_value", {"amount": 1_200_000.0, "top_pct": 3.0, "window_days": 365}),
        ("orders", {"count": 14, "window_days": 365}),
        ("last_order", {"days": 6}),
    ]
    assert reasons_text("en", reasons) == "¥1.2m in 12 months, top 3%; 14 orders; last order 6 days ago"
    assert reasons_text("zh-Hans", reasons) == "近12个月 ¥120万，排名前 3%；14 次下单；最近下单 6 天前"
    assert reason_text("en", "at_risk", {"silent_days": 80, "usual_days": None}) == "one order only, 80 days ago"
    assert reason_text("en", "high_potential", {"score": 5, "value": 1800.0}) == "high potential 5/5 (1,800)"


def test_money_reads_as_reps_say_it():
    assert [money("en", v) for v in (950, 12_500, 1_234_567)] == ["¥950", "¥12.5k", "¥1.2m"]
    assert [money("zh-Hans", v) for v in (950, 12_500, 743_210, 123_456_789)] == ["¥950", "¥1.2万", "¥74.3万", "¥1.2亿"]
    assert [money("zh-Hans", v) for v in (-74_321, None)] == ["-¥7.4万", "–"]


def test_traditional_chinese_money_and_days_use_traditional_forms():
    assert [money("zh-Hant", v) for v in (168_000, 123_456_789)] == ["¥16.8萬", "¥1.2億"]
    assert day("zh-Hant", date(2026, 11, 26)) == "11月26日週四"


def test_days_read_with_their_weekday():
    assert day("zh-Hans", date(2026, 11, 30)) == "11月30日周一"
    assert day("en", date(2026, 11, 30)) == "Mon 30 Nov"


def test_long_texts_are_split_under_telegram_limit_at_line_breaks():
    text = "\n".join(f"{n}. <b>客户 {n}</b>" + "x" * 50 for n in range(300))
    parts = split_message(text)
    assert len(parts) > 1 and all(len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == text
    assert all(part.count("<b>") == part.count("</b>") for part in parts)
    assert split_message("y" * 9000) == ["y" * 4096, "y" * 4096, "y" * 808]
