"""The ``tierbot`` command line: one sub-command per admin task, each with ``--config PATH``."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.config import ConfigError, Settings, load_settings

app = typer.Typer(
    help="Tierbot: customer tiers and daily call lists for field sales teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
people_app = typer.Typer(help="The team: list people, mark leavers.", no_args_is_help=True)
app.add_typer(people_app, name="people")

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file (default: $TIERBOT_CONFIG, then ./config.toml, then built-in defaults).",
        show_default=False,
    ),
]


class ImportKind(StrEnum):
    customers = "customers"
    sales = "sales"
    people = "people"
    aliases = "aliases"
    contacts = "contacts"


class Language(StrEnum):
    en = "en"
    zh_hans = "zh-Hans"
    zh_hant = "zh-Hant"


class HeaderChoice(StrEnum):
    en = "en"
    zh_hans = "zh-Hans"
    zh_hant = "zh-Hant"


class DateOrderChoice(StrEnum):
    mdy = "mdy"
    dmy = "dmy"


LangOption = Annotated[
    Language | None,
    typer.Option(
        "--lang", help="Language of the report (default: the team's language from the config).", show_default=False
    ),
]


class ExportKind(StrEnum):
    tiers = "tiers"
    contacts = "contacts"
    challenges = "challenges"


class FileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class RoleChoice(StrEnum):
    """bot.models.people.Role as a command-line choice: importing bot.models would add 0.6 s to every
    command's start, --help included (tests/test_cli_roles.py keeps the two equal)."""

    rep = "rep"
    manager = "manager"
    admin = "admin"


def _fail(message: str, code: int = 2) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _engine(settings: Settings):
    from bot.db import is_sqlite, make_engine, upgrade_database

    engine = make_engine(settings.database_url)
    # The embedded default upgrades itself; PostgreSQL is upgraded on purpose with `tierbot db upgrade`.
    if is_sqlite(engine):
        upgrade_database(engine)
    return engine


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} must be a date as YYYY-MM-DD, not {value!r}")
        raise


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply every pending migration to the configured database."""
    from bot.db import current_revision, make_engine, upgrade_database

    engine = make_engine(_settings(config).database_url)
    upgrade_database(engine)
    typer.echo(f"Database is at revision {current_revision(engine)}.")


@db_app.command("current")
def db_current(config: ConfigOption = None) -> None:
    """Print the database's schema revision."""
    from bot.db import current_revision, make_engine

    revision = current_revision(make_engine(_settings(config).database_url))
    typer.echo(revision or "empty (run `tierbot db upgrade`)")


@app.command("import")
def import_(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX file.")],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show the recognised export, the column mapping and the first rows; change nothing."
        ),
    ] = False,
    accept_good_rows: Annotated[
        bool, typer.Option("--accept-good-rows", help="Import the good rows even if some rows are bad.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="With --accept-good-rows: write the bad rows and reasons here (CSV).")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Apply the corrections the file makes to stored sales (shown first without it)."
        ),
    ] = False,
    date_order: Annotated[
        DateOrderChoice | None,
        typer.Option(
            "--date-order", help="Read dates like 11/5/2026 as month/day (mdy) or day/month (dmy).", show_default=False
        ),
    ] = None,
    lang: LangOption = None,
    config: ConfigOption = None,
    full: Annotated[
        bool, typer.Option("--full", help="People only: the file is the whole team; deactivate anyone missing.")
    ] = False,
    accept_outliers: Annotated[
        bool,
        typer.Option("--accept-outliers", help="Sales: load amounts far outside the file's and the customer's."),
    ] = False,
) -> None:
    """Load customers, sales lines or people from a CSV or XLSX export."""
    from sqlalchemy.exc import OperationalError

    from bot.i18n import plain
    from bot.i18n.phrases import say
    from bot.importing import ImportFileError
    from bot.importing.progress import rich_progress
    from bot.services.loading import load_export
    from bot.views.imports import import_summary

    settings = _settings(config)
    language = lang.value if lang else settings.team.language
    if not file.is_file():
        _fail(plain(language, "imp.no_file", file=file))
    if rejects is not None and not accept_good_rows:
        _fail(plain(language, "imp.rejects_needs_accept"))
    if full and kind != ImportKind.people:
        _fail(plain(language, "imp.full_people_only"))
    engine = _engine(settings)
    try:
        with rich_progress(f"Importing {kind.value}") as progress:
            report, scoring = load_export(
                engine=engine,
                settings=settings,
                kind=kind.value,
                path=file,
                dry_run=dry_run,
                accept_good_rows=accept_good_rows,
                rejects_path=rejects,
                progress=progress,
                replace=replace,
                date_order=date_order.value if date_order else None,
                lang=language,
                full=full,
                accept_outliers=accept_outliers,
            )
    except ImportFileError as exc:
        _fail(plain(language, "imp.unusable", file=file, reason=say(language, str(exc))))
        return
    except OperationalError as exc:
        from bot.db_errors import BUSY, database_problem

        if database_problem(exc) != BUSY:
            raise  # a full disk or an unreachable server: main() names it in one line
        # SQLite waited 30 s for another writer (the bot, another import); nothing was changed.
        _fail(plain(language, "imp.busy", file=file))
        return
    typer.echo(import_summary(report, language))
    if scoring is not None:
        typer.echo(scoring.render(language))
    if report.scoring_error:
        count = f"{report.inserted + report.updated:,}"
        typer.echo(plain(language, "imp.scoring_failed", count=count, reason=report.scoring_error))
        raise typer.Exit(3)  # stored, but the tiers are stale: not 0, and not "bad rows" either
    if not report.ok or report.blocked_by_corrections or report.blocked_by_outliers:
        raise typer.Exit(1)


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same team.")] = 7,
    force: Annotated[bool, typer.Option("--force", help="Wipe a database that already has data.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Last day of the sales history (default: today).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Fill the database with a realistic, seeded demo pharma team and score it."""
    from bot.clock import team_today
    from bot.demo import DatabaseNotEmpty, fill_demo_team

    settings = _settings(config)
    engine = _engine(settings)
    day = _parse_day(as_of, "--as-of") or team_today(settings)
    try:
        summary = fill_demo_team(engine=engine, seed=seed, as_of=day, force=force)
    except DatabaseNotEmpty as exc:
        _fail(f"{exc} Use --force to wipe it and load the demo team.")
        return
    typer.echo(summary.render())
    from bot.services.scoring_runs import run_scoring

    typer.echo(run_scoring(engine=engine, settings=settings, as_of=day, trigger="demo").render())


@app.command()
def invite(
    role: Annotated[RoleChoice, typer.Option(help="Role the invite grants.")],
    person: Annotated[str, typer.Option(help="External id of the person (from the people file).")],
    config: ConfigOption = None,
) -> None:
    """Print a one-time Telegram deep link that lets this person in with this role."""
    from bot.services.invites import InviteRefused, create_invite, invite_link

    settings = _settings(config)
    engine = _engine(settings)
    try:
        token = create_invite(engine=engine, settings=settings, person_external_id=person, role=role.value)
    except InviteRefused as exc:
        _fail(str(exc))
        return
    typer.echo(invite_link(settings, token))
    typer.echo(f"Valid once, for {settings.invites.ttl_hours} hours.")


@app.command()
def score(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Score as of this day (default: today).")] = None,
    lang: LangOption = None,
    config: ConfigOption = None,
) -> None:
    """Run a scoring run over the database and print customers per tier and stage."""
    from bot.services.scoring_runs import run_scoring

    settings = _settings(config)
    engine = _engine(settings)
    summary = run_scoring(engine=engine, settings=settings, as_of=_parse_day(as_of, "--as-of"), trigger="cli")
    typer.echo(summary.render(lang.value if lang else settings.team.language))


@app.command()
def backtest(
    as_of: Annotated[str, typer.Option("--as-of", help="Score as of this past day (YYYY-MM-DD).")],
    horizon: Annotated[int, typer.Option("--horizon", min=1, help="Days after it to compare with.")] = 90,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the figures (.csv or .xlsx).")
    ] = None,
    lang: LangOption = None,
    config: ConfigOption = None,
) -> None:
    """Score as of a past day (nothing stored) and compare the tiers with what customers did next."""
    from bot.i18n import plain
    from bot.services.backtest import backtest_rows, run_backtest
    from bot.views.backtest import render_backtest
    from bot.views.exports import neutralise_formulas

    settings = _settings(config)
    engine = _engine(settings)
    day = _parse_day(as_of, "--as-of")
    assert day is not None
    report = run_backtest(engine=engine, settings=settings, as_of=day, horizon_days=horizon)
    language = lang.value if lang else settings.team.language
    typer.echo(render_backtest(language, report, settings.team.currency_symbol, settings.scoring.window_days))
    if output is not None:
        rows = neutralise_formulas(backtest_rows(report))
        if output.suffix.lower() == ".xlsx":
            rows.to_excel(output, index=False, sheet_name="backtest")
        else:
            rows.to_csv(output, index=False, encoding="utf-8-sig")
        typer.echo(plain(language, "export.wrote", rows=len(rows), path=output))


@app.command()
def export(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    format: Annotated[FileFormat | None, typer.Option(help="csv or xlsx (default: from the file name).")] = None,
    headers: Annotated[
        HeaderChoice | None,
        typer.Option(
            help="Header language (default: the team's); 'en' keeps Tierbot's field names.", show_default=False
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Export the latest tiers, the logged contacts or the tier challenges as CSV or XLSX."""
    from bot.views.exports import export_table

    settings = _settings(config)
    engine = _engine(settings)
    chosen = format.value if format else ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    header_language = None if headers is None else ("fields" if headers == HeaderChoice.en else headers.value)
    rows = export_table(
        engine=engine, settings=settings, kind=kind.value, path=output, file_format=chosen, headers=header_language
    )
    from bot.i18n import plain

    typer.echo(plain(settings.team.language, "export.wrote", rows=rows, path=output))


@people_app.command("list")
def people_list(config: ConfigOption = None) -> None:
    """Print everyone, active or not, with role, manager and customers held."""
    from bot.services.people import list_people

    for p in list_people(engine=_engine(_settings(config))):
        state = "active" if p.active else "LEFT"
        joined = "joined" if p.joined else "not joined"
        typer.echo(
            f"{p.external_id}\t{p.name}\t{p.role}\t{p.manager or '-'}\t{state}\t{joined}\t{p.customers} customers"
        )


@people_app.command("deactivate")
def people_deactivate(
    person: Annotated[str, typer.Argument(help="Staff id of the person who left.")], config: ConfigOption = None
) -> None:
    """Mark a person as left: no bot access and no pushes from now on; their customers need a new rep."""
    from bot.services.people import DeactivationRefused, deactivate_person

    try:
        left = deactivate_person(engine=_engine(_settings(config)), person=person)
    except DeactivationRefused as exc:
        _fail(str(exc))
        return
    typer.echo(f"{left.external_id} {left.name} is deactivated: no bot access and no pushes from now on.")
    if left.customers_left:
        typer.echo(f"{left.customers_left} customers need a new rep: tierbot handover {left.external_id} --to STAFF_ID")


@app.command()
def handover(
    from_person: Annotated[str, typer.Argument(metavar="FROM", help="Staff id of the person handing over.")],
    to: Annotated[str, typer.Option("--to", help="Staff id of the successor (an active person).")],
    deactivate: Annotated[bool, typer.Option("--deactivate", help="Also mark FROM as left.")] = False,
    config: ConfigOption = None,
) -> None:
    """Move a rep's customers and open follow-ups to a successor; contacts stay as history."""
    from bot.services.handover import HandoverRefused, hand_over

    try:
        moved = hand_over(engine=_engine(_settings(config)), giver=from_person, taker=to, deactivate=deactivate)
    except HandoverRefused as exc:
        _fail(str(exc))
        return
    giver, taker = f"{moved.from_external_id} {moved.from_name}", f"{moved.to_external_id} {moved.to_name}"
    typer.echo(
        f"Handed over from {giver} to {taker}: {len(moved.customers)} customers, {moved.follow_ups} open follow-ups."
    )
    for name in moved.customers:
        typer.echo(f"  {name}")
    if moved.deactivated:
        typer.echo(f"{giver} is deactivated.")


def _pick_member(engine, who: str | None):
    """The person the console signs in as: by external id or exact name; default the first rep."""
    from bot.models.people import Role
    from bot.services.people import first_person_with_role, member_by_external_id, member_by_name

    if who:
        member = member_by_external_id(engine=engine, external_id=who) or member_by_name(engine=engine, name=who)
        if member is None:
            _fail(f"No person {who!r}: give an external id (e.g. R001) or a name from the people file.")
        return member
    member = first_person_with_role(engine=engine, role=Role.REP)
    if member is None:
        _fail("The database has no reps yet: run `tierbot demo` or import a people file first.")
    return member


def _fill_demo_if_empty(settings: Settings, engine) -> None:
    from bot.clock import team_today
    from bot.demo import DatabaseNotEmpty, fill_demo_team
    from bot.services.scoring_runs import run_scoring

    today = team_today(settings)
    try:
        summary = fill_demo_team(engine=engine, seed=7, as_of=today, force=False)
    except DatabaseNotEmpty:
        return
    typer.echo(summary.render())
    typer.echo(run_scoring(engine=engine, settings=settings, as_of=today, trigger="demo").render())


@app.command()
def run(
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo team first if the database is empty.")] = False,
    as_person: Annotated[
        str | None, typer.Option("--as", help="Without a token: the person the console signs in as.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Run the bot: on Telegram when a token is set (polling or webhook), else in the console."""
    settings = _settings(config)
    engine = _engine(settings)
    if demo:
        _fill_demo_if_empty(settings, engine)
    if not settings.telegram_token:
        member = _pick_member(engine, as_person)
        typer.echo("No Telegram token is set (telegram.token or TIERBOT_TELEGRAM_TOKEN): starting the console.")
        from bot.console import console_main

        console_main(settings, engine, member)
        return
    from bot.runner import run_bot

    run_bot(settings, engine)


@app.command()
def console(
    as_person: Annotated[str | None, typer.Option("--as", help="Person to sign in as: external id or name.")] = None,
    on: Annotated[
        str | None,
        typer.Option("--date", help="Run on a simulated clock from this day (YYYY-MM-DD), with the scheduled pushes."),
    ] = None,
    at: Annotated[str, typer.Option("--time", help="With --date: the local time the clock starts at.")] = "09:00",
    config: ConfigOption = None,
) -> None:
    """Talk to the bot in this terminal (or pipe lines in); no token or network needed."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from bot.console import console_main

    settings = _settings(config)
    day = _parse_day(on, "--date")
    try:
        start_time = time.fromisoformat(at)
    except ValueError:
        _fail(f"--time must be a time as HH:MM, not {at!r}")
        raise
    engine = _engine(settings)
    member = _pick_member(engine, as_person)
    start = None
    if day is not None:
        start = datetime.combine(day, start_time, ZoneInfo(member.timezone or settings.team.timezone))
    console_main(settings, engine, member, start)


# `tierbot preview` lives in its own module; it is handed the helpers above rather than importing this one.
from bot.cli_preview import register as register_preview  # noqa: E402

register_preview(app, settings_of=_settings, engine_of=_engine)


def main() -> None:
    """Run the CLI; a database that cannot be used is reported in one line (bot.db_errors), not a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        app()
    except SQLAlchemyError as exc:
        from bot.db_errors import one_line

        typer.secho(one_line(exc), fg=typer.colors.RED, err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
