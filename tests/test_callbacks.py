"""Callback data (bot.views.callbacks): the formats under live buttons never change, and forged data is refused."""

from __future__ import annotations

import re

import pytest

from bot.views import callbacks

# Every format as it stands in members' chats: changing one breaks the buttons already sent.
EXACT = [
    (callbacks.LOG.data(42), "l:42"),
    (callbacks.SNOOZE.data(42), "s:42"),
    (callbacks.CARD.data(42), "c:42"),
    (callbacks.UNDO.data(7), "u:7"),
    (callbacks.EDIT.data(7), "e:7"),
    (callbacks.FOLLOW_UP_DONE.data(9), "fd:9"),
    (callbacks.FOLLOW_UP_LATER.data(9), "fz:9"),
    (callbacks.FOLLOW_UP_CLOSE.data(9), "fc:9"),
    (callbacks.FOLLOW_UP_KEEP.data(9), "fk:9"),
    (callbacks.FOLLOW_UP_CANCEL.data(9), "fx:9"),
    (callbacks.follow_ups_page(2), "fp:2"),
    (callbacks.today_page(2), "tp:2"),
    (callbacks.ALIAS.data(0), "al:0"),
    (callbacks.DEACTIVATE.data(12), "hx:12"),
    (callbacks.flow_customer("0a1b2c3d4e5f6071", 42), "lc:0a1b2c3d4e5f6071:42"),
    (callbacks.flow_outcome("0a1b2c3d4e5f6071", 3), "lo:0a1b2c3d4e5f6071:3"),
    (callbacks.flow_skip_note("0a1b2c3d4e5f6071"), "ln:0a1b2c3d4e5f6071"),
    (callbacks.flow_follow_up("0a1b2c3d4e5f6071", "2w"), "lf:0a1b2c3d4e5f6071:2w"),
    (callbacks.flow_follow_up("0a1b2c3d4e5f6071", "n"), "lf:0a1b2c3d4e5f6071:n"),
    (callbacks.flow_cancel("0a1b2c3d4e5f6071"), "lx:0a1b2c3d4e5f6071"),
    (callbacks.mine_page(None, 2), "m:all:2"),
    (callbacks.mine_page("at-risk", 1), "m:at-risk:1"),
    (callbacks.settings("lang"), "st:lang"),
    (callbacks.settings("menu"), "st:menu"),
    (callbacks.settings("lang", "zh-Hant"), "st:lang:zh-Hant"),
    (callbacks.settings("time", "08:30"), "st:time:08:30"),
    (callbacks.settings("pause", 7), "st:pause:7"),
    (callbacks.upload_kind("sales"), "up:sales"),
    (callbacks.RESCORE, "rescore"),
    (callbacks.handover(3, 4, deactivate=False), "ho:3:4:0"),
    (callbacks.handover(3, 4, deactivate=True), "ho:3:4:1"),
    (callbacks.CHALLENGE.data(42), "kc:42"),
    (callbacks.challenge_pick(42, "A"), "kt:42:A"),
    (callbacks.challenge_pick(42, "p5"), "kt:42:p5"),
    (callbacks.approve_challenge(7, 90), "ka:7:90"),
    (callbacks.REJECT_CHALLENGE.data(7), "kr:7"),
    (callbacks.REJECT_WITHOUT_REASON.data(7), "kn:7"),
]


@pytest.mark.parametrize(("built", "wire"), EXACT)
def test_every_format_is_byte_identical_to_the_buttons_already_sent(built, wire):
    assert built == wire
    # Telegram refuses callback data over 64 bytes.
    assert len(built.encode()) <= 64


def test_each_format_reads_back_what_it_carries():
    ids = (
        "LOG",
        "SNOOZE",
        "CARD",
        "UNDO",
        "EDIT",
        "FOLLOW_UP_DONE",
        "FOLLOW_UP_LATER",
        "FOLLOW_UP_CLOSE",
        "FOLLOW_UP_KEEP",
        "ALIAS",
        "DEACTIVATE",
    )
    for button in (getattr(callbacks, name) for name in ids):
        for number in (0, 1, 99_999_999_999):
            assert button.parse(button.data(number)) == number
    flow = "0a1b2c3d4e5f6071"
    assert callbacks.parse_flow(callbacks.flow_customer(flow, 42)) == ("lc", flow, "42")
    assert callbacks.parse_flow(callbacks.flow_outcome(flow, 5)) == ("lo", flow, "5")
    assert callbacks.parse_flow(callbacks.flow_skip_note(flow)) == ("ln", flow, "")
    assert callbacks.parse_flow(callbacks.flow_follow_up(flow, "2w")) == ("lf", flow, "2w")
    assert callbacks.parse_flow(callbacks.flow_cancel(flow)) == ("lx", flow, "")
    assert callbacks.parse_mine_page(callbacks.mine_page(None, 30)) == (None, 30)
    assert callbacks.parse_mine_page(callbacks.mine_page("A", 8)) == ("A", 8)
    assert callbacks.parse_settings(callbacks.settings("time")) == ("time", None)
    assert callbacks.parse_settings(callbacks.settings("time", "08:30")) == ("time", "08:30")
    assert callbacks.parse_settings(callbacks.settings("pause", 14)) == ("pause", "14")
    assert callbacks.parse_settings(callbacks.settings("resume")) == ("resume", None)
    assert callbacks.parse_upload_kind(callbacks.upload_kind("people")) == "people"
    assert callbacks.parse_handover(callbacks.handover(3, 4, deactivate=True)) == (3, 4, True)
    assert callbacks.parse_handover(callbacks.handover(3, 4, deactivate=False)) == (3, 4, False)


FORGED = ["", "c", "c:", "c:-1", "c:abc", "c:1.5", "c: 1", "c:1\n", "c:123456789012", "c:١٢", "c:²", "cc:1", "s:1"]


@pytest.mark.parametrize("data", FORGED)
def test_forged_ids_are_refused(data):
    assert callbacks.CARD.parse(data) is None


@pytest.mark.parametrize(
    "data",
    [
        "lc:0a1b:abc", "lc:0a1b", "lc:0a1b:1:2", "lo:0a1b:", "lo:0a1b:²", "ln:0a1b:x", "lx:0a1b:1",
        "lf:0a1b", "lf:0a1b:<b>", "lc:<b>:1", "lq:0a1b", "l:0a1b", "lc:0a1b:1\n", "lo:0a1b:123456789012",
    ],
)  # fmt: skip
def test_forged_flow_taps_are_refused(data):
    assert callbacks.parse_flow(data) is None


@pytest.mark.parametrize(
    ("reader", "data"),
    [
        (callbacks.parse_mine_page, "m:all"),
        (callbacks.parse_mine_page, "m:all:-1"),
        (callbacks.parse_mine_page, "m:all:999999"),
        (callbacks.parse_mine_page, "m::1"),
        (callbacks.parse_mine_page, "m:all:1:2"),
        (callbacks.parse_settings, "st:colour"),
        (callbacks.parse_settings, "st:resume:1"),
        (callbacks.parse_settings, "st:menu:x"),
        (callbacks.parse_settings, "s:lang"),
        (callbacks.parse_upload_kind, "up:"),
        (callbacks.parse_upload_kind, "al:1"),
        (callbacks.parse_handover, "ho:1:2"),
        (callbacks.parse_handover, "ho:1:2:2"),
        (callbacks.parse_handover, "ho:1:2:1\n"),
        (callbacks.parse_handover, "ho:١:2:1"),
        (callbacks.parse_handover, "ho:123456789012:2:1"),
    ],
)
def test_forged_data_of_the_other_formats_is_refused(reader, data):
    assert reader(data) is None


def test_each_pattern_routes_its_own_buttons_and_no_other():
    patterns = {
        "l:1": callbacks.LOG.pattern,
        "lc:ab:1": callbacks.FLOW_PATTERN,
        "u:1": callbacks.UNDO.pattern,
        "m:all:1": callbacks.MINE_PATTERN,
        "st:lang": callbacks.SETTINGS_PATTERN,
        "up:sales": callbacks.UPLOAD_KIND_PATTERN,
        "rescore": callbacks.RESCORE_PATTERN,
        "ho:1:2:0": callbacks.HANDOVER_PATTERN,
        "hx:1": callbacks.DEACTIVATE.pattern,
    }
    for data, pattern in patterns.items():
        assert [d for d in patterns if re.match(pattern, d)] == [data], pattern
    assert all(re.match(callbacks.FLOW_PATTERN, f"{step}:ab") for step in ("lc", "lo", "ln", "lf", "lx"))
    assert not re.match(callbacks.FLOW_PATTERN, "le:ab")


@pytest.mark.parametrize("forged", ["ka:7", "ka:x:90", "ka:7:90:1", "ka:-7:90", "ka:7:9000", "ka:٧:90", None, ""])
def test_a_forged_approval_reads_as_nothing(forged):
    assert callbacks.parse_approve_challenge(forged) is None


@pytest.mark.parametrize("forged", ["kt:42", "kt:42:E", "kt:42:a", "kt:42:p6", "kt:42:p0", "kt:x:A", "kt:42:AB", None])
def test_a_forged_challenge_pick_reads_as_nothing(forged):
    assert callbacks.parse_challenge_pick(forged) is None


def test_challenge_buttons_read_back_what_they_carry():
    assert callbacks.parse_approve_challenge("ka:7:90") == (7, 90)
    assert callbacks.parse_challenge_pick("kt:42:B") == (42, "tier", "B")
    assert callbacks.parse_challenge_pick("kt:42:p5") == (42, "potential", "5")


def test_the_add_note_button_carries_a_token_and_refuses_forged_data():
    # Logging never loses a word (issue 13 §1): text sent after a log, offered as its note.
    assert callbacks.note_add("0a1b2c3d4e5f") == "an:0a1b2c3d4e5f"
    assert callbacks.parse_note_add("an:0a1b2c3d4e5f") == "0a1b2c3d4e5f"
    for forged in ("an:", "an:XYZ", "an:0a1b\n", "an:" + "a" * 17, "u:1", None):
        assert callbacks.parse_note_add(forged) is None
    assert re.match(callbacks.NOTE_ADD_PATTERN, "an:ab") and not re.match(callbacks.NOTE_ADD_PATTERN, "l:1")
