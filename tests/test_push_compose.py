"""The pushes say what the commands say: the morning list when nothing is due, and the afternoon nudge."""

from __future__ import annotations

from datetime import date, time

from bot.config import Settings
from bot.pushes.compose import Recipient, daily_list_push, nudge_push
from tests.builders import add_contact, add_customer, add_follow_up, add_person, add_scoring_run, local_time

TODAY = date(2026, 11, 23)  # a Monday


def _who(person_id: int, lang: str = "en") -> Recipient:
    return Recipient(person_id=person_id, chat_id=700, name="Max", role="rep", lang=lang, tz="Asia/Shanghai",
                     push_time=time(8, 30), paused_until=None)  # fmt: skip


def _texts_and_buttons(push) -> list[tuple[str, list | None]]:
    return [(text, markup and markup.to_dict()["inline_keyboard"]) for text, markup in push.parts]


def test_the_morning_push_with_nothing_due_names_the_next_customer_under_its_greeting(engine):
    rep = add_person(engine, name="Max", telegram_user_id=700)
    customer = add_customer(engine, name="Renji", rep_id=rep)
    add_scoring_run(engine, as_of=date(2026, 11, 22), tiers={customer: "A"})
    add_contact(engine, person_id=rep, customer_id=customer, contacted_at=local_time(TODAY, "09:00", "Asia/Shanghai"))
    push = daily_list_push(engine=engine, settings=Settings(), who=_who(rep), today=TODAY, period="2026-11-23")
    assert _texts_and_buttons(push) == [
        (
            "☀️ Good morning, Max!\n"
            "Nothing is due today — no follow-ups and no customer past their call cycle. 🎉\n"
            "Coming up: <b>Renji</b> [A] due Mon 30 Nov.",
            None,
        )
    ]


def test_the_morning_push_to_a_rep_without_customers_only_says_nothing_is_due(engine):
    rep = add_person(engine, name="Max", telegram_user_id=700)
    push = daily_list_push(engine=engine, settings=Settings(), who=_who(rep), today=TODAY, period="2026-11-23")
    assert _texts_and_buttons(push) == [
        ("☀️ Good morning, Max!\nNothing is due today — no follow-ups and no customer past their call cycle. 🎉", None)
    ]


def test_the_nudge_lists_due_follow_ups_with_log_and_done_buttons_and_none_when_nothing_is_due(engine):
    rep = add_person(engine, name="Max", telegram_user_id=700)
    renji = add_customer(engine, name="Renji", rep_id=rep)
    huashan = add_customer(engine, name="Huashan", rep_id=rep)
    assert nudge_push(engine=engine, who=_who(rep), today=TODAY, period="2026-11-23") is None
    first = add_follow_up(engine, person_id=rep, customer_id=renji, due_on=date(2026, 11, 20), note="<samples>")
    second = add_follow_up(engine, person_id=rep, customer_id=huashan, due_on=TODAY)
    add_follow_up(engine, person_id=rep, customer_id=huashan, due_on=date(2026, 11, 24))
    push = nudge_push(engine=engine, who=_who(rep), today=TODAY, period="2026-11-23")
    assert push is not None
    assert _texts_and_buttons(push) == [
        (
            "⏰ 2 follow-ups promised for today are not logged yet:\n"
            "1. Fri 20 Nov <b>Renji</b> — &lt;samples&gt; ⚠️ overdue\n"
            "2. Mon 23 Nov <b>Huashan</b>",
            [
                [
                    {"text": "1. 📝 Log", "callback_data": f"l:{renji}"},
                    {"text": "✅ 1 done", "callback_data": f"fd:{first}"},
                ],
                [
                    {"text": "2. 📝 Log", "callback_data": f"l:{huashan}"},
                    {"text": "✅ 2 done", "callback_data": f"fd:{second}"},
                ],
            ],
        )
    ]
