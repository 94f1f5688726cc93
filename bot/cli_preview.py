"""`tierbot preview daily|nudge|digest --as PERSON [--date D]`: a push as that person would get it, no Telegram.

The push is composed by bot.pushes.due, the same code the scheduled sweeps send, for the person's own
language and time zone, and printed as plain text with its buttons; the digest's chart is written to a
PNG whose path is printed. Nothing is sent and nothing is written to the push log.
"""

import tempfile
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.config import Settings


class PreviewKind(StrEnum):
    daily = "daily"
    nudge = "nudge"
    digest = "digest"


# The push-log kind of each preview (bot.models.pushes.PushKind values; not imported, to keep --help fast).
PUSH_KINDS = {"daily": "daily_list", "nudge": "follow_up_nudge", "digest": "weekly_digest"}


class PreviewRefused(Exception):
    """The preview cannot be shown: the message says why, in the reader's language."""


def preview_lines(
    *, engine, settings: Settings, kind: str, person: str, day: date | None, chart_path: Path | None
) -> list[str]:
    """The push of `kind` for the active person (staff id or name) on `day` (default: their today), as text."""
    from bot.clock import local_today
    from bot.i18n import plain, text_of
    from bot.pushes import compose
    from bot.pushes.calendar import is_workday
    from bot.pushes.due import WEEKDAYS, compose_push
    from bot.pushes.push_log import day_period, week_period
    from bot.pushes.sender import Photo
    from bot.services.people import member_by_external_id, member_by_name
    from bot.views.common import day as day_text

    member = member_by_external_id(engine=engine, external_id=person) or member_by_name(engine=engine, name=person)
    who = None if member is None else compose.recipient_of(engine=engine, settings=settings, person_id=member.person_id)
    if member is None or who is None:
        raise PreviewRefused(plain(settings.team.language, "preview.no_person", who=person))
    lang = who.lang
    today = day or local_today(who.tz)
    lines = [
        plain(
            lang,
            "preview.header",
            kind=plain(lang, f"preview.kind.{kind}"),
            name=who.name,
            external_id=member.external_id,
            role=plain(lang, f"role.{who.role}"),
            date=day_text(lang, today),
        )
    ]
    if kind == "digest" and not compose.receives_digest(who):
        raise PreviewRefused(plain(lang, "preview.rep_no_digest", name=who.name))
    weekday = settings.pushes.digest_weekday
    if kind == "digest" and today.weekday() != WEEKDAYS.index(weekday):
        lines.append(plain(lang, "preview.not_digest_day", weekday=weekday.capitalize(), date=day_text(lang, today)))
    elif kind != "digest" and not is_workday(today, settings.team.country):
        lines.append(plain(lang, "preview.not_workday", date=day_text(lang, today)))
    period = week_period(today) if kind == "digest" else day_period(today)
    push = compose_push(PUSH_KINDS[kind], engine=engine, settings=settings, who=who, today=today, period=period)
    if push is None:
        lines.append(plain(lang, "preview.no_nudge", date=day_text(lang, today), name=who.name))
        return lines
    for part in push.parts:
        lines.append("")
        if isinstance(part, Photo):
            path = chart_path or Path(tempfile.gettempdir()) / f"tierbot-digest-{member.external_id}-{today}.png"
            path.write_bytes(part.data)
            lines.append(plain(lang, "preview.chart", path=path))
            continue
        text, markup = part
        lines.append(text_of(text))
        buttons = [] if markup is None else [[button.text for button in row] for row in markup.inline_keyboard]
        if buttons:
            lines.append(plain(lang, "preview.buttons"))
            lines.extend("  " + "   ".join(f"[{label}]" for label in row) for row in buttons)
    return lines


def register(app: typer.Typer, *, settings_of: Callable[[Path | None], Settings], engine_of: Callable) -> None:
    """Add `tierbot preview` to the CLI; the CLI hands in how it reads the config and opens the database."""

    def preview(
        kind: Annotated[PreviewKind, typer.Argument(help="Which push: the morning list, the nudge or the digest.")],
        as_person: Annotated[str, typer.Option("--as", help="Staff id or name of the person who gets it.")],
        on: Annotated[
            str | None, typer.Option("--date", help="The day (YYYY-MM-DD; default: the person's today).")
        ] = None,
        chart: Annotated[
            Path | None, typer.Option("--chart", help="Digest only: write the chart PNG here (default: a temp file).")
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option(
                "--config",
                help="Config file (default: $TIERBOT_CONFIG, then ./config.toml, then built-in defaults).",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Print a push as the person would get it (in their language), without Telegram; nothing is sent."""
        from bot.i18n import plain

        settings = settings_of(config)
        day = None
        if on is not None:
            try:
                day = date.fromisoformat(on)
            except ValueError:
                typer.secho(plain(settings.team.language, "preview.bad_date", value=on), fg="red", err=True)
                raise typer.Exit(2) from None
        try:
            lines = preview_lines(
                engine=engine_of(settings),
                settings=settings,
                kind=kind.value,
                person=as_person,
                day=day,
                chart_path=chart,
            )
        except PreviewRefused as refused:
            typer.secho(str(refused), fg="red", err=True)
            raise typer.Exit(2) from None
        typer.echo("\n".join(lines))

    app.command("preview")(preview)
