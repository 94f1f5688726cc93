"""One-line contact logs from the chat (`/log 仁济医院 拜访；对样品感兴趣；下周二跟进`) and follow-up dates in words.

Pure: no database, no Telegram, no clock; `today` is always given, in the team's time zone.
The reading rules live with the code: line.py (segments, customer, note), outcomes.py (outcome words),
follow_up.py (follow-up markers), dates.py (dates in words, and the meaning of 下周二 / next tue / next week).
"""

from bot.logline.dates import FOLLOW_UP_PRESETS, on_workday, parse_follow_up_date
from bot.logline.line import ParsedLog, parse_log_line
from bot.logline.outcomes import OUTCOMES, outcome_from_word

__all__ = [
    "FOLLOW_UP_PRESETS",
    "OUTCOMES",
    "ParsedLog",
    "on_workday",
    "outcome_from_word",
    "parse_follow_up_date",
    "parse_log_line",
]
