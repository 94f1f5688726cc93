"""The weekly digest as Telegram HTML: headline, moved down (they need action), moved up, at risk, reps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.i18n import Markup, t
from bot.services.coverage import RepCoverage, TierCoverage
from bot.services.digest import AtRiskAccount, ChallengeSection, Digest, DigestMove, most_behind_first
from bot.split import split_message
from bot.views.challenges import outcome_label, proposal
from bot.views.common import day, money, percent, reasons_text, shorten
from bot.views.team import short_day

T = TypeVar("T")
SECTION_LIMIT = 15  # lines per section; a phone screen, not a report
REASONS_PER_LINE = 2
MOVE_REASONS_PER_LINE = 3  # why it moved: the driver and the criteria crossed (scoring.moves)


def render_digest(lang: str, digest: Digest, currency: str = "¥") -> list[str]:
    """The digest as one or more messages, each within Telegram's 4,096 characters."""
    lines: list[str] = [
        t(
            lang,
            "digest.headline" if digest.at_risk_is_new else "digest.headline_first",
            week=digest.week_number,
            up=len(digest.moved_up),
            down=len(digest.moved_down),
            at_risk=len(digest.newly_at_risk),
        ),
        t(lang, "digest.period", start=day(lang, digest.week_start), end=day(lang, digest.week_end)),
    ]
    comparison = _comparison(lang, digest)
    if comparison:
        lines.append(comparison)
    if digest.is_quiet and not comparison:
        lines.append(t(lang, "digest.quiet"))
    lines += _proof(lang, digest)
    if digest.moved_down:
        lines += ["", t(lang, "digest.down_title", count=len(digest.moved_down))]
        lines += _capped(lang, digest.moved_down, lambda move: _move(lang, move, currency))
    if digest.moved_up:
        lines += ["", t(lang, "digest.up_title", count=len(digest.moved_up))]
        lines += _capped(lang, digest.moved_up, lambda move: _move(lang, move, currency))
    if digest.newly_at_risk:
        title = "digest.at_risk_title" if digest.at_risk_is_new else "digest.at_risk_title_all"
        lines += ["", t(lang, title, count=len(digest.newly_at_risk))]
        lines += _capped(lang, digest.newly_at_risk, lambda account: _at_risk(lang, account, currency))
    if digest.orphaned:
        lines += ["", t(lang, "digest.orphaned_title", count=len(digest.orphaned))]
        lines += _capped(
            lang,
            digest.orphaned,
            lambda customer: t(
                lang,
                "digest.orphaned_line",
                name=shorten(customer.customer_name),
                rep=_rep_name(lang, customer.rep_name),
            ),
        )
    lines += challenge_lines(lang, digest.challenges)
    lines.append("")
    lines += _reps(lang, digest.reps)
    lines += ["", t(lang, "digest.footer")]
    return split_message("\n".join(lines))


def _comparison(lang: str, digest: Digest) -> Markup | None:
    """Why there can be no tier changes, when there can be none; None when two runs were compared."""
    if digest.latest_run is None:
        return t(lang, "digest.no_runs")
    if digest.compared_with is None:
        return t(lang, "digest.no_baseline")
    if digest.compared_with == digest.latest_run:
        return t(lang, "digest.no_new_run", date=day(lang, digest.latest_run))
    return None


def _proof(lang: str, digest: Digest) -> list[str]:
    """The month's one sentence on what the tiers proved, after a blank line; nothing in other weeks."""
    if digest.proof is None:
        return []
    proof = digest.proof
    share, customers_share = percent(proof.revenue_share), percent(proof.customers_share)
    return ["", t(lang, "digest.proof", days=proof.days, share=share, customers_share=customers_share)]


def _rep_name(lang: str, name: str | None) -> str:
    return shorten(name, 20) if name else t(lang, "digest.no_rep")


def _move(lang: str, move: DigestMove, currency: str) -> str:
    line = t(
        lang,
        "digest.move_line",
        name=shorten(move.customer_name),
        before=move.before,
        after=move.after,
        rep=_rep_name(lang, move.rep_name),
    )
    return _with_reasons(lang, line, move.reasons, currency, limit=MOVE_REASONS_PER_LINE)


def _at_risk(lang: str, account: AtRiskAccount, currency: str) -> str:
    line = t(
        lang,
        "digest.at_risk_line",
        name=shorten(account.customer_name),
        tier=account.tier,
        amount=money(lang, account.monetary, currency),
        rep=_rep_name(lang, account.rep_name),
    )
    return _with_reasons(lang, line, account.reasons, currency)


def _with_reasons(lang: str, line: str, reasons, currency: str, limit: int = REASONS_PER_LINE) -> str:
    if not reasons:
        return line
    words = reasons_text(lang, reasons, currency, limit=limit)
    return f"{line}\n{t(lang, 'digest.reasons_line', reasons=words)}"


def _capped(lang: str, items: Sequence[T], line: Callable[[T], str]) -> list[str]:
    """The first SECTION_LIMIT items as lines (only those are formatted), then how many more there are."""
    lines = [line(item) for item in items[:SECTION_LIMIT]]
    if len(items) > SECTION_LIMIT:
        lines.append(t(lang, "digest.more", count=len(items) - SECTION_LIMIT))
    return lines


def _reps(lang: str, reps: tuple[RepCoverage, ...]) -> list[str]:
    if not reps:
        return [t(lang, "digest.no_reps")]
    # Every rep's windows end on the same day with the same cadence: the dates go once, in the title.
    window = {
        item.tier: (short_day(lang, item.window_start), short_day(lang, item.window_end)) for item in reps[0].tiers
    }
    lines: list[str] = [
        t(
            lang,
            "digest.coverage_title",
            a_start=window["A"][0],
            a_end=window["A"][1],
            b_start=window["B"][0],
            b_end=window["B"][1],
        )
    ]
    ordered = most_behind_first(reps)
    for rep in ordered[:SECTION_LIMIT]:
        coverage = {item.tier: _coverage(lang, item) for item in rep.tiers}
        lines.append(
            t(
                lang,
                "digest.rep_line",
                name=shorten(rep.name, 20),
                a=coverage["A"],
                b=coverage["B"],
                contacts=rep.contacts_recent,
                overdue=rep.overdue_follow_ups,
            )
        )
    if len(ordered) > SECTION_LIMIT:
        lines.append(t(lang, "digest.reps_more", count=len(ordered) - SECTION_LIMIT))
    return lines


def _coverage(lang: str, item: TierCoverage) -> Markup:
    if item.customers == 0:
        return t(lang, "digest.tier_none", tier=item.tier)
    return t(
        lang,
        "digest.tier_coverage",
        tier=item.tier,
        covered=item.covered,
        customers=item.customers,
        share=percent(item.share),
        status=t(lang, f"digest.status.{item.status}"),
    )


# ------------------------------------------------------------------ challenges and overrides (issue 14 §2)
def challenge_lines(lang: str, section: ChallengeSection | None) -> list[str]:
    """Challenges decided last week, overrides ending this week, customers whose contacts get nowhere."""
    if not section:
        return []
    lines: list[str] = []
    if section.decided:
        lines += ["", t(lang, "digest.challenges_title", count=len(section.decided))]
        lines += _capped(lang, section.decided, lambda c: t(
            lang, "digest.challenge_line", name=shorten(c.customer_name), proposal=proposal(lang, c),
            status=t(lang, f"challenge.status.{c.status}"), decider=c.decided_by or t(lang, "challenge.by_data"),
        ))  # fmt: skip
    if section.expiring:
        lines += ["", t(lang, "digest.expiring_title", count=len(section.expiring))]
        lines += _capped(lang, section.expiring, lambda c: t(
            lang, "digest.expiring_line", name=shorten(c.customer_name), label=outcome_label(lang, c)
        ))  # fmt: skip
    if section.no_progress:
        lines += ["", t(lang, "digest.no_progress_title", count=len(section.no_progress))]
        lines += _capped(lang, section.no_progress, lambda c: t(
            lang, "digest.no_progress_line", name=shorten(c.customer_name), rep=_rep_name(lang, c.rep_name),
            count=c.contacts,
        ))  # fmt: skip
    return lines
