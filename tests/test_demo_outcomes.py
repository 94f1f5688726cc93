"""The demo team's contacts use the outcome list: a note that names an outcome is stored as that outcome.

Seen: the demo's own 参加学术会议 was stored as 其他 (other). Wanted: every outcome of the list occurs, and a
note never names an outcome other than the one stored (read with the same words as a /log line).
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.demo.contacts import simulate_contacts
from bot.demo.sales import simulate_sales
from bot.demo.team import build_demo_team
from bot.logline.outcomes import OUTCOMES, find_outcome_run


@pytest.fixture(scope="module")
def demo_contacts():
    team = build_demo_team(7)
    history = simulate_sales(team.customers, seed=7, as_of=date(2026, 11, 23))
    return simulate_contacts(team, history, seed=7, as_of=date(2026, 11, 23)).contacts


def test_every_outcome_of_the_list_occurs(demo_contacts):
    assert {contact.outcome for contact in demo_contacts} == set(OUTCOMES)


def test_a_note_names_only_the_outcome_stored(demo_contacts):
    wrong = []
    for contact in demo_contacts:
        found = find_outcome_run(contact.note or "")
        if found is not None and contact.outcome not in found[2]:
            wrong.append((contact.outcome, contact.note))
    assert wrong == []
    academic = [contact for contact in demo_contacts if "学术会议" in (contact.note or "")]
    assert academic and {contact.outcome for contact in academic} == {"academic"}
