"""Texts: every key in every language, placeholders alike, catalogs current, values escaped, plurals chosen."""

from __future__ import annotations

import string
from datetime import date

import pytest

from bot.i18n import LANGUAGES, Markup, catalog_dir, convert, has, language_for, plain, t, tn
from bot.i18n import build as catalogs
from bot.i18n.phrases import say
from bot.split import split_message
from bot.views.common import day, keyboard, money, reason_text, reasons_text
from scoring.reasons import REASON_PARAMS


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_key_with_the_same_placeholders():
    english = catalogs.compiled("en")
    assert len(english) > 300
    for lang in LANGUAGES:
        texts = catalogs.compiled(catalog_dir(lang))
        assert set(texts) == set(english), lang
        for key, text in english.items():
            # A text with plural forms has them in every language: two in English, one in Chinese.
            assert type(texts[key]) is type(text), (lang, key)
            forms = texts[key] if isinstance(texts[key], tuple) else (texts[key],)
            assert len(forms) == (2 if lang == "en" and isinstance(text, tuple) else 1), (lang, key)
            for form in forms:
                assert form and placeholders(form) == placeholders(forms_of(text)[-1]), (lang, key)


def forms_of(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


def test_no_text_says_s_in_brackets_any_more():
    for lang in LANGUAGES:
        for key, text in catalogs.compiled(catalog_dir(lang)).items():
            assert not any("(s)" in form for form in forms_of(text)), (lang, key)


def test_the_compiled_catalogs_and_traditional_chinese_are_current():
    # Edit a .po and forget `python -m bot.i18n.build`, and this fails.
    assert catalogs.stale() == []


@pytest.fixture
def locale_copy(tmp_path, monkeypatch):
    """A copy of the catalogs that the build reads and writes instead of bot/i18n/locale."""
    target = tmp_path / "locale"
    for path in catalogs.LOCALE_DIR.rglob("*.*"):
        (target / path.relative_to(catalogs.LOCALE_DIR)).parent.mkdir(parents=True, exist_ok=True)
        (target / path.relative_to(catalogs.LOCALE_DIR)).write_bytes(path.read_bytes())
    monkeypatch.setattr(catalogs, "LOCALE_DIR", target)
    return target


def test_a_stale_catalog_is_noticed(locale_copy):
    source = catalogs.po_path("zh_Hans", "tierbot")
    source.write_text(source.read_text(encoding="utf-8").replace("核心客户", "核心大客户"), encoding="utf-8")
    assert catalogs.stale() == [source.with_suffix(".mo"), catalogs.po_path("zh_Hant", "tierbot"),
                                catalogs.po_path("zh_Hant", "tierbot").with_suffix(".mo")]  # fmt: skip
    catalogs.build()
    assert catalogs.stale() == []
    assert catalogs.compiled("zh_Hant")["tier.A"] == "核心大客戶"


def test_keys_of_an_old_dict_module_are_added_to_the_catalogs(locale_copy, tmp_path, monkeypatch):
    # A branch made before the .po files adds a key to en.py and zh_hans.py, and changes one.
    (tmp_path / "en.py").write_text(
        'TEXTS = {\n    # Visit plans\n    "plan.title": "Plan for {date}",\n    "tier.A": "key account",\n}\n'
    )
    (tmp_path / "zh_hans.py").write_text('TEXTS = {"plan.title": "{date} 的计划", "tier.A": "核心客户"}\n')
    monkeypatch.setattr(convert, "MODULE_DIR", tmp_path)
    report = convert.import_modules()
    assert "added en: plan.title" in report and "added zh_hans: plan.title" in report
    assert "differs, kept the .po's: en: tier.A" in report
    assert report[-1] == "now remove the dict modules: git rm bot/i18n/en.py bot/i18n/zh_hans.py"
    catalogs.build()
    assert catalogs.compiled("zh_Hant")["plan.title"] == "{date} 的計劃"
    assert catalogs.compiled("en")["tier.A"] == "core"
    assert catalogs.read(catalogs.po_path("en", "tierbot"))["plan.title"].auto_comments == ["Visit plans"]


def test_plural_forms_follow_the_count():
    assert tn("en", "push.nudge", 1) == "⏰ 1 follow-up promised for today is not logged yet:"
    assert tn("en", "push.nudge", 2) == "⏰ 2 follow-ups promised for today are not logged yet:"
    assert tn("en", "count.customers", 0) == "0 customers"
    assert tn("zh-Hans", "push.nudge", 1) == tn("zh-Hans", "push.nudge", 5).replace("5", "1")
    assert tn("zh-Hant", "count.customers", 3) == "3 家客戶"
    assert tn("en", "deactivate.done", 1, name="<Li>", staff_id="R1").startswith("&lt;Li&gt; is deactivated")


def test_an_unknown_key_is_an_error_and_a_missing_text_is_said_in_english(monkeypatch):
    with pytest.raises(KeyError):
        t("zh-Hans", "no.such.key")
    with pytest.raises(KeyError):
        tn("en", "tier.A", 2)  # not a text with plural forms
    assert not has("en", "no.such.key") and has("zh-Hant", "tier.A")
    assert plain("de", "tier.A") == "核心客户"  # a language Tierbot lacks reads as the team default, zh-Hans
    assert t("zh-Hans", "tier.A") == "核心客户"


def test_importer_sentences_are_said_in_each_language():
    assert say("zh-Hans", "'abc' is not a number") == "'abc' is not a number"  # the value is not a template
    assert say("zh-Hans", "is longer than 200 characters") == "超过 200 个字符"
    assert (
        say("zh-Hant", "is empty; the customer is required\n- is not Closed Won")
        == "為空；客戶必填\n- 不是贏單（Closed Won）"
    )
    assert say("zh-Hant", "is empty; {what} is required".format(what="the customer")) == "為空；客戶必填"
    assert say("en", "is not a number") == "is not a number"


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
