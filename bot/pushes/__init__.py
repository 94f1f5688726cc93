"""Pushes: the bot speaks first. The push log makes each push go out once; the sender keeps to Telegram's limits."""
