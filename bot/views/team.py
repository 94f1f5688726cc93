"""The team as a manager sees it: rolling coverage per rep, one rep's review, the nudge, and team lists."""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from telegram import InlineKeyboardMarkup

from bot.i18n import Markup, babel_locale, escape, has, t
from bot.services.coverage import CHANNELS, RepCoverage, TierCoverage
from bot.services.rep_review import RepReview
from bot.services.team import RepCustomers, TeamCustomer, TeamToday
from bot.views import callbacks
from bot.views.common import day, keyboard, percent, shorten

# Lines shown per section or per rep; the rest is counted.
SHOWN = 10
REP_BUTTONS = 40


def short_day(lang: str, value: date) -> str:
    """Month and day only, as the language writes them: 11月24日, Nov 24."""
    return format_skeleton("MMMd", value, locale=babel_locale(lang))


def render_team(lang: str, reps: list[RepCoverage], today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    """/team: per rep, customers per tier, rolling coverage with dates and the week's change; a button per rep."""
    lines: list[str] = [t(lang, "team.title", date=day(lang, today))]
    if not reps:
        lines.append(t(lang, "team.empty"))
    for rep in reps:
        counts = rep.per_tier
        lines.append("")
        lines.append(t(lang, "team.rep", name=rep.name, a=counts["A"], b=counts["B"], c=counts["C"], d=counts["D"]))
        for item in rep.tiers:
            if item.customers:
                lines.extend(_coverage_lines(lang, item))
        lines.append(t(lang, "team.recent_activity", contacts=rep.contacts_recent, overdue=rep.overdue_follow_ups))
    markup = _rep_buttons(lang, [(rep.person_id, rep.name) for rep in reps], lines)
    return "\n".join(lines), markup


def _rep_buttons(lang: str, reps: list[tuple[int, str]], lines: list) -> InlineKeyboardMarkup | None:
    """A button per rep, two a row, at most REP_BUTTONS (Telegram refuses a huge keyboard); for more reps,
    a line on how to open the others is added to lines."""
    buttons = [(t(lang, "btn.team_rep", name=shorten(name, 16)), callbacks.TEAM_REP.data(rep)) for rep, name in reps]
    if len(buttons) > REP_BUTTONS:
        lines.append(t(lang, "team.more_reps", count=len(buttons) - REP_BUTTONS))
        buttons = buttons[:REP_BUTTONS]
    return keyboard([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def _coverage_lines(lang: str, item: TierCoverage) -> list[str]:
    change = f"+{item.change}" if item.change > 0 else ("±0" if item.change == 0 else f"−{-item.change}")
    lines: list[str] = [
        t(
            lang,
            "team.coverage",
            tier=item.tier,
            start=short_day(lang, item.window_start),
            end=short_day(lang, item.window_end),
            covered=item.covered,
            customers=item.customers,
            share=percent(item.share),
            change=change,
            status=t(lang, f"status.{item.status}"),
        )
    ]
    used = [
        t(lang, f"team.channel.{channel}", count=item.by_channel[channel])
        for channel in CHANNELS
        if item.by_channel.get(channel)
    ]
    if used:
        lines.append(t(lang, "team.channels", channels=Markup(" · ").join(used)))
    return lines


def render_rep_review(lang: str, review: RepReview, today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    """One rep for their manager: uncovered A/B customers, overdue follow-ups, the last week's contacts."""
    lines: list[str] = [t(lang, "team.review_title", name=review.name, date=day(lang, today))]
    lines += _to_do_lines(lang, review)
    lines.append(t(lang, "team.review_recent", count=len(review.recent)))
    recent = [
        t(
            lang,
            "team.review_contact",
            date=short_day(lang, c.day),
            name=shorten(c.customer_name),
            outcome=outcome_label(lang, c.outcome),
        )
        for c in review.recent
    ]
    lines += _capped(lang, recent, "team.review_more")
    if not review.anything_to_remind:
        return "\n".join(lines), None
    button = (t(lang, "btn.remind", name=shorten(review.name, 16)), callbacks.TEAM_REMIND.data(review.person_id))
    return "\n".join(lines), keyboard([[button]])


def render_nudge(lang: str, review: RepReview, manager: str) -> str:
    """The reminder the rep gets from their manager: what is left undone."""
    return "\n".join([t(lang, "team.nudge", manager=manager), *_to_do_lines(lang, review)])


def _to_do_lines(lang: str, review: RepReview) -> list[str]:
    lines = [t(lang, "team.review_uncovered", count=len(review.uncovered))]
    lines += _capped(
        lang, [_customer_line(lang, c.name, c.tier, c.last_contact) for c in review.uncovered], "team.review_more"
    )
    lines.append(t(lang, "team.review_overdue", count=len(review.overdue)))
    overdue = [
        t(lang, "team.review_follow_up", name=shorten(f.customer_name), date=day(lang, f.due_on))
        for f in review.overdue
    ]
    return lines + _capped(lang, overdue, "team.review_more")


def render_pick_rep(lang: str, name: str, reps: list[tuple[int, str]]) -> tuple[str, InlineKeyboardMarkup | None]:
    """The reps a name may mean, a button each; or that the team has no such rep."""
    if not reps:
        return t(lang, "team.no_such_rep", name=shorten(name)), None
    rows = [
        [(t(lang, "btn.team_rep", name=shorten(rep_name, 16)), callbacks.TEAM_REP.data(person_id))]
        for person_id, rep_name in reps
    ]
    return t(lang, "team.pick_rep", name=shorten(name)), keyboard(rows)


def render_team_today(lang: str, team: TeamToday, today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    """A manager's /today: the team's A and B customers due today, by rep, with a button per rep."""
    lines: list[str] = [t(lang, "team.today_title", date=day(lang, today))]
    if not team.due:
        lines.append(t(lang, "team.today_none"))
    lines += _grouped(lang, team.due)
    markup = _rep_buttons(lang, [(group.person_id, group.name) for group in team.due], lines)
    return "\n".join(lines), markup


def render_team_at_risk(lang: str, groups: list[RepCustomers]) -> str:
    """/mine at-risk for a manager: the team's at-risk customers, by rep."""
    count = sum(len(group.customers) for group in groups)
    lines = [t(lang, "team.at_risk_title", count=count)]
    if not groups:
        lines.append(t(lang, "team.at_risk_none"))
    return "\n".join(lines + _grouped(lang, groups))


def _grouped(lang: str, groups: tuple[RepCustomers, ...] | list[RepCustomers]) -> list[str]:
    lines: list[str] = []
    for group in groups:
        lines.append("")
        lines.append(t(lang, "team.group", name=group.name, count=len(group.customers)))
        customers = [_team_customer_line(lang, c) for c in group.customers]
        lines += _capped(lang, customers, "team.customers_more")
    return lines


def _team_customer_line(lang: str, customer: TeamCustomer) -> Markup:
    return _customer_line(lang, customer.name, customer.tier, customer.last_contact)


def _customer_line(lang: str, name: str, tier: str | None, last: date | None) -> Markup:
    if last is None:
        return t(lang, "team.customer_never", name=shorten(name), tier=tier or "–")
    return t(lang, "team.customer_last", name=shorten(name), tier=tier or "–", date=day(lang, last))


def _capped(lang: str, lines: list, more_key: str) -> list:
    """The first SHOWN lines, then how many more; 'none' when there are none."""
    if not lines:
        return [t(lang, "team.none")]
    shown = lines[:SHOWN]
    if len(lines) > SHOWN:
        shown.append(t(lang, more_key, count=len(lines) - SHOWN))
    return shown


def outcome_label(lang: str, outcome: str) -> Markup:
    """An outcome code in words (a team's own code as stored)."""
    return t(lang, f"outcome.{outcome}") if has(lang, f"outcome.{outcome}") else escape(outcome.replace("_", " "))
